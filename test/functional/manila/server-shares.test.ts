// Nova's server shares (2.97) over HTTP against the fake Manila: attach/list/show/detach, the 409s,
// policy (member vs reader vs admin), an injected failure (.error + Nova's state), power on/off with a
// share (mount → active, stop → inactive), microversion gating, bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/index.js';
import { bootServer, type Client, client, startSim } from '../../helpers/sim.js';

const MV = { 'x-openstack-manila-api-version': '2.82' };
let sim: Simulator;
let admin: Client;
let demo: Client;

beforeAll(async () => {
  sim = await startSim({ profile: 'master' });
  admin = await client(sim, 'admin');
  demo = await client(sim, 'demo');
});
afterAll(() => sim.close());

async function newShare(c: Client = demo, proto = 'NFS'): Promise<string> {
  const res = await c.req('POST', '/share/v2/shares', { share: { share_proto: proto, size: 1 } }, MV);
  expect(res.statusCode, res.body).toBe(200);
  const id = res.json().share.id as string;
  await c.req('GET', `/share/v2/shares/${id}`, undefined, MV);
  return id;
}

async function stoppedServer(name: string): Promise<string> {
  const id = await bootServer(sim, demo, name);
  const stop = await demo.req('POST', `/compute/v2.1/servers/${id}/action`, { 'os-stop': null });
  expect(stop.statusCode, stop.body).toBe(202);
  await sim.idle();
  return id;
}

const events = () => sim.notifications.list().map((n) => n.envelope.event_type);
const rules = async (shareId: string) => (await admin.req('GET', `/share/v2/share-access-rules?share_id=${shareId}`, undefined, MV)).json().access_list as { access_to: string; state: string }[];

