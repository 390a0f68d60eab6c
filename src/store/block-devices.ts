// Nova's block_device_mappings: which volume sits at which device of which instance.
import type { BlockDeviceMapping } from '../domain.js';
import type { Db } from './db.js';
import { bool, fromIso, toIso } from './rows.js';
import { StatementCache, prepared } from './statement-cache.js';


/** What a server view shows of a volume BDM (os-extended-volumes:volumes_attached). */
export type AttachedVolume = Pick<BlockDeviceMapping, 'volume_id' | 'delete_on_termination'>;

/** The columns a BDM is built from, in toBdm's order: the reads below name them and take arrays (raw). */
const COLS = [
  'id', 'uuid', 'instance_uuid', 'source_type', 'destination_type', 'device_name', 'boot_index', 'delete_on_termination',
  'volume_id', 'volume_size', 'snapshot_id', 'image_id', 'attachment_id', 'connection_info', 'tag', 'no_device',
  'volume_type', 'disk_bus', 'device_type', 'guest_format', 'created_at', 'updated_at',
].join(', ');

/**
 * A BDM from a row read with `.raw(true)` in COLS order. better-sqlite3 builds a keyed row property by
 * property in native code; arrays skip that, and the BDM reads run 5–6 times a swap (issue #16).
 * SQLite hands NULL as null, so the nullable columns need no conversion.
 */
function toBdm(a: unknown[]): BlockDeviceMapping {
  return {
    id: a[0] as number,
    uuid: a[1] as string,
    instance_uuid: a[2] as string,
    source_type: a[3] as string,
    destination_type: a[4] as string,
    device_name: a[5] as string | null,
    boot_index: a[6] as number | null,
    delete_on_termination: bool(a[7]),
    volume_id: a[8] as string | null,
    volume_size: a[9] as number | null,
    snapshot_id: a[10] as string | null,
    image_id: a[11] as string | null,
    attachment_id: a[12] as string | null,
    connection_info: a[13] as string | null,
    tag: a[14] as string | null,
    no_device: a[15] === null ? null : bool(a[15]),
    volume_type: a[16] as string | null,
    disk_bus: a[17] as string | null,
    device_type: a[18] as string | null,
    guest_format: a[19] as string | null,
    created_at: fromIso(a[20] as string)!,
    updated_at: fromIso(a[21] as string | null),
  };
}

const WRITABLE = [
  'source_type', 'destination_type', 'device_name', 'boot_index', 'delete_on_termination', 'volume_id', 'volume_size',
  'snapshot_id', 'image_id', 'attachment_id', 'connection_info', 'tag', 'no_device', 'updated_at', 'volume_type', 'disk_bus',
  'device_type', 'guest_format',
] as const;

export class BdmStore {
  private forInstance;
  private volumesOfMany;
  private byVolumeInstance;
  private byVolume;
  private byUuid;
  private del;
  private readonly stmts: StatementCache;

  constructor(private db: Db) {
    this.stmts = new StatementCache(db);
    // raw(): arrays, not keyed rows — so statements of this store's own, not the shared cache's.
    this.forInstance = db.prepare(`SELECT ${COLS} FROM block_device_mappings WHERE instance_uuid = ? AND deleted = 0 ORDER BY id`).raw(true);
    // raw(): arrays, not keyed rows — so a statement of this store's own, not the shared cache's.
    this.volumesOfMany = db
      .prepare(
        `SELECT instance_uuid, volume_id, delete_on_termination FROM block_device_mappings
         WHERE deleted = 0 AND volume_id IS NOT NULL AND volume_id != '' AND instance_uuid IN (SELECT value FROM json_each(?)) ORDER BY id`,
      )
      .raw(true);
    this.byVolumeInstance = db.prepare(`SELECT ${COLS} FROM block_device_mappings WHERE volume_id = ? AND instance_uuid = ? AND deleted = 0 ORDER BY id LIMIT 1`).raw(true);
    this.byVolume = db.prepare(`SELECT ${COLS} FROM block_device_mappings WHERE volume_id = ? AND deleted = 0 ORDER BY id`).raw(true);
    this.byUuid = db.prepare(`SELECT ${COLS} FROM block_device_mappings WHERE uuid = ? AND deleted = 0`).raw(true);
    this.del = prepared(db, 'UPDATE block_device_mappings SET deleted = 1, updated_at = ? WHERE id = ?');
  }

