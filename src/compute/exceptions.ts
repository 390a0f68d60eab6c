// Python-shaped exceptions for the compute side: what Nova's wrap_exception, wrap_instance_fault,
// EventReporter and ExceptionPayload read off a raised exception.

export interface Frame {
  file: string;      // e.g. nova/compute/manager.py
  func: string;
  module: string;    // e.g. nova.compute.manager
  line: number;
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

  /** traceback.format_exception() lines. */
  tracebackLines(): string[] {
    const lines = ['Traceback (most recent call last):\n'];
    for (const f of this.frames) lines.push(`  File "${f.file}", line ${f.line}, in ${f.func}\n    ${f.func}(...)\n`);
    lines.push(`${this.pyClass}: ${this.message}\n`);
    return lines;
  }
}

const MODULE_FILE = (module: string) => `${module.replace(/\./g, '/')}.py`;

export function frame(module: string, func: string, line = 0): Frame {
  return { module, func, file: MODULE_FILE(module), line };
}

/** Make a frame list that ends inside `inner`, below the manager's entry points. */
export function framesFor(entry: string[], inner: Frame): Frame[] {
  return [...entry.map((f, i) => frame('nova.compute.manager', f, 1000 + i * 10)), inner];
}

/** Turn anything thrown inside a flow into a ComputeException (unknown JS errors look like Python bugs). */
export function asComputeException(err: unknown, entry: string[]): ComputeException {
  if (err instanceof ComputeException) {
    if (err.frames.length === 0) return new ComputeException(err.pyClass, err.message, { novaException: err.novaException, code: err.code, frames: framesFor(entry, frame('nova.compute.manager', entry[entry.length - 1] ?? 'unknown')) });
    return err;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return new ComputeException(e.name === 'Error' ? 'RuntimeError' : e.name, e.message, {
    frames: framesFor(entry, frame('nova.compute.manager', entry[entry.length - 1] ?? 'unknown')),
  });
}

/** Nova's fault/event message rule: format_message() for Nova exceptions, else the class name. */
export function faultMessage(e: ComputeException): string {
  return e.novaException ? e.message : e.pyClass;
}