describe('server shares (2.97)', () => {
  it('attaches, lists, shows (admin sees uuid and export location), powers on/off and detaches', async () => {
    const server = await stoppedServer('sh1');
    const share = await newShare();
    sim.notifications.clear();
    const att = await demo.req('POST', `/compute/v2.1/servers/${server}/shares`, { share: { share_id: share, tag: 'data' } });
    expect(att.statusCode, att.body).toBe(201);
    expect(att.json()).toEqual({ share: { share_id: share, status: 'attaching', tag: 'data' } });
    await sim.idle();
    expect(events()).toEqual(['instance.share_attach.start', 'instance.share_attach.end']);
    const start = sim.notifications.list()[0].envelope;
    expect(start.publisher_id).toBe('nova-api:compute');
    const payload = start.payload as { 'nova_object.name': string; 'nova_object.data': { share_id: string; shares: { 'nova_object.data': { status: string } }[] } };
    expect(payload['nova_object.name']).toBe('InstanceActionSharePayload');
    expect(payload['nova_object.data'].share_id).toBe(share);
    expect(payload['nova_object.data'].shares.map((s) => s['nova_object.data'].status)).toEqual(['attaching']);
    // The access rule Nova asked for: ip of the compute host, rw, active.
    const r = await rules(share);
    expect(r).toHaveLength(1);
    expect(r[0].state).toBe('active');

    const list = await demo.req('GET', `/compute/v2.1/servers/${server}/shares`);
    expect(list.json()).toEqual({ shares: [{ share_id: share, status: 'inactive', tag: 'data' }] });
    const asAdmin = await admin.req('GET', `/compute/v2.1/servers/${server}/shares/${share}`);
    expect(asAdmin.json().share).toMatchObject({ share_id: share, status: 'inactive', tag: 'data', export_location: `172.24.4.50:/shares/share-${share}` });
    expect(asAdmin.json().share.uuid).toMatch(/^[0-9a-f-]{36}$/);

    // Power on mounts it (active); power off deactivates it.
    await demo.req('POST', `/compute/v2.1/servers/${server}/action`, { 'os-start': null });
    await sim.idle();
    expect((await demo.req('GET', `/compute/v2.1/servers/${server}/shares/${share}`)).json().share.status).toBe('active');
    const busy = await demo.req('POST', `/compute/v2.1/servers/${server}/shares`, { share: { share_id: await newShare() } });
    expect(busy.statusCode).toBe(409);
    expect(busy.json().conflictingRequest.message).toBe(`Cannot 'create share' instance ${server} while it is in vm_state active`);
    const busyDel = await demo.req('DELETE', `/compute/v2.1/servers/${server}/shares/${share}`);
    expect(busyDel.statusCode).toBe(409);
    expect(busyDel.json().conflictingRequest.message).toBe(`Cannot 'delete share' instance ${server} while it is in vm_state active`);
    // block_shares_not_supported: no suspend with a share mapped; a HARD reboot remounts it (active).
    const suspend = await demo.req('POST', `/compute/v2.1/servers/${server}/action`, { suspend: null });
    expect(suspend.statusCode).toBe(409);
    expect(suspend.json()).toEqual({ conflictingRequest: { code: 409, message: 'Feature not supported with instances that have shares.' } });
    sim.faults.add({ service: 'compute', operation: 'driver.mount_share', match: { instance_uuid: server }, error: { delay_ms: 1 } });
    await demo.req('POST', `/compute/v2.1/servers/${server}/action`, { reboot: { type: 'HARD' } });
    await sim.idle();
    expect(sim.faults.list().find((f) => f.operation === 'driver.mount_share')?.hits).toBe(1);
    expect((await demo.req('GET', `/compute/v2.1/servers/${server}/shares/${share}`)).json().share.status).toBe('active');
    await demo.req('POST', `/compute/v2.1/servers/${server}/action`, { 'os-stop': null });
    await sim.idle();
    expect((await demo.req('GET', `/compute/v2.1/servers/${server}/shares/${share}`)).json().share.status).toBe('inactive');

    sim.notifications.clear();
    const det = await demo.req('DELETE', `/compute/v2.1/servers/${server}/shares/${share}`);
    expect(det.statusCode).toBe(200);
    expect(det.body).toBe('');
    await sim.idle();
    expect(events()).toEqual(['instance.share_detach.start', 'instance.share_detach.end']);
    expect((await demo.req('GET', `/compute/v2.1/servers/${server}/shares`)).json()).toEqual({ shares: [] });
    expect(await rules(share)).toEqual([]);
    const actions = (await demo.req('GET', `/compute/v2.1/servers/${server}/os-instance-actions`)).json().instanceActions.map((a: { action: string }) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['attach_share', 'detach_share']));
  });

  it('refuses what Nova refuses: 404s, duplicates, unavailable shares, other protocols', async () => {
    const server = await stoppedServer('sh2');
    const share = await newShare();
    const missing = '7b1c7e2a-0d7c-4bd3-9d0e-3a5f5d8d6b11';
    const nf = await demo.req('POST', `/compute/v2.1/servers/${server}/shares`, { share: { share_id: missing } });
    expect(nf.statusCode).toBe(404);
    expect(nf.json()).toEqual({ itemNotFound: { code: 404, message: `Share ${missing} could not be found.` } });
    expect((await demo.req('POST', `/compute/v2.1/servers/${server}/shares`, { share: { share_id: share } })).statusCode).toBe(201);
    await sim.idle();
    const dup = await demo.req('POST', `/compute/v2.1/servers/${server}/shares`, { share: { share_id: share, tag: 'other' } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().conflictingRequest.message).toBe(`Share '${share}' or tag 'other' already associated to this server.`);
    const share2 = await newShare();
    const dupTag = await demo.req('POST', `/compute/v2.1/servers/${server}/shares`, { share: { share_id: share2, tag: share } });
    expect(dupTag.statusCode).toBe(409);
    const cifs = await newShare(demo, 'CIFS');
    const proto = await demo.req('POST', `/compute/v2.1/servers/${server}/shares`, { share: { share_id: cifs } });
    expect(proto.statusCode).toBe(409);
    expect(proto.json().conflictingRequest.message).toBe('Share protocol CIFS is not supported.');
    const noServer = await demo.req('GET', `/compute/v2.1/servers/${missing}/shares`);
    expect(noServer.statusCode).toBe(404);
    expect(noServer.json().itemNotFound.message).toBe(`Instance ${missing} has no mapping to a cell.`);
    const noMapping = await demo.req('GET', `/compute/v2.1/servers/${server}/shares/${share2}`);
    expect(noMapping.statusCode).toBe(404);
    expect(noMapping.json().itemNotFound.message).toBe(`Share ${share2} could not be found.`);
    const noDetach = await demo.req('DELETE', `/compute/v2.1/servers/${server}/shares/${share2}`);
    expect(noDetach.statusCode).toBe(404);
  });

  it('validates bodies and queries and gates the microversion', async () => {
    const server = await stoppedServer('sh3');
    const bad: [unknown, string][] = [
      [{}, "'share' is a required property"],
      [{ share: {} }, "'share_id' is a required property"],
      [{ share: { share_id: 'nope' } }, "'nope' is not a 'uuid'"],
      [{ share: { share_id: '7b1c7e2a-0d7c-4bd3-9d0e-3a5f5d8d6b11', tag: 'a b' } }, "'a b' does not match '^[a-zA-Z0-9-]*$'"],
      [{ share: { share_id: '7b1c7e2a-0d7c-4bd3-9d0e-3a5f5d8d6b11', extra: 1 } }, 'Additional properties are not allowed'],
    ];
    for (const [body, text] of bad) {
      const res = await demo.req('POST', `/compute/v2.1/servers/${server}/shares`, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().badRequest.message).toContain(text);
    }
    const q = await demo.req('GET', `/compute/v2.1/servers/${server}/shares?foo=1`);
    expect(q.statusCode).toBe(400);
    const old = await client(sim, 'demo', '2.96');
    const gated = await old.req('GET', `/compute/v2.1/servers/${server}/shares`);
    expect(gated.statusCode).toBe(404);
    expect(gated.json()).toEqual({ itemNotFound: { code: 404, message: 'The resource could not be found.' } });
  });

  it('applies policy: readers may list, members attach, other projects get 403, admins see all', async () => {
    const server = await stoppedServer('sh4');
    const share = await newShare();
    // Admin (other project) may attach to demo's server; the mapping shows uuid/export_location to admin only.
    const byAdmin = await admin.req('POST', `/compute/v2.1/servers/${server}/shares`, { share: { share_id: share } });
    expect(byAdmin.statusCode, byAdmin.body).toBe(201);
    expect(Object.keys(byAdmin.json().share).sort()).toEqual(['export_location', 'share_id', 'status', 'tag', 'uuid']);
    await sim.idle();
    const byDemo = await demo.req('GET', `/compute/v2.1/servers/${server}/shares/${share}`);
    expect(Object.keys(byDemo.json().share).sort()).toEqual(['share_id', 'status', 'tag']);
    // A reader-only user: may list, may not attach.
    const created = await admin.req('POST', '/identity/v3/users', { user: { name: 'reader1', password: 'secret', default_project_id: demo.projectId } });
    expect(created.statusCode, created.body).toBe(201);
    const readerRole = (await admin.req('GET', '/identity/v3/roles?name=reader')).json().roles[0].id as string;
    await admin.req('PUT', `/identity/v3/projects/${demo.projectId}/users/${created.json().user.id}/roles/${readerRole}`);
    const reader = await client(sim, 'reader1');
    expect((await reader.req('GET', `/compute/v2.1/servers/${server}/shares`)).statusCode).toBe(200);
    const denied = await reader.req('POST', `/compute/v2.1/servers/${server}/shares`, { share: { share_id: await newShare() } });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().forbidden.message).toBe("Policy doesn't allow os_compute_api:os-server-shares:create to be performed.");
    // demo has no access to admin's servers: the policy check against the instance's project.
    const adminServer = await bootServer(sim, admin, 'sh-admin');
    const other = await demo.req('GET', `/compute/v2.1/servers/${adminServer}/shares`);
    expect(other.statusCode).toBe(403);
  });

  it('an injected Manila failure gives share_attach.error, the mapping in error; detach still works', async () => {
    const server = await stoppedServer('sh5');
    const share = await newShare();
    sim.faults.add({ service: 'manila', operation: 'allow_access', match: { share_id: share }, error: { status: 400, message: 'Connection timed out' } });
    sim.notifications.clear();
    const att = await demo.req('POST', `/compute/v2.1/servers/${server}/shares`, { share: { share_id: share } });
    expect(att.statusCode).toBe(201);
    await sim.idle();
    expect(events()).toEqual(['instance.share_attach.start', 'instance.share_attach.error', 'compute.exception']);
    const err = sim.notifications.list()[1].envelope;
    expect(err.priority).toBe('ERROR');
    const fault = (err.payload as { 'nova_object.data': { fault: { 'nova_object.data': { exception: string; exception_message: string } } } })['nova_object.data'].fault['nova_object.data'];
    expect(fault.exception).toBe('ShareAccessGrantError');
    expect(fault.exception_message).toMatch(new RegExp(`^Share access could not be granted to share id ${share}\\.\\nReason: 400: Client Error for url: .*/share/v2/shares/${share}/action, Connection timed out\\.$`));
    expect((await demo.req('GET', `/compute/v2.1/servers/${server}/shares/${share}`)).json().share.status).toBe('error');
    expect(await rules(share)).toEqual([]);
    // Power on with a share in error: mount fails → instance ERROR (ShareMountError via the driver).
    sim.faults.add({ service: 'compute', operation: 'driver.mount_share', match: { instance_uuid: server }, error: { exception: 'ShareMountError', message: `Share id ${share} mount error from server ${server}.\nReason: boom.` } });
    await demo.req('POST', `/compute/v2.1/servers/${server}/action`, { 'os-start': null });
    await sim.idle();
    expect((await demo.req('GET', `/compute/v2.1/servers/${server}`)).json().server.status).toBe('ERROR');
    // Detach is allowed in ERROR; the missing rule (ShareAccessNotFound) still ends the detach.
    sim.notifications.clear();
    const det = await demo.req('DELETE', `/compute/v2.1/servers/${server}/shares/${share}`);
    expect(det.statusCode).toBe(200);
    await sim.idle();
    expect(events()).toEqual(['instance.share_detach.start', 'instance.share_detach.end']);
    expect((await demo.req('GET', `/compute/v2.1/servers/${server}/shares`)).json().shares).toEqual([]);
  });

  it('an injected deny failure gives share_detach.error and leaves the mapping in error', async () => {
    const server = await stoppedServer('sh6');
    const share = await newShare();
    await demo.req('POST', `/compute/v2.1/servers/${server}/shares`, { share: { share_id: share } });
    await sim.idle();
    sim.faults.add({ service: 'manila', operation: 'deny_access', match: { share_id: share }, error: { status: 400, message: 'Connection timed out' } });
    sim.notifications.clear();
    await demo.req('DELETE', `/compute/v2.1/servers/${server}/shares/${share}`);
    await sim.idle();
    expect(events()).toEqual(['instance.share_detach.start', 'instance.share_detach.error', 'compute.exception']);
    expect((await demo.req('GET', `/compute/v2.1/servers/${server}/shares/${share}`)).json().share.status).toBe('error');
    expect(await rules(share)).toHaveLength(1);
    // Deleting the server denies the share too.
    sim.notifications.clear();
    expect((await demo.req('DELETE', `/compute/v2.1/servers/${server}`)).statusCode).toBe(204);
    await sim.idle();
    expect(await rules(share)).toEqual([]);
    expect(events()).toEqual(expect.arrayContaining(['instance.share_detach.start', 'instance.share_detach.end']));
  });

  it('zed (2.93) has no server shares', async () => {
    const zed = await startSim({ profile: 'zed' });
    try {
      const c = await client(zed, 'demo');
      const id = await bootServer(zed, c, 'z1');
      const res = await c.req('GET', `/compute/v2.1/servers/${id}/shares`);
      expect(res.statusCode).toBe(404);
      const pinned = await c.req('GET', `/compute/v2.1/servers/${id}/shares`, undefined, { 'openstack-api-version': 'compute 2.97' });
      expect(pinned.statusCode).toBe(406);
    } finally {
      await zed.close();
    }
  });
});

