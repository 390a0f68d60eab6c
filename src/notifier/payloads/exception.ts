// ExceptionPayload 1.1 (nova/notifications/objects/exception.py). The compute side describes the
// failure in Python terms (class name, str(exc), innermost frame) because that is what consumers
// of real Nova notifications match on.
import type { Profile } from '../../profiles/index.js';
import { novaObject, type NovaObject } from '../primitive.js';
import { populate, type FieldMap } from './field-map.js';

export interface ExceptionInfo {
  /** Exception class name, e.g. `TypeError`. */
  exception: string;
  /** `str(exc)`, e.g. `'tuple' object does not support item assignment`. */
  exception_message: string;
  /** Module of the innermost traceback frame, e.g. `nova.compute.manager` (`unknown` if not resolvable). */
  module_name: string;
  /** Function of that frame, e.g. `_init_volume_connection`. */
  function_name: string;
  /** traceback.format_exception lines joined with "," (Nova does exactly that). */
  traceback: string;
  /** A NovaException subclass (kwargs['code'], format_message()); used by legacy payloads only. */
  novaException?: boolean;
  /** kwargs['code'] of a NovaException (default 500); used by legacy payloads only. */
  code?: number;
}

export const EXCEPTION_FIELDS: FieldMap<ExceptionInfo> = {
  module_name: (e) => e.module_name,
  function_name: (e) => e.function_name,
  exception: (e) => e.exception,
  exception_message: (e) => e.exception_message,
  traceback: (e) => e.traceback,
};

export function exceptionPayload(exc: ExceptionInfo, profile: Profile): NovaObject {
  return novaObject('ExceptionPayload', populate(EXCEPTION_FIELDS, exc), profile);
}

/**
 * Build a Python-looking traceback the way Nova's `','.join(format_exception(...))` renders it:
 * "Traceback (most recent call last):\n" then one `  File "<file>", line N, in <fn>\n` per frame,
 * then `<Class>: <message>\n`, joined with commas.
 */
export function pythonTraceback(
  frames: ReadonlyArray<{ file: string; line: number; function: string; code?: string }>,
  exception: string,
  message: string,
): string {
  const lines = ['Traceback (most recent call last):\n'];
  for (const f of frames) {
    lines.push(`  File "${f.file}", line ${f.line}, in ${f.function}\n${f.code ? `    ${f.code}\n` : ''}`);
  }
  lines.push(message ? `${exception}: ${message}\n` : `${exception}\n`);
  return lines.join(',');
}
