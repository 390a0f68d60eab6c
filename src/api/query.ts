// Query-string helpers: repeated keys arrive as arrays (Nova's multi_params takes the last one),
// and invalid values are reported with jsonschema's query wording.
import { NovaError } from './errors.js';

export type Query = Record<string, string | string[] | undefined>;

export function lastValue(q: Query, key: string): string | undefined {
  const v = q[key];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

const queryError = (name: string, value: string, msg: string) => new NovaError(400, `Invalid input for query parameters ${name}. Value: ${value}. ${msg}`);

/** parameter_types 'date-time' format (ISO 8601). */
export function queryDateTime(q: Query, key: string): Date | undefined {
  const raw = lastValue(q, key);
  if (raw === undefined) return undefined;
  const d = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(raw) ? new Date(raw) : new Date(Number.NaN);
  if (Number.isNaN(d.getTime())) throw queryError(key, raw, `'${raw}' is not a 'date-time'`);
  return d;
}

/** parameter_types.non_negative_integer. */
export function queryNonNegativeInt(q: Query, key: string): number | undefined {
  const raw = lastValue(q, key);
  if (raw === undefined) return undefined;
  if (!/^[0-9]+$/.test(raw)) throw queryError(key, raw, `'${raw}' does not match '^[0-9]*$'`);
  return Number(raw);
}
