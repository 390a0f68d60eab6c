// Nova's cross-cutting compute-manager decorators as one wrapper:
// wrap_exception (compute.exception) ∘ wrap_instance_event (action event) ∘ wrap_instance_fault (fault row).
import type { Instance, RequestContext } from '../domain.js';
import type { Services } from '../services.js';
import { asComputeException, type ComputeException, faultMessage } from './exceptions.js';
import type { ComputeNotifier, ExceptionInfoLike } from './notifier-port.js';

/** ExceptionPayload.from_exception. */
export function exceptionInfo(e: ComputeException): ExceptionInfoLike {
  const inner = e.innermost;
  return {
    exception: e.pyClass,
    exception_message: e.message,
    module_name: inner?.module ?? 'unknown',
    function_name: inner?.func ?? 'unknown',
    // ExceptionPayload joins traceback.format_exception() lines with ','.
    traceback: e.tracebackLines().join(','),
  };
}

export interface WrapDeps {
  services: Services;
  notifier: ComputeNotifier;
}

/**
 * Run a compute-manager method the way Nova's decorators do. `entry` is the Python call path
 * (e.g. ['swap_volume', '_do_swap_volume']) used for tracebacks. Never throws: a cast has no caller.
 */
export async function withInstanceEvent(
  d: WrapDeps,
  ctx: RequestContext,
  instance: Instance,
  method: string,
  fn: () => Promise<void>,
): Promise<ComputeException | null> {
  const s = d.services;
  // The action event's host is the compute service running it (the instance's host).
  const host = instance.host ?? s.config.computeHost;
  const action = s.actions.get(instance.uuid, ctx.requestId);
  const eventId = action ? s.actions.eventStart(action.id, `compute_${method}`, host, s.runtime.now()) : null;
  try {
    await fn();
    if (eventId !== null && action) s.actions.eventFinish(eventId, action.id, s.runtime.now(), null);
    return null;
  } catch (err) {
    const e = asComputeException(err, [method]);
    const now = s.runtime.now();
    const message = faultMessage(e);
    const code = e.novaException ? e.code : 500;
    // wrap_instance_fault: details (the traceback) only for 500s; host is CONF.host.
    s.db.transaction(() => {
      s.actions.addFault({ instanceUuid: instance.uuid, code, message, details: code === 500 ? e.tracebackLines().join('') : '', host: s.config.confHost, at: now });
      if (eventId !== null && action) {
        s.actions.eventFinish(eventId, action.id, now, { details: message, traceback: e.tracebackLines().slice(1, -1).join('') });
      }
    })();
    d.notifier.notifyComputeException(ctx, s.config.confHost, exceptionInfo(e));
    return e;
  }
}
