// Keystone's admin subset over HTTP: projects, users, roles, grants, role assignments, domains, and who may
// validate or revoke a token — as openstacksdk and the `openstack` CLI call them.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { login, startSim } from '../helpers/sim.js';

const V3 = '/identity/v3';

describe('Keystone admin subset', () => {
  let sim: Simulator;
  let admin: string;
  let demo: { token: string; userId: string; projectId: string };
  const req = (token: string, method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE' | 'HEAD', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    sim.app.inject({ method, url: `${V3}${url}`, payload: payload as object, headers: { 'x-auth-token': token, host: 'keystone.test:8774', ...headers } });

  beforeAll(async () => {
    sim = await startSim();
  });
  beforeEach(async () => {
    await sim.reset();
    admin = (await login(sim, 'admin')).token;
    demo = await login(sim, 'demo');
  });
  afterAll(() => sim.close());

  it('creates, lists (by ?name=, as openstacksdk get_compute_quotas does), shows, updates and deletes a project', async () => {
    const created = await req(admin, 'POST', '/projects', { project: { name: 'p1', description: 'first', tags: ['a'] } });
    expect(created.statusCode).toBe(201);
    const p = created.json().project;
    expect(p).toMatchObject({ name: 'p1', description: 'first', domain_id: 'default', parent_id: 'default', enabled: true, is_domain: false, tags: ['a'], options: {} });
    expect(p.id).toMatch(/^[0-9a-f]{32}$/);
    expect(p.links.self).toBe(`http://keystone.test:8774/identity/v3/projects/${p.id}`);

    const byName = await req(admin, 'GET', '/projects?name=p1');
    expect(byName.statusCode).toBe(200);
    expect(byName.json().projects.map((x: { id: string }) => x.id)).toEqual([p.id]);
    expect(byName.json().links).toEqual({ self: 'http://keystone.test:8774/identity/v3/projects?name=p1', previous: null, next: null });
    const all = await req(admin, 'GET', '/projects');
    expect(all.json().projects.map((x: { name: string }) => x.name).sort()).toEqual(['admin', 'demo', 'p1', 'service']);
    expect((await req(admin, 'GET', '/projects?enabled=false')).json().projects).toEqual([]);

    const dup = await req(admin, 'POST', '/projects', { project: { name: 'p1' } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error).toMatchObject({ code: 409, title: 'Conflict' });
    expect(dup.json().error.message).toMatch(/^Conflict occurred attempting to store project - it is not permitted to have two projects with either the same name or same id in the same domain: name is p1, project id [0-9a-f]{32}\.$/);

    const upd = await req(admin, 'PATCH', `/projects/${p.id}`, { project: { description: 'changed', enabled: false } });
    expect(upd.statusCode).toBe(200);
    expect(upd.json().project).toMatchObject({ description: 'changed', enabled: false, name: 'p1' });
    expect((await req(admin, 'GET', `/projects/${p.id}`)).json().project.description).toBe('changed');

    expect((await req(admin, 'DELETE', `/projects/${p.id}`)).statusCode).toBe(204);
    const gone = await req(admin, 'GET', `/projects/${p.id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toEqual({ error: { code: 404, title: 'Not Found', message: `Could not find project: ${p.id}.` } });
  });

  it("applies Keystone's default policy: a member may see its own project and user, not list or create", async () => {
    for (const [method, url, rule] of [
      ['GET', '/projects', 'identity:list_projects'],
      ['GET', '/users', 'identity:list_users'],
      ['GET', '/roles', 'identity:list_roles'],
      ['GET', '/domains', 'identity:list_domains'],
      ['GET', '/role_assignments', 'identity:list_role_assignments'],
    ] as const) {
      const res = await req(demo.token, method, url);
      expect(res.statusCode, url).toBe(403);
      expect(res.json()).toEqual({ error: { code: 403, title: 'Forbidden', message: `You are not authorized to perform the requested action: ${rule}.` } });
    }
    const create = await req(demo.token, 'POST', '/projects', { project: { name: 'mine' } });
    expect(create.statusCode).toBe(403);
    expect(create.json().error.message).toBe('You are not authorized to perform the requested action: identity:create_project.');
    expect((await req(demo.token, 'GET', `/projects/${demo.projectId}`)).statusCode).toBe(200);
    const adminProject = (await login(sim, 'admin')).projectId;
    expect((await req(demo.token, 'GET', `/projects/${adminProject}`)).json().error.message).toBe(
      'You are not authorized to perform the requested action: identity:get_project.',
    );
    expect((await req(demo.token, 'GET', `/users/${demo.userId}`)).json().user.name).toBe('demo');
    expect((await req(demo.token, 'GET', `/users/${demo.userId}/projects`)).json().projects.map((p: { name: string }) => p.name)).toEqual(['demo']);
    expect((await req(demo.token, 'GET', '/auth/projects')).json().projects.map((p: { name: string }) => p.name)).toEqual(['demo']);
    const noToken = await sim.app.inject({ url: `${V3}/projects` });
    expect(noToken.statusCode).toBe(401);
    expect(noToken.json().error.message).toBe('The request you have made requires authentication.');
  });

  it('creates a user, grants a role on a project, lists assignments, and the user logs in with it', async () => {
    const p = (await req(admin, 'POST', '/projects', { project: { name: 'team' } })).json().project;
    const u = await req(admin, 'POST', '/users', { user: { name: 'alice', password: 'pw', default_project_id: p.id, email: 'a@example.org' } });
    expect(u.statusCode).toBe(201);
    const user = u.json().user;
    expect(user).toMatchObject({ name: 'alice', domain_id: 'default', enabled: true, default_project_id: p.id, email: 'a@example.org', password_expires_at: null });
    expect(user).not.toHaveProperty('password');
    expect((await req(admin, 'POST', '/users', { user: { name: 'alice' } })).json().error.message).toBe(
      'Conflict occurred attempting to store user - Duplicate entry found with name alice at domain ID default.',
    );

    const member = (await req(admin, 'GET', '/roles?name=member')).json().roles[0];
    expect(member).toMatchObject({ name: 'member', domain_id: null });
    const missing = await req(admin, 'GET', `/projects/${p.id}/users/${user.id}/roles/${member.id}`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.message).toBe(`Could not find role assignment with role: ${member.id}, user or group: ${user.id}, project, domain, or system: ${p.id}.`);
    expect((await req(admin, 'PUT', `/projects/${p.id}/users/${user.id}/roles/${member.id}`)).statusCode).toBe(204);
    expect((await req(admin, 'GET', `/projects/${p.id}/users/${user.id}/roles/${member.id}`)).statusCode).toBe(204);
    expect((await req(admin, 'GET', `/projects/${p.id}/users/${user.id}/roles`)).json().roles.map((r: { name: string }) => r.name)).toEqual(['member']);

    const ra = await req(admin, 'GET', `/role_assignments?user.id=${user.id}&include_names=True`);
    expect(ra.statusCode).toBe(200);
    expect(ra.json().role_assignments).toEqual([
      {
        role: { id: member.id, name: 'member' },
        user: { id: user.id, name: 'alice', domain: { id: 'default', name: 'Default' } },
        scope: { project: { id: p.id, name: 'team', domain: { id: 'default', name: 'Default' } } },
        links: { assignment: `http://keystone.test:8774/identity/v3/projects/${p.id}/users/${user.id}/roles/${member.id}` },
      },
    ]);
    const eff = (await req(admin, 'GET', `/role_assignments?user.id=${user.id}&effective`)).json().role_assignments;
    expect(eff.map((a: { role: { id: string } }) => a.role.id).sort()).toEqual([member.id, 'reader'].sort());
    expect(eff.find((a: { role: { id: string } }) => a.role.id === 'reader').links.prior_role).toBe(`http://keystone.test:8774/identity/v3/roles/${member.id}`);
    expect((await req(admin, 'GET', `/role_assignments?scope.project.id=${p.id}`)).json().role_assignments).toHaveLength(1);
    expect((await req(admin, 'GET', '/role_assignments?effective&group.id=g')).json().error.message).toBe(
      'Combining effective and group filter will always result in an empty list.',
    );

    const alice = await login(sim, 'alice', 'team', 'pw');
    expect((await sim.app.inject({ url: '/compute/v2.1/servers', headers: { 'x-auth-token': alice.token } })).statusCode).toBe(200);
    // Removing the grant ends the sessions that relied on it (Keystone's revocation event).
    expect((await req(admin, 'DELETE', `/projects/${p.id}/users/${user.id}/roles/${member.id}`)).statusCode).toBe(204);
    expect((await sim.app.inject({ url: '/compute/v2.1/servers', headers: { 'x-auth-token': alice.token } })).statusCode).toBe(401);
    expect((await req(admin, 'DELETE', `/projects/${p.id}/users/${user.id}/roles/${member.id}`)).statusCode).toBe(404);

    // A disabled user cannot log in; a deleted one is gone.
    await req(admin, 'PUT', `/projects/${p.id}/users/${user.id}/roles/${member.id}`);
    expect((await req(admin, 'PATCH', `/users/${user.id}`, { user: { enabled: false } })).json().user.enabled).toBe(false);
    await expect(login(sim, 'alice', 'team', 'pw')).rejects.toThrow(/401/);
    expect((await req(admin, 'DELETE', `/users/${user.id}`)).statusCode).toBe(204);
    expect((await req(admin, 'GET', `/users/${user.id}`)).json().error.message).toBe(`Could not find user: ${user.id}.`);
  });

  it('manages roles and domains; an enabled domain cannot be deleted', async () => {
    const r = await req(admin, 'POST', '/roles', { role: { name: 'observer', description: 'looks' } });
    expect(r.statusCode).toBe(201);
    expect(r.json().role).toMatchObject({ name: 'observer', description: 'looks', domain_id: null });
    expect((await req(admin, 'POST', '/roles', { role: { name: 'observer' } })).json().error.message).toBe(
      'Conflict occurred attempting to store role - Duplicate entry found with name observer.',
    );
    expect((await req(admin, 'DELETE', `/roles/${r.json().role.id}`)).statusCode).toBe(204);

    expect((await req(admin, 'GET', '/domains?name=Default')).json().domains).toMatchObject([{ id: 'default', name: 'Default', enabled: true }]);
    expect((await req(demo.token, 'GET', '/domains/default')).statusCode).toBe(200);
    const d = (await req(admin, 'POST', '/domains', { domain: { name: 'dom2' } })).json().domain;
    expect((await req(demo.token, 'GET', `/domains/${d.id}`)).statusCode).toBe(403);
    const p = await req(admin, 'POST', '/projects', { project: { name: 'in-dom2', domain_id: d.id } });
    expect(p.json().project).toMatchObject({ domain_id: d.id, parent_id: d.id });
    expect((await req(admin, 'POST', '/projects', { project: { name: 'x', domain_id: 'nope' } })).json().error).toMatchObject({ code: 400, message: 'Could not find domain: nope.' });
    // A user of that domain, granted on its project, gets a token naming the domain.
    const u = (await req(admin, 'POST', '/users', { user: { name: 'dom2-user', password: 'pw', domain_id: d.id } })).json().user;
    await req(admin, 'PUT', `/projects/${p.json().project.id}/users/${u.id}/roles/member`);
    const tok = await sim.app.inject({ url: `${V3}/auth/tokens`, headers: { 'x-auth-token': admin, 'x-subject-token': (await login(sim, 'dom2-user', 'in-dom2', 'pw')).token } });
    expect(tok.json().token.project.domain).toEqual({ id: d.id, name: 'dom2' });
    expect(tok.json().token.user.domain).toEqual({ id: d.id, name: 'dom2' });
    const refused = await req(admin, 'DELETE', `/domains/${d.id}`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toBe('Cannot delete a domain that is enabled, please disable it first.');
    await req(admin, 'PATCH', `/domains/${d.id}`, { domain: { enabled: false } });
    expect((await req(admin, 'DELETE', `/domains/${d.id}`)).statusCode).toBe(204);
    expect((await req(admin, 'GET', `/projects?name=in-dom2`)).json().projects).toEqual([]);
  });

  it('answers bad input with 400 in Keystone\'s envelope, never a 5xx', async () => {
    const cases: [string, string, unknown, RegExp | string][] = [
      ['POST', '/projects', {}, "'project' is a required property"],
      ['POST', '/projects', { project: {} }, "Invalid input for field 'project': 'name' is a required property"],
      ['POST', '/projects', { project: { name: 'x'.repeat(65) } }, /^Invalid input for field 'project\/name': 'x+' is too long$/],
      ['POST', '/projects', { project: { name: 'ok', enabled: 'yes' } }, "Invalid input for field 'project/enabled': 'yes' is not of type 'boolean'"],
      ['POST', '/projects', { project: { name: 'ok', tags: ['a/b'] } }, "Invalid input for field 'project/tags/0': 'a/b' does not match '^[^,/]*$'"],
      ['POST', '/users', { user: { name: 7 } }, "Invalid input for field 'user/name': 7 is not of type 'string'"],
      ['POST', '/users', { user: { name: 'u' }, extra: 1 }, "Additional properties are not allowed ('extra' was unexpected)"],
      ['PATCH', `/projects/${demo.projectId}`, { project: {} }, "Invalid input for field 'project': {} should be non-empty"],
      ['PATCH', `/projects/${demo.projectId}`, { project: { id: 'other' } }, 'Cannot change ID'],
      ['POST', '/roles', [1], "[1] is not of type 'object'"],
      ['POST', '/domains', { domain: null }, "Invalid input for field 'domain': None is not of type 'object'"],
    ];
    for (const [method, url, body, message] of cases) {
      const res = await req(admin, method as 'POST', url, body);
      expect(res.statusCode, `${method} ${url} ${JSON.stringify(body)}`).toBe(400);
      expect(res.json().error.code).toBe(400);
      expect(res.json().error.title).toBe('Bad Request');
      if (typeof message === 'string') expect(res.json().error.message).toBe(message);
      else expect(res.json().error.message).toMatch(message);
    }
    const notJson = await sim.app.inject({ method: 'POST', url: `${V3}/projects`, payload: '{nope', headers: { 'x-auth-token': admin, 'content-type': 'application/json' } });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error.code).toBe(400);
    const badUrl = await req(admin, 'GET', '/projects/%ff');
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.json().error.code).toBe(400);
  });
});

