// The legacy twin table (src/notifier/legacy/twins.ts) against Nova's own names and shapes.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INSTANCE_TWINS, legacyTwin, type LegacyLookups } from '../../../src/notifier/legacy/twins.js';
import { pyStrAware, pyStrNaive, strtime } from '../../../src/notifier/legacy/python-format.js';
import { instance } from './fixtures.js';

const SAMPLES = join(import.meta.dirname, '../../../fixtures/reference/nova/notification_samples');
const look: LegacyLookups = { imageRefUrl: (ref) => `http://h/image/images/${ref}`, imageName: () => 'cirros' };

describe('legacy twins', () => {
  it('each entry is keyed by a versioned event Nova really sends (a doc/notification_samples file exists)', () => {
    for (const key of Object.keys(INSTANCE_TWINS)) {
      expect(existsSync(join(SAMPLES, `instance-${key.replace('.', '-')}.json`)), key).toBe(true);
    }
  });

  it('no twin where Nova sends none: lock, unlock, volume_swap, interface_attach, volume_attach.start', () => {
    for (const e of ['instance.lock', 'instance.unlock', 'instance.volume_swap.start', 'instance.interface_attach.end', 'instance.volume_attach.start', 'instance.evacuate']) {
      expect(legacyTwin(e, { kind: 'instance', instance: instance() }, look), e).toBeNull();
    }
  });

  it("create.start: info_from_instance's keys in order, Python spellings, then image_name", () => {
    const t = legacyTwin('instance.create.start', { kind: 'instance', instance: instance() }, look)!;
    expect(t.eventType).toBe('compute.instance.create.start');
    expect(t.priority).toBe('INFO');
    const i = instance();
    expect(t.payload).toMatchObject({
      tenant_id: i.project_id, instance_id: i.uuid, instance_type: i.flavor.name, instance_type_id: i.flavor.id,
      disk_gb: i.flavor.root_gb + i.flavor.ephemeral_gb, cell_name: '', created_at: pyStrAware(i.created_at),
      image_ref_url: `http://h/image/images/${i.image_ref}`, image_name: 'cirros', metadata: i.metadata,
    });
    expect(Object.keys(t.payload).slice(0, 3)).toEqual(['tenant_id', 'user_id', 'instance_id']);
    expect(Object.keys(t.payload).slice(-3)).toEqual(['image_meta', 'metadata', 'image_name']);
  });

  it('an .error twin carries exception_to_dict (exception, message, code) at ERROR; suffixes map to Nova\'s legacy names', () => {
    const exc = { exception: 'FlavorDiskTooSmall', exception_message: 'too small', module_name: 'm', function_name: 'f', traceback: '', novaException: true, code: 400 };
    const t = legacyTwin('instance.create.error', { kind: 'instance', instance: instance(), exc }, look)!;
    expect(t.priority).toBe('ERROR');
    expect(t.payload).toMatchObject({ message: 'too small', code: 400, exception: { kwargs: { code: 400 }, message: 'too small' } });
    const builtin = legacyTwin('instance.reboot.error', { kind: 'instance', instance: instance(), exc: { ...exc, exception: 'TypeError', novaException: false } }, look)!;
    expect(builtin.payload).toMatchObject({ message: 'TypeError', code: 500, exception: {} });
    expect(legacyTwin('instance.resize_finish.end', { kind: 'instance', instance: instance() }, look)!.eventType).toBe('compute.instance.finish_resize.end');
    expect(legacyTwin('instance.live_migration_post.start', { kind: 'instance', instance: instance() }, look)!.eventType).toBe('compute.instance.live_migration._post.start');
    expect(legacyTwin('instance.volume_detach.end', { kind: 'instance', instance: instance(), volumeId: 'v' }, look)!).toMatchObject({ eventType: 'compute.instance.volume.detach', payload: { volume_id: 'v' } });
  });

  it('Python datetime spellings', () => {
    const d = new Date('2012-10-29T13:42:11Z');
    expect(pyStrAware(d)).toBe('2012-10-29 13:42:11+00:00');
    expect(pyStrNaive(new Date('2012-10-29T13:42:11.123Z'))).toBe('2012-10-29 13:42:11.123000');
    expect(strtime(d)).toBe('2012-10-29T13:42:11.000000');
  });
});
