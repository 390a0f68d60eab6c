// Cinder's RequestContext as the fake needs it, and the policy defaults it is judged by
// (cinder/policies/*.py; base.py XENA_* rules; enforce_new_defaults per profile).
import type { RequestContext } from '../domain.js';
import type { CinderSwitches } from '../profiles/index.js';
import { policyDenied } from './errors.js';

export interface CinderCtx {
  requestId: string;
  userId: string;
  projectId: string;
  roles: string[];
  /** policy context_is_admin (role:admin), any project. */
  isAdmin: boolean;
  authToken: string;
  /** Roles of a valid X-Service-Token; empty without one. */
  serviceRoles: string[];
  serviceToken: string | null;
}

export function cinderContext(ctx: RequestContext, service: { roles: string[]; token: string } | null): CinderCtx {
  return {
    requestId: ctx.requestId,
    userId: ctx.userId,
    projectId: ctx.projectId,
    roles: ctx.roles,
    isAdmin: ctx.isAdmin,
    authToken: ctx.authToken,
    serviceRoles: service?.roles ?? [],
    serviceToken: service?.token ?? null,
  };
}

/** API.is_service_request: service token roles ∩ [keystone_authtoken] service_token_roles (["service"]). */
export const isServiceRequest = (c: CinderCtx) => c.serviceRoles.includes('service');

/** context.elevated(): the manager acts with admin rights on the caller's behalf. */
export const elevated = (c: CinderCtx): CinderCtx => ({ ...c, isAdmin: true });

type Rule = 'member' | 'reader' | 'admin_api' | 'member_or_anyone';

/** Default check string per rule name (Xena defaults, identical in zed and master). */
const RULES: Record<string, Rule> = {
  'volume:create': 'member_or_anyone',
  'volume:get': 'reader',
  'volume:get_all': 'reader',
  'volume:update': 'member',
  'volume:delete': 'member',
  'volume:extend': 'member',
  'volume:extend_attached_volume': 'member',
  // cinder/policies/volume_actions.py REIMAGE_POLICY / REIMAGE_RESERVED_POLICY (SYSTEM_ADMIN_OR_PROJECT_MEMBER).
  'volume:reimage': 'member',
  'volume:reimage_reserved': 'member',
  'volume:retype': 'member',
  'volume:attachment_create': 'member_or_anyone',
  'volume:attachment_update': 'member',
  'volume:attachment_delete': 'member',
  'volume:attachment_complete': 'member',
  'volume_extension:volume_actions:reserve': 'member',
  'volume_extension:volume_actions:unreserve': 'member',
  'volume_extension:volume_actions:begin_detaching': 'member',
  'volume_extension:volume_actions:roll_detaching': 'member',
  'volume_extension:volume_actions:attach': 'member',
  'volume_extension:volume_actions:detach': 'member',
  'volume_extension:volume_actions:initialize_connection': 'member',
  'volume_extension:volume_actions:terminate_connection': 'member',
  'volume_extension:volume_admin_actions:migrate_volume': 'admin_api',
  'volume_extension:volume_admin_actions:migrate_volume_completion': 'admin_api',
  'volume_extension:volume_admin_actions:reset_status': 'admin_api',
  'volume_extension:volume_admin_actions:force_delete': 'admin_api',
  'volume:force_delete': 'admin_api',
  'volume_extension:volume_host_attribute': 'admin_api',
  'volume_extension:volume_mig_status_attribute': 'admin_api',
  'volume_extension:volume_tenant_attribute': 'reader',
  'volume_extension:type_get': 'reader',
  'volume_extension:type_get_all': 'reader',
  'volume_extension:access_types_extra_specs': 'reader',
  'volume_extension:access_types_qos_specs_id': 'admin_api',
  'volume_extension:types_extra_specs:read_sensitive': 'admin_api',
  'volume_extension:volume_type_access': 'member',
};

export class CinderPolicy {
  constructor(private readonly switches: CinderSwitches) {}

  /** True when `rule` allows `ctx` on a resource of `projectId` (default: the caller's project). */
  check(rule: string, ctx: CinderCtx, projectId: string = ctx.projectId): boolean {
    const kind = RULES[rule] ?? 'admin_api';
    const owner = ctx.projectId === projectId;
    // admin_api = is_admin:True or (role:admin and is_admin_project:True); no admin project configured.
    if (ctx.isAdmin) return true;
    if (kind === 'admin_api') return false;
    // Deprecated admin_or_owner / "" fallbacks, OR-ed in while enforce_new_defaults is off (zed).
    if (!this.switches.enforceNewDefaults && (owner || kind === 'member_or_anyone')) return true;
    const role = kind === 'reader' ? 'reader' : 'member';
    return ctx.roles.includes(role) && owner;
  }

  authorize(rule: string, ctx: CinderCtx, projectId?: string): void {
    if (!this.check(rule, ctx, projectId)) throw policyDenied(rule);
  }
}
