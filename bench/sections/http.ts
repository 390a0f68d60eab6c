// 2. The swap over loopback HTTP, with C swaps in flight, against `novasim serve` (a child process).
//    Each in-flight slot owns one server with two same-size volumes and swaps them back and forth:
//    PUT → 202 is timed on the client, PUT → .end by a single SSE subscription to
//    /_novasim/notifications/stream?event_type=instance.volume_swap.end (dispatched by instance uuid).
//    Baseline in the same run: autocannon against a bare fastify server at the same connection count.
import http from 'node:http';
import autocannon from 'autocannon';
import { httpRequester, type Requester } from '../lib/client.js';
import { startBare, startServe } from '../lib/procs.js';
import { attach, boot, createVolume, serverStatus, swapPath, until, volumeStatus, type Session } from '../lib/sample-env.js';
import { expectStatus, json } from '../lib/client.js';
import { now, sleep, summarize, type Summary } from '../lib/stats.js';

export interface Rounds {
  perRound: number[];
  summary: Summary;
}

function rounds(values: number[]): Rounds {
  return { perRound: values, summary: summarize(values) };
}

/** autocannon req/s against the bare fastify child, `count` rounds of `seconds`. */
export async function bareReqPerSec(connections: number, seconds: number, count: number): Promise<{ rps: Rounds; p99: Rounds }> {
  const bare = await startBare();
  const rps: number[] = [];
  const p99: number[] = [];
  try {
    await autocannon({ url: `${bare.url}/`, connections, duration: seconds >= 2 ? 1 : 0.3 }); // warm-up
    for (let i = 0; i < count; i++) {
      const r = await autocannon({ url: `${bare.url}/`, connections, duration: seconds });
      if (r.non2xx || r.errors) throw new Error(`bare fastify: ${r.non2xx} non-2xx, ${r.errors} errors`);
      rps.push(r.requests.total / (r.duration || seconds));
      p99.push(r.latency.p99);
    }
  } finally {
    await bare.stop();
  }
  return { rps: rounds(rps), p99: rounds(p99) };
}

/** One SSE subscription; `wait(uuid)` resolves at that instance's next .end. */
function swapEndStream(baseUrl: string): Promise<{ wait(uuid: string): Promise<void>; close(): void; received(): number }> {
  const waiters = new Map<string, () => void>();
  let received = 0;
  return new Promise((resolve, reject) => {
    const req = http.get(`${baseUrl}/_novasim/notifications/stream?event_type=instance.volume_swap.end`, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`SSE: HTTP ${res.statusCode}`));
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = frame.split('\n').find((l) => l.startsWith('data: '));
          if (!data) continue;
          received++;
          const uuid = JSON.parse(data.slice(6)).payload['nova_object.data'].uuid as string;
          const w = waiters.get(uuid);
          if (w) {
            waiters.delete(uuid);
            w();
          }
        }
      });
      resolve({
        wait: (uuid) => new Promise<void>((res2) => waiters.set(uuid, res2)),
        close: () => req.destroy(),
        received: () => received,
      });
    });
    req.on('error', reject);
  });
}

interface Slot {
  server: string;
  vols: [string, string];
  cur: number;
}

async function adminSession(r: Requester): Promise<Session> {
  const res = expectStatus(
    await r('POST', '/identity/v3/auth/tokens', {
      auth: {
        identity: { methods: ['password'], password: { user: { name: 'admin', password: 'secret', domain: { name: 'Default' } } } },
        scope: { project: { name: 'admin', domain: { name: 'Default' } } },
      },
    }),
    201,
    'login admin',
  );
  const token = res.headers['x-subject-token'] as string;
  return { token, projectId: json(res).token.project.id, headers: { 'x-auth-token': token, 'openstack-api-version': 'compute 2.92' } };
}

/** C servers, each with two 1 GB volumes, the first attached (set up over HTTP, waited by polling). */
export async function setupSlots(r: Requester, s: Session, count: number): Promise<Slot[]> {
  const slots = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const { id } = await boot(r, s, { name: `bench-${i}`, flavorRef: '1' });
      const vols: [string, string] = [await createVolume(r, s, 1), await createVolume(r, s, 1)];
      await until(async () => (await serverStatus(r, s, id)).status === 'ACTIVE', `server ${id} ACTIVE`);
      for (const v of vols) await until(async () => (await volumeStatus(r, s, v)) === 'available', `volume ${v} available`);
      await attach(r, s, id, vols[0]);
      await until(async () => (await volumeStatus(r, s, vols[0])) === 'in-use', `volume ${vols[0]} in-use`);
      return { server: id, vols, cur: 0 };
    }),
  );
  return slots;
}

