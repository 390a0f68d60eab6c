// Python-shaped exceptions for the compute side: what Nova's wrap_exception, wrap_instance_fault,
// EventReporter and ExceptionPayload read off a raised exception.

export interface Frame {
  file: string;      // e.g. nova/compute/manager.py
  func: string;
  module: string;    // e.g. nova.compute.manager
  /** The line in upstream's source, or null: novasim does not run Nova's code, so it never invents one. */
  line: number | null;
}

/** A raised exception as nova-compute would see it. */
export class ComputeException extends Error {
  readonly frames: Frame[];
  constructor(
    /** Python class name: `TypeError`, `CinderConnectionFailed`, `VolumeNotFound`. */
    readonly pyClass: string,
    message: string,
    opts: {
      /** NovaException subclasses carry kwargs['code'] and format_message(); others don't. */
      novaException?: boolean;
      code?: number;
      frames?: Frame[];
    } = {},
  ) {
    super(message);
    this.name = pyClass;
    this.novaException = opts.novaException ?? false;
    this.code = opts.code ?? 500;
    this.frames = opts.frames ?? [];
  }
  readonly novaException: boolean;
  readonly code: number;

  /** Innermost frame (inspect.trace()[-1]) — ExceptionPayload's module_name/function_name. */
  get innermost(): Frame | undefined {
    return this.frames[this.frames.length - 1];
  }

  /**
   * traceback.format_exception() lines over `frames` (default: all of them). A frame whose line is
   * not known says so ("line unknown") and, like Python without the source file, shows no code line.
   */
  tracebackLines(frames: Frame[] = this.frames): string[] {
    return ['Traceback (most recent call last):\n', ...formatFrames(frames), `${this.pyClass}: ${this.message}\n`];
  }

  /** The same exception with another frame list (as it looks after rising through more frames). */
  withFrames(frames: Frame[]): ComputeException {
    return new ComputeException(this.pyClass, this.message, { novaException: this.novaException, code: this.code, frames });
  }

  /**
   * The exception as re-raised by `with excutils.save_and_reraise_exception():` in `func`: the
   * traceback gains that frame (at the `with`) and oslo.utils' __exit__ / force_reraise frames on top
   * of the original ones, as every real Nova traceback shows.
   */
  reraisedIn(func: string, module = 'nova.compute.manager'): ComputeException {
    const i = this.frames.findIndex((f) => f.func === func && f.module === module);
    if (i < 0) return this;
    return this.withFrames([...this.frames.slice(0, i), ...saveAndReraise(frame(module, func)), ...this.frames.slice(i)]);
  }

  /** The frames from the first one in `func` down: the traceback as seen by an `except` there. */
  framesFrom(func: string): Frame[] {
    const i = this.frames.findIndex((f) => f.func === func);
    return i < 0 ? this.frames : this.frames.slice(i);
  }
}

/** traceback.format_list() entries (what format_tb returns). */
export function formatFrames(frames: Frame[]): string[] {
  return frames.map((f) => `  File "${f.file}", line ${f.line ?? 'unknown'}, in ${f.func}\n`);
}

/** The frames `with excutils.save_and_reraise_exception():` in `at` puts above the original ones. */
export function saveAndReraise(at: Frame): Frame[] {
  return [at, frame('oslo_utils.excutils', '__exit__'), frame('oslo_utils.excutils', 'force_reraise')];
}

/** utils.synchronized(instance.uuid): oslo.concurrency's lockutils wrapper between a method and its locked body. */
export const LOCKED = frame('oslo_concurrency.lockutils', 'inner');

function MODULE_FILE(module: string): string {
  return `${module.replace(/\./g, '/')}.py`;
}

export function frame(module: string, func: string, line: number | null = null): Frame {
  return { module, func, file: MODULE_FILE(module), line };
}

/** Make a frame list that ends inside `inner`, below the manager's entry points (names are nova.compute.manager functions). */
export function framesFor(entry: (string | Frame)[], inner: Frame): Frame[] {
  return [...entry.map((f) => (typeof f === 'string' ? frame('nova.compute.manager', f) : f)), inner];
}

/** Turn anything thrown inside a flow into a ComputeException (unknown JS errors look like Python bugs). */
export function asComputeException(err: unknown, entry: (string | Frame)[]): ComputeException {
  const last = entry[entry.length - 1] ?? 'unknown';
  const here = framesFor(entry.slice(0, -1), typeof last === 'string' ? frame('nova.compute.manager', last) : last);
  if (err instanceof ComputeException) {
    if (err.frames.length === 0) return err.withFrames(here);
    // Raised below (e.g. in nova/volume/cinder.py) with only its own frames: it rose through these.
    const first = entry[0];
    const firstFunc = typeof first === 'string' ? first : first?.func;
    return firstFunc && err.frames[0].func !== firstFunc ? err.withFrames([...here, ...err.frames]) : err;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return new ComputeException(e.name === 'Error' ? 'RuntimeError' : e.name, e.message, { frames: here });
}

/** Nova's fault/event message rule: format_message() for Nova exceptions, else the class name. */
export function faultMessage(e: ComputeException): string {
  return e.novaException ? e.message : e.pyClass;
}
