// Properties on the request envelope rather than the body: any missing / garbage / expired / revoked
// token is a 401 in keystonemiddleware's body on Compute, Volume and Image and changes nothing; any
// microversion header gives the version asked for, 400 (malformed) or 406 (out of range) — with the
// exact Nova/Cinder texts — and never 5xx.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import {
  FC_SEED, IMAGE_ID, type InjectCase, Violations, computeVersionHeaderArb, garbageTokenArb, judgeCase, newStats, report, runs, sometimes, statsLine,
  volumeVersionHeaderArb,
} from '../helpers/reliability.js';
import { bootServer, client, login, startSim, type Client } from '../helpers/sim.js';
import { attach, createVolume } from '../helpers/volumes.js';

describe('property: every protected route refuses a bad token with 401 and changes nothing', () => {
  let sim: Simulator;
  let demo: Client;
  let expired: string;
  let revoked: string;
  let ids: { server: string; vol: string; free: string; att: string };
  const violations = new Violations();
  const stats = newStats();

  beforeAll(async () => {
    sim = await startSim({ profile: 'zed', tokenTtlSeconds: 3600, volumeCreateDelayMs: 0 });
    // A token that will be expired: issued, then the clock moves past its TTL; fresh ones are issued after.
    expired = (await login(sim, 'admin')).token;
    sim.services.runtime.advance(3601 * 1000);
    demo = await client(sim, 'demo', null);
    const admin = await client(sim, 'admin', null);
    revoked = (await login(sim, 'admin')).token;
    const del = await sim.app.inject({ method: 'DELETE', url: '/identity/v3/auth/tokens', headers: { 'x-auth-token': admin.token, 'x-subject-token': revoked } });
    expect(del.statusCode).toBe(204);
    const server = await bootServer(sim, demo, 'auth-vm');
    const vol = await createVolume(sim, demo, 1, 'a');
    const free = await createVolume(sim, demo, 1, 'b');
    await attach(sim, demo, server, vol);
    ids = { server, vol, free, att: sim.services.bdms.getByVolumeAndInstance(vol, server)!.attachment_id! };
  });
  afterAll(() => sim?.close());

  it('401 in keystonemiddleware\'s {"error": …} body, no state change, for missing/garbage/expired/revoked tokens', async () => {
    const routes = (): InjectCase[] => {
      const p = `/volume/v3/${demo.projectId}`;
      const c = '/compute/v2.1';
      return [
        { method: 'GET', url: `${c}/servers` },
        { method: 'GET', url: `${c}/servers/${ids.server}` },
        { method: 'POST', url: `${c}/servers`, json: { server: { name: 'x', imageRef: IMAGE_ID, flavorRef: '1', networks: 'none' } } },
        { method: 'DELETE', url: `${c}/servers/${ids.server}` },
        { method: 'PUT', url: `${c}/servers/${ids.server}/os-volume_attachments/${ids.vol}`, json: { volumeAttachment: { volumeId: ids.free } } },
        { method: 'POST', url: `${c}/servers/${ids.server}/os-volume_attachments`, json: { volumeAttachment: { volumeId: ids.free } } },
        { method: 'DELETE', url: `${c}/servers/${ids.server}/os-volume_attachments/${ids.vol}` },
        { method: 'POST', url: `${c}/servers/${ids.server}/action`, json: { lock: null } },
        { method: 'PUT', url: `${c}/servers/${ids.server}/tags`, json: { tags: ['x'] } },
        { method: 'GET', url: `${c}/servers/${ids.server}/os-instance-actions` },
        { method: 'GET', url: `${c}/flavors/1` },
        { method: 'GET', url: `${p}/volumes/detail` },
        { method: 'POST', url: `${p}/volumes`, json: { volume: { size: 1 } } },
        { method: 'DELETE', url: `${p}/volumes/${ids.free}` },
        { method: 'POST', url: `${p}/volumes/${ids.free}/action`, json: { 'os-reserve': null } },
        { method: 'DELETE', url: `${p}/attachments/${ids.att}`, headers: { 'openstack-api-version': 'volume 3.44' } },
        { method: 'POST', url: `${p}/attachments`, json: { attachment: { volume_uuid: ids.free } }, headers: { 'openstack-api-version': 'volume 3.44' } },
        { method: 'GET', url: '/image/v2/images' },
        { method: 'GET', url: `/image/v2/images/${IMAGE_ID}` },
      ];
    };
    const arb = fc.record({
      route: fc.nat(),
      token: fc.oneof(fc.constantFrom('missing', 'expired', 'revoked', 'expired', 'revoked', 'duplicate'), garbageTokenArb),
      case: fc.constantFrom('x-auth-token', 'X-Auth-Token', 'X-AUTH-TOKEN'),
    });
    await fc.assert(
      fc.asyncProperty(arb, async (k) => {
        const all = routes();
        const r = all[k.route % all.length];
        const headers: Record<string, string> = { ...(r.headers ?? {}) };
        if (k.token === 'expired') headers[k.case] = expired;
        else if (k.token === 'revoked') headers[k.case] = revoked;
        else if (k.token === 'duplicate') headers[k.case] = `${revoked}, ${demo.token}`;
        else if (k.token !== 'missing') headers[k.case] = k.token;
        const { answer } = await judgeCase(sim, { ...r, headers }, violations, stats);
        if (answer.status !== 401) violations.add(`${r.method} ${r.url.replace(/[0-9a-f-]{32,36}/g, '{id}')} with a ${['missing', 'expired', 'revoked', 'duplicate'].includes(k.token) ? k.token : 'garbage'} token → ${answer.status}, not 401`, answer.body.slice(0, 200));
        return true;
      }),
      { seed: FC_SEED + 4, numRuns: runs(200), endOnFailure: true },
    );
    report(statsLine('bad tokens', stats, violations));
    expect(violations.report()).toBe('');
  }, 60_000);

  it('an expired or revoked token is also refused by Keystone itself (validate: 404 for the subject, 401 for the caller)', async () => {
    const admin = await client(sim, 'admin', null);
    for (const t of [expired, revoked]) {
      const asSubject = await sim.app.inject({ url: '/identity/v3/auth/tokens', headers: { 'x-auth-token': admin.token, 'x-subject-token': t } });
      expect(asSubject.statusCode).toBe(404);
      expect(asSubject.json()).toEqual({ error: { code: 404, title: 'Not Found', message: `Could not find token: ${t}.` } });
      const asCaller = await sim.app.inject({ url: '/identity/v3/auth/tokens', headers: { 'x-auth-token': t, 'x-subject-token': admin.token } });
      expect(asCaller.statusCode).toBe(401);
      expect(asCaller.json().error).toMatchObject({ code: 401, title: 'Unauthorized' });
      // Rescoping an expired/revoked token is refused too.
      const rescope = await sim.app.inject({ method: 'POST', url: '/identity/v3/auth/tokens', payload: { auth: { identity: { methods: ['token'], token: { id: t } } } } });
      expect(rescope.statusCode).toBe(401);
    }
  });
});

