// Nova's cross-cutting compute-manager decorators as one wrapper:
// wrap_exception (compute.exception) ∘ wrap_instance_event (action event) ∘ wrap_instance_fault (fault row).
import type { Instance, RequestContext } from '../domain.js';
import type { Services } from '../services.js';
import { asComputeException, type ComputeException, type Frame, faultMessage, formatFrames, frame, saveAndReraise } from './exceptions.js';
import type { ComputeNotifier, ExceptionInfoLike } from './notifier-port.js';
import { legacyInstanceArg } from '../notifier/legacy/exception.js';

/**
 * ExceptionPayload.from_exception, called in an `except` clause: the traceback starts at the frame
 * that caught the exception (`caughtIn`, e.g. `_swap_volume` for instance.volume_swap.error) or, by
 * default, covers all frames the exception has risen through.
 */
export function exceptionInfo(e: ComputeException, caughtIn?: string): ExceptionInfoLike {
  const inner = e.innermost;
  return {
    exception: e.pyClass,
    exception_message: e.message,
    module_name: inner?.module ?? 'unknown',
    function_name: inner?.func ?? 'unknown',
    // ExceptionPayload joins traceback.format_exception() lines with ','.
    traceback: e.tracebackLines(caughtIn ? e.framesFrom(caughtIn) : e.frames).join(','),
    // Only the legacy payloads read these (exception_to_dict's code/message, the exception's __dict__).
    novaException: e.novaException,
    code: e.code,
  };
}

type Decorator = 'wrap_exception' | 'reverts_task_state' | 'wrap_instance_event' | 'wrap_instance_fault';

/** The decorators of each nova/compute/manager.py method run through withInstanceEvent, outermost first. */
const DECORATORS: Record<string, Decorator[]> = {
  swap_volume: ['wrap_exception', 'wrap_instance_event', 'wrap_instance_fault'],
  attach_volume: ['wrap_exception', 'wrap_instance_event', 'wrap_instance_fault'],
  detach_volume: ['wrap_exception', 'wrap_instance_event', 'wrap_instance_fault'],
  terminate_instance: ['wrap_exception', 'reverts_task_state', 'wrap_instance_event', 'wrap_instance_fault'],
  _do_build_and_run_instance: ['wrap_exception', 'reverts_task_state', 'wrap_instance_event', 'wrap_instance_fault'],
};

/** The function each decorator wraps the method in (the frame it adds to a traceback). */
const DECORATOR_FRAME: Record<Decorator, Frame> = {
  wrap_exception: frame('nova.exception_wrapper', 'wrapped'),
  reverts_task_state: frame('nova.compute.manager', 'decorated_function'),
  wrap_instance_event: frame('nova.compute.utils', 'decorated_function'),
  wrap_instance_fault: frame('nova.compute.manager', 'decorated_function'),
};

/**
 * The tracebacks each wrapper sees as the exception rises through them (innermost decorator first):
 * wrap_instance_fault records the fault inside its `except` (its own frame on top), then re-raises
 * through save_and_reraise_exception; wrap_instance_event's EventReporter gets the traceback at its
 * `with` (format_tb: no header, no exception line); reverts_task_state re-raises like
 * wrap_instance_fault; wrap_exception emits compute.exception from its `except`.
 */
export function wrapperTracebacks(method: string, e: ComputeException): { fault: Frame[]; event: Frame[]; exception: Frame[] } {
  let frames = e.frames;
  let fault = frames;
  let event = frames;
  let exception = frames;
  for (const d of [...(DECORATORS[method] ?? DECORATORS.swap_volume)].reverse()) {
    const at = DECORATOR_FRAME[d];
    if (d === 'wrap_instance_fault') {
      fault = [at, ...frames];
      frames = [...saveAndReraise(at), at, ...frames];
    } else if (d === 'reverts_task_state') {
      frames = [...saveAndReraise(at), at, ...frames];
    } else if (d === 'wrap_instance_event') {
      event = [at, ...frames];
      frames = event;
    } else {
      exception = [at, ...frames];
    }
  }
  return { fault, event, exception };
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
    const tb = wrapperTracebacks(method, e);
    // wrap_instance_fault: details (the traceback) only for 500s; host is CONF.host.
    s.db.transaction(() => {
      s.actions.addFault({ instanceUuid: instance.uuid, code, message, details: code === 500 ? e.tracebackLines(tb.fault).join('') : '', host: s.config.confHost, at: now });
      if (eventId !== null && action) {
        s.actions.eventFinish(eventId, action.id, now, { details: message, traceback: formatFrames(tb.event).join('') });
      }
    })();
    // wrap_exception: the legacy twin is named after the decorated method (f.__name__), its args
    // are the call's arguments without self/context (novasim knows the instance).
    d.notifier.notifyComputeException(ctx, s.config.confHost, exceptionInfo(e.withFrames(tb.exception)), {
      method, args: { instance: legacyInstanceArg(instance) },
    });
    return e;
  }
}
