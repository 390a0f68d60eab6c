// Issue 15 "done when": a seeded storm of every operation — attach, detach, direct swap (zed admin),
// Cinder retype with migration (→ Nova's swap), server delete, volume delete, reset, and SIGKILL with
// restart — against `novasim serve` on a file database. After each round the cloud settles and the
// invariants are checked:
//  - every BDM is backed by an `attached` Cinder attachment of its server and volume; no Cinder
//    attachment without a BDM (no leaked `reserved` attachments of deleted servers); volumes `in-use`
//    exactly when attached; no migration left running; no compute task left recorded;
//  - every swap that started emitted exactly one `.end` or `.error` (per round, between kills);
//  - no 5xx except Nova's own documented one (swap whose attachment_create Cinder refuses, 500
//    InvalidInput, old volume left `detaching`: nova/compute/api.py swap_volume has no rollback of
//    begin_detaching for that failure).
// Upstream leaves some states after a crash of cinder-volume, and so may novasim (after kills only):
// a volume `retyping` / migration_status `starting`|`migrating` whose migration had not reached Nova,
// and its migration target (`error`, migration_status `target:<id>`): cinder/volume/manager.py
// _do_cleanup only handles Volume._is_cleanable statuses (cinder/objects/volume.py: 'creating',
// 'deleting', 'uploading', 'downloading'), init_host has no migration clean-up. Those volumes leave the
// storm's working set. Interrupted creates end `error` (same _do_cleanup) and leave it too.
// Two more states upstream itself leaves, accepted here with their source:
// - a retype with migration racing a detach or server delete: Cinder's begin_detaching lets a
//   migrating volume detach (cinder/volume/api.py begin_detaching: `if not (result or
//   self._is_volume_migrating(volume))`), Nova's swap then fails, and the manager restores the volume's
//   previous status (cinder/volume/manager.py migrate_volume: `updates = {'migration_status': 'error'}`
//   + `status_update = {'status': volume.previous_status}`): `in-use` with no attachment, migration
//   status `error`; likewise when the detach lands before a migration that then succeeds (driver move
//   or generic copy: migrate_volume `updates.update(status_update)`, migrate_volume_completion
//   `orig_volume_status = volume.previous_status`): `in-use` with no attachment, migration `success`;
// - after a kill between nova-api's begin_detaching and its cast (nova/compute/api.py _detach_volume:
//   begin_detaching, then the RPC cast; nova-compute's init_host knows nothing of it): the volume stays
//   `detaching` with its attachment. (novasim's swap API records itself right after begin_detaching and
//   its recovery rolls that back — storm-findings.test.ts; the detach's window is Cinder's answer only.)
// Part of `npm test`: NOVASIM_STORM_ROUNDS rounds (default 30, about 30 s on 2 shared CPUs) from seed NOVASIM_STORM_SEED
// (default 15015) — the op sequence (kinds, picks, round kinds, kill/reset delays) is drawn from the
// seed in a fixed order; which ids the picks land on depends on earlier outcomes. The long mode is
// opt-in: NOVASIM_STORM_SECONDS=600 runs rounds until that time is up instead. NOVASIM_STORM_DEBUG=1
// prints the instance actions of servers involved in a violation, and every violation at the end.
// The three problems the 10-minute run once found, and the kill leftovers a later run found, have
// deterministic regression tests in storm-findings.test.ts.
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Child, IMAGE_ID, checkConsistency, http, type HttpAnswer, loginHttp, prng, removeDb, report, sleep, startChild, tempDbPath, until,
} from '../helpers/reliability.js';

const SECONDS = process.env.NOVASIM_STORM_SECONDS ? Number(process.env.NOVASIM_STORM_SECONDS) : null;
const ROUNDS = Number(process.env.NOVASIM_STORM_ROUNDS ?? 30);
const MODE = SECONDS === null ? `${ROUNDS} rounds` : `${SECONDS} s`;
const SEED = Number(process.env.NOVASIM_STORM_SEED ?? 15_015);
const env = { NOVASIM_VOLUME_CREATE_DELAY_MS: '2', NOVASIM_VOLUME_DELETE_DELAY_MS: '2', NOVASIM_BUILD_DELAY_MS: '2', NOVASIM_VOLUME_QUOTA: '-1', NOVASIM_GIGABYTES_QUOTA: '-1' };
type Who = Awaited<ReturnType<typeof loginHttp>>;

