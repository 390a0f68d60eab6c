// Each Nova controller maps the compute exceptions it expects to HTTP errors; anything else is a 500.
import { ComputeException } from '../compute/exceptions.js';
import { InstanceInvalidState } from '../compute/checks.js';
import { NovaError, UNEXPECTED_API_ERROR, invalidState } from './errors.js';

/**
 * Translate a compute-side exception for a controller method. `expected` maps Python class names to
 * status codes; InstanceInvalidState becomes the 409 "Cannot '<action>' instance …" text.
 */
export function toHttp(err: unknown, expected: Record<string, number>, stateAction?: { action: string; uuid: string }): Error {
  if (err instanceof NovaError) return err;
  if (err instanceof InstanceInvalidState && stateAction) return invalidState(stateAction.action, stateAction.uuid, err.attr, err.state);
  if (err instanceof ComputeException) {
    const status = expected[err.pyClass];
    if (status !== undefined) return new NovaError(status, err.message);
    // wsgi.expected_errors: Forbidden is always a 403; anything unexpected is a 500.
    if (err.pyClass === 'Forbidden') return new NovaError(403, err.message);
    return new NovaError(500, `${UNEXPECTED_API_ERROR}\n<class 'nova.exception.${err.pyClass}'>`);
  }
  return err instanceof Error ? err : new Error(String(err));
}

export async function mapErrors<T>(fn: () => T | Promise<T>, expected: Record<string, number>, stateAction?: { action: string; uuid: string }): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toHttp(e, expected, stateAction);
  }
}
