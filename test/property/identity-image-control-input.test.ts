// Bad input outside the Compute and Volume bodies: Keystone, Glance and the control plane under
// mutated bodies and odd requests; tokens (missing, garbage, expired, revoked) on every protected
// route; microversion headers on Compute and Volume.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  badIdArb, computeVersionHeaderArb, contentTypeArb, FC_SEED, garbageTokenArb, IMAGE_ID, type InjectCase, type Json, judgeCase, mutate, mutationsArb,
  nastyString, newStats, queryArb, rawBodyArb, report, runs, safeEncode, sometimes, statsLine, Violations, volumeVersionHeaderArb,
} from '../helpers/reliability.js';
import { bootServer, type Client, client, login, startSim } from '../helpers/sim.js';
import { attach, createVolume } from '../helpers/volumes.js';
import type { Simulator } from '../../src/index.js';

// Property: Keystone (/identity/v3), Glance (/image/v2) and the control plane (/_novasim) answer bad
// input in their own envelopes (Keystone {"error": {code,title,message}}, Glance plain text,
// control {"error": {code,message}}), never 5xx, and a refused request changes nothing: no rows,
// no notifications, no faults, no clock.
const passwordAuth = (user = 'admin', project = 'admin'): Json => ({
  auth: {
    identity: { methods: ['password'], password: { user: { name: user, password: 'secret', domain: { name: 'Default' } } } },
    scope: { project: { name: project, domain: { name: 'Default' } } },
  },
});

const bodyCase = fc.record({
  bodyMode: fc.constantFrom('mutated', 'mutated', 'mutated', 'mutated', 'valid', 'raw', 'raw', 'none'),
  mutations: mutationsArb,
  contentType: sometimes(contentTypeArb, 0.2),
  seed: fc.integer(),
});

function withBody(c: InjectCase, valid: Json, k: { bodyMode: string; mutations: Parameters<typeof mutate>[1]; contentType: string | null; seed: number }): InjectCase {
  if (k.bodyMode === 'none') return c;
  const headers = { ...(c.headers ?? {}) };
  const out: InjectCase = { ...c, headers };
  if (k.bodyMode === 'valid') out.json = valid;
  else if (k.bodyMode === 'mutated') out.json = mutate(valid, k.mutations);
  else out.raw = fc.sample(rawBodyArb(valid), { seed: k.seed, numRuns: 1 })[0];
  if (k.contentType !== null) headers['content-type'] = k.contentType;
  else if (out.raw !== undefined) headers['content-type'] = 'application/json';
  return out;
}

