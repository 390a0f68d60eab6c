// Behaviours checked side by side with upstream Nova/Cinder (issue 12, item 6). Each test names the
// upstream function it reproduces.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toHttp } from '../../src/api/compute-errors.js';
import { InstanceInvalidState } from '../../src/compute/checks.js';
import type { Simulator } from '../../src/index.js';
import { bootServer, client, startSim, type Client } from '../helpers/sim.js';
import { attach, createVolume, getVolume, volumeAction } from '../helpers/volumes.js';

type Fault = Record<string, string>;
const faultOf = (payload: unknown): Fault =>
  (payload as { 'nova_object.data': { fault?: { 'nova_object.data': Fault } } & Fault })['nova_object.data'].fault?.['nova_object.data'] ??
  (payload as { 'nova_object.data': Fault })['nova_object.data'];
const attachUrl = (server: string) => `/compute/v2.1/servers/${server}/os-volume_attachments`;

describe('compute API checks (zed profile: admin may swap directly)', () => {
  let sim: Simulator;
  let admin: Client;
  let demo: Client;

  beforeAll(async () => {
    sim = await startSim({ profile: 'zed' });
    admin = await client(sim, 'admin', null);
    demo = await client(sim, 'demo', null);
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    await sim.reset();
  });

  it('compute/api.py _check_volume_already_attached: a BDM elsewhere refuses the attach before attachment_create', async () => {
    const a = await bootServer(sim, demo, 'a');
    const b = await bootServer(sim, demo, 'b');
    const vol = await createVolume(sim, demo, 1, 'shared');
    await attach(sim, demo, a, vol);
    // An admin resets the volume in Cinder (attachments cleaned up, available) while Nova keeps its BDM.
    const reset = await volumeAction(sim, admin, vol, { 'os-reset_status': { status: 'available', attach_status: 'detached' } });
    expect(reset.statusCode).toBe(202);
    const res = await demo.req('POST', attachUrl(b), { volumeAttachment: { volumeId: vol } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ badRequest: { code: 400, message: `Invalid volume: volume ${vol} is already attached to instances: ${a}` } });
    // Refused in Nova: Cinder was never asked for an attachment, nothing changed there.
    expect((await getVolume(sim, admin, vol)).volume).toMatchObject({ status: 'available', attachments: [] });
    expect(sim.services.bdms.listByVolume(vol).map((x) => x.instance_uuid)).toEqual([a]);
    // The same (non-multiattach) volume again on its own server gets the same text.
    const twice = await demo.req('POST', attachUrl(a), { volumeAttachment: { volumeId: vol } });
    expect(twice.json().badRequest.message).toBe(`Invalid volume: volume ${vol} is already attached to instances: ${a}`);
  });

  it('_check_volume_already_attached for multiattach volumes: only the same instance is refused', async () => {
    const a = await bootServer(sim, demo, 'a');
    const b = await bootServer(sim, demo, 'b');
    const vol = await createVolume(sim, demo, 1, 'multi', { volume_type: 'multiattach' });
    const mv = { 'openstack-api-version': 'compute 2.60' };
    expect((await demo.req('POST', attachUrl(a), { volumeAttachment: { volumeId: vol } }, mv)).statusCode).toBe(200);
    await sim.idle();
    const again = await demo.req('POST', attachUrl(a), { volumeAttachment: { volumeId: vol } }, mv);
    expect(again.json()).toEqual({ badRequest: { code: 400, message: `Invalid volume: volume ${vol} already attached` } });
    expect((await demo.req('POST', attachUrl(b), { volumeAttachment: { volumeId: vol } }, mv)).statusCode).toBe(200);
    await sim.idle();
    expect((await getVolume(sim, admin, vol)).volume.attachments).toHaveLength(2);
  });

  it('servers.py create: below 2.19 the description is the server name (display_description in payloads)', async () => {
    const id = await bootServer(sim, demo, 'named');
    const at219 = (await demo.req('GET', `/compute/v2.1/servers/${id}`, undefined, { 'openstack-api-version': 'compute 2.19' })).json().server;
    expect(at219.description).toBe('named');
    const end = sim.notifications.list().find((n) => n.envelope.event_type === 'instance.create.end')!;
    expect((end.envelope.payload as { 'nova_object.data': { display_description: string } })['nova_object.data'].display_description).toBe('named');
    // From 2.19 the body decides, and no description means None.
    const res = await demo.req('POST', '/compute/v2.1/servers', { server: { name: 'bare', imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: '1', networks: 'none' } }, { 'openstack-api-version': 'compute 2.37' });
    const bare = res.json().server.id as string;
    await sim.idle();
    expect((await demo.req('GET', `/compute/v2.1/servers/${bare}`, undefined, { 'openstack-api-version': 'compute 2.19' })).json().server.description).toBeNull();
  });

  it("parameter_types.boolean: Nova's spellings only ('yes' passes, 'y'/'t'/'n'/'f' do not)", async () => {
    const id = await bootServer(sim, demo, 'bools');
    const mv = { 'openstack-api-version': 'compute 2.79' };
    for (const v of ['y', 't', 'n', 'f']) {
      const vol = await createVolume(sim, demo, 1, `b-${v}`);
      const res = await demo.req('POST', attachUrl(id), { volumeAttachment: { volumeId: vol, delete_on_termination: v } }, mv);
      expect(res.statusCode).toBe(400);
      expect(res.json().badRequest.message).toBe(
        `Invalid input for field/attribute delete_on_termination. Value: ${v}. '${v}' is not one of [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no']`,
      );
    }
    const vol = await createVolume(sim, demo, 1, 'b-yes');
    const ok = await demo.req('POST', attachUrl(id), { volumeAttachment: { volumeId: vol, delete_on_termination: 'yes' } }, mv);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().volumeAttachment.delete_on_termination).toBe(true);
    await sim.idle();
  });

  it('common.py raise_http_conflict_for_instance_invalid_state: a None state gets the generic text', () => {
    const uuid = '6f70656e-7374-6163-6b00-000000000001';
    const none = toHttp(new InstanceInvalidState('launched_at', null, uuid, 'attach_volume'), {}, { action: 'attach_volume', uuid });
    expect(none).toMatchObject({ status: 409, message: `Instance ${uuid} is in an invalid state for 'attach_volume'` });
    const known = toHttp(new InstanceInvalidState('vm_state', 'building', uuid, 'attach_volume'), {}, { action: 'attach_volume', uuid });
    expect(known).toMatchObject({ status: 409, message: `Cannot 'attach_volume' instance ${uuid} while it is in vm_state building` });
  });

  describe('compute/api.py _count_attachments_for_swap', () => {
    async function multiattached() {
      const a = await bootServer(sim, demo, 'a');
      const b = await bootServer(sim, demo, 'b');
      const vol = await createVolume(sim, demo, 1, 'multi', { volume_type: 'multiattach' });
      const target = await createVolume(sim, demo, 1, 'target');
      const mv = { 'openstack-api-version': 'compute 2.60' };
      // One after the other: Cinder's _attachment_reserve refuses a multiattach volume still 'attaching'.
      expect((await demo.req('POST', attachUrl(a), { volumeAttachment: { volumeId: vol } }, mv)).statusCode).toBe(200);
      await sim.idle();
      expect((await demo.req('POST', attachUrl(b), { volumeAttachment: { volumeId: vol } }, mv)).statusCode).toBe(200);
      await sim.idle();
      return { a, vol, target };
    }

    it('an attachment Cinder does not find (VolumeAttachmentNotFound) counts as read/write', async () => {
      const { a, vol, target } = await multiattached();
      sim.faults.add({ service: 'cinder', operation: 'attachment_get', error: { status: 404, message: 'gone' } });
      const res = await admin.req('PUT', `${attachUrl(a)}/${vol}`, { volumeAttachment: { volumeId: target } });
      expect(res.json()).toEqual({ badRequest: { code: 400, message: 'Swapping multi-attach volumes with more than one read/write attachment is not supported.' } });
      expect((await getVolume(sim, admin, vol)).volume.status).toBe('in-use');
    });

    it('any other failure of attachment_get propagates (500) after roll_detaching', async () => {
      const { a, vol, target } = await multiattached();
      sim.faults.add({ service: 'cinder', operation: 'attachment_get', error: { status: 500, message: 'db down' } });
      const res = await admin.req('PUT', `${attachUrl(a)}/${vol}`, { volumeAttachment: { volumeId: target } });
      expect(res.statusCode).toBe(500);
      expect(res.json().computeFault.message).toContain("<class 'nova.exception.ClientException'>");
      expect((await getVolume(sim, admin, vol)).volume.status).toBe('in-use');
    });
  });

  describe('fault injection without an error', () => {
    it('a Cinder operation answers Cinder’s generic 500', async () => {
      const f = sim.faults.add({ service: 'cinder', operation: 'get_volume' });
      expect(f.error).toEqual({ status: 500, message: 'The server has either erred or is incapable of performing the requested operation.' });
      const vol = await createVolume(sim, demo, 1, 'x');
      const res = await sim.app.inject({ url: `/volume/v3/${demo.projectId}/volumes/${vol}`, headers: { 'x-auth-token': demo.token } });
      expect(res.statusCode).toBe(500);
      expect(res.json().computeFault.message).toBe('The server has either erred or is incapable of performing the requested operation.');
    });

    it("a driver volume operation raises os-brick's VolumeDriverException naming the volume", async () => {
      const server = await bootServer(sim, demo);
      const oldVol = await createVolume(sim, demo, 1, 'old');
      const newVol = await createVolume(sim, demo, 1, 'new');
      await attach(sim, demo, server, oldVol);
      sim.notifications.clear();
      const add = await sim.app.inject({ method: 'POST', url: '/_novasim/faults', payload: { service: 'compute', operation: 'driver.swap_volume' } });
      expect(add.statusCode).toBe(201);
      await admin.req('PUT', `${attachUrl(server)}/${oldVol}`, { volumeAttachment: { volumeId: newVol } });
      await sim.idle();
      const error = sim.notifications.list().find((n) => n.envelope.event_type === 'instance.volume_swap.error')!;
      expect(faultOf(error.envelope.payload)).toMatchObject({ exception: 'VolumeDriverException', exception_message: `An error occurred while IO to volume ${oldVol}.` });
    });

    it('an operation without a default is a 400 that names the missing field', async () => {
      const res = await sim.app.inject({ method: 'POST', url: '/_novasim/faults', payload: { service: 'compute', operation: 'driver.spawn' } });
      expect(res.statusCode).toBe(400);
      expect(JSON.stringify(res.json())).toContain('error: required for compute operation driver.spawn');
      expect(() => sim.faults.add({ service: 'compute', operation: 'manager._build_resources' })).toThrow(/required for compute operation manager._build_resources/);
    });
  });

  it("tracebacks: exception wrappers' frames, .error from _swap_volume, no invented line numbers", async () => {
    const server = await bootServer(sim, demo);
    const oldVol = await createVolume(sim, demo, 1, 'old');
    const newVol = await createVolume(sim, demo, 1, 'new');
    await attach(sim, demo, server, oldVol);
    sim.notifications.clear();
    sim.faults.add({ service: 'compute', operation: 'driver.swap_volume', error: { exception: 'VolumeDriverException', message: 'disk went away' } });
    await admin.req('PUT', `${attachUrl(server)}/${oldVol}`, { volumeAttachment: { volumeId: newVol } });
    await sim.idle();
    const byType = (t: string) => sim.notifications.list().find((n) => n.envelope.event_type === t)!.envelope.payload;
    const files = (tb: string) => [...tb.matchAll(/File "([^"]+)", line (\S+), in (\w+)/g)].map((m) => `${m[1]}:${m[3]}`);
    const lines = (tb: string) => [...tb.matchAll(/File "[^"]+", line (\S+), in/g)].map((m) => m[1]);

    // nova/compute/manager.py _swap_volume: notify_about_volume_swap(..., ex) inside its `except`.
    const errorTb = faultOf(byType('instance.volume_swap.error')).traceback;
    expect(files(errorTb)).toEqual(['nova/compute/manager.py:_swap_volume', 'nova/virt/libvirt/driver.py:swap_volume']);
    // nova/exception_wrapper.py wrap_exception: the whole way up, with the decorators' frames and the
    // save_and_reraise_exception frames of _swap_volume and wrap_instance_fault.
    const exc = faultOf(byType('compute.exception'));
    expect(exc).toMatchObject({ exception: 'VolumeDriverException', module_name: 'nova.virt.libvirt.driver', function_name: 'swap_volume' });
    const reraise = ['oslo_utils/excutils.py:__exit__', 'oslo_utils/excutils.py:force_reraise'];
    expect(files(exc.traceback)).toEqual([
      'nova/exception_wrapper.py:wrapped',
      'nova/compute/utils.py:decorated_function',
      'nova/compute/manager.py:decorated_function', ...reraise, 'nova/compute/manager.py:decorated_function',
      'nova/compute/manager.py:swap_volume',
      'oslo_concurrency/lockutils.py:inner',
      'nova/compute/manager.py:_do_locked_swap_volume',
      'nova/compute/manager.py:_do_swap_volume',
      'nova/compute/manager.py:_swap_volume', ...reraise, 'nova/compute/manager.py:_swap_volume',
      'nova/virt/libvirt/driver.py:swap_volume',
    ]);
    // novasim runs none of Nova's code, so no line number is made up: each frame says it is unknown.
    expect(new Set([...lines(errorTb), ...lines(exc.traceback)])).toEqual(new Set(['unknown']));
    expect(exc.traceback).not.toMatch(/line \d/);
    // wrap_instance_fault records the fault from its own frame; EventReporter gets format_tb from wrap_instance_event's.
    const fault = sim.services.actions.latestFaultFor(server)!;
    expect(files(fault.details)[0]).toBe('nova/compute/manager.py:decorated_function');
    expect(fault.details.startsWith('Traceback (most recent call last):\n')).toBe(true);
    const ev = sim.services.actions.events(sim.services.actions.list(server)[0].id)[0];
    expect(files(ev.traceback!)[0]).toBe('nova/compute/utils.py:decorated_function');
    expect(ev.traceback!.startsWith('  File ')).toBe(true);
  });
});

