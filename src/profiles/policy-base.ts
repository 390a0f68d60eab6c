// Nova's base check strings (nova/policies/base.py). The per-rule defaults are composed from these.
export const BASE_RULES = {
  context_is_admin: 'role:admin',
  admin_api: 'is_admin:True',
  admin_or_owner: 'is_admin:True or project_id:%(project_id)s',
  project_member_api: 'role:member and project_id:%(project_id)s',
  project_reader_api: 'role:reader and project_id:%(project_id)s',
  project_member_or_admin: 'rule:project_member_api or rule:context_is_admin',
  project_reader_or_admin: 'rule:project_reader_api or rule:context_is_admin',
  service_api: 'role:service',
  service_or_admin: 'rule:service_api or rule:context_is_admin',
};

const VA = 'os_compute_api:os-volumes-attachments';
const IA = 'os_compute_api:os-instance-actions';

/** Rule defaults shared by both releases (new-default form). */
export const COMMON_RULES: Record<string, string> = {
  'os_compute_api:servers:index': 'rule:project_reader_or_admin',
  'os_compute_api:servers:detail': 'rule:project_reader_or_admin',
  'os_compute_api:servers:index:get_all_tenants': 'rule:context_is_admin',
  'os_compute_api:servers:detail:get_all_tenants': 'rule:context_is_admin',
  'os_compute_api:servers:show': 'rule:project_reader_or_admin',
  'os_compute_api:servers:create': 'rule:project_member_or_admin',
  'os_compute_api:servers:create:trusted_certs': 'rule:project_member_or_admin',
  'os_compute_api:servers:delete': 'rule:project_member_or_admin',
  'os_compute_api:servers:update': 'rule:project_member_or_admin',
  'os_compute_api:os-lock-server:lock': 'rule:project_member_or_admin',
  'os_compute_api:os-lock-server:unlock': 'rule:project_member_or_admin',
  'os_compute_api:os-lock-server:unlock:unlock_override': 'rule:context_is_admin',
  'os_compute_api:os-flavor-manage:create': 'rule:context_is_admin',
  'os_compute_api:os-server-tags:index': 'rule:project_reader_or_admin',
  'os_compute_api:os-server-tags:update_all': 'rule:project_member_or_admin',
  [`${VA}:index`]: 'rule:project_reader_or_admin',
  [`${VA}:show`]: 'rule:project_reader_or_admin',
  [`${VA}:create`]: 'rule:project_member_or_admin',
  [`${VA}:update`]: 'rule:project_member_or_admin',
  [`${VA}:delete`]: 'rule:project_member_or_admin',
  [`${IA}:list`]: 'rule:project_reader_or_admin',
  [`${IA}:show`]: 'rule:project_reader_or_admin',
  [`${IA}:events`]: 'rule:context_is_admin',
  [`${IA}:events:details`]: 'rule:context_is_admin',
  'os_compute_api:servers:stop': 'rule:project_member_or_admin',
  'os_compute_api:servers:start': 'rule:project_member_or_admin',
  'os_compute_api:servers:reboot': 'rule:project_member_or_admin',
  'os_compute_api:servers:trigger_crash_dump': 'rule:project_member_or_admin',
  'os_compute_api:os-pause-server:pause': 'rule:project_member_or_admin',
  'os_compute_api:os-pause-server:unpause': 'rule:project_member_or_admin',
  'os_compute_api:os-suspend-server:suspend': 'rule:project_member_or_admin',
  'os_compute_api:os-suspend-server:resume': 'rule:project_member_or_admin',
  'os_compute_api:os-rescue': 'rule:project_member_or_admin',
  'os_compute_api:os-unrescue': 'rule:project_member_or_admin',
  'os_compute_api:os-admin-actions:reset_state': 'rule:context_is_admin',
};
