// Keystone's default policy (keystone/common/policies/*.py) for a project-scoped token in the default
// domain: no system scope and no domain-scoped tokens here, so the `system_reader`/`domain_reader` halves of
// the check strings never match and each rule reduces to the predicate below.
import type { RequestContext } from '../domain.js';
import { KeystoneError } from './errors.js';

export interface KeystoneTarget {
  /** user_id:%(user_id)s / %(target.user.id)s / %(target.token.user_id)s */
  userId?: string;
  /** project_id:%(target.project.id)s */
  projectId?: string;
  /** token.project.domain.id:%(target.domain.id)s */
  domainId?: string;
}

type Check = (ctx: RequestContext, t: KeystoneTarget, ctxDomain: string) => boolean;

const admin: Check = (ctx) => ctx.roles.includes('admin'); // rule:admin_required = role:admin or is_admin:1
const owner: Check = (ctx, t) => !!t.userId && ctx.userId === t.userId;
const service: Check = (ctx) => ctx.roles.includes('service');
const either = (...cs: Check[]): Check => (ctx, t, d) => cs.some((c) => c(ctx, t, d));

export const KEYSTONE_RULES: Record<string, Check> = {
  'identity:list_projects': admin,
  'identity:get_project': either(admin, (ctx, t) => !!t.projectId && ctx.projectId === t.projectId),
  'identity:list_user_projects': either(admin, owner),
  'identity:create_project': admin,
  'identity:update_project': admin,
  'identity:delete_project': admin,
  'identity:get_user': either(admin, owner),
  'identity:list_users': admin,
  'identity:create_user': admin,
  'identity:update_user': admin,
  'identity:delete_user': admin,
  'identity:get_role': admin,
  'identity:list_roles': admin,
  'identity:create_role': admin,
  'identity:update_role': admin,
  'identity:delete_role': admin,
  'identity:list_role_assignments': admin,
  'identity:check_grant': admin,
  'identity:list_grants': admin,
  'identity:create_grant': admin,
  'identity:revoke_grant': admin,
  'identity:list_domains': admin,
  'identity:get_domain': either(admin, (_ctx, t, d) => !!t.domainId && d === t.domainId),
  'identity:create_domain': admin,
  'identity:update_domain': admin,
  'identity:delete_domain': admin,
  // keystone/common/policies/token.py: check (HEAD) and revoke by an admin or the token's own user;
  // validate (GET) by those or a service (keystonemiddleware in front of Nova validates as a service user).
  'identity:check_token': either(admin, owner),
  'identity:validate_token': either(admin, service, owner),
  'identity:revoke_token': either(admin, owner),
};

/** ENFORCER.enforce_call: 403 ForbiddenAction naming the rule. */
export function enforce(action: keyof typeof KEYSTONE_RULES, ctx: RequestContext, target: KeystoneTarget = {}, ctxDomain = 'default'): void {
  if (!KEYSTONE_RULES[action](ctx, target, ctxDomain)) {
    throw new KeystoneError(403, `You are not authorized to perform the requested action: ${action}.`);
  }
}
