// The fake's fixed deployment: devstack's multi-backend LVM (CINDER_ENABLED_BACKENDS=
// lvm:lvmdriver-1,lvm:lvmdriver-2), one type per backend (lib/cinder create_one_type) with
// lvmdriver-1 as default_volume_type, Cinder's own __DEFAULT__ type, and a multiattach type
// (devstack's ENABLE_VOLUME_MULTIATTACH). Ids are fixed so deterministic runs repeat.

export interface Backend {
  /** volume_backend_name */
  name: string;
  /** services.uuid of the cinder-volume service (volume.service_uuid). */
  serviceUuid: string;
  availabilityZone: string;
}

export interface VolumeTypeSeed {
  id: string;
  name: string;
  description: string | null;
  extra_specs: Record<string, string>;
  is_default: boolean;
}

export const BACKENDS: Backend[] = [
  { name: 'lvmdriver-1', serviceUuid: '5c7a2f4e-6d2b-4f0e-9a51-1f3c2b7d9e01', availabilityZone: 'nova' },
  { name: 'lvmdriver-2', serviceUuid: '8e1d4b6a-2c3f-4a7e-b5d9-7f6e0a1c2b02', availabilityZone: 'nova' },
];

export const VOLUME_TYPES: VolumeTypeSeed[] = [
  { id: '6f1b9d2e-1a4c-4c8e-9f3a-0b5d7e2c1a01', name: 'lvmdriver-1', description: null, extra_specs: { volume_backend_name: 'lvmdriver-1' }, is_default: true },
  { id: '9a3c7e5f-2b6d-4e1a-8c4f-1d6e8f3a2b02', name: 'lvmdriver-2', description: null, extra_specs: { volume_backend_name: 'lvmdriver-2' }, is_default: false },
  { id: 'c2e4a6f8-3d5b-4f7a-9e1c-2f7a9b4c3d03', name: 'multiattach', description: null, extra_specs: { multiattach: '<is> True', volume_backend_name: 'lvmdriver-1' }, is_default: false },
  { id: '2d0b6e8a-4f1c-4a3e-8b7d-3a8c0d5e4f04', name: '__DEFAULT__', description: 'Default Volume Type', extra_specs: {}, is_default: false },
];

/** `<host>@<backend>#<pool>`; LVM has one pool named after the backend. */
export const backendHost = (cinderHost: string, backend: string) => `${cinderHost}@${backend}#${backend}`;

/** volume_utils.extract_host(host, 'backend'): drop the pool. */
export const extractBackend = (host: string) => host.split('#')[0];

/** The backend a host string points at, if it is one of ours (a pool-less host matches too). */
export function findBackend(cinderHost: string, host: string): Backend | undefined {
  const backendPart = extractBackend(host);
  return BACKENDS.find((b) => `${cinderHost}@${b.name}` === backendPart);
}
