// The deprecated images proxy's representation (nova/api/openstack/compute/views/images.py).
import type { NovaImage } from '../../compute/glance-client.js';
import { isoSecondsZ } from '../../time-format.js';

const STATUS: Record<string, string> = { active: 'ACTIVE', queued: 'SAVING', saving: 'SAVING', deleted: 'DELETED', pending_delete: 'DELETED', killed: 'ERROR' };
const PROGRESS: Record<string, number> = { queued: 25, saving: 50, active: 100 };
const TRUE = ['1', 't', 'true', 'on', 'y', 'yes'];

export interface ImageViewOpts {
  /** http://host/compute/v2.1 */
  base: string;
  /** The Glance endpoint for the alternate link. */
  glance: string;
}

function links(o: ImageViewOpts, id: string) {
  const bookmark = o.base.replace(/\/v2\.1$/, '');
  return [
    { rel: 'self', href: `${o.base}/images/${id}` },
    { rel: 'bookmark', href: `${bookmark}/images/${id}` },
    { rel: 'alternate', type: 'application/vnd.openstack.image', href: `${o.glance}/images/${id}` },
  ];
}

/** utils.isotime of Glance's timestamps. */
const isotime = (v: string | null) => (v ? isoSecondsZ(new Date(v)) : null);

export function basicImage(i: NovaImage, o: ImageViewOpts) {
  return { id: i.id, name: i.name, links: links(o, i.id) };
}

export function imageDetail(i: NovaImage, o: ImageViewOpts): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: i.id, name: i.name, minRam: i.min_ram || 0, minDisk: i.min_disk || 0, metadata: i.properties,
    created: isotime(i.created_at), updated: isotime(i.updated_at), status: STATUS[i.status] ?? 'UNKNOWN', progress: PROGRESS[i.status] ?? 0,
    'OS-EXT-IMG-SIZE:size': i.size, links: links(o, i.id),
  };
  const instanceUuid = i.properties.instance_uuid;
  if (typeof instanceUuid === 'string') {
    const bookmark = o.base.replace(/\/v2\.1$/, '');
    out.server = { id: instanceUuid, links: [{ rel: 'self', href: `${o.base}/servers/${instanceUuid}` }, { rel: 'bookmark', href: `${bookmark}/servers/${instanceUuid}` }] };
  }
  const adc = i.properties.auto_disk_config;
  if (adc !== undefined && adc !== null) out['OS-DCF:diskConfig'] = TRUE.includes(String(adc).trim().toLowerCase()) ? 'AUTO' : 'MANUAL';
  return out;
}
