// Attachment representations (cinder/api/v3/views/attachments.py): unset times are "".
import type { Attachment } from '../store.js';

export function attachmentSummary(a: Attachment) {
  return { id: a.id, status: a.attach_status, instance: a.instance_uuid, volume_id: a.volume_id };
}

export function attachmentDetail(a: Attachment) {
  return {
    ...attachmentSummary(a),
    attached_at: a.attach_time ?? '',
    detached_at: a.detach_time ?? '',
    attach_mode: a.attach_mode,
    connection_info: a.connection_info,
  };
}
