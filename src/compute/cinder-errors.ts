// nova/volume/cinder.py translate_* decorators: cinderclient failures become Nova exceptions.
import { ComputeException, frame } from './exceptions.js';
import { CinderClientError } from './volume-api.js';

// The innermost frame is nova/volume/cinder.py's method; its line is not known here.
const cinderFrame = (op: string) => [frame('nova.volume.cinder', op)];

/** cinderclient.exceptions class of an HTTP answer that no Nova decorator translated. */
const CLIENT_CLASS: Partial<Record<CinderClientError['kind'], string>> = {
  not_found: 'NotFound',
  conflict: 'Conflict',
  over_limit: 'OverLimit',
};

/**
 * translate_cinder_exception alone (e.g. migrate_volume_completion): only connection failures,
 * BadRequest and Forbidden become Nova exceptions; a 404 or 413 surfaces as cinderclient's own
 * NotFound / OverLimit, anything else as its ClientException.
 */
export function translateCinderError(err: unknown, op: string): unknown {
  if (!(err instanceof CinderClientError)) return err;
  switch (err.kind) {
    case 'bad_request':
      return new ComputeException('InvalidInput', `Invalid input received: ${err.str()}`, { novaException: true, code: 400, frames: cinderFrame(op) });
    case 'forbidden':
      return new ComputeException('Forbidden', err.str(), { novaException: true, code: 403, frames: cinderFrame(op) });
    case 'connection':
    case 'timeout':
      return new ComputeException('CinderConnectionFailed', `Connection to cinder host failed: ${err.str()}`, { novaException: true, code: 500, frames: cinderFrame(op) });
    default:
      // cinderclient ClientException subclasses / unparsable answers surface untranslated.
      return new ComputeException(CLIENT_CLASS[err.kind] ?? 'ClientException', err.str(), { frames: cinderFrame(op) });
  }
}

/** translate_volume_exception: NotFound → VolumeNotFound, OverLimit → OverQuota, then translate_cinder_exception. */
export function translateVolumeError(err: unknown, volumeId: string, op: string): unknown {
  if (!(err instanceof CinderClientError)) return err;
  switch (err.kind) {
    case 'not_found':
      return new ComputeException('VolumeNotFound', `Volume ${volumeId} could not be found.`, { novaException: true, code: 404, frames: cinderFrame(op) });
    case 'over_limit':
      return new ComputeException('OverQuota', `Quota exceeded for resources: ${err.message}`, { novaException: true, code: 413, frames: cinderFrame(op) });
    default:
      return translateCinderError(err, op);
  }
}

/** translate_attachment_exception: a 404 names the attachment, not the volume. */
export function translateAttachmentError(err: unknown, attachmentId: string, op: string): unknown {
  if (err instanceof CinderClientError && err.kind === 'not_found') {
    return new ComputeException('VolumeAttachmentNotFound', `Volume attachment ${attachmentId} could not be found.`, { novaException: true, code: 404, frames: cinderFrame(op) });
  }
  return translateVolumeError(err, attachmentId, op);
}
