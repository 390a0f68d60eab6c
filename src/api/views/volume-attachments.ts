// _translate_attachment_summary_view (nova/api/openstack/compute/volume_attachments.py).
import type { BlockDeviceMapping } from '../../domain.js';
import type { ApiVersion } from '../microversion.js';

export function attachmentView(b: BlockDeviceMapping, v: ApiVersion): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!v.matches('2.89')) out.id = b.volume_id;
  out.volumeId = b.volume_id;
  out.serverId = b.instance_uuid;
  if (b.device_name) out.device = b.device_name;
  if (v.matches('2.70')) out.tag = b.tag;
  if (v.matches('2.79')) out.delete_on_termination = b.delete_on_termination;
  if (v.matches('2.89')) {
    out.attachment_id = b.attachment_id;
    out.bdm_uuid = b.uuid;
  }
  return out;
}
