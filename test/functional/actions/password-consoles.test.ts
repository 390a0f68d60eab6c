// changePassword and remote consoles over HTTP: states and 409s, the RPC call's failures (409/501),
// the deprecated console actions (≤ 2.5) and POST remote-consoles (2.6+, 2.8 mks), disabled
// proxies, and the console auth tokens they issue.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/index.js';
import { bootServer, client, startSim, type Client } from '../../helpers/sim.js';
import { act, action, eventTypes, lastAction, server } from './helpers.js';

let sim: Simulator;
let admin: Client;
let demo: Client;

beforeAll(async () => {
  sim = await startSim({ enabledConsoles: ['vnc', 'serial'] });
  admin = await client(sim, 'admin');
  demo = await client(sim, 'demo');
});
afterAll(() => sim.close());
beforeEach(() => sim.notifications.clear());

describe('changePassword', () => {
  it('202 for an ACTIVE server (compute_set_admin_password), 409 when stopped, 400 without adminPass', async () => {
    const id = await bootServer(sim, demo, 'pw1');
    const ok = await action(demo, id, { changePassword: { adminPass: 's3cret' } });
    expect(ok.statusCode).toBe(202);
    expect(ok.body).toBe('');
    expect(await server(demo, id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null });
    expect(await lastAction(admin, id)).toMatchObject({ action: 'changePassword', events: [{ event: 'compute_set_admin_password', result: 'Success' }] });
    expect((await action(demo, id, { changePassword: {} })).statusCode).toBe(400);
    expect((await action(demo, id, { changePassword: { adminPass: 'x', other: 1 } })).statusCode).toBe(400);
    await act(sim, demo, id, { 'os-stop': null });
    expect((await action(demo, id, { changePassword: { adminPass: 'x' } })).json().conflictingRequest.message).toBe(`Cannot 'changePassword' instance ${id} while it is in vm_state stopped`);
  });

  it('a driver that cannot: NotImplementedError → 501, SetAdminPasswdNotSupported → 409, any other failure → InstancePasswordSetFailed 409', async () => {
    const id = await bootServer(sim, demo, 'pw2');
    const fault = (exception: string, message: string) => {
      sim.faults.clear();
      sim.faults.add({ service: 'compute', operation: 'driver.set_admin_password', match: { instance_uuid: id }, error: { exception, message } });
    };
    fault('NotImplementedError', '');
    expect((await action(demo, id, { changePassword: { adminPass: 'a' } })).json()).toEqual({ notImplemented: { code: 501, message: 'Unable to set password on instance' } });
    fault('SetAdminPasswdNotSupported', 'Set admin password is not supported');
    expect((await action(demo, id, { changePassword: { adminPass: 'a' } })).json()).toEqual({ conflictingRequest: { code: 409, message: 'Set admin password is not supported' } });
    fault('libvirtError', 'guest agent timed out');
    expect((await action(demo, id, { changePassword: { adminPass: 'a' } })).json()).toEqual({ conflictingRequest: { code: 409, message: `Failed to set admin password on ${id} because error setting admin password` } });
    sim.faults.clear();
    expect(await server(admin, id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null });
    expect(eventTypes(sim).filter((t) => t === 'compute.exception')).toHaveLength(3);
    expect((await lastAction(admin, id)).events[0]).toMatchObject({ event: 'compute_set_admin_password', result: 'Error' });
  });
});

