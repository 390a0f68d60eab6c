import { afterEach, describe, expect, it, vi } from 'vitest';
import { CaptureSink, NotificationTimeoutError } from '../../../src/notifier/index.js';
import { fakeNotification as fake } from './helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('CaptureSink', () => {
  it('keeps notifications in order and filters by event type, instance, project and since', () => {
    const c = new CaptureSink();
    c.publish(fake(1, 'a', 'i-1'));
    c.publish(fake(2, 'b', 'i-2'));
    c.publish(fake(3, 'a', 'i-2'));
    expect(c.list().map((n) => n.seq)).toEqual([1, 2, 3]);
    expect(c.list({ eventType: 'a' }).map((n) => n.seq)).toEqual([1, 3]);
    expect(c.list({ instanceUuid: 'i-2' }).map((n) => n.seq)).toEqual([2, 3]);
    expect(c.list({ since: 1, eventType: 'a' }).map((n) => n.seq)).toEqual([3]);
    expect(c.list({ projectId: 'other' })).toEqual([]);
    expect(c.lastSeq).toBe(3);
  });

  it('is bounded: past the cap the oldest are dropped and counted', () => {
    const c = new CaptureSink({ cap: 3 });
    for (let seq = 1; seq <= 7; seq++) c.publish(fake(seq));
    expect(c.list().map((n) => n.seq)).toEqual([5, 6, 7]);
    expect(c.length).toBe(3);
    expect(c.dropped).toBe(4);
    expect(c.stats()).toMatchObject({ captured: 3, dropped: 4, last_seq: 7, cap: 3 });
  });

  it('clear() forgets everything but keeps last_seq so since-cursors stay valid', () => {
    const c = new CaptureSink({ cap: 2 });
    for (let seq = 1; seq <= 3; seq++) c.publish(fake(seq));
    c.clear();
    expect(c.list()).toEqual([]);
    expect(c.dropped).toBe(0);
    expect(c.lastSeq).toBe(3);
    c.publish(fake(4));
    expect(c.list().map((n) => n.seq)).toEqual([4]);
  });

  it('rejects a bad cap', () => {
    expect(() => new CaptureSink({ cap: 0 })).toThrow(RangeError);
  });

  it('waitFor resolves at once when enough already arrived, else when they arrive', async () => {
    const c = new CaptureSink();
    c.publish(fake(1, 'x'));
    await expect(c.waitFor('x')).resolves.toHaveLength(1);
    const pending = c.waitFor('y', { count: 2 });
    c.publish(fake(2, 'y'));
    c.publish(fake(3, 'z'));
    c.publish(fake(4, 'y'));
    expect((await pending).map((n) => n.seq)).toEqual([2, 4]);
    expect(c.stats().waiters).toBe(0);
  });

  it('waitFor honours since and instanceUuid', async () => {
    const c = new CaptureSink();
    c.publish(fake(1, 'x', 'i-1'));
    const pending = c.waitFor('x', { since: 1, instanceUuid: 'i-2' });
    c.publish(fake(2, 'x', 'i-1'));
    c.publish(fake(3, 'x', 'i-2'));
    expect((await pending).map((n) => n.seq)).toEqual([3]);
  });

  it('waitFor times out with an error that lists what did arrive', async () => {
    const c = new CaptureSink();
    c.publish(fake(1, 'instance.create.start'));
    c.publish(fake(2, 'instance.volume_swap.start'));
    const err = await c.waitFor('instance.volume_swap.end', { timeoutMs: 30 }).catch((e) => e);
    expect(err).toBeInstanceOf(NotificationTimeoutError);
    expect(err.message).toBe(
      "Notification instance.volume_swap.end hasn't been received: wanted 1, got 0 within 30 ms. " +
        'Received: [1] instance.create.start, [2] instance.volume_swap.start',
    );
    expect(err.received.map((n: { seq: number }) => n.seq)).toEqual([1, 2]);
    const partial = await c.waitFor('instance.create.start', { timeoutMs: 0, count: 2 }).catch((e) => e);
    expect(partial.matched).toHaveLength(1);
    expect(c.stats().waiters).toBe(0);
  });

  it('waitFor keeps the timer in charge (fake timers)', async () => {
    vi.useFakeTimers();
    const c = new CaptureSink();
    let settled = false;
    const pending = c.waitFor('x', { timeoutMs: 10_000 }).catch((e) => e).finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(9_999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await pending).toBeInstanceOf(NotificationTimeoutError);
  });

  it('waitFor can be aborted', async () => {
    const c = new CaptureSink();
    const ac = new AbortController();
    const pending = c.waitFor('x', { signal: ac.signal });
    ac.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    expect(c.stats().waiters).toBe(0);
  });

  it('subscribe() sees every new notification until unsubscribed; a throwing listener harms no one', () => {
    const c = new CaptureSink();
    const seen: number[] = [];
    c.subscribe(() => {
      throw new Error('dead socket');
    });
    const off = c.subscribe((n) => seen.push(n.seq));
    c.publish(fake(1));
    off();
    c.publish(fake(2));
    expect(seen).toEqual([1]);
    expect(c.list()).toHaveLength(2);
  });
});
