// Cinder's fault envelope and the exception texts the fake reproduces (cinder/api/openstack/wsgi.py
// Fault, cinder/exception.py). One class; the plugin's error handler turns it into the response.

/** wsgi.Fault._fault_names; every other status (406, 500, …) is "computeFault". */
const FAULT_NAMES: Record<number, string> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

export const faultName = (status: number) => FAULT_NAMES[status] ?? 'computeFault';

/** webob's default explanations, used when Cinder raises a bare webob error or FaultWrapper hides the cause. */
export const WEBOB_DEFAULT: Record<number, string> = {
  400: 'The server could not comply with the request since it is either malformed or otherwise incorrect.',
  403: 'Access was denied to this resource.',
  404: 'The resource could not be found.',
  405: 'The method is not allowed for this resource.',
  409: 'There was a conflict when trying to complete your request.',
  413: 'The body of your request was too large for this server.',
  500: 'The server has either erred or is incapable of performing the requested operation.',
  502: 'Bad gateway.',
  503: 'The server is currently unavailable. Please try again at a later time.',
  504: 'The gateway has timed out.',
};

export class CinderError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Extra response headers (QuotaError carries Retry-After: 0). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'CinderError';
  }

  body() {
    const fault: Record<string, unknown> = { code: this.status, message: this.message };
    // Fault.__call__: a 413 copies its Retry-After header into the body.
    if (this.status === 413 && this.headers['Retry-After'] !== undefined) fault.retryAfter = this.headers['Retry-After'];
    return { [faultName(this.status)]: fault };
  }
}

export const webobError = (status: number) => new CinderError(status, WEBOB_DEFAULT[status] ?? WEBOB_DEFAULT[500]);
export const badRequest = (m: string) => new CinderError(400, m);
/** exception.InvalidVolume. */
export const invalidVolume = (reason: string) => new CinderError(400, `Invalid volume: ${reason}`);
/** exception.InvalidInput. */
export const invalidInput = (reason: string) => new CinderError(400, `Invalid input received: ${reason}`);
/** exception.InvalidHost. */
export const invalidHost = (reason: string) => new CinderError(400, `Invalid host: ${reason}`);
/** exception.ResourceConflict (409). */
export const resourceConflict = (reason: string) => new CinderError(409, `Resource conflict: ${reason}`);
export const volumeNotFound = (id: string) => new CinderError(404, `Volume ${id} could not be found.`);
export const attachmentNotFound = (id: string) =>
  new CinderError(404, `Volume attachment could not be found with filter: attachment_id = ${id}.`);
export const volumeTypeNotFound = (id: string) => new CinderError(404, `Volume type ${id} could not be found.`);
export const volumeTypeNotFoundByName = (name: string) => new CinderError(404, `Volume type with name ${name} could not be found.`);
/** PolicyNotAuthorized → 403 through ResourceExceptionHandler. */
export const policyDenied = (rule: string) => new CinderError(403, `Policy doesn't allow ${rule} to be performed.`);
/** CinderException with safe=True through FaultWrapper: "<ClassName>: <message>". */
export const safeError = (status: number, className: string, message: string, headers: Record<string, string> = {}) =>
  new CinderError(status, `${className}: ${message}`, headers);
/** exception.ConflictNovaUsingAttachment (bug 2004555). */
export const conflictNovaUsingAttachment = (instanceId: string) =>
  safeError(409, 'ConflictNovaUsingAttachment', `Detach volume from instance ${instanceId} using the Compute API`);
/** QuotaError subclasses: 413, safe, Retry-After: 0. */
export const quotaError = (className: string, message: string) => safeError(413, className, message, { 'Retry-After': '0' });
