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
  'os_compute_api:os-attach-interfaces:list': 'rule:project_reader_or_admin',
  'os_compute_api:os-attach-interfaces:show': 'rule:project_reader_or_admin',
  'os_compute_api:os-attach-interfaces:create': 'rule:project_member_or_admin',
  'os_compute_api:os-attach-interfaces:delete': 'rule:project_member_or_admin',
  'os_compute_api:servers:index': 'rule:project_reader_or_admin',
  'os_compute_api:servers:detail': 'rule:project_reader_or_admin',
  'os_compute_api:servers:index:get_all_tenants': 'rule:context_is_admin',
  'os_compute_api:servers:detail:get_all_tenants': 'rule:context_is_admin',
  'os_compute_api:servers:show': 'rule:project_reader_or_admin',
  'os_compute_api:servers:create': 'rule:project_member_or_admin',
  'os_compute_api:servers:create:trusted_certs': 'rule:project_member_or_admin',
  'os_compute_api:servers:create:attach_volume': 'rule:project_member_or_admin',
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
  // nova/policies/servers.py, create_backup.py, evacuate.py.
  'os_compute_api:servers:rebuild': 'rule:project_member_or_admin',
  'os_compute_api:servers:rebuild:trusted_certs': 'rule:project_member_or_admin',
  'os_compute_api:servers:create_image': 'rule:project_member_or_admin',
  'os_compute_api:servers:create_image:allow_volume_backed': 'rule:project_member_or_admin',
  'os_compute_api:os-create-backup': 'rule:project_member_or_admin',
  'os_compute_api:os-evacuate': 'rule:context_is_admin',
  'os_compute_api:servers:trigger_crash_dump': 'rule:project_member_or_admin',
  'os_compute_api:os-pause-server:pause': 'rule:project_member_or_admin',
  'os_compute_api:os-pause-server:unpause': 'rule:project_member_or_admin',
  'os_compute_api:os-suspend-server:suspend': 'rule:project_member_or_admin',
  'os_compute_api:os-suspend-server:resume': 'rule:project_member_or_admin',
  'os_compute_api:os-rescue': 'rule:project_member_or_admin',
  'os_compute_api:os-unrescue': 'rule:project_member_or_admin',
  'os_compute_api:os-admin-actions:reset_state': 'rule:context_is_admin',
  'os_compute_api:os-console-output': 'rule:project_member_or_admin',
};

// Key pairs, limits, quotas and server groups (nova/policies/{keypairs,limits,quota_sets,quota_class_sets,server_groups}.py).
const KP = 'os_compute_api:os-keypairs';
const SG = 'os_compute_api:os-server-groups';
const QS = 'os_compute_api:os-quota-sets';
Object.assign(COMMON_RULES, {
  [`${KP}:index`]: '(rule:context_is_admin) or user_id:%(user_id)s',
  [`${KP}:create`]: '(rule:context_is_admin) or user_id:%(user_id)s',
  [`${KP}:delete`]: '(rule:context_is_admin) or user_id:%(user_id)s',
  [`${KP}:show`]: '(rule:context_is_admin) or user_id:%(user_id)s',
  'os_compute_api:limits': '@',
  'os_compute_api:limits:other_project': 'rule:context_is_admin',
  [`${QS}:update`]: 'rule:context_is_admin',
  [`${QS}:defaults`]: '@',
  [`${QS}:show`]: 'rule:project_reader_or_admin',
  [`${QS}:delete`]: 'rule:context_is_admin',
  [`${QS}:detail`]: 'rule:project_reader_or_admin',
  'os_compute_api:os-quota-class-sets:show': 'rule:context_is_admin',
  'os_compute_api:os-quota-class-sets:update': 'rule:context_is_admin',
  [`${SG}:create`]: 'rule:project_member_or_admin',
  [`${SG}:delete`]: 'rule:project_member_or_admin',
  [`${SG}:index`]: 'rule:project_reader_or_admin',
  [`${SG}:index:all_projects`]: 'rule:context_is_admin',
  [`${SG}:show`]: 'rule:project_reader_or_admin',
});
// Flavors, flavor extra specs and flavor access (nova/policies/flavor_{manage,extra_specs,access}.py),
// server metadata, and the read surface (extensions, simple tenant usage, usage audit log,
// diagnostics, server password, console auth tokens, external events).
const FEATURE_RULES: Record<string, string> = {
  'os_compute_api:os-flavor-manage:update': 'rule:context_is_admin',
  'os_compute_api:os-flavor-manage:delete': 'rule:context_is_admin',
  'os_compute_api:os-flavor-extra-specs:index': 'rule:project_reader_or_admin',
  'os_compute_api:os-flavor-extra-specs:show': 'rule:project_reader_or_admin',
  'os_compute_api:os-flavor-extra-specs:create': 'rule:context_is_admin',
  'os_compute_api:os-flavor-extra-specs:update': 'rule:context_is_admin',
  'os_compute_api:os-flavor-extra-specs:delete': 'rule:context_is_admin',
  'os_compute_api:os-flavor-access': 'rule:context_is_admin',
  'os_compute_api:os-flavor-access:add_tenant_access': 'rule:context_is_admin',
  'os_compute_api:os-flavor-access:remove_tenant_access': 'rule:context_is_admin',
  'os_compute_api:server-metadata:index': 'rule:project_reader_or_admin',
  'os_compute_api:server-metadata:show': 'rule:project_reader_or_admin',
  'os_compute_api:server-metadata:create': 'rule:project_member_or_admin',
  'os_compute_api:server-metadata:update_all': 'rule:project_member_or_admin',
  'os_compute_api:server-metadata:update': 'rule:project_member_or_admin',
  'os_compute_api:server-metadata:delete': 'rule:project_member_or_admin',
  'os_compute_api:extensions': '@',
  'os_compute_api:os-simple-tenant-usage:show': 'rule:project_reader_or_admin',
  'os_compute_api:os-simple-tenant-usage:list': 'rule:context_is_admin',
  'os_compute_api:os-instance-usage-audit-log:list': 'rule:context_is_admin',
  'os_compute_api:os-instance-usage-audit-log:show': 'rule:context_is_admin',
  'os_compute_api:os-server-diagnostics': 'rule:context_is_admin',
  'os_compute_api:os-server-password:show': 'rule:project_reader_or_admin',
  'os_compute_api:os-server-password:clear': 'rule:project_member_or_admin',
  'os_compute_api:os-console-auth-tokens': 'rule:context_is_admin',
  'os_compute_api:os-server-external-events:create': 'rule:context_is_admin',
};
Object.assign(COMMON_RULES, FEATURE_RULES);

