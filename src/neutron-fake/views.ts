// List handling of neutron/api/v2/base.py + api_common.py: filters (any attribute, values OR-ed,
// empty values dropped, unknown keys a 400), `fields`, sorting, limit/marker paging with next links.
import { badRequest } from './errors.js';
import type { Doc } from './store.js';

export type Query = Record<string, string | string[] | undefined>;

const SKIP = new Set(['fields', 'limit', 'marker', 'page_reverse', 'sort_key', 'sort_dir', 'tags', 'tags-any', 'not-tags', 'not-tags-any', 'verbose']);

export const values = (q: Query, k: string): string[] => {
  const v = q[k];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};

/** Python's repr of a list of str: ['a', 'b']. */
const pyList = (xs: string[]) => `[${xs.map((x) => `'${x.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`).join(', ')}]`;

function matches(doc: Doc, key: string, wanted: string[]): boolean {
  const actual = doc[key];
  if (key === 'fixed_ips') {
    // ?fixed_ips=ip_address=10.0.0.3&fixed_ips=subnet_id=…: each value one constraint on some fixed IP.
    const ips = (actual ?? []) as { ip_address: string; subnet_id: string }[];
    return wanted.every((w) => {
      const [k, v] = w.split('=', 2);
      return ips.some((ip) => (ip as unknown as Record<string, string>)[k] === v);
    });
  }
  if (Array.isArray(actual)) return wanted.some((w) => (actual as unknown[]).map(String).includes(w));
  if (typeof actual === 'boolean') return wanted.some((w) => ['true', '1'].includes(w.toLowerCase()) === actual);
  if (actual === null || actual === undefined) return false;
  return wanted.includes(String(actual));
}

export function filterDocs(docs: Doc[], q: Query, validKeys: ReadonlySet<string>): Doc[] {
  const filters: [string, string[]][] = [];
  const invalid: string[] = [];
  for (const key of Object.keys(q)) {
    if (SKIP.has(key)) continue;
    const vals = values(q, key).filter((v) => v !== '' || key === 'device_id' || key === 'device_owner' || key === 'name' || key === 'description');
    if (!validKeys.has(key)) {
      invalid.push(key);
      continue;
    }
    if (vals.length) filters.push([key, vals]);
  }
  if (invalid.length) throw badRequest(`${pyList(invalid)} is invalid attribute for filtering`);
  let out = docs.filter((d) => filters.every(([k, vals]) => matches(d, k, vals)));
  const tags = values(q, 'tags').flatMap((t) => t.split(','));
  const tagsAny = values(q, 'tags-any').flatMap((t) => t.split(','));
  const notTags = values(q, 'not-tags').flatMap((t) => t.split(','));
  const notTagsAny = values(q, 'not-tags-any').flatMap((t) => t.split(','));
  const has = (d: Doc) => new Set((d.tags ?? []) as string[]);
  if (tags.length) out = out.filter((d) => tags.every((t) => has(d).has(t)));
  if (tagsAny.length) out = out.filter((d) => tagsAny.some((t) => has(d).has(t)));
  if (notTags.length) out = out.filter((d) => !notTags.every((t) => has(d).has(t)));
  if (notTagsAny.length) out = out.filter((d) => !notTagsAny.some((t) => has(d).has(t)));
  return out;
}

export function sortDocs(docs: Doc[], q: Query, validKeys: ReadonlySet<string>): Doc[] {
  const keys = values(q, 'sort_key');
  const dirs = values(q, 'sort_dir');
  if (!keys.length && !dirs.length) return docs;
  if (keys.length !== dirs.length && dirs.length) throw badRequest('The number of sort_keys and sort_dirs must be same');
  const absent = keys.filter((k) => !validKeys.has(k));
  if (absent.length) throw badRequest(`${pyList(absent)} is invalid attribute for sort_keys`);
  const bad = dirs.filter((d) => d !== 'asc' && d !== 'desc');
  if (bad.length) throw badRequest(`${pyList(bad)} is invalid value for sort_dirs, valid value is 'asc' and 'desc'`);
  const spec = keys.map((k, i) => [k, (dirs[i] ?? 'asc') === 'asc'] as const);
  return [...docs].sort((a, b) => {
    for (const [k, asc] of spec) {
      const x = String(a[k] ?? '');
      const y = String(b[k] ?? '');
      if (x !== y) return (x < y ? -1 : 1) * (asc ? 1 : -1);
    }
    return 0;
  });
}

/** limit/marker paging; the marker must be a visible resource (else 404 as in neutron's _get_marker_obj). */
export function page(docs: Doc[], q: Query): { items: Doc[]; next: string | null } {
  const rawLimit = values(q, 'limit').at(-1);
  const marker = values(q, 'marker').at(-1);
  let limit = 0;
  if (rawLimit !== undefined) {
    if (!/^\d+$/.test(rawLimit)) throw badRequest(`Limit must be an integer 0 or greater and not '${rawLimit}'`);
    limit = Number(rawLimit);
  }
  let start = 0;
  if (marker !== undefined) {
    const i = docs.findIndex((d) => d.id === marker);
    start = i + 1;
  }
  const rest = docs.slice(start);
  if (!limit || rest.length <= limit) return { items: limit ? rest.slice(0, limit) : rest, next: limit && rest.length === limit ? rest[limit - 1].id : null };
  return { items: rest.slice(0, limit), next: rest[limit - 1].id };
}

/** `fields=a&fields=b`: only those keys (neutron strips every other attribute). */
export function pickFields(doc: Doc, q: Query): Record<string, unknown> {
  const fields = values(q, 'fields').flatMap((f) => f.split(',')).filter(Boolean);
  if (!fields.length) return doc;
  const out: Record<string, unknown> = {};
  for (const f of fields) if (f in doc) out[f] = doc[f];
  return out;
}
