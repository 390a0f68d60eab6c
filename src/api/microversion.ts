// Nova's API microversion negotiation (nova/api/openstack/api_version_request.py, wsgi.py).
import { NovaError } from './errors.js';

export type Version = readonly [number, number];

const parsed = new Map<string, Version>();

/** "2.47" → [2, 47]; results are cached (frozen: callers share them), the cache is bounded. */
export const parseVersion = (s: string): Version => {
  let v = parsed.get(s);
  if (v === undefined) {
    const [a, b] = s.split('.').map(Number);
    v = Object.freeze([a, b] as const);
    if (parsed.size >= 512) parsed.clear();
    parsed.set(s, v);
  }
  return v;
};
export const cmp = (a: Version, b: Version) => (a[0] - b[0]) || (a[1] - b[1]);
export const fmt = (v: Version) => `${v[0]}.${v[1]}`;

const VERSION_RE = /^([1-9]\d*)\.([1-9]\d*|0)$/;

export class ApiVersion {
  constructor(readonly v: Version) {}
  /** True when this request's version is ≥ `min` (and ≤ `max` if given): Nova's `api_version_request.matches`. */
  matches(min: string, max?: string): boolean {
    if (cmp(this.v, parseVersion(min)) < 0) return false;
    return max === undefined || cmp(this.v, parseVersion(max)) <= 0;
  }
  lt(s: string): boolean {
    return cmp(this.v, parseVersion(s)) < 0;
  }
  toString() {
    return fmt(this.v);
  }
}

/** Pick the requested version from headers: the new header wins over the legacy one; none ⇒ min. */
export function negotiate(headers: Record<string, string | string[] | undefined>, service: string, legacyHeader: string | null, min: string, max: string): ApiVersion {
  let requested: string | undefined;
  const modern = headers['openstack-api-version'];
  if (modern) {
    for (const item of String(modern).split(',')) {
      const [svc, ver] = item.trim().split(/\s+/);
      if (svc?.toLowerCase() === service && ver) {
        requested = ver;
        break;
      }
    }
  }
  if (requested === undefined && legacyHeader) {
    const legacy = headers[legacyHeader];
    if (legacy) requested = String(legacy).trim();
  }
  if (requested === undefined) return new ApiVersion(parseVersion(min));
  if (requested.toLowerCase() === 'latest') return new ApiVersion(parseVersion(max));
  if (!VERSION_RE.test(requested)) {
    throw new NovaError(400, `API Version String ${requested} is of invalid format. Must be of format MajorNum.MinorNum.`);
  }
  const v = parseVersion(requested);
  if (cmp(v, parseVersion(min)) < 0 || cmp(v, parseVersion(max)) > 0) {
    throw Object.assign(new NovaError(406, `Version ${requested} is not supported by the API. Minimum is ${min} and maximum is ${max}.`), { requested });
  }
  return new ApiVersion(v);
}
