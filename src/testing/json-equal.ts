// nova/test.py assertJsonEqual, reporting every difference instead of stopping at the first:
// dicts need identical key sets, lists are compared order-insensitively (same length, then both
// sorted by a string sort key and compared pairwise), scalars with == (1 == 1.0 holds, as JSON
// numbers are one type here). Unlike Python, true is not equal to 1.

export type DifferenceKind = 'value' | 'missing-key' | 'extra-key' | 'list-length' | 'replacement';

export interface JsonDifference {
  /** Where, e.g. `payload["nova_object.data"].block_devices[0]["nova_object.data"].volume_id`. */
  path: string;
  kind: DifferenceKind;
  expected?: unknown;
  actual?: unknown;
  message?: string;
}

export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const plain = /^[A-Za-z_$][\w$]*$/.test(key);
  if (!path) return plain ? key : `[${JSON.stringify(key)}]`;
  return plain ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** A canonical string per value (object keys sorted), so equal values sort next to each other. */
export function sortKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortKey).join(',')}]`;
  if (isDict(value)) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${sortKey(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? String(value);
}

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function compareJson(expected: unknown, actual: unknown, path = ''): JsonDifference[] {
  const out: JsonDifference[] = [];
  inner(expected, actual, path, out);
  return out;
}

function inner(expected: unknown, actual: unknown, path: string, out: JsonDifference[]): void {
  if (isDict(expected) && isDict(actual)) {
    for (const key of Object.keys(expected).sort()) {
      if (!(key in actual)) out.push({ path: childPath(path, key), kind: 'missing-key', expected: expected[key] });
    }
    for (const key of Object.keys(actual).sort()) {
      if (!(key in expected)) out.push({ path: childPath(path, key), kind: 'extra-key', actual: actual[key] });
    }
    for (const key of Object.keys(expected)) {
      if (key in actual) inner(expected[key], actual[key], childPath(path, key), out);
    }
    return;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const e = [...expected].sort(bySortKey);
    const a = [...actual].sort(bySortKey);
    if (e.length !== a.length) {
      out.push({ path, kind: 'list-length', expected: e, actual: a });
      return;
    }
    for (let i = 0; i < e.length; i++) inner(e[i], a[i], childPath(path, i), out);
    return;
  }
  if (expected !== actual) out.push({ path, kind: 'value', expected, actual });
}

function bySortKey(x: unknown, y: unknown): number {
  const a = sortKey(x);
  const b = sortKey(y);
  return a < b ? -1 : a > b ? 1 : 0;
}

function show(value: unknown, max = 300): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** One line per difference. */
export function formatDifferences(diffs: readonly JsonDifference[]): string {
  return diffs
    .map((d) => {
      const at = d.path || '(root)';
      switch (d.kind) {
        case 'missing-key':
          return `${at}: missing key (expected ${show(d.expected)})`;
        case 'extra-key':
          return `${at}: unexpected key (actual ${show(d.actual)})`;
        case 'list-length':
          return `${at}: list length differs: expected ${(d.expected as unknown[]).length} ${show(d.expected)}, actual ${(d.actual as unknown[]).length} ${show(d.actual)}`;
        case 'replacement':
          return `${at}: ${d.message}`;
        default:
          return `${at}: expected ${show(d.expected)}, actual ${show(d.actual)}`;
      }
    })
    .join('\n');
}