describe('volume/cinder.py migrate_volume_completion: translate_cinder_exception only', () => {
  let sim: Simulator;
  let admin: Client;
  let demo: Client;
  beforeAll(async () => {
    sim = await startSim({ profile: 'zed', legacyVolumeAttach: true });
    admin = await client(sim, 'admin', null);
    demo = await client(sim, 'demo', null);
  });
  afterAll(() => sim.close());

  it("a 404 from os-migrate_volume_completion surfaces as cinderclient's NotFound, not VolumeNotFound", async () => {
    const server = await bootServer(sim, demo);
    const oldVol = await createVolume(sim, demo, 1, 'old');
    const newVol = await createVolume(sim, demo, 1, 'new');
    await attach(sim, demo, server, oldVol);
    sim.notifications.clear();
    sim.faults.add({ service: 'cinder', operation: 'migrate_volume_completion', error: { status: 404, message: 'no such migration' } });
    expect((await admin.req('PUT', `${attachUrl(server)}/${oldVol}`, { volumeAttachment: { volumeId: newVol } })).statusCode).toBe(202);
    await sim.idle();
    const exc = sim.notifications.list().find((n) => n.envelope.event_type === 'compute.exception')!;
    const data = faultOf(exc.envelope.payload);
    expect(data).toMatchObject({ exception: 'NotFound', module_name: 'nova.volume.cinder', function_name: 'migrate_volume_completion' });
    expect(data.exception_message).toMatch(/^no such migration \(HTTP 404\)/);
    // Not a NovaException: the fault message is the class name (exception_to_dict).
    expect(sim.services.actions.latestFaultFor(server)).toMatchObject({ code: 500, message: 'NotFound' });
  });
});