/** Zed rules whose deprecated check string is not the usual one (os-flavor-access: admin_or_owner). */
export const ZED_RULE_OVERRIDES: Record<string, string> = {
  'os_compute_api:os-flavor-access': '(rule:context_is_admin) or (rule:admin_or_owner)',
};

/** Master rules that changed since Zed (os-server-external-events: the service role only). */
export const MASTER_RULE_OVERRIDES: Record<string, string> = {
  'os_compute_api:os-server-external-events:create': 'rule:service_api',
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
  // nova/policies/{migrate_server,servers_migrations}.py (Zed: admin only).
  'os_compute_api:os-migrate-server:migrate_live': 'rule:context_is_admin',
  'os_compute_api:servers:migrations:force_complete': 'rule:context_is_admin',
  'os_compute_api:servers:migrations:delete': 'rule:context_is_admin',
});

// Shelve, deferred delete, admin password and remote consoles (nova/policies/{shelve,deferred_delete,
// admin_password,remote_consoles}.py); the same defaults in Zed and master.
Object.assign(COMMON_RULES, {
  'os_compute_api:os-shelve:shelve': 'rule:project_member_or_admin',
  'os_compute_api:os-shelve:unshelve': 'rule:project_member_or_admin',
  'os_compute_api:os-shelve:unshelve_to_host': 'rule:context_is_admin',
  'os_compute_api:os-shelve:shelve_offload': 'rule:context_is_admin',
  'os_compute_api:os-deferred-delete:restore': 'rule:project_member_or_admin',
  'os_compute_api:os-deferred-delete:force': 'rule:project_member_or_admin',
  'os_compute_api:os-admin-password': 'rule:project_member_or_admin',
  'os_compute_api:os-remote-consoles': 'rule:project_member_or_admin',
});

// Resize and cold migration (nova/policies/servers.py resize/confirm_resize/revert_resize,
// nova/policies/migrate_server.py migrate/migrate:host). Zed: migrate is admin-only; master lets
// project managers cold-migrate (PROJECT_MANAGER_OR_ADMIN), a given host stays admin-only.
Object.assign(COMMON_RULES, {
  'os_compute_api:servers:resize': 'rule:project_member_or_admin',
  'os_compute_api:servers:confirm_resize': 'rule:project_member_or_admin',
  'os_compute_api:servers:revert_resize': 'rule:project_member_or_admin',
  'os_compute_api:os-migrate-server:migrate': 'rule:context_is_admin',
  'os_compute_api:os-migrate-server:migrate:host': 'rule:context_is_admin',
});
Object.assign(MASTER_RULE_OVERRIDES, {
  'os_compute_api:os-migrate-server:migrate': 'rule:project_manager_or_admin',
});