export interface SwapLoad {
  swapsPerSec: Rounds;
  put202: Summary;
  putEnd: Summary;
  swaps: number;
}

/**
 * Every slot swaps back and forth for `seconds`; `count` rounds. Closed loop by default (each slot
 * sends its next PUT as soon as its previous swap ended: saturation); with `ratePerSec`, open loop:
 * PUTs start on a fixed schedule (at most one per free slot), so latency is measured below saturation.
 */
export async function swapLoad(
  baseUrl: string, r: Requester, s: Session, slots: Slot[], seconds: number, count: number, warmupSeconds: number, ratePerSec?: number,
): Promise<SwapLoad> {
  const sse = await swapEndStream(baseUrl);
  const put202: number[] = [];
  const putEnd: number[] = [];
  const perRound: number[] = [];
  let total = 0;
  const run = async (durationS: number, record: boolean) => {
    const deadline = now() + durationS * 1000;
    let done = 0;
    let ticket = 0;
    const t0 = now();
    await Promise.all(
      slots.map(async (slot) => {
        while (now() < deadline) {
          if (ratePerSec) {
            const startAt = t0 + (ticket++ * 1000) / ratePerSec;
            if (startAt >= deadline) break;
            if (startAt > now()) await sleep(startAt - now());
          }
          const ended = sse.wait(slot.server);
          const a = now();
          const res = await r('PUT', swapPath(slot.server, slot.vols[slot.cur]), { volumeAttachment: { volumeId: slot.vols[1 - slot.cur] } }, s.headers);
          const b = now();
          if (res.status !== 202) throw new Error(`swap: HTTP ${res.status} ${res.body.slice(0, 300)}`);
          await ended;
          const c = now();
          slot.cur = 1 - slot.cur;
          done++;
          if (record) {
            put202.push(b - a);
            putEnd.push(c - a);
          }
        }
      }),
    );
    return (done / (now() - t0)) * 1000;
  };
  try {
    if (warmupSeconds > 0) await run(warmupSeconds, false);
    for (let i = 0; i < count; i++) {
      const before = put202.length;
      perRound.push(await run(seconds, true));
      total += put202.length - before;
    }
  } finally {
    sse.close();
  }
  return { swapsPerSec: rounds(perRound), put202: summarize(put202), putEnd: summarize(putEnd), swaps: total };
}

export interface HttpResult {
  connections: number;
  bare: { rps: Rounds; p99: Rounds };
  swap: SwapLoad;
  /** Open loop at half the closed-loop throughput (same slots): latency below saturation. */
  paced: SwapLoad & { ratePerSec: number };
  serveRssAfterMb: number;
}

export async function runHttp(quick: boolean, connections = 16): Promise<HttpResult> {
  const seconds = quick ? 1 : 2;
  const count = quick ? 1 : 3;
  const bare = await bareReqPerSec(connections, seconds, count);

  const serve = await startServe([], {
    NOVASIM_BUILD_DELAY_MS: '0', NOVASIM_VOLUME_CREATE_DELAY_MS: '0', NOVASIM_VOLUME_QUOTA: '-1', NOVASIM_GIGABYTES_QUOTA: '-1',
  });
  const r = httpRequester(serve.url, connections * 2);
  try {
    const s = await adminSession(r);
    const slots = await setupSlots(r, s, connections);
    const swap = await swapLoad(serve.url, r, s, slots, seconds, count, quick ? 0.3 : 1);
    const ratePerSec = Math.max(1, swap.swapsPerSec.summary.median / 2);
    const paced = { ...(await swapLoad(serve.url, r, s, slots, quick ? 1 : 2, 1, 0, ratePerSec)), ratePerSec };
    return { connections, bare, swap, paced, serveRssAfterMb: serve.rss() };
  } finally {
    r.agent.destroy();
    await serve.stop();
  }
}
