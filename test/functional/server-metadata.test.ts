import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { bootServer, client, startSim, type Client } from '../helpers/sim.js';

describe('server metadata: /servers/{id}/metadata[/{key}]', () => {
  let sim: Simulator;
  let admin: Client;
  let demo: Client;
  let id: string;
  let url: string;
  beforeAll(async () => {
    sim = await startSim();
    admin = await client(sim, 'admin', '2.1');
    demo = await client(sim, 'demo', '2.1');
    id = await bootServer(sim, demo);
    url = `/compute/v2.1/servers/${id}/metadata`;
  });
  afterAll(() => sim.close());

  it('creates (merging), replaces, shows, updates one key and deletes', async () => {
    expect((await demo.req('GET', url)).json()).toEqual({ metadata: {} });
    expect((await demo.req('POST', url, { metadata: { a: '1', b: '2' } })).json()).toEqual({ metadata: { a: '1', b: '2' } });
    expect((await demo.req('POST', url, { metadata: { c: '3' } })).json()).toEqual({ metadata: { a: '1', b: '2', c: '3' } });
    expect((await demo.req('PUT', url, { metadata: { z: '9' } })).json()).toEqual({ metadata: { z: '9' } });
    expect((await demo.req('GET', `${url}/z`)).json()).toEqual({ meta: { z: '9' } });
    expect((await demo.req('PUT', `${url}/y`, { meta: { y: 'new' } })).json()).toEqual({ meta: { y: 'new' } });
    expect((await demo.req('PUT', `${url}/y`, { meta: { x: 'new' } })).json()).toEqual({ badRequest: { code: 400, message: 'Request body and URI mismatch' } });
    expect((await demo.req('PUT', `${url}/y`, { meta: { x: '1', y: '2' } })).statusCode).toBe(400);
    const del = await demo.req('DELETE', `${url}/y`);
    expect(del.statusCode).toBe(204);
    expect((await demo.req('DELETE', `${url}/y`)).json()).toEqual({ itemNotFound: { code: 404, message: 'Metadata item was not found' } });
    expect((await demo.req('GET', `/compute/v2.1/servers/${id}`)).json().server.metadata).toEqual({ z: '9' });
  });

  it('validates keys and values with Nova texts and enforces the 128-item quota with a 403', async () => {
    const longValue = await demo.req('POST', url, { metadata: { k: 'v'.repeat(256) } });
    expect(longValue.json().badRequest.message).toBe(`Invalid input for field/attribute k. Value: ${'v'.repeat(256)}. '${'v'.repeat(256)}' is too long`);
    const badKey = await demo.req('POST', url, { metadata: { 'a/b': 'x' } });
    expect(badKey.json().badRequest.message).toBe("Invalid input for field/attribute metadata. Value: {'a/b': 'x'}. Additional properties are not allowed ('a/b' was unexpected)");
    const many = Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`k${i}`, 'v']));
    const over = await demo.req('PUT', url, { metadata: many });
    expect(over.json()).toEqual({ forbidden: { code: 403, message: 'Maximum number of metadata items exceeds 128' } });
  });

  it('refuses a locked server to its owner (409), lets an admin through, hides servers of other projects (404)', async () => {
    expect((await admin.req('POST', `/compute/v2.1/servers/${id}/action`, { lock: null })).statusCode).toBe(202);
    const locked = await demo.req('POST', url, { metadata: { a: '1' } });
    expect(locked.json()).toEqual({ conflictingRequest: { code: 409, message: `Instance ${id} is locked` } });
    expect((await demo.req('DELETE', `${url}/z`)).statusCode).toBe(409);
    // Admins pass the lock.
    expect((await admin.req('POST', url, { metadata: { a: '1' } })).statusCode).toBe(200);
    expect((await admin.req('POST', `/compute/v2.1/servers/${id}/action`, { unlock: null })).statusCode).toBe(202);
    const mine = await bootServer(sim, admin, 'adminvm');
    expect((await demo.req('GET', `/compute/v2.1/servers/${mine}/metadata`)).json().itemNotFound.message).toBe(`Instance ${mine} could not be found.`);
  });

  it('refuses a server that is not in an allowed state with the update/delete metadata 409', async () => {
    sim.services.instances.update(id, { task_state: 'rebooting' });
    const r = await demo.req('POST', url, { metadata: { a: '2' } });
    expect(r.json()).toEqual({ conflictingRequest: { code: 409, message: `Cannot 'update metadata' instance ${id} while it is in task_state rebooting` } });
    const d = await demo.req('DELETE', `${url}/z`);
    expect(d.json().conflictingRequest.message).toBe(`Cannot 'delete metadata' instance ${id} while it is in task_state rebooting`);
    sim.services.instances.update(id, { task_state: null });
  });
});