describe('server shares: hardware.check_shares_supported', () => {
  it('without file-backed memory only a flavor with hw:mem_page_size may attach a share', async () => {
    const s2 = await startSim({ profile: 'master', memBackingFile: false });
    try {
      const a = await client(s2, 'admin');
      const d = await client(s2, 'demo');
      const shareId = async () => {
        const r = await d.req('POST', '/share/v2/shares', { share: { share_proto: 'NFS', size: 1 } }, MV);
        const id = r.json().share.id as string;
        await d.req('GET', `/share/v2/shares/${id}`, undefined, MV);
        return id;
      };
      const stoppedOn = async (flavorRef: string) => {
        const r = await d.req('POST', '/compute/v2.1/servers', { server: { name: `f${flavorRef}`, imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef, networks: 'none' } });
        expect(r.statusCode, r.body).toBe(202);
        const id = r.json().server.id as string;
        await s2.idle();
        await d.req('POST', `/compute/v2.1/servers/${id}/action`, { 'os-stop': null });
        await s2.idle();
        return id;
      };
      const plain = await stoppedOn('1');
      const refused = await d.req('POST', `/compute/v2.1/servers/${plain}/shares`, { share: { share_id: await shareId() } });
      expect(refused.statusCode).toBe(409);
      expect(refused.json().conflictingRequest.message).toBe('Feature not supported because either compute or instance are not configured correctly.');
      expect((await d.req('GET', `/compute/v2.1/servers/${plain}/shares`)).json().shares).toEqual([]);
      const fl = await a.req('POST', '/compute/v2.1/flavors', { flavor: { name: 'hp', ram: 512, vcpus: 1, disk: 1, id: 'hp' } });
      expect(fl.statusCode, fl.body).toBe(200);
      expect((await a.req('POST', '/compute/v2.1/flavors/hp/os-extra_specs', { extra_specs: { 'hw:mem_page_size': 'large' } })).statusCode).toBe(200);
      const huge = await stoppedOn('hp');
      const ok = await d.req('POST', `/compute/v2.1/servers/${huge}/shares`, { share: { share_id: await shareId() } });
      expect(ok.statusCode, ok.body).toBe(201);
    } finally {
      await s2.close();
    }
  });
});