describe('property: microversion headers', () => {
  let sim: Simulator;
  let admin: Client;
  const violations = new Violations();
  let tried = 0;

  beforeAll(async () => {
    sim = await startSim({ profile: 'zed' });
    admin = await client(sim, 'admin', null);
  });
  afterAll(() => sim?.close());

  /** What Nova/Cinder make of a version header (api_version_request.py; cinder-fake.md §1.3). */
  function expected(service: 'compute' | 'volume', header: string | null, min: string, max: string): { status: number; message?: string; version?: string } {
    if (header === null) return { status: 200, version: min };
    let requested: string | undefined;
    for (const item of header.split(',')) {
      if (service === 'compute') {
        const [svc, ver] = item.trim().split(/\s+/);
        if (svc?.toLowerCase() === 'compute' && ver) {
          requested = ver;
          break;
        }
      } else if (item.includes('volume')) {
        requested = item.trim().split(/\s+/)[1] ?? '';
        break;
      }
    }
    if (requested === undefined || (service === 'volume' && requested === '')) {
      return service === 'compute' ? { status: 200, version: min } : { status: 400, message: 'The server could not comply with the request since it is either malformed or otherwise incorrect.' };
    }
    if ((service === 'compute' ? requested.toLowerCase() : requested) === 'latest') return { status: 200, version: max };
    if (!/^([1-9]\d*)\.([1-9]\d*|0)$/.test(requested)) return { status: 400, message: `API Version String ${requested} is of invalid format. Must be of format MajorNum.MinorNum.` };
    const [a, b] = requested.split('.').map(Number);
    const [lo1, lo2] = min.split('.').map(Number);
    const [hi1, hi2] = max.split('.').map(Number);
    if (a < lo1 || (a === lo1 && b < lo2) || a > hi1 || (a === hi1 && b > hi2)) {
      return { status: 406, message: `Version ${requested} is not supported by the API. Minimum is ${min} and maximum is ${max}.` };
    }
    return { status: 200, version: `${a}.${b}` };
  }

  it('Compute and Volume answer the version asked for, or 400/406 with the upstream text; never 5xx', async () => {
    const arb = fc.record({
      service: fc.constantFrom('compute' as const, 'volume' as const),
      compute: sometimes(computeVersionHeaderArb, 0.9),
      volume: sometimes(volumeVersionHeaderArb, 0.9),
      legacy: sometimes(fc.constantFrom('2.1', '2.60', 'latest', '2.999', 'x'), 0.3),
    });
    await fc.assert(
      fc.asyncProperty(arb, async (k) => {
        tried += 1;
        const header = k.service === 'compute' ? k.compute : k.volume;
        const url = k.service === 'compute' ? '/compute/v2.1/flavors' : `/volume/v3/${admin.projectId}/types`;
        const headers: Record<string, string> = { 'x-auth-token': admin.token };
        if (header !== null) headers['openstack-api-version'] = header;
        if (k.service === 'compute' && k.legacy !== null) headers['x-openstack-nova-api-version'] = k.legacy;
        const res = await sim.app.inject({ url, headers });
        const key = `${k.service} ${JSON.stringify(header)}${k.service === 'compute' && k.legacy !== null ? ` legacy ${k.legacy}` : ''}`;
        let exp = expected(k.service, header, k.service === 'compute' ? '2.1' : '3.0', k.service === 'compute' ? '2.93' : '3.70');
        // Nova: the legacy X-OpenStack-Nova-API-Version header counts only when the new one names no compute version.
        if (k.service === 'compute' && k.legacy !== null && exp.status === 200 && !(header ?? '').split(',').some((i) => i.trim().split(/\s+/)[0]?.toLowerCase() === 'compute' && i.trim().split(/\s+/)[1])) {
          exp = expected('compute', `compute ${k.legacy}`, '2.1', '2.93');
        }
        if (res.statusCode >= 500) violations.add(`${key} → ${res.statusCode}`, res.body.slice(0, 200));
        if (res.statusCode !== exp.status) {
          violations.add(`${key} → ${res.statusCode}, expected ${exp.status}`, res.body.slice(0, 200));
          return true;
        }
        if (exp.status === 200) {
          const got = res.headers['openstack-api-version'];
          if (got !== `${k.service} ${exp.version}`) violations.add(`${key} → version header ${got}, expected ${k.service} ${exp.version}`, '');
        } else {
          const body = res.json() as Record<string, { code: number; message: string }>;
          const fault = Object.values(body)[0];
          const name = Object.keys(body)[0];
          const wantName = exp.status === 400 ? 'badRequest' : k.service === 'volume' ? 'computeFault' : 'computeFault';
          if (name !== wantName || fault.code !== exp.status || fault.message !== exp.message) violations.add(`${key} → ${JSON.stringify(body)}, expected {"${wantName}": {"code": ${exp.status}, "message": ${JSON.stringify(exp.message)}}}`, '');
        }
        return true;
      }),
      { seed: FC_SEED + 5, numRuns: runs(400), endOnFailure: true },
    );
    report(`microversion headers: ${tried} cases → ${violations.size} distinct violation(s)`);
    expect(violations.report()).toBe('');
  }, 60_000);
});