describe('property: identity and image under bad input', () => {
  let sim: Simulator;
  let admin: Client;
  const violations = new Violations();
  const stats = newStats();

  beforeAll(async () => {
    sim = await startSim({ profile: 'zed' });
    admin = await client(sim, 'admin', null);
    const demo = await client(sim, 'demo', null);
    await bootServer(sim, demo, 'bystander');
  });
  afterAll(() => sim?.close());

  it('Keystone answers {"error": {code,title,message}}; Glance answers plain text; never 5xx; nothing changes on refusal', async () => {
    const caseArb = fc.record({
      which: fc.constantFrom('auth.create', 'auth.create', 'auth.create', 'auth.validate', 'auth.revoke', 'identity.unknown', 'identity.versions', 'image.list', 'image.show', 'image.write', 'image.versions'),
      body: bodyCase,
      token: fc.oneof(fc.constant('valid'), garbageTokenArb),
      subject: fc.oneof(fc.constant('fresh'), garbageTokenArb),
      id: fc.oneof(fc.constant(IMAGE_ID), badIdArb),
      method: fc.constantFrom('POST', 'PUT', 'DELETE', 'PATCH'),
      seed: fc.integer(),
    });
    await fc.assert(
      fc.asyncProperty(caseArb, async (k) => {
        const token = k.token === 'valid' ? admin.token : k.token;
        let c: InjectCase;
        switch (k.which) {
          case 'auth.create':
            c = withBody({ method: 'POST', url: '/identity/v3/auth/tokens', headers: {} }, passwordAuth(), k.body);
            break;
          case 'auth.validate':
          case 'auth.revoke': {
            // A throwaway subject, so a successful revoke never touches the token the property uses.
            const subject = k.subject === 'fresh' ? (await client(sim, 'demo', null)).token : k.subject;
            c = { method: k.which === 'auth.validate' ? 'GET' : 'DELETE', url: '/identity/v3/auth/tokens', headers: { 'x-auth-token': token, 'x-subject-token': subject } };
            break;
          }
          case 'identity.unknown':
            c = withBody({ method: k.method as InjectCase['method'], url: fc.sample(fc.constantFrom('/identity/v3/users', '/identity/v3/projects', '/identity/v3/auth/tokens/x', '/identity/v2.0/tokens', '/identity/v3/auth/catalog'), { seed: k.seed, numRuns: 1 })[0], headers: { 'x-auth-token': token } }, passwordAuth(), k.body);
            break;
          case 'identity.versions':
            c = { method: 'GET', url: fc.sample(fc.constantFrom('/identity', '/identity/', '/identity/v3', '/identity/v3/'), { seed: k.seed, numRuns: 1 })[0] };
            break;
          case 'image.list': {
            const q = fc.sample(queryArb(['limit', 'marker', 'name', 'status', 'visibility', 'sort', 'sort_key', 'sort_dir', 'member_status', 'owner']), { seed: k.seed, numRuns: 1 })[0];
            c = { method: 'GET', url: `/image/v2/images${q ? `?${q}` : ''}`, headers: { 'x-auth-token': token } };
            break;
          }
          case 'image.show':
            c = { method: 'GET', url: `/image/v2/images/${k.id}`, headers: { 'x-auth-token': token } };
            break;
          case 'image.write':
            c = withBody({ method: k.method as InjectCase['method'], url: k.method === 'POST' ? '/image/v2/images' : `/image/v2/images/${k.id}`, headers: { 'x-auth-token': token } }, { name: 'img', disk_format: 'qcow2', container_format: 'bare' }, k.body);
            break;
          default:
            c = { method: 'GET', url: fc.sample(fc.constantFrom('/image', '/image/', '/image/versions', '/image/v2'), { seed: k.seed, numRuns: 1 })[0] };
        }
        await judgeCase(sim, c, violations, stats);
        return true;
      }),
      { seed: FC_SEED + 2, numRuns: runs(300), endOnFailure: true },
    );
    expect((await sim.app.inject({ url: '/_novasim/health' })).statusCode).toBe(200);
    report(statsLine('identity+image bad input', stats, violations));
    expect(violations.report()).toBe('');
  }, 60_000);
});