  listForInstance(instanceUuid: string): BlockDeviceMapping[] {
    return (this.forInstance.all(instanceUuid) as unknown[][]).map(toBdm);
  }

  /**
   * The volumes attached to each of many instances, in one query: uuid → its volume BDMs' volume_id and
   * delete_on_termination (ordered by id; absent when none) — all the server list's
   * os-extended-volumes:volumes_attached shows. Only those three columns are read: building whole BDM
   * rows was a third of GET /servers/detail?limit=1000 at 10,000 servers (issue #16).
   */
  volumesAttachedToMany(instanceUuids: string[]): Map<string, AttachedVolume[]> {
    const out = new Map<string, AttachedVolume[]>();
    if (instanceUuids.length === 0) return out;
    for (const [uuid, volumeId, dot] of this.volumesOfMany.all(JSON.stringify(instanceUuids)) as [string, string, number][]) {
      const v: AttachedVolume = { volume_id: volumeId, delete_on_termination: bool(dot) };
      const list = out.get(uuid);
      if (list) list.push(v);
      else out.set(uuid, [v]);
    }
    return out;
  }

  getByVolumeAndInstance(volumeId: string, instanceUuid: string): BlockDeviceMapping | null {
    const r = this.byVolumeInstance.get(volumeId, instanceUuid) as unknown[] | undefined;
    return r ? toBdm(r) : null;
  }

  listByVolume(volumeId: string): BlockDeviceMapping[] {
    return (this.byVolume.all(volumeId) as unknown[][]).map(toBdm);
  }

  getByUuid(uuid: string): BlockDeviceMapping | null {
    const r = this.byUuid.get(uuid) as unknown[] | undefined;
    return r ? toBdm(r) : null;
  }

  insert(b: Omit<BlockDeviceMapping, 'id'>): BlockDeviceMapping {
    const info = this.stmts
      .get(
        `INSERT INTO block_device_mappings (uuid, instance_uuid, source_type, destination_type, device_name, boot_index, delete_on_termination,
           volume_id, volume_size, snapshot_id, image_id, attachment_id, connection_info, tag, no_device, created_at, updated_at,
           volume_type, disk_bus, device_type, guest_format)
         VALUES (@uuid, @instance_uuid, @source_type, @destination_type, @device_name, @boot_index, @delete_on_termination,
           @volume_id, @volume_size, @snapshot_id, @image_id, @attachment_id, @connection_info, @tag, @no_device, @created_at, @updated_at,
           @volume_type, @disk_bus, @device_type, @guest_format)`,
      )
      .run({
        volume_type: null, disk_bus: null, device_type: null, guest_format: null,
        ...b,
        delete_on_termination: b.delete_on_termination ? 1 : 0,
        no_device: b.no_device === null ? null : b.no_device ? 1 : 0,
        created_at: toIso(b.created_at),
        updated_at: toIso(b.updated_at),
      });
    return { ...b, id: Number(info.lastInsertRowid) };
  }

  update(id: number, patch: Partial<BlockDeviceMapping>): void {
    const sets: string[] = [];
    const args: Record<string, unknown> = { id };
    for (const k of WRITABLE) {
      if (!(k in patch)) continue;
      let v = (patch as Record<string, unknown>)[k];
      if (v instanceof Date) v = v.toISOString();
      if (typeof v === 'boolean') v = v ? 1 : 0;
      sets.push(`${k} = @${k}`);
      args[k] = v;
    }
    if (sets.length) this.stmts.get(`UPDATE block_device_mappings SET ${sets.join(', ')} WHERE id = @id`).run(args);
  }

  destroy(id: number, now: Date): void {
    this.del.run(now.toISOString(), id);
  }
}
