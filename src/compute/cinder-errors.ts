// nova/volume/cinder.py translate_* decorators: cinderclient failures become Nova exceptions.
import { ComputeException, frame } from './exceptions.js';
import { CinderClientError } from './volume-api.js';

const cinderFrame = (op: string) => [frame('nova.volume.cinder', op, 400)];

/** translate_volume_exception / translate_cinder_exception. */
export function translateVolumeError(err: unknown, volumeId: string, op: string): unknown {
  if (!(err instanceof CinderClientError)) return err;
  switch (err.kind) {
    case 'not_found':
      return new ComputeException('VolumeNotFound', `Volume ${volumeId} could not be found.`, { novaException: true, code: 404, frames: cinderFrame(op) });
    case 'bad_request':
      return new ComputeException('InvalidInput', `Invalid input received: ${err.str()}`, { novaException: true, code: 400, frames: cinderFrame(op) });
    case 'forbidden':
      return new ComputeException('Forbidden', err.str(), { novaException: true, code: 403, frames: cinderFrame(op) });
    case 'over_limit':
      return new ComputeException('OverQuota', `Quota exceeded for resources: ${err.message}`, { novaException: true, code: 413, frames: cinderFrame(op) });
    case 'connection':
    case 'timeout':
      return new ComputeException('CinderConnectionFailed', `Connection to cinder host failed: ${err.str()}`, { novaException: true, code: 500, frames: cinderFrame(op) });
    default:
      // cinderclient ClientException / unparsable answers surface untranslated.
      return new ComputeException('ClientException', err.str(), { frames: cinderFrame(op) });
  }
}

/** translate_attachment_exception: a 404 names the attachment, not the volume. */
export function translateAttachmentError(err: unknown, attachmentId: string, op: string): unknown {
  if (err instanceof CinderClientError && err.kind === 'not_found') {
    return new ComputeException('VolumeAttachmentNotFound', `Volume attachment ${attachmentId} could not be found.`, { novaException: true, code: 404, frames: cinderFrame(op) });
  }
  return translateVolumeError(err, attachmentId, op);
}