describe("cinder/compute/nova.py update_server_volume carries Cinder's request id", () => {
  let sim: Simulator;
  let proxy: Server;
  const seen: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    // A recording hop between the fake Cinder and Nova (config novaUrl), forwarding to the simulator.
    let target = '';
    proxy = createServer((req, res) => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers });
      const up = httpRequest(`${target}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode!, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = (proxy.address() as AddressInfo).port;
    sim = await startSim({ profile: 'master', novaUrl: `http://127.0.0.1:${port}/compute/v2.1` });
    await sim.listen();
    target = sim.url!;
  });
  afterAll(async () => {
    await sim.close();
    await new Promise((r) => proxy.close(r));
  });

  it('the PUT to Nova has X-OpenStack-Request-ID = the retype request id (novaclient global_request_id)', async () => {
    const demo = await client(sim, 'demo', null);
    const server = await bootServer(sim, demo);
    const vol = await createVolume(sim, demo, 1, 'moving');
    await attach(sim, demo, server, vol);
    const retype = await volumeAction(sim, demo, vol, { 'os-retype': { new_type: 'lvmdriver-2', migration_policy: 'on-demand' } });
    expect(retype.statusCode).toBe(202);
    const requestId = retype.headers['x-openstack-request-id'];
    expect(requestId).toMatch(/^req-[0-9a-f-]{36}$/);
    await sim.notifications.waitFor('instance.volume_swap.end', { timeoutMs: 5000 });
    await sim.idle();
    const put = seen.find((r) => r.method === 'PUT' && r.url.endsWith(`/os-volume_attachments/${vol}`));
    expect(put?.headers['x-openstack-request-id']).toBe(requestId);
  });
});
