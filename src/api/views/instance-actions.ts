// nova/api/openstack/compute/instance_actions.py views.
import { createHash } from 'node:crypto';
import type { InstanceAction, InstanceActionEvent } from '../../store/actions.js';
import { isoMicro } from '../../time-format.js';
import type { ApiVersion } from '../microversion.js';

const t = (s: string | null) => (s ? isoMicro(new Date(s)) : null);

export function actionView(a: InstanceAction, v: ApiVersion): Record<string, unknown> {
  const out: Record<string, unknown> = {
    action: a.action, instance_uuid: a.instance_uuid, request_id: a.request_id, user_id: a.user_id, project_id: a.project_id,
    start_time: t(a.start_time), message: a.message,
  };
  if (v.matches('2.58')) out.updated_at = t(a.updated_at);
  return out;
}

export function eventView(
  e: InstanceActionEvent, projectId: string | null, v: ApiVersion,
  show: { traceback: boolean; host: boolean; details: boolean },
): Record<string, unknown> {
  const out: Record<string, unknown> = { event: e.event, start_time: t(e.start_time), finish_time: t(e.finish_time), result: e.result };
  if (show.traceback) out.traceback = e.traceback;
  if (v.matches('2.62')) {
    out.hostId = e.host ? createHash('sha224').update((projectId ?? '') + e.host).digest('hex') : '';
    if (show.host) out.host = e.host;
  }
  if (v.matches('2.84') && show.details) out.details = e.details;
  return out;
}
