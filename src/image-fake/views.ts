// glance/api/v2/images.py ResponseSerializer._format_image and image_members._format_image_member.
import type { ImageRec, MemberRec } from './store.js';

const glanceTime = (iso: string) => iso.replace(/\.\d+Z$/, 'Z');
/** '' stands for a format not set yet (Glance's NULL): the shared table's columns are NOT NULL. */
const orNull = (v: string) => (v === '' ? null : v);

export function imageView(i: ImageRec) {
  const queued = i.status === 'queued';
  return {
    ...JSON.parse(i.properties),
    id: i.id,
    name: i.name === '' && queued ? null : i.name,
    status: i.status,
    visibility: i.visibility,
    protected: !!i.protected,
    os_hidden: !!i.os_hidden,
    checksum: queued ? null : i.checksum,
    os_hash_algo: queued ? null : (i.os_hash_algo ?? (i.checksum ? 'sha512' : null)),
    os_hash_value: queued ? null : i.os_hash_value,
    owner: i.owner,
    size: queued ? null : i.size,
    virtual_size: i.virtual_size,
    min_ram: i.min_ram,
    min_disk: i.min_disk,
    disk_format: orNull(i.disk_format),
    container_format: orNull(i.container_format),
    tags: JSON.parse(i.tags ?? '[]'),
    created_at: glanceTime(i.created_at),
    updated_at: glanceTime(i.updated_at),
    self: `/v2/images/${i.id}`,
    file: `/v2/images/${i.id}/file`,
    schema: '/v2/schemas/image',
  };
}

export function memberView(m: MemberRec) {
  return {
    created_at: glanceTime(m.created_at),
    image_id: m.image_id,
    member_id: m.member,
    schema: '/v2/schemas/member',
    status: m.status,
    updated_at: glanceTime(m.updated_at),
  };
}
