// Property: Keystone (/identity/v3), Glance (/image/v2) and the control plane (/_novasim) answer bad
// input in their own envelopes (Keystone {"error": {code,title,message}}, Glance plain text,
// control {"error": {code,message}}), never 5xx, and a refused request changes nothing: no rows,
// no notifications, no faults, no clock.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import {
  FC_SEED, IMAGE_ID, type InjectCase, type Json, Violations, badIdArb, contentTypeArb, garbageTokenArb, judgeCase, mutate, mutationsArb, nastyString,
  newStats, queryArb, rawBodyArb, report, runs, safeEncode, sometimes, statsLine,
} from '../helpers/reliability.js';
import { bootServer, client, startSim, type Client } from '../helpers/sim.js';

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
