// The service catalog a token carries: devstack-style paths on one port, region RegionOne.

export interface Endpoint { id: string; interface: string; region: string; region_id: string; url: string }
export interface CatalogEntry { id: string; type: string; name: string; endpoints: Endpoint[] }

const INTERFACES = ['public', 'internal', 'admin'] as const;

function entry(type: string, name: string, url: string): CatalogEntry {
  return {
    id: `${type}-svc`,
    type,
    name,
    endpoints: INTERFACES.map((i) => ({ id: `${type}-${i}`, interface: i, region: 'RegionOne', region_id: 'RegionOne', url })),
  };
}

export function buildCatalog(base: string, projectId: string): CatalogEntry[] {
  return [
    entry('identity', 'keystone', `${base}/identity`),
    entry('compute', 'nova', `${base}/compute/v2.1`),
    // zed devstack lists both types; clients accept either (client-http-trace.md §1.1).
    entry('block-storage', 'cinder', `${base}/volume/v3/${projectId}`),
    entry('volumev3', 'cinderv3', `${base}/volume/v3/${projectId}`),
    entry('image', 'glance', `${base}/image`),
    entry('network', 'neutron', `${base}/networking`),
    // manila's devstack plugin: `sharev2` (manilav2) and its alias `shared-file-system`, which openstacksdk
    // and Nova look for (the project-scoped `sharev2_legacy` is not served).
    entry('sharev2', 'manilav2', `${base}/share/v2`),
    entry('shared-file-system', 'shared-file-system', `${base}/share/v2`),
  ];
}

/** Base URL as the client addressed us (Host header), so catalogs work behind any host/port. */
export function requestBase(req: { protocol: string; headers: Record<string, unknown> }): string {
  const host = (req.headers['x-forwarded-host'] as string | undefined) ?? (req.headers.host as string | undefined) ?? '127.0.0.1';
  return `${req.protocol}://${host}`;
}
