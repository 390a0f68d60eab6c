// Issue 15 items 2 and 4: a client can no longer hold the server's memory or loop.
// - SSE: a stream whose client stops reading keeps only its socket's buffer (the ring is the
//   backlog); once it falls more than the ring's cap behind while blocked, it is disconnected.
//   Before: every frame was queued in memory for ever (~7 KB per notification per stalled client).
// - /wait: a 408 carries only the matching notifications plus a count of the others (before: every
//   captured notification of any type, ~1.7 MB each with a full ring).
// - GET /_novasim/notifications is paged: limit (default 1000, max 10000) and marker / next_marker.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { CapturedNotification, Simulator } from '../../src/index.js';
import { http, until } from '../helpers/reliability.js';
import { startSim } from '../helpers/sim.js';

const BIG = 'x'.repeat(20_000);

function fake(seq: number, eventType = 'instance.update'): CapturedNotification {
  return {
    seq,
    envelope: {
      message_id: `m-${seq}`, publisher_id: 'nova-compute:compute', event_type: eventType, priority: 'INFO',
      payload: { 'nova_object.name': 'X', 'nova_object.namespace': 'nova', 'nova_object.version': '1.0', 'nova_object.data': { pad: BIG } },
      timestamp: '2012-10-29 13:42:11',
    },
    projectId: 'p-1', instanceUuid: 'i-1', topics: ['versioned_notifications.info'],
  };
}

/** Open an SSE stream over a raw socket that never reads (paused). */
function stalledStream(base: string): Promise<{ socket: Socket }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname, () => {
      socket.write(`GET /_novasim/notifications/stream HTTP/1.1\r\nHost: ${u.host}\r\n\r\n`);
      socket.once('data', () => {
        socket.pause(); // from now on: read nothing
        resolve({ socket });
      });
    });
    socket.on('error', () => undefined);
    socket.once('error', reject);
  });
}

describe('bounds on what a client can hold', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('two stalled SSE clients are disconnected once they fall out of the ring; a reading client gets every frame', async () => {
    sim = await startSim({ notificationCap: 300 });
    const base = await sim.listen();
    const capture = sim.notifications.capture;
    const stalled = await Promise.all([stalledStream(base), stalledStream(base)]);
    // A well-behaved reader.
    const res = await fetch(`${base}/_novasim/notifications/stream`);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let lastId = 0;
    const seen: number[] = [];
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += decoder.decode(value, { stream: true });
        let i: number;
        while ((i = text.indexOf('\n\n')) >= 0) {
          const frame = text.slice(0, i);
          text = text.slice(i + 2);
          const m = /^id: (\d+)$/m.exec(frame);
          if (m) {
            lastId = Number(m[1]);
            seen.push(lastId);
          }
        }
      }
    })();
    await until('3 subscribers', async () => capture.stats().subscribers === 3, 5_000, 5);
    // 1,500 notifications of ~20 KB (30 MB per client, more than loopback TCP buffers absorb), in batches the reader keeps up with.
    let seq = capture.lastSeq;
    for (let batch = 0; batch < 30; batch++) {
      for (let k = 0; k < 50; k++) capture.publish(fake(++seq));
      const want = seq;
      await until(`reader at ${want}`, async () => lastId >= want, 10_000, 1);
    }
    // The server dropped both stalled streams (a paused client only sees the FIN once it reads).
    expect(capture.stats().subscribers).toBe(1);
    for (const s of stalled) s.socket.destroy();
    expect(seen).toEqual(Array.from({ length: 1500 }, (_, i) => i + 1));
    await reader.cancel();
    await reading.catch(() => undefined);
  });

  it('/wait 408 answers carry only the matching notifications and a count of the rest; health stays quick to answer', async () => {
    sim = await startSim({ notificationCap: 2_000 });
    const base = await sim.listen();
    const capture = sim.notifications.capture;
    for (let seq = 1; seq <= 2_000; seq++) capture.publish(fake(seq, seq === 7 ? 'instance.volume_swap.start' : 'instance.update'));
    const waits = await Promise.all(Array.from({ length: 40 }, () => http(base, 'GET', '/_novasim/notifications/wait?event_type=instance.volume_swap.start&count=2&timeout_ms=50')));
    for (const w of waits) {
      expect(w.status).toBe(408);
      const { error } = w.json();
      expect(error.received.map((n: { seq: number }) => n.seq)).toEqual([7]);
      expect(error.others).toBe(1_999);
      expect(w.text.length).toBeLessThan(4_096);
    }
    expect((await http(base, 'GET', '/_novasim/health')).status).toBe(200);
  });

  it('GET /_novasim/notifications pages with limit (default 1000) and marker', async () => {
    sim = await startSim({ notificationCap: 5_000 });
    const capture = sim.notifications.capture;
    for (let seq = 1; seq <= 1_500; seq++) capture.publish(fake(seq));
    const get = (qs: string) => sim!.app.inject({ url: `/_novasim/notifications${qs}` });
    const first = (await get('')).json();
    expect(first.notifications).toHaveLength(1_000);
    expect(first.next_marker).toBe(1_000);
    const second = (await get(`?marker=${first.next_marker}`)).json();
    expect(second.notifications.map((n: { seq: number }) => n.seq)).toEqual(Array.from({ length: 500 }, (_, i) => 1_001 + i));
    expect(second.next_marker).toBeUndefined();
    expect((await get('?limit=2&marker=10')).json().notifications.map((n: { seq: number }) => n.seq)).toEqual([11, 12]);
    for (const bad of ['?limit=0', '?limit=10001', '?limit=x', '?marker=-1']) {
      const r = await get(bad);
      expect(r.statusCode, bad).toBe(400);
      expect(r.json()).toEqual({ error: { code: 400, message: expect.any(String) } });
    }
  });
});
