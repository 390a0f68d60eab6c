// Manila's microversion negotiation (manila/api/openstack/wsgi.py Request.set_api_version_request,
// api_version_request.py): header X-OpenStack-Manila-API-Version, no header → 2.0 (DEFAULT_API_VERSION),
// "latest" → the maximum, a bad format → 400, out of range → 406.
import { ManilaError } from './errors.js';

export const HEADER = 'X-OpenStack-Manila-API-Version';
const VERSION_RE = /^([1-9]\d*)\.([1-9]\d*|0)$/;

export class ManilaVersion {
  constructor(
    readonly major: number,
    readonly minor: number,
  ) {}

  static parse(s: string): ManilaVersion {
    const [a, b] = s.split('.').map(Number);
    return new ManilaVersion(a, b);
  }

  private cmp(o: ManilaVersion) {
    return this.major - o.major || this.minor - o.minor;
  }

  matches(min: string, max?: string): boolean {
    if (this.cmp(ManilaVersion.parse(min)) < 0) return false;
    return max === undefined || this.cmp(ManilaVersion.parse(max)) <= 0;
  }

  toString() {
    return `${this.major}.${this.minor}`;
  }
}

export function negotiate(header: string | string[] | undefined, min: string, max: string): ManilaVersion {
  if (header === undefined) return ManilaVersion.parse(min);
  const requested = (Array.isArray(header) ? header[0] : header).trim();
  if (requested === 'latest') return ManilaVersion.parse(max);
  if (!VERSION_RE.test(requested)) {
    throw new ManilaError(400, `API Version String ${requested} is of invalid format. Must be of format MajorNum.MinorNum.`);
  }
  const v = ManilaVersion.parse(requested);
  if (!v.matches(min, max)) throw new ManilaError(406, `Version ${requested} is not supported by the API. Minimum is ${min} and maximum is ${max}.`);
  return v;
}
