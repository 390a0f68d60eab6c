// Issue 15 item 7, the smaller ones:
// - DELETE with `Content-Type: application/json` and an empty body (what keystoneauth and novaclient
//   send) is accepted on compute, identity, volume and /_novasim (before: 400);
// - /_novasim/clock refuses absurd times (before: year 275760 was accepted and every login failed);
// - malformed HTTP framing is answered in the service's envelope (before: Node's bare 400);
// - with --notify-jsonl, every notification the API shows is already in the file when the process is
//   SIGKILLed (before: the last ones were still in memory).
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { http, IMAGE_ID, loginHttp, rawHttp, removeDb, startChild, tempDbPath, until } from '../helpers/reliability.js';
import { startSim } from '../helpers/sim.js';

let sim: Simulator;
let base: string;
afterAll(() => sim?.close());

function rawExchange(url: string, bytes: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    let out = '';
    const s = connect(Number(u.port), u.hostname, () => s.write(bytes));
    s.setEncoding('utf8');
    s.on('data', (c) => (out += c));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

describe('HTTP hygiene', () => {
  it('DELETE with Content-Type: application/json and an empty body is accepted everywhere', async () => {
    sim = await startSim({ profile: 'master', volumeCreateDelayMs: 0 });
    base = await sim.listen();
    const demo = await loginHttp(base, 'demo');
    const admin = await loginHttp(base, 'admin');
    const json = { 'content-type': 'application/json', 'content-length': '0' };
    const boot = await http(base, 'POST', '/compute/v2.1/servers', { token: demo.token, body: { server: { name: 'd', imageRef: IMAGE_ID, flavorRef: '1', networks: 'none' } } });
    const server = boot.json().server.id as string;
    await sim.idle();
    const vol = (await http(base, 'POST', `/volume/v3/${demo.projectId}/volumes`, { token: demo.token, body: { volume: { size: 1 } } })).json().volume.id as string;
    await sim.idle();
    const other = await loginHttp(base, 'demo');
    const answers = [
      await rawHttp(base, 'DELETE', `/compute/v2.1/servers/${server}`, { 'x-auth-token': demo.token, ...json }),
      await rawHttp(base, 'DELETE', `/volume/v3/${demo.projectId}/volumes/${vol}`, { 'x-auth-token': demo.token, ...json }),
      await rawHttp(base, 'DELETE', '/identity/v3/auth/tokens', { 'x-auth-token': admin.token, 'x-subject-token': other.token, ...json }),
      await rawHttp(base, 'DELETE', '/_novasim/notifications', json),
    ];
    expect(answers.map((a) => ('status' in a ? a.status : a.error))).toEqual([204, 202, 204, 204]);
  });

  it('/_novasim/clock refuses times outside 1970..8999 (400), and logins keep working', async () => {
    for (const body of [{ time: '+275760-09-13T00:00:00Z' }, { time: '1969-12-31T23:59:59Z' }, { advance_ms: 10 * 365 * 86_400_000 - 1 }]) {
      if ('advance_ms' in body) await http(base, 'POST', '/_novasim/clock', { body: { time: '8999-06-01T00:00:00Z' } });
      const r = await http(base, 'POST', '/_novasim/clock', { body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json()).toEqual({ error: { code: 400, message: 'time must be between 1970-01-01T00:00:00Z and 8999-12-31T23:59:59Z' } });
    }
    expect((await http(base, 'POST', '/_novasim/clock', { body: { time: null } })).status).toBe(200);
    expect((await http(base, 'POST', '/_novasim/clock', { body: { time: '2012-10-29T13:42:11Z' } })).status).toBe(200);
    await loginHttp(base, 'demo');
  });

  it('malformed HTTP framing gets the service envelope', async () => {
    const compute = await rawExchange(base, 'GET /compute/v2.1/servers HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    expect(compute).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(compute.slice(compute.indexOf('\r\n\r\n') + 4))).toEqual({ badRequest: { code: 400, message: 'Malformed HTTP request' } });
    const identity = await rawExchange(base, 'POST /identity/v3/auth/tokens HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n');
    expect(identity).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(identity.slice(identity.indexOf('\r\n\r\n') + 4)).error).toMatchObject({ code: 400, message: 'Malformed HTTP request' });
  });

  it('--notify-jsonl: what the API shows is in the file when SIGKILL lands', async () => {
    const db = tempDbPath('jsonl');
    const file = join(tmpdir(), `novasim-jsonl-${process.pid}-${Date.now()}.jsonl`);
    const child = await startChild(['--db', db, '--notify-jsonl', file], { NOVASIM_BUILD_DELAY_MS: '0' });
    try {
      const demo = await loginHttp(child.url, 'demo');
      const r = await http(child.url, 'POST', '/compute/v2.1/servers', { token: demo.token, body: { server: { name: 'j', imageRef: IMAGE_ID, flavorRef: '1', networks: 'none' } } });
      expect(r.status).toBe(202);
      const seen = await until('create.end visible', async () => {
        const list = (await http(child.url, 'GET', '/_novasim/notifications')).json().notifications as { message_id: string; event_type: string }[];
        return list.some((n) => n.event_type === 'instance.create.end') ? list : null;
      });
      await child.kill('SIGKILL');
      const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).message_id as string);
      for (const n of seen) expect(lines).toContain(n.message_id);
    } finally {
      await child.kill('SIGKILL');
      removeDb(db);
      removeDb(file);
    }
  });
});