describe('server shares: one NFS access rule per compute host (_check_share_usage)', () => {
  it('two servers on one host share the rule; it goes with the last detach', async () => {
    const s3 = await startSim({ profile: 'master', computeHosts: 1 });
    try {
      const d = await client(s3, 'demo');
      const a = await client(s3, 'admin');
      const r = await d.req('POST', '/share/v2/shares', { share: { share_proto: 'NFS', size: 1 } }, MV);
      const shareId = r.json().share.id as string;
      await d.req('GET', `/share/v2/shares/${shareId}`, undefined, MV);
      const ruleList = async () => (await a.req('GET', `/share/v2/share-access-rules?share_id=${shareId}`, undefined, MV)).json().access_list as unknown[];
      const servers: string[] = [];
      for (const name of ['n1', 'n2']) {
        const id = await bootServer(s3, d, name);
        await d.req('POST', `/compute/v2.1/servers/${id}/action`, { 'os-stop': null });
        await s3.idle();
        expect((await d.req('POST', `/compute/v2.1/servers/${id}/shares`, { share: { share_id: shareId } })).statusCode).toBe(201);
        await s3.idle();
        servers.push(id);
      }
      expect(await ruleList()).toHaveLength(1);
      // n2 is powered on: its mapping is active, so detaching n1 must keep the host's rule.
      await d.req('POST', `/compute/v2.1/servers/${servers[1]}/action`, { 'os-start': null });
      await s3.idle();
      await d.req('DELETE', `/compute/v2.1/servers/${servers[0]}/shares/${shareId}`);
      await s3.idle();
      expect(await ruleList()).toHaveLength(1);
      await d.req('POST', `/compute/v2.1/servers/${servers[1]}/action`, { 'os-stop': null });
      await s3.idle();
      await d.req('DELETE', `/compute/v2.1/servers/${servers[1]}/shares/${shareId}`);
      await s3.idle();
      expect(await ruleList()).toEqual([]);
    } finally {
      await s3.close();
    }
  });
});

