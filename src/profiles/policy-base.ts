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
};

// Hosts, scheduling and the admin host APIs (nova/policies/{services,hypervisors,aggregates,
// availability_zone,migrations,servers_migrations,servers}.py): admin-only except the zone list.
Object.assign(BASE_RULES, {
  project_manager_api: 'role:manager and project_id:%(project_id)s',
  project_manager_or_admin: 'rule:project_manager_api or rule:context_is_admin',
});
Object.assign(COMMON_RULES, {
  'os_compute_api:servers:create:forced_host': 'rule:context_is_admin',
  ...Object.fromEntries(['list', 'update', 'delete'].map((a) => [`os_compute_api:os-services:${a}`, 'rule:context_is_admin'])),
  ...Object.fromEntries(['list', 'list-detail', 'statistics', 'show', 'uptime', 'search', 'servers'].map((a) => [`os_compute_api:os-hypervisors:${a}`, 'rule:context_is_admin'])),
  ...Object.fromEntries(['set_metadata', 'add_host', 'create', 'remove_host', 'update', 'index', 'delete', 'show'].map((a) => [`os_compute_api:os-aggregates:${a}`, 'rule:context_is_admin'])),
  'compute:aggregates:images': 'rule:context_is_admin',
  'os_compute_api:os-availability-zone:list': '@',
  'os_compute_api:os-availability-zone:detail': 'rule:context_is_admin',
  'os_compute_api:os-migrations:index': 'rule:context_is_admin',
  'os_compute_api:os-migrations:index:all_projects': 'rule:context_is_admin',
  'os_compute_api:os-migrations:index:host': 'rule:context_is_admin',
  'os_compute_api:servers:migrations:index': 'rule:context_is_admin',
  'os_compute_api:servers:migrations:show': 'rule:context_is_admin',
  'os_compute_api:servers:migrations:index:host': 'rule:context_is_admin',
});