describe('property: /_novasim control plane under bad input', () => {
  let sim: Simulator;
  const violations = new Violations();
  const stats = newStats();

  beforeAll(async () => {
    sim = await startSim({ profile: 'zed' });
    const demo = await client(sim, 'demo', null);
    await bootServer(sim, demo, 'bystander'); // a few notifications to list
  });
  afterAll(() => sim?.close());

  it('answers {"error": {code,message}}, never 5xx, and a refused request arms no fault and moves no clock', async () => {
    const validFault: Json = { service: 'cinder', operation: 'attachment_complete', match: { volume_id: '00000000-0000-4000-8000-000000000000' }, times: 1, error: { delay_ms: 1 } };
    const validComputeFault: Json = { service: 'compute', operation: 'driver.swap_volume', error: { exception: 'VolumeDriverException', message: 'boom' } };
    const caseArb = fc.record({
      which: fc.constantFrom('faults.add', 'faults.add', 'faults.add', 'faults.add.compute', 'faults.delete', 'faults.list', 'clock.set', 'clock.set', 'clock.get', 'notifications.list', 'notifications.wait', 'notifications.wait', 'notifications.clear', 'notifications.stream', 'health', 'unknown'),
      body: bodyCase,
      id: fc.oneof(badIdArb, fc.constantFrom('fault-1', 'fault-0', 'fault-999999')),
      waitEvent: fc.oneof(fc.constantFrom('instance.create.end', 'instance.volume_swap.end', ''), nastyString),
      waitTimeout: fc.constantFrom('0', '1', '5', '-1', 'abc', '1e3', '', '300001', '99999999999999999999', '0x10'),
      seed: fc.integer(),
    });
    await fc.assert(
      fc.asyncProperty(caseArb, async (k) => {
        let c: InjectCase;
        const q = (keys: string[]) => fc.sample(queryArb(keys), { seed: k.seed, numRuns: 1 })[0];
        switch (k.which) {
          case 'faults.add':
            c = withBody({ method: 'POST', url: '/_novasim/faults', headers: {} }, validFault, k.body);
            break;
          case 'faults.add.compute':
            c = withBody({ method: 'POST', url: '/_novasim/faults', headers: {} }, validComputeFault, k.body);
            break;
          case 'faults.delete':
            c = { method: 'DELETE', url: `/_novasim/faults/${k.id}` };
            break;
          case 'faults.list':
            c = { method: 'GET', url: '/_novasim/faults' };
            break;
          case 'clock.set':
            c = withBody({ method: 'POST', url: '/_novasim/clock', headers: {} }, fc.sample(fc.constantFrom<Json>({ advance_ms: 0 }, { time: null }), { seed: k.seed, numRuns: 1 })[0], k.body);
            break;
          case 'clock.get':
            c = { method: 'GET', url: '/_novasim/clock' };
            break;
          case 'notifications.list': {
            const qs = q(['event_type', 'instance_uuid', 'project_id', 'since']);
            c = { method: 'GET', url: `/_novasim/notifications${qs ? `?${qs}` : ''}` };
            break;
          }
          case 'notifications.wait': {
            // timeout_ms is always present and small (or invalid): the default would wait 10 s.
            const qs = q(['count', 'instance_uuid', 'project_id', 'since']);
            c = { method: 'GET', url: `/_novasim/notifications/wait?event_type=${safeEncode(k.waitEvent)}&timeout_ms=${safeEncode(k.waitTimeout)}${qs ? `&${qs}` : ''}` };
            break;
          }
          case 'notifications.clear':
            c = { method: 'DELETE', url: '/_novasim/notifications' };
            break;
          case 'notifications.stream': {
            // Only refused streams: a valid one stays open by design.
            const qs = q(['event_type', 'since', 'x', 'foo']);
            c = { method: 'GET', url: `/_novasim/notifications/stream?since=-1${qs ? `&${qs}` : ''}` };
            break;
          }
          case 'health':
            c = { method: 'GET', url: '/_novasim/health' };
            break;
          default:
            c = withBody({ method: 'POST', url: `/_novasim/${fc.sample(fc.constantFrom('unknown', 'faults/x/y', 'clock/advance', 'notifications/wait/x', 'reset/now'), { seed: k.seed, numRuns: 1 })[0]}`, headers: {} }, validFault, k.body);
        }
        const faultsBefore = JSON.stringify(sim.faults.list());
        const clockBefore = sim.services.runtime.clockState();
        const { answer } = await judgeCase(sim, c, violations, stats);
        if (answer.status >= 400) {
          if (JSON.stringify(sim.faults.list()) !== faultsBefore) violations.add(`${c.method} ${c.url.split('?')[0]} → ${answer.status}: refused request changed the fault registry`, c.url);
          const clockAfter = sim.services.runtime.clockState();
          if (clockAfter.frozen !== clockBefore.frozen || (clockBefore.frozen && clockAfter.now !== clockBefore.now)) violations.add(`${c.method} ${c.url} → ${answer.status}: refused request moved the clock`, c.url);
        }
        // Keep the registry empty and the clock real for the next case.
        sim.faults.clear();
        sim.services.runtime.setClock(null);
        return true;
      }),
      { seed: FC_SEED + 3, numRuns: runs(300), endOnFailure: true },
    );
    expect((await sim.app.inject({ url: '/_novasim/health' })).statusCode).toBe(200);
    report(statsLine('control plane bad input', stats, violations));
    expect(violations.report()).toBe('');
  }, 60_000);
});

// Properties on the request envelope rather than the body: any missing / garbage / expired / revoked
// token is a 401 in keystonemiddleware's body on Compute, Volume and Image and changes nothing; any
// microversion header gives the version asked for, 400 (malformed) or 406 (out of range) — with the
// exact Nova/Cinder texts — and never 5xx.
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