describe('server shares: concurrency', () => {
  it('racing attaches of one share to one server: one 201, the others 409, one mapping and one rule', async () => {
    const s4 = await startSim({ profile: 'master' });
    try {
      const d = await client(s4, 'demo');
      const a = await client(s4, 'admin');
      const r = await d.req('POST', '/share/v2/shares', { share: { share_proto: 'NFS', size: 1 } }, MV);
      const shareId = r.json().share.id as string;
      await d.req('GET', `/share/v2/shares/${shareId}`, undefined, MV);
      const server = await bootServer(s4, d, 'race');
      await d.req('POST', `/compute/v2.1/servers/${server}/action`, { 'os-stop': null });
      await s4.idle();
      const answers = await Promise.all(Array.from({ length: 6 }, () => d.req('POST', `/compute/v2.1/servers/${server}/shares`, { share: { share_id: shareId } })));
      expect(answers.map((x) => x.statusCode).sort()).toEqual([201, 409, 409, 409, 409, 409]);
      await s4.idle();
      expect((await d.req('GET', `/compute/v2.1/servers/${server}/shares`)).json().shares).toEqual([{ share_id: shareId, status: 'inactive', tag: shareId }]);
      expect((await a.req('GET', `/share/v2/share-access-rules?share_id=${shareId}`, undefined, MV)).json().access_list).toHaveLength(1);
    } finally {
      await s4.close();
    }
  });
});
