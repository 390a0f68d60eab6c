// Keystone v3 admin subset (keystone/api/{projects,users,roles,domains,role_assignments,auth}.py):
// projects, users, roles, domains, project-scoped grants and role assignments, with Keystone's default
// policy (./policy.ts), its error envelope and its `links`.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../domain.js';
import type { Services } from '../services.js';
import { IdentityAdminStore, type DomainRec, type GrantRec, type Kind, type ProjectRec, type RoleRec, type UserRec } from './admin-store.js';
import { SCHEMAS, validateBody } from './admin-schemas.js';
import { contextFromToken } from './authenticate.js';
import { requestBase } from './catalog.js';
import { AUTH_REQUIRED, KeystoneError } from './errors.js';
import { enforce } from './policy.js';
import { expandRoles } from './tokens.js';

type Q = Record<string, string | undefined>;

const NOT_FOUND: Record<Kind, string> = { projects: 'project', users: 'user', roles: 'role', domains: 'domain' };
const notFound = (kind: Kind, id: string) => new KeystoneError(404, `Could not find ${NOT_FOUND[kind]}: ${id}.`);
const bad = (message: string) => new KeystoneError(400, message);
const parse = (json: string) => JSON.parse(json) as Record<string, unknown>;

/** keystone.server.flask.common.ResourceBase.query_filter_is_true, for `enabled` and friends. */
function truthy(v: string): boolean {
  return !['0', 'false', 'f', 'no', 'n', 'off'].includes(v.trim().toLowerCase());
}

