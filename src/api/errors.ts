// Nova's fault envelope (nova/api/openstack/wsgi.py Fault): {"<faultName>": {"code", "message"}}.

const FAULT_NAMES: Record<number, string> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  429: 'overLimit',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

export function novaFaultName(status: number): string {
  return FAULT_NAMES[status] ?? 'computeFault';
}

export class NovaError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'NovaError';
  }

  body() {
    return { [novaFaultName(this.status)]: { code: this.status, message: this.message } };
  }
}

export const badRequest = (m: string) => new NovaError(400, m);
export const notFound = (m: string) => new NovaError(404, m);
export const conflict = (m: string) => new NovaError(409, m);
export const forbidden = (m: string) => new NovaError(403, m);

/** raise_http_conflict_for_instance_invalid_state (nova/api/openstack/common.py). */
export function invalidState(action: string, uuid: string, attr: string | null, state: string | null): NovaError {
  if (attr !== null && state !== null) return conflict(`Cannot '${action}' instance ${uuid} while it is in ${attr} ${state}`);
  // "At least give some meaningful message": a None state (e.g. launched_at, task_state None).
  return conflict(`Instance ${uuid} is in an invalid state for '${action}'`);
}

export const UNEXPECTED_API_ERROR =
  'Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.';
