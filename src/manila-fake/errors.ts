// Manila's fault envelope (manila/api/openstack/wsgi.py Fault: the same fault names as Nova and Cinder,
// {"itemNotFound": {"code": 404, "message": …}}) and the exception texts the fake reproduces
// (manila/exception.py, manila/api/v2/shares.py, manila/api/v2/share_accesses.py).
import { faultName, WEBOB_DEFAULT } from '../cinder-fake/errors.js';

export class ManilaError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ManilaError';
  }

  body() {
    return { [faultName(this.status)]: { code: this.status, message: this.message } };
  }
}

export const webob = (status: number) => new ManilaError(status, WEBOB_DEFAULT[status] ?? WEBOB_DEFAULT[500]);

/** exception.ShareNotFound. */
export const shareNotFound = (id: string) => new ManilaError(404, `Share ${id} could not be found.`);
/** share_accesses._get_share_access. */
export const accessRuleNotFound = (id: string) => new ManilaError(404, `Share access rule ${id} not found.`);
/** exception.InvalidShare (HTTPForbidden in shares.delete, HTTPBadRequest elsewhere). */
export const invalidShare = (status: number, reason: string) => new ManilaError(status, `Invalid share: ${reason}.`);
/** exception.InvalidShareAccess. */
export const invalidAccess = (reason: string) => new ManilaError(400, `Invalid access rule: ${reason}`);
/** exception.ShareAccessExists. */
export const accessExists = (type: string, to: string) => new ManilaError(400, `Share access ${type}:${to} exists.`);
/** exception.InvalidInput. */
export const invalidInput = (reason: string) => new ManilaError(400, `Invalid input received: ${reason}`);
/** oslo.policy PolicyNotAuthorized as Manila words it. */
export const policyDenied = (rule: string) => new ManilaError(403, `Policy doesn't allow ${rule} to be performed.`);