export async function identityAdminRoutes(app: FastifyInstance, opts: { services: Services }) {
  const s = opts.services;
  const store = new IdentityAdminStore(s.db);
  const v3 = (req: FastifyRequest) => `${requestBase(req)}/identity/v3`;
  const tx = <T>(fn: () => T): T => {
    const out = s.db.transaction(fn)();
    s.tokens.clearCache();
    return out;
  };

  const ctxOf = (req: FastifyRequest): RequestContext => {
    const raw = req.headers['x-auth-token'];
    const ctx = contextFromToken(s, Array.isArray(raw) ? raw[0] : raw, req.requestId);
    if (!ctx) throw new KeystoneError(401, AUTH_REQUIRED);
    return ctx;
  };
  const must = <T>(kind: Kind, id: string): T => {
    const r = store.get<T>(kind, id);
    if (!r) throw notFound(kind, id);
    return r;
  };

  // --- views (keystone's wrap_member / wrap_collection) ---
  const projectView = (req: FastifyRequest, p: ProjectRec) => ({
    id: p.id, name: p.name, domain_id: p.domain_id, description: p.description, enabled: !!p.enabled, parent_id: p.domain_id,
    is_domain: false, tags: JSON.parse(p.tags), options: {}, ...parse(p.extra), links: { self: `${v3(req)}/projects/${p.id}` },
  });
  const userView = (req: FastifyRequest, u: UserRec) => ({
    id: u.id, name: u.name, domain_id: u.domain_id, enabled: !!u.enabled, password_expires_at: null, options: {},
    ...(u.default_project_id ? { default_project_id: u.default_project_id } : {}), ...parse(u.extra), links: { self: `${v3(req)}/users/${u.id}` },
  });
  const roleView = (req: FastifyRequest, r: RoleRec) => ({
    id: r.id, name: r.name, domain_id: null, ...(r.description !== null ? { description: r.description } : {}), options: {}, ...parse(r.extra),
    links: { self: `${v3(req)}/roles/${r.id}` },
  });
  const domainView = (req: FastifyRequest, d: DomainRec) => ({
    id: d.id, name: d.name, description: d.description, enabled: !!d.enabled, tags: JSON.parse(d.tags), options: {}, ...parse(d.extra),
    links: { self: `${v3(req)}/domains/${d.id}` },
  });
  const collection = (req: FastifyRequest, key: string, items: unknown[]) => {
    const q = req.url.indexOf('?');
    return { [key]: items, links: { self: `${v3(req)}/${key === 'role_assignments' ? 'role_assignments' : req.url.slice(req.url.indexOf('/v3/') + 4, q < 0 ? undefined : q)}${q < 0 ? '' : req.url.slice(q)}`, previous: null, next: null } };
  };
  /** Exact-match filters on the listed attributes (keystone's driver hints). */
  const filtered = <T extends object>(rows: T[], q: Q, attrs: string[]) =>
    rows.filter((r) =>
      attrs.every((a) => {
        const v = q[a];
        if (v === undefined) return true;
        const have = (r as Record<string, unknown>)[a];
        return a === 'enabled' ? !!have === truthy(v) : String(have) === v;
      }),
    );
  const extras = (body: Record<string, unknown>, known: string[]) =>
    JSON.stringify(Object.fromEntries(Object.entries(body).filter(([k]) => !known.includes(k) && k !== 'id' && k !== 'links' && k !== 'options')));
  const conflict = (type: string, name: string, domain?: string) =>
    new KeystoneError(409, `Conflict occurred attempting to store ${type} - Duplicate entry found with name ${name}${domain ? ` at domain ID ${domain}` : ''}.`);
  const newId = () => s.runtime.uuid().replace(/-/g, '');
  const requireMatchingId = (body: Record<string, unknown>, id: string) => {
    if (body.id !== undefined && body.id !== null && body.id !== id) throw bad('Cannot change ID');
  };
  const domainMustExist = (id: unknown) => {
    if (typeof id === 'string' && !store.get('domains', id)) throw bad(`Could not find domain: ${id}.`);
  };

  // --- projects ---
  app.get('/v3/projects', async (req) => {
    enforce('identity:list_projects', ctxOf(req));
    return collection(req, 'projects', filtered(store.list<ProjectRec>('projects'), req.query as Q, ['name', 'domain_id', 'enabled']).map((p) => projectView(req, p)));
  });
  app.post('/v3/projects', async (req, reply) => {
    const body = validateBody(req.body, SCHEMAS.projectCreate);
    enforce('identity:create_project', ctxOf(req));
    if (body.is_domain === true) throw new KeystoneError(403, 'You are not authorized to perform the requested action: identity:create_project.');
    const domainId = (body.domain_id as string | null | undefined) ?? 'default';
    domainMustExist(domainId);
    const name = (body.name as string).trim();
    const id = newId();
    const p = tx(() => {
      if (store.nameTaken('projects', name)) {
        throw new KeystoneError(409, `Conflict occurred attempting to store project - it is not permitted to have two projects with either the same name or same id in the same domain: name is ${name}, project id ${id}.`);
      }
      store.insert('projects', {
        id, name, domain_id: domainId, description: (body.description as string | null) ?? '', enabled: body.enabled === false ? 0 : 1,
        tags: JSON.stringify(body.tags ?? []), extra: extras(body, ['name', 'description', 'domain_id', 'enabled', 'is_domain', 'parent_id', 'tags']),
      });
      return must<ProjectRec>('projects', id);
    });
    reply.code(201);
    return { project: projectView(req, p) };
  });
  app.get('/v3/projects/:id', async (req) => {
    const { id } = req.params as { id: string };
    const ctx = ctxOf(req);
    const p = must<ProjectRec>('projects', id);
    enforce('identity:get_project', ctx, { projectId: p.id });
    return { project: projectView(req, p) };
  });
  app.patch('/v3/projects/:id', async (req) => {
    const { id } = req.params as { id: string };
    const body = validateBody(req.body, SCHEMAS.projectUpdate);
    const ctx = ctxOf(req);
    const p = must<ProjectRec>('projects', id);
    enforce('identity:update_project', ctx, { projectId: p.id });
    requireMatchingId(body, id);
    if ('domain_id' in body && body.domain_id !== p.domain_id) throw bad('Cannot change Domain ID');
    if ('parent_id' in body && body.parent_id !== p.domain_id) throw new KeystoneError(403, 'Update of `parent_id` is not allowed.');
    if ('is_domain' in body && body.is_domain !== false) throw bad('Update of `is_domain` is not allowed.');
    const updated = tx(() => {
      const changes: Record<string, unknown> = {};
      if (typeof body.name === 'string') {
        const name = body.name.trim();
        if (store.nameTaken('projects', name, id)) {
          throw new KeystoneError(409, `Conflict occurred attempting to store project - it is not permitted to have two projects with either the same name or same id in the same domain: name is ${name}, project id ${id}.`);
        }
        changes.name = name;
      }
      if ('description' in body) changes.description = (body.description as string | null) ?? '';
      if ('enabled' in body) changes.enabled = body.enabled ? 1 : 0;
      if ('tags' in body) changes.tags = JSON.stringify(body.tags);
      const extra = JSON.parse(extras(body, ['name', 'description', 'domain_id', 'enabled', 'is_domain', 'parent_id', 'tags']));
      if (Object.keys(extra).length) changes.extra = JSON.stringify({ ...parse(p.extra), ...extra });
      store.update('projects', id, changes);
      // Disabling a project invalidates the tokens scoped to it (keystone revokes them).
      if (body.enabled === false) store.revokeTokensOf('projects', id);
      return must<ProjectRec>('projects', id);
    });
    return { project: projectView(req, updated) };
  });
  app.delete('/v3/projects/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    const ctx = ctxOf(req);
    must<ProjectRec>('projects', id);
    enforce('identity:delete_project', ctx, { projectId: id });
    tx(() => store.delete('projects', id));
    return reply.code(204).send();
  });

  const projectsOfUser = (req: FastifyRequest, userId: string) => {
    const ids = new Set(store.grants({ user_id: userId }).map((g) => g.project_id));
    return filtered(store.list<ProjectRec>('projects').filter((p) => ids.has(p.id)), req.query as Q, ['name', 'domain_id', 'enabled']);
  };
  // GET /v3/users/{user_id}/projects: identity:list_user_projects (admin or the user).
  app.get('/v3/users/:id/projects', async (req) => {
    const { id } = req.params as { id: string };
    const ctx = ctxOf(req);
    enforce('identity:list_user_projects', ctx, { userId: id });
    must<UserRec>('users', id);
    return collection(req, 'projects', projectsOfUser(req, id).map((p) => projectView(req, p)));
  });
  // GET /v3/auth/projects: the projects the token's user may scope to (enabled ones only), no policy.
  app.get('/v3/auth/projects', async (req) => {
    const ctx = ctxOf(req);
    return collection(req, 'projects', projectsOfUser(req, ctx.userId).filter((p) => p.enabled).map((p) => projectView(req, p)));
  });

  // --- users ---
  app.get('/v3/users', async (req) => {
    enforce('identity:list_users', ctxOf(req));
    return collection(req, 'users', filtered(store.list<UserRec>('users'), req.query as Q, ['name', 'domain_id', 'enabled']).map((u) => userView(req, u)));
  });
  app.post('/v3/users', async (req, reply) => {
    const body = validateBody(req.body, SCHEMAS.userCreate);
    enforce('identity:create_user', ctxOf(req));
    const domainId = (body.domain_id as string | undefined) ?? 'default';
    domainMustExist(domainId);
    const name = body.name as string;
    const id = newId();
    const u = tx(() => {
      if (store.nameTaken('users', name)) throw conflict('user', name, domainId);
      store.insert('users', {
        id, name, password: (body.password as string | null) ?? '', domain_id: domainId, default_project_id: (body.default_project_id as string | null) ?? null,
        enabled: body.enabled === false ? 0 : 1, extra: extras(body, ['name', 'password', 'domain_id', 'default_project_id', 'enabled', 'federated']),
      });
      return must<UserRec>('users', id);
    });
    reply.code(201);
    return { user: userView(req, u) };
  });
  app.get('/v3/users/:id', async (req) => {
    const { id } = req.params as { id: string };
    const ctx = ctxOf(req);
    enforce('identity:get_user', ctx, { userId: id });
    return { user: userView(req, must<UserRec>('users', id)) };
  });
  app.patch('/v3/users/:id', async (req) => {
    const { id } = req.params as { id: string };
    const body = validateBody(req.body, SCHEMAS.userUpdate);
    enforce('identity:update_user', ctxOf(req), { userId: id });
    const u = must<UserRec>('users', id);
    if (body.id !== undefined && body.id !== id) throw bad('Cannot change user ID');
    if ('domain_id' in body && body.domain_id !== u.domain_id) throw bad('Cannot change Domain ID');
    const updated = tx(() => {
      const changes: Record<string, unknown> = {};
      if (typeof body.name === 'string') {
        if (store.nameTaken('users', body.name, id)) throw conflict('user', body.name, u.domain_id);
        changes.name = body.name;
      }
      if ('password' in body) changes.password = (body.password as string | null) ?? '';
      if ('default_project_id' in body) changes.default_project_id = body.default_project_id;
      if ('enabled' in body) changes.enabled = body.enabled ? 1 : 0;
      const extra = JSON.parse(extras(body, ['name', 'password', 'domain_id', 'default_project_id', 'enabled', 'federated']));
      if (Object.keys(extra).length) changes.extra = JSON.stringify({ ...parse(u.extra), ...extra });
      store.update('users', id, changes);
      // A disabled user, or a changed password, ends the user's sessions (keystone's revocation events).
      if (body.enabled === false || 'password' in body) store.revokeTokensOf('users', id);
      return must<UserRec>('users', id);
    });
    return { user: userView(req, updated) };
  });
  app.delete('/v3/users/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    enforce('identity:delete_user', ctxOf(req), { userId: id });
    must<UserRec>('users', id);
    tx(() => store.delete('users', id));
    return reply.code(204).send();
  });

  // --- roles ---
  app.get('/v3/roles', async (req) => {
    enforce('identity:list_roles', ctxOf(req));
    return collection(req, 'roles', filtered(store.list<RoleRec>('roles'), req.query as Q, ['name']).map((r) => roleView(req, r)));
  });
  app.post('/v3/roles', async (req, reply) => {
    const body = validateBody(req.body, SCHEMAS.roleCreate);
    enforce('identity:create_role', ctxOf(req));
    const name = body.name as string;
    const id = newId();
    const r = tx(() => {
      if (store.nameTaken('roles', name)) throw conflict('role', name);
      store.insert('roles', { id, name, description: (body.description as string | null) ?? null, extra: extras(body, ['name', 'description', 'domain_id']) });
      return must<RoleRec>('roles', id);
    });
    reply.code(201);
    return { role: roleView(req, r) };
  });
  app.get('/v3/roles/:id', async (req) => {
    const { id } = req.params as { id: string };
    const ctx = ctxOf(req);
    const r = must<RoleRec>('roles', id);
    enforce('identity:get_role', ctx);
    return { role: roleView(req, r) };
  });
  app.patch('/v3/roles/:id', async (req) => {
    const { id } = req.params as { id: string };
    const body = validateBody(req.body, SCHEMAS.roleUpdate);
    enforce('identity:update_role', ctxOf(req));
    const r = must<RoleRec>('roles', id);
    requireMatchingId(body, id);
    const updated = tx(() => {
      const changes: Record<string, unknown> = {};
      if (typeof body.name === 'string') {
        if (store.nameTaken('roles', body.name, id)) throw conflict('role', body.name);
        changes.name = body.name;
      }
      if ('description' in body) changes.description = body.description;
      const extra = JSON.parse(extras(body, ['name', 'description', 'domain_id']));
      if (Object.keys(extra).length) changes.extra = JSON.stringify({ ...parse(r.extra), ...extra });
      store.update('roles', id, changes);
      return must<RoleRec>('roles', id);
    });
    return { role: roleView(req, updated) };
  });
  app.delete('/v3/roles/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    enforce('identity:delete_role', ctxOf(req));
    must<RoleRec>('roles', id);
    tx(() => {
      for (const g of store.grants({ role_id: id })) store.revokeGrant(g);
      store.delete('roles', id);
    });
    return reply.code(204).send();
  });

  // --- domains ---
  app.get('/v3/domains', async (req) => {
    enforce('identity:list_domains', ctxOf(req));
    return collection(req, 'domains', filtered(store.list<DomainRec>('domains'), req.query as Q, ['name', 'enabled']).map((d) => domainView(req, d)));
  });
  app.post('/v3/domains', async (req, reply) => {
    const body = validateBody(req.body, SCHEMAS.domainCreate);
    enforce('identity:create_domain', ctxOf(req));
    const name = body.name as string;
    const id = newId();
    const d = tx(() => {
      if (store.nameTaken('domains', name)) throw new KeystoneError(409, `Conflict occurred attempting to store project - it is not permitted to have two projects acting as domains with the same name: ${name}.`);
      store.insert('domains', {
        id, name, description: (body.description as string | null) ?? '', enabled: body.enabled === false ? 0 : 1, tags: JSON.stringify(body.tags ?? []),
        extra: extras(body, ['name', 'description', 'enabled', 'tags']),
      });
      return must<DomainRec>('domains', id);
    });
    reply.code(201);
    return { domain: domainView(req, d) };
  });
  app.get('/v3/domains/:id', async (req) => {
    const { id } = req.params as { id: string };
    const ctx = ctxOf(req);
    const d = must<DomainRec>('domains', id);
    const tokenDomain = store.get<ProjectRec>('projects', ctx.projectId)?.domain_id ?? 'default';
    enforce('identity:get_domain', ctx, { domainId: d.id }, tokenDomain);
    return { domain: domainView(req, d) };
  });
  app.patch('/v3/domains/:id', async (req) => {
    const { id } = req.params as { id: string };
    const body = validateBody(req.body, SCHEMAS.domainUpdate);
    enforce('identity:update_domain', ctxOf(req));
    const d = must<DomainRec>('domains', id);
    requireMatchingId(body, id);
    const updated = tx(() => {
      const changes: Record<string, unknown> = {};
      if (typeof body.name === 'string') {
        if (store.nameTaken('domains', body.name, id)) throw new KeystoneError(409, `Conflict occurred attempting to store project - it is not permitted to have two projects acting as domains with the same name: ${body.name}.`);
        changes.name = body.name;
      }
      if ('description' in body) changes.description = (body.description as string | null) ?? '';
      if ('enabled' in body) changes.enabled = body.enabled ? 1 : 0;
      if ('tags' in body) changes.tags = JSON.stringify(body.tags);
      const extra = JSON.parse(extras(body, ['name', 'description', 'enabled', 'tags']));
      if (Object.keys(extra).length) changes.extra = JSON.stringify({ ...parse(d.extra), ...extra });
      store.update('domains', id, changes);
      return must<DomainRec>('domains', id);
    });
    return { domain: domainView(req, updated) };
  });
  app.delete('/v3/domains/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    enforce('identity:delete_domain', ctxOf(req));
    const d = must<DomainRec>('domains', id);
    // keystone/resource/core.py delete_domain: an enabled domain must be disabled first.
    if (d.enabled) throw new KeystoneError(403, 'Cannot delete a domain that is enabled, please disable it first.');
    tx(() => store.deleteDomainContents(id));
    return reply.code(204).send();
  });

  // --- grants: /v3/projects/{p}/users/{u}/roles[/{r}] (keystone/api/projects.py ProjectUserGrantResource) ---
  const grantTarget = (req: FastifyRequest, withRole: boolean) => {
    const { p, u, r } = req.params as { p: string; u: string; r?: string };
    const ctx = ctxOf(req);
    if (withRole) must<RoleRec>('roles', r!);
    must<ProjectRec>('projects', p);
    must<UserRec>('users', u);
    return { ctx, g: { user_id: u, project_id: p, role_id: r ?? '' } as GrantRec };
  };
  const assignmentMissing = (g: GrantRec) =>
    new KeystoneError(404, `Could not find role assignment with role: ${g.role_id}, user or group: ${g.user_id}, project, domain, or system: ${g.project_id}.`);
  app.get('/v3/projects/:p/users/:u/roles', async (req) => {
    const { ctx, g } = grantTarget(req, false);
    enforce('identity:list_grants', ctx);
    const roles = store.grants({ user_id: g.user_id, project_id: g.project_id }).map((x) => must<RoleRec>('roles', x.role_id));
    return collection(req, 'roles', roles.map((r) => roleView(req, r)));
  });
  app.put('/v3/projects/:p/users/:u/roles/:r', async (req, reply: FastifyReply) => {
    const { ctx, g } = grantTarget(req, true);
    enforce('identity:create_grant', ctx);
    tx(() => store.grant(g));
    return reply.code(204).send();
  });
  app.get('/v3/projects/:p/users/:u/roles/:r', async (req, reply) => {
    const { ctx, g } = grantTarget(req, true);
    enforce('identity:check_grant', ctx);
    if (store.grants(g).length === 0) throw assignmentMissing(g);
    return reply.code(204).send();
  });
  app.delete('/v3/projects/:p/users/:u/roles/:r', async (req, reply) => {
    const { ctx, g } = grantTarget(req, true);
    enforce('identity:revoke_grant', ctx);
    if (!tx(() => store.revokeGrant(g))) throw assignmentMissing(g);
    return reply.code(204).send();
  });

  // --- GET /v3/role_assignments (keystone/api/role_assignments.py) ---
  app.get('/v3/role_assignments', async (req) => {
    const q = req.query as Q;
    enforce('identity:list_role_assignments', ctxOf(req));
    const has = (k: string) => q[k] !== undefined;
    const effective = has('effective');
    const includeNames = has('include_names') && truthy(q.include_names ?? '');
    if (effective && q['group.id']) throw bad('Combining effective and group filter will always result in an empty list.');
    if (has('include_subtree') && truthy(q.include_subtree ?? '') && !q['scope.project.id']) {
      throw bad('scope.project.id must be specified if include_subtree is also specified');
    }
    if (q['scope.domain.id'] && q['scope.project.id']) throw bad('Specify a domain or project, not both');
    if (q['scope.system'] && (q['scope.project.id'] || q['scope.domain.id'])) throw bad(q['scope.project.id'] ? 'Specify system or project, not both' : 'Specify system or domain, not both');
    if (q['user.id'] && q['group.id']) throw bad('Specify a user or group, not both');
    // Only user grants on projects exist here: group, domain or system filters select nothing.
    if (q['group.id'] || q['scope.domain.id'] || q['scope.system'] || (has('scope.OS-INHERIT:inherited_to') && !effective)) return collection(req, 'role_assignments', []);
    const rolesById = new Map(store.list<RoleRec>('roles').map((r) => [r.id, r]));
    const roleIdByName = new Map([...rolesById.values()].map((r) => [r.name, r.id]));
    type Row = { g: GrantRec; prior?: string };
    let rows: Row[] = store.grants({ user_id: q['user.id'], project_id: q['scope.project.id'] }).map((g) => ({ g }));
    if (effective) {
      // Implied roles (admin ⇒ member ⇒ reader) appear as their own assignments, linked to the prior role.
      const seen = new Set(rows.map((r) => `${r.g.user_id}/${r.g.project_id}/${r.g.role_id}`));
      for (const r of [...rows]) {
        const prior = rolesById.get(r.g.role_id)?.name;
        if (!prior) continue;
        for (const name of expandRoles([prior])) {
          const rid = roleIdByName.get(name);
          if (!rid || rid === r.g.role_id) continue;
          const key = `${r.g.user_id}/${r.g.project_id}/${rid}`;
          if (seen.has(key)) continue;
          seen.add(key);
          rows.push({ g: { ...r.g, role_id: rid }, prior: r.g.role_id });
        }
      }
    }
    if (q['role.id']) rows = rows.filter((r) => r.g.role_id === q['role.id']);
    const base = v3(req);
    const out = rows.map(({ g, prior }) => {
      const role = rolesById.get(g.role_id);
      const user = includeNames ? store.get<UserRec>('users', g.user_id) : undefined;
      const project = includeNames ? store.get<ProjectRec>('projects', g.project_id) : undefined;
      const domainName = (id: string) => store.get<DomainRec>('domains', id)?.name ?? id;
      const link = `${base}/projects/${g.project_id}/users/${g.user_id}/roles/${prior ?? g.role_id}`;
      return {
        role: includeNames && role ? { id: g.role_id, name: role.name } : { id: g.role_id },
        user: user ? { id: g.user_id, name: user.name, domain: { id: user.domain_id, name: domainName(user.domain_id) } } : { id: g.user_id },
        scope: { project: project ? { id: g.project_id, name: project.name, domain: { id: project.domain_id, name: domainName(project.domain_id) } } : { id: g.project_id } },
        links: prior ? { assignment: link, prior_role: `${base}/roles/${prior}` } : { assignment: link },
      };
    });
    return collection(req, 'role_assignments', out);
  });
}