describe('token validation and revocation (keystone/common/policies/token.py)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSim();
  });
  afterAll(() => sim.close());
  const tokens = (method: 'GET' | 'HEAD' | 'DELETE', caller: string, subject: string) =>
    sim.app.inject({ method, url: `${V3}/auth/tokens`, headers: { 'x-auth-token': caller, 'x-subject-token': subject } });

  it("refuses a member revoking or validating another user's token (regression: anyone could revoke anyone's)", async () => {
    const demo = await login(sim, 'demo');
    const admin = await login(sim, 'admin');
    const revoke = await tokens('DELETE', demo.token, admin.token);
    expect(revoke.statusCode).toBe(403);
    expect(revoke.json()).toEqual({ error: { code: 403, title: 'Forbidden', message: 'You are not authorized to perform the requested action: identity:revoke_token.' } });
    expect((await tokens('GET', admin.token, admin.token)).statusCode).toBe(200); // still valid
    expect((await tokens('GET', demo.token, admin.token)).json().error.message).toBe('You are not authorized to perform the requested action: identity:validate_token.');
    expect((await tokens('HEAD', demo.token, admin.token)).statusCode).toBe(403);
  });

  it('lets the owner, an admin, and (to validate, not to check or revoke) a service act on a token', async () => {
    const demo = await login(sim, 'demo');
    const demo2 = await login(sim, 'demo');
    const cinder = await login(sim, 'cinder');
    const admin = await login(sim, 'admin');
    expect((await tokens('GET', demo.token, demo2.token)).statusCode).toBe(200); // same user
    expect((await tokens('GET', cinder.token, demo.token)).statusCode).toBe(200); // service validates
    expect((await tokens('HEAD', cinder.token, demo.token)).statusCode).toBe(403); // check_token: admin or subject
    expect((await tokens('DELETE', cinder.token, demo.token)).statusCode).toBe(403);
    expect((await tokens('DELETE', demo.token, demo2.token)).statusCode).toBe(204); // own token
    expect((await tokens('GET', demo.token, demo2.token)).statusCode).toBe(404);
    expect((await tokens('DELETE', admin.token, demo.token)).statusCode).toBe(204); // admin
    expect((await sim.app.inject({ url: '/compute/v2.1/servers', headers: { 'x-auth-token': demo.token } })).statusCode).toBe(401);
  });
});
