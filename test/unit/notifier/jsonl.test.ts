import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonlSink } from '../../../src/notifier/index.js';
import { context, instance, sampleNotifier, SWAP_NEW_VOL, SWAP_OLD_VOL, volumeBdm } from './fixtures.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('JsonlSink', () => {
  it('appends one envelope per line, floats preserved, flushed on close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'novasim-jsonl-'));
    dirs.push(dir);
    const path = join(dir, 'nested', 'notifications.jsonl');
    const sink = new JsonlSink({ path });
    const { notifier } = sampleNotifier('master');
    notifier.addSink(sink);
    const bdms = [volumeBdm(SWAP_OLD_VOL)];
    notifier.notifyAboutVolumeSwap(context(), instance(), bdms, 'compute', 'start', SWAP_OLD_VOL, SWAP_NEW_VOL);
    notifier.notifyAboutVolumeSwap(context(), instance(), bdms, 'compute', 'end', SWAP_OLD_VOL, SWAP_NEW_VOL);
    await notifier.close();
    await sink.close(); // idempotent

    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('"rxtx_factor":1.0');
    expect(lines.slice(0, 2).map((l) => JSON.parse(l).event_type)).toEqual(['instance.volume_swap.start', 'instance.volume_swap.end']);
    expect(Object.keys(JSON.parse(lines[0]))).toEqual(['message_id', 'publisher_id', 'event_type', 'priority', 'payload', 'timestamp']);
    expect(sink.stats()).toMatchObject({ written: 2, errors: 0 });

    // Appends, never truncates.
    const again = new JsonlSink({ path });
    notifier.removeSink('jsonl');
    notifier.addSink(again);
    notifier.notifyAboutVolumeSwap(context(), instance(), bdms, 'compute', 'start', SWAP_OLD_VOL, SWAP_NEW_VOL);
    await again.close();
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(3);
  });
});
