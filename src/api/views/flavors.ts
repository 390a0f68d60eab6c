// Flavor representation by microversion (nova/api/openstack/compute/views/flavors.py ViewBuilder).
import type { FlavorSnapshot } from '../../domain.js';
import type { ApiVersion } from '../microversion.js';

export interface FlavorViewOpts {
  /** http://host/compute/v2.1 */
  base: string;
  version: ApiVersion;
  /** 2.61+: shown when os-flavor-extra-specs:index allows it. */
  includeExtraSpecs: boolean;
}

export function flavorLinks(base: string, flavorid: string) {
  const bookmark = base.replace(/\/v2\.1$/, '');
  return [
    { href: `${base}/flavors/${flavorid}`, rel: 'self' },
    { href: `${bookmark}/flavors/${flavorid}`, rel: 'bookmark' },
  ];
}

/** basic(): id, name, links (+ description at 2.55). */
export function basicFlavor(f: FlavorSnapshot, o: FlavorViewOpts): Record<string, unknown> {
  const out: Record<string, unknown> = { id: f.flavorid, name: f.name, links: flavorLinks(o.base, f.flavorid) };
  if (o.version.matches('2.55')) out.description = f.description;
  return out;
}

/** show(): the detailed form. */
export function flavorDetail(f: FlavorSnapshot, o: FlavorViewOpts): Record<string, unknown> {
  const v = o.version;
  const out: Record<string, unknown> = {
    id: f.flavorid,
    name: f.name,
    ram: f.memory_mb,
    disk: f.root_gb,
    // `flavor["swap"] or ""` before 2.75, `or 0` from 2.75.
    swap: f.swap || (v.matches('2.75') ? 0 : ''),
    'OS-FLV-EXT-DATA:ephemeral': f.ephemeral_gb,
    'OS-FLV-DISABLED:disabled': f.disabled,
    vcpus: f.vcpus,
    'os-flavor-access:is_public': f.is_public,
    rxtx_factor: f.rxtx_factor || '',
    links: flavorLinks(o.base, f.flavorid),
  };
  if (v.matches('2.55')) out.description = f.description;
  if (o.includeExtraSpecs) out.extra_specs = f.extra_specs;
  if (v.matches('2.102')) {
    delete out['OS-FLV-DISABLED:disabled'];
    delete out.rxtx_factor;
  }
  return out;
}

/** _get_collection_links: a `next` link when the page is full. */
export function flavorCollectionLinks(base: string, collection: 'flavors' | 'flavors/detail', query: Record<string, string>, limit: number, page: FlavorSnapshot[]) {
  if (!limit || page.length !== limit) return null;
  const params = new URLSearchParams();
  for (const [k, val] of Object.entries(query)) if (k !== 'marker') params.set(k, val);
  params.set('marker', page[page.length - 1].flavorid);
  return [{ href: `${base}/${collection}?${params.toString()}`, rel: 'next' }];
}