const children: Child[] = [];
const dbs: string[] = [];
afterAll(async () => {
  for (const c of children) await c.kill('SIGKILL');
  for (const d of dbs) removeDb(d);
});

interface Stats {
  rounds: number; ops: number; accepted: number; refused: number; documented500: number; resets: number; kills: number;
  swapsStarted: number; swapsEnded: number; stuckAsUpstream: number; violations: string[];
  /** Volumes set aside as upstream leaves them, by `status/migration_status`. */
  setAside: Map<string, number>;
}

describe('storm', () => {
  it(`${MODE} seeded storm (seed ${SEED}) of every operation incl. reset and kills: zero invariant violations`, async () => {
    const t0 = Date.now();
    const db = tempDbPath('storm');
    dbs.push(db);
    let child = await startChild(['--db', db, '--profile', 'zed'], env);
    children.push(child);
    let base = child.url;
    let admin: Who = await loginHttp(base, 'admin');
    let demo: Who = await loginHttp(base, 'demo');
    // Two streams: `rnd` draws the op sequence (a fixed number of draws per op and per round, all before
    // anything runs); `sizes` the volumes that top-ups create, whose number depends on earlier outcomes.
    const rnd = prng(SEED);
    const sizes = prng(SEED ^ 0x5eed);
    const st: Stats = { rounds: 0, ops: 0, accepted: 0, refused: 0, documented500: 0, resets: 0, kills: 0, swapsStarted: 0, swapsEnded: 0, stuckAsUpstream: 0, violations: [], setAside: new Map() };
    const setAside = (what: string) => {
      st.stuckAsUpstream++;
      st.setAside.set(what, (st.setAside.get(what) ?? 0) + 1);
    };
    let servers: string[] = [];
    let volumes: string[] = [];
    const excluded = new Set<string>();
    let detachingOk = new Set<string>();
    let kindOfRound = '';

    const api = (method: string, path: string, who: Who, body?: unknown, headers?: Record<string, string>) =>
      http(base, method, path, { token: who.token, body, headers, timeoutMs: 30_000 }).catch((e: Error) => ({ status: 0, text: e.message, headers: new Headers(), json: () => ({}) }) as HttpAnswer);

    async function top(): Promise<void> {
      while (servers.length < 4) {
        const r = await api('POST', '/compute/v2.1/servers', demo, { server: { name: 'storm', imageRef: IMAGE_ID, flavorRef: '1', networks: 'none' } });
        if (r.status !== 202) throw new Error(`boot ${r.status} ${r.text}`);
        servers.push(r.json().server.id);
      }
      while (volumes.length < 8) {
        const r = await api('POST', `/volume/v3/${demo.projectId}/volumes`, demo, { volume: { size: 1 + sizes.int(2), volume_type: sizes.pick(['lvmdriver-1', 'lvmdriver-2']) } });
        if (r.status !== 202) throw new Error(`volume ${r.status} ${r.text}`);
        volumes.push(r.json().volume.id);
      }
    }

    /** Wait until nothing is pending (health counters) and every server left BUILD. */
    async function settle(): Promise<void> {
      await until('quiet', async () => {
        const h = (await http(base, 'GET', '/_novasim/health')).json();
        return h.compute.pending_tasks === 0 && h.cinder.pending_tasks === 0;
      }, 60_000, 25);
      await sleep(30);
      await until('quiet again', async () => {
        const h = (await http(base, 'GET', '/_novasim/health')).json();
        return h.compute.pending_tasks === 0 && h.cinder.pending_tasks === 0;
      }, 60_000, 25);
    }

    function randomOp(): () => Promise<void> {
      const s = rnd.pick(servers);
      const v = rnd.pick(volumes);
      const w = rnd.pick(volumes);
      const kind = rnd.pick(['attach', 'attach', 'attach', 'detach', 'detach', 'swap', 'retype', 'retype', 'delete_server', 'delete_volume'] as const);
      const newType = rnd.pick(['lvmdriver-1', 'lvmdriver-2']);
      return async () => {
        let r: HttpAnswer;
        switch (kind) {
          case 'attach':
            r = await api('POST', `/compute/v2.1/servers/${s}/os-volume_attachments`, demo, { volumeAttachment: { volumeId: v } });
            break;
          case 'detach':
            r = await api('DELETE', `/compute/v2.1/servers/${s}/os-volume_attachments/${v}`, demo);
            break;
          case 'swap':
            r = await api('PUT', `/compute/v2.1/servers/${s}/os-volume_attachments/${v}`, admin, { volumeAttachment: { volumeId: w } });
            break;
          case 'retype':
            r = await api('POST', `/volume/v3/${demo.projectId}/volumes/${v}/action`, demo, { 'os-retype': { new_type: newType, migration_policy: 'on-demand' } });
            break;
          case 'delete_server':
            r = await api('DELETE', `/compute/v2.1/servers/${s}`, demo);
            if (r.status === 204) servers = servers.filter((x) => x !== s);
            break;
          case 'delete_volume':
            r = await api('DELETE', `/volume/v3/${demo.projectId}/volumes/${v}`, demo);
            if (r.status === 202) volumes = volumes.filter((x) => x !== v);
            break;
        }
        st.ops++;
        if (r.status >= 200 && r.status < 300) st.accepted++;
        else if (r.status >= 400 && r.status < 500) st.refused++;
        else if (kind === 'swap' && r.status === 500 && r.text.includes("<class 'nova.exception.InvalidInput'>")) {
          st.documented500++;
          detachingOk.add(v);
        } else if (r.status !== 0 && r.status !== 503) st.violations.push(`round ${st.rounds}: ${kind} → ${r.status} ${r.text.slice(0, 200)}`);
      };
    }

    async function check(afterKill: boolean): Promise<void> {
      await settle();
      // Servers: forget deleted ones; after a kill a server interrupted in BUILD is ERROR (Nova's _init_instance).
      const list = (await api('GET', '/compute/v2.1/servers/detail', demo)).json().servers as { id: string; status: string }[];
      servers = list.filter((x) => x.status === 'ACTIVE').map((x) => x.id);
      for (const x of list) if (x.status !== 'ACTIVE' && !(afterKill && x.status === 'ERROR')) st.violations.push(`round ${st.rounds}: server ${x.id} ${x.status}`);
      const vols = (await api('GET', `/volume/v3/${admin.projectId}/volumes/detail?all_tenants=1`, admin)).json().volumes as {
        id: string; status: string; migration_status: string | null; description: string | null;
      }[];
      for (const v of vols) {
        const stuck = ['retyping'].includes(v.status) || ['starting', 'migrating'].includes(v.migration_status ?? '') || (v.migration_status ?? '').startsWith('target:') || v.status === 'error';
        if (stuck && !excluded.has(v.id)) {
          if (afterKill) {
            excluded.add(v.id);
            setAside(`${v.status}/${(v.migration_status ?? 'none').replace(/:.*/, ':<id>')} after a kill`);
          } else st.violations.push(`round ${st.rounds}: volume ${v.id} ${v.status}/${v.migration_status} without a kill`);
        }
      }
      const live = new Set(vols.map((v) => v.id));
      volumes = volumes.filter((v) => live.has(v) && !excluded.has(v));
      const scope = new Set(vols.map((v) => v.id).filter((id) => !excluded.has(id)));
      if (afterKill) for (const v of vols) if (v.status === 'detaching' && scope.has(v.id)) detachingOk.add(v.id);
      const migrationError = new Set(vols.filter((v) => v.migration_status === 'error' || v.migration_status === 'success').map((v) => v.id));
      const problems = (await checkConsistency(base, admin, servers, { volumeIds: scope, allowDetaching: detachingOk, ignoreVolumes: excluded })).filter((p) => {
        const id = /^volume (\S+) (?:migration_status error$|is in-use with 0 attachment)/.exec(p)?.[1];
        if (!id || !migrationError.has(id)) return true;
        if (p.includes('in-use with 0')) {
          setAside(`in-use without attachment, migration ${vols.find((v) => v.id === id)?.migration_status}`);
          excluded.add(id);
          volumes = volumes.filter((x) => x !== id);
        }
        return false;
      });
      if (process.env.NOVASIM_STORM_DEBUG) for (const p of problems) {
        const m = /^BDM (\S+?)\/|attachment \S+ \(\w+, (\S+?)\//.exec(p);
        const srv = m?.[1] ?? m?.[2];
        if (!srv) continue;
        const acts = (await api('GET', `/compute/v2.1/servers/${srv}/os-instance-actions`, admin)).json().instanceActions as { action: string; request_id: string }[] | undefined;
        const detail = [];
        for (const a of acts ?? []) {
          const d = (await api('GET', `/compute/v2.1/servers/${srv}/os-instance-actions/${a.request_id}`, admin, undefined, { 'openstack-api-version': 'compute 2.51' })).json().instanceAction;
          detail.push(`${a.action}[${(d?.events ?? []).map((e: { event: string; result: string }) => `${e.event}:${e.result}`).join(',')}]`);
        }
        console.log(`DEBUG ${p} :: ${detail.join(' ')}`);
      }
      for (const p of problems) st.violations.push(`round ${st.rounds} (${kindOfRound}): ${p}`);
      // Each swap that started ended exactly once (.end or .error).
      const n = (await http(base, 'GET', '/_novasim/notifications?limit=10000')).json().notifications as { event_type: string; payload: { 'nova_object.data': { uuid: string } } }[];
      const count = (t: string) => n.filter((x) => x.event_type === t).length;
      const started = count('instance.volume_swap.start');
      const ended = count('instance.volume_swap.end') + count('instance.volume_swap.error');
      st.swapsStarted += started;
      st.swapsEnded += ended;
      if (started !== ended) st.violations.push(`round ${st.rounds}: ${started} swap .start but ${ended} .end/.error`);
      await http(base, 'DELETE', '/_novasim/notifications');
      detachingOk = new Set([...detachingOk].filter((v) => scope.has(v)));
    }

    const end = Date.now() + (SECONDS ?? 0) * 1000;
    while (SECONDS === null ? st.rounds < ROUNDS : Date.now() < end) {
      st.rounds++;
      await top();
      await settle();
      // Attach a few first so detaches, swaps and retypes of attached volumes have something to act on.
      await Promise.all(servers.slice(0, 3).map((s, i) => api('POST', `/compute/v2.1/servers/${s}/os-volume_attachments`, demo, { volumeAttachment: { volumeId: volumes[i] } })));
      const ops = Array.from({ length: 12 + rnd.int(12) }, () => randomOp());
      const roll = rnd.next();
      kindOfRound = roll < 0.12 ? 'reset' : roll < 0.27 ? 'kill' : 'plain';
      if (roll < 0.12) {
        // Reset while the operations are in flight: the barrier drains them, then empties.
        const running = ops.map((op) => op());
        await sleep(rnd.int(15));
        const r = await http(base, 'POST', '/_novasim/reset');
        if (r.status !== 204) st.violations.push(`round ${st.rounds}: reset → ${r.status} ${r.text}`);
        await Promise.all(running);
        st.resets++;
        servers = [];
        volumes = [];
        excluded.clear();
        detachingOk.clear();
        await check(false);
        const left = (await api('GET', `/volume/v3/${admin.projectId}/volumes?all_tenants=1`, admin)).json().volumes as unknown[];
        if (left.length) st.violations.push(`round ${st.rounds}: ${left.length} volume(s) crossed the reset`);
      } else if (roll < 0.27) {
        // SIGKILL mid-storm, restart on the same file: recovery must leave a consistent cloud.
        const running = ops.map((op) => op());
        await sleep(5 + rnd.int(40));
        await child.kill('SIGKILL');
        await Promise.all(running);
        st.kills++;
        child = await startChild(['--db', db, '--profile', 'zed'], env);
        children.push(child);
        base = child.url;
        admin = await loginHttp(base, 'admin');
        demo = await loginHttp(base, 'demo');
        await check(true);
      } else {
        await Promise.all(ops.map((op) => op()));
        await check(false);
      }
    }
    report(`storm ${MODE} seed ${SEED} (${((Date.now() - t0) / 1000).toFixed(0)} s): ${st.rounds} rounds, ${st.ops} operations (${st.accepted} accepted, ${st.refused} refused 4xx, ${st.documented500} Nova row-19 500s), ` +
      `${st.resets} resets, ${st.kills} kills+restarts, ${st.swapsStarted} swaps started / ${st.swapsEnded} ended, ${st.stuckAsUpstream} volume(s) set aside as upstream leaves them (${[...st.setAside].map(([k, n]) => `${n} ${k}`).join(', ')}), ${st.violations.length} violation(s)`);
    if (process.env.NOVASIM_STORM_DEBUG) for (const v of st.violations) console.log(`VIOLATION ${v}`);
    expect(st.violations.slice(0, 20)).toEqual([]);
    expect(st.kills + st.resets).toBeGreaterThan(0);
  }, ((SECONDS ?? 120) + 120) * 1000);
});