describe('remote consoles', () => {
  it('POST remote-consoles vnc/novnc: a noVNC URL with a token that os-console-auth-tokens resolves (admin)', async () => {
    const id = await bootServer(sim, demo, 'con1');
    const res = await demo.req('POST', `/compute/v2.1/servers/${id}/remote-consoles`, { remote_console: { protocol: 'vnc', type: 'novnc' } });
    expect(res.statusCode).toBe(200);
    const rc = res.json().remote_console;
    expect(rc).toMatchObject({ protocol: 'vnc', type: 'novnc' });
    const m = /^http:\/\/127\.0\.0\.1:6080\/vnc_auto\.html\?path=%3Ftoken%3D([0-9a-f-]{36})$/.exec(rc.url);
    expect(m).not.toBeNull();
    const token = m![1];
    expect((await demo.req('GET', `/compute/v2.1/os-console-auth-tokens/${token}`)).statusCode).toBe(403);
    const shown = await admin.req('GET', `/compute/v2.1/os-console-auth-tokens/${token}`);
    expect(shown.json()).toEqual({ console: { instance_uuid: id, host: 'fakevncconsole.com', port: 6969, internal_access_path: 'FAKE' } });
    expect((await admin.req('GET', `/compute/v2.1/os-console-auth-tokens/${token}`, undefined, { 'openstack-api-version': 'compute 2.30' })).statusCode).toBe(400);
    expect((await admin.req('GET', '/compute/v2.1/os-console-auth-tokens/00000000-0000-4000-8000-000000000000')).json()).toEqual({ itemNotFound: { code: 404, message: 'Token not found' } });
    // Expired after [consoleauth] token_ttl (600 s).
    sim.services.runtime.advance(601_000);
    expect((await admin.req('GET', `/compute/v2.1/os-console-auth-tokens/${token}`)).statusCode).toBe(404);
  });

  it('serial: ws:// URL; spice and mks proxies off: 400 Unavailable console type; mks needs 2.8; rdp removed', async () => {
    const id = await bootServer(sim, demo, 'con2');
    const serial = await demo.req('POST', `/compute/v2.1/servers/${id}/remote-consoles`, { remote_console: { protocol: 'serial', type: 'serial' } });
    expect(serial.json().remote_console.url).toMatch(/^ws:\/\/127\.0\.0\.1:6083\/\?token=[0-9a-f-]{36}$/);
    const spice = await demo.req('POST', `/compute/v2.1/servers/${id}/remote-consoles`, { remote_console: { protocol: 'spice', type: 'spice-html5' } });
    expect(spice.json()).toEqual({ badRequest: { code: 400, message: 'Unavailable console type spice-html5.' } });
    const mks27 = await demo.req('POST', `/compute/v2.1/servers/${id}/remote-consoles`, { remote_console: { protocol: 'mks', type: 'webmks' } }, { 'openstack-api-version': 'compute 2.7' });
    expect(mks27.statusCode).toBe(400);
    const mks = await demo.req('POST', `/compute/v2.1/servers/${id}/remote-consoles`, { remote_console: { protocol: 'mks', type: 'webmks' } });
    expect(mks.json()).toEqual({ badRequest: { code: 400, message: 'Unavailable console type webmks.' } });
    const rdp = await demo.req('POST', `/compute/v2.1/servers/${id}/remote-consoles`, { remote_console: { protocol: 'rdp', type: 'rdp-html5' } });
    expect(rdp.json()).toEqual({ badRequest: { code: 400, message: 'Unavailable console type rdp.' } });
    const mismatch = await demo.req('POST', `/compute/v2.1/servers/${id}/remote-consoles`, { remote_console: { protocol: 'vnc', type: 'serial' } });
    expect(mismatch.json()).toEqual({ badRequest: { code: 400, message: 'Invalid console type serial' } });
    expect((await demo.req('POST', `/compute/v2.1/servers/${id}/remote-consoles`, { remote_console: { protocol: 'vnc', type: 'novnc' } }, { 'openstack-api-version': 'compute 2.5' })).statusCode).toBe(404);
  });

  it('deprecated os-getVNCConsole / os-getSerialConsole up to 2.5 (404 from 2.6); a server without host is not ready (409)', async () => {
    const id = await bootServer(sim, demo, 'con3');
    const vnc = await action(demo, id, { 'os-getVNCConsole': { type: 'novnc' } }, '2.5');
    expect(vnc.statusCode).toBe(200);
    expect(vnc.json().console).toMatchObject({ type: 'novnc' });
    expect(vnc.json().console.url).toMatch(/vnc_auto\.html\?path=%3Ftoken%3D/);
    expect((await action(demo, id, { 'os-getVNCConsole': { type: 'novnc' } }, '2.6')).statusCode).toBe(404);
    expect((await action(demo, id, { 'os-getVNCConsole': { type: 'bogus' } }, '2.1')).statusCode).toBe(400);
    const spice = await action(demo, id, { 'os-getSPICEConsole': { type: 'spice-html5' } }, '2.1');
    expect(spice.json()).toEqual({ badRequest: { code: 400, message: 'Unavailable console type spice-html5.' } });
    expect((await action(demo, id, { 'os-getSerialConsole': { type: 'serial' } }, '2.1')).statusCode).toBe(200);
    expect((await action(demo, id, { 'os-getRDPConsole': { type: 'rdp-html5' } }, '2.1')).statusCode).toBe(400);
    await act(sim, demo, id, { shelve: null });
    // shelved_offload_time 0: offloaded, no host.
    const notReady = await action(demo, id, { 'os-getVNCConsole': { type: 'novnc' } }, '2.1');
    expect(notReady.json()).toEqual({ conflictingRequest: { code: 409, message: `Instance ${id} is not ready` } });
  });
});
