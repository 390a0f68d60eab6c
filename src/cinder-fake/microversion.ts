// Cinder's microversion negotiation (cinder/api/openstack/wsgi.py Request.set_api_version_request,
// api_version_request.py) and the microversions the fake gates on (cinder/api/microversions.py).
import { CinderError, WEBOB_DEFAULT } from './errors.js';

export const MV = {
  GROUP_VOLUME: '3.13',
  VOLUME_MIGRATE_CLUSTER: '3.16',
  VOLUME_DETAIL_PROVIDER_ID: '3.21',
  VOLUME_DELETE_FORCE: '3.23',
  NEW_ATTACH: '3.27',
  VOLUME_EXTEND_INUSE: '3.42',
  NEW_ATTACH_COMPLETION: '3.44',
  SUPPORT_COUNT_INFO: '3.45',
  VOLUME_CREATE_FROM_BACKUP: '3.47',
  VOLUME_SHARED_TARGETS_AND_SERVICE_FIELDS: '3.48',
  SUPPORT_VOLUME_SCHEMA_CHANGES: '3.53',
  ATTACHMENT_CREATE_MODE_ARG: '3.54',
  VOLUME_CLUSTER_NAME: '3.61',
  VOLUME_TYPE_ID_IN_VOLUME_DETAIL: '3.63',
  ENCRYPTION_KEY_ID_IN_DETAILS: '3.64',
  USE_QUOTA: '3.65',
  SUPPORT_REIMAGE_VOLUME: '3.68',
  SHARED_TARGETS_TRISTATE: '3.69',
} as const;

const VERSION_RE = /^([1-9]\d*)\.([1-9]\d*|0)$/;

export class VolumeVersion {
  constructor(
    readonly major: number,
    readonly minor: number,
  ) {}

  static parse(s: string): VolumeVersion {
    const [a, b] = s.split('.').map(Number);
    return new VolumeVersion(a, b);
  }

  /** The gates' version constants (MV.*, profile bounds), parsed once: matches() runs several times a request. */
  private static readonly constants = new Map<string, VolumeVersion>();

  private static constant(s: string): VolumeVersion {
    let v = VolumeVersion.constants.get(s);
    if (!v) {
      v = VolumeVersion.parse(s);
      VolumeVersion.constants.set(s, v);
    }
    return v;
  }

  private cmp(o: VolumeVersion) {
    return this.major - o.major || this.minor - o.minor;
  }

  /** APIVersionRequest.matches(min, max): min ≤ self (≤ max when given). */
  matches(min: string, max?: string): boolean {
    if (this.cmp(VolumeVersion.constant(min)) < 0) return false;
    return max === undefined || this.cmp(VolumeVersion.constant(max)) <= 0;
  }

  toString() {
    return `${this.major}.${this.minor}`;
  }
}

/** A version failure that still knows which version the response header should name (406 case). */
export class VersionError extends CinderError {
  constructor(
    status: number,
    message: string,
    readonly requested: VolumeVersion | null,
  ) {
    super(status, message);
  }
}

/** Request.set_api_version_request: no header → 3.0; first comma item containing "volume"; "latest" → max. */
export function negotiateVolumeVersion(header: string | string[] | undefined, min: string, max: string): VolumeVersion {
  if (header === undefined) return VolumeVersion.parse(min);
  const text = Array.isArray(header) ? header.join(',') : header;
  let requested: string | null = null;
  for (const item of text.split(',')) {
    if (item.includes('volume')) {
      requested = item.trim().split(/\s+/)[1] ?? null;
      break;
    }
  }
  // VersionNotFoundForAPIMethod escapes the Resource and FaultWrapper hides its text: webob's 400.
  if (!requested) throw new VersionError(400, WEBOB_DEFAULT[400], null);
  if (requested === 'latest') return VolumeVersion.parse(max);
  if (!VERSION_RE.test(requested)) {
    throw new VersionError(400, `API Version String ${requested} is of invalid format. Must be of format MajorNum.MinorNum.`, null);
  }
  const v = VolumeVersion.parse(requested);
  if (!v.matches(min, max)) {
    throw new VersionError(406, `Version ${requested} is not supported by the API. Minimum is ${min} and maximum is ${max}.`, v);
  }
  return v;
}
