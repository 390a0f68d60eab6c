// nova/notifications/base.py info_from_instance: the dict every legacy `compute.instance.*`
// notification starts from, as one ordered field map (key order is the dict's literal order).
import type { FixedIp, Instance } from '../../domain.js';
import type { FieldMap } from '../payloads/field-map.js';
import { populate } from '../payloads/field-map.js';
import { nullSafeIsotime, nullSafeStr, pyStrAware } from './python-format.js';

export interface LegacyInstanceSource {
  instance: Instance;
  /** glance.API().generate_image_url(instance.image_ref): `<image endpoint>/images/<ref>`. */
  imageRefUrl: string | null;
  /** network_info passed by the caller (create.end, rescue, resize…): adds `fixed_ips`. */
  networkInfo: boolean;
}

/** Nova's network model FixedIP dict (address, type, version, meta, floating_ips) + label/vif_mac. */
function fixedIps(ips: readonly FixedIp[]): Record<string, unknown>[] {
  return ips.map((ip) => ({
    address: ip.address,
    type: 'fixed',
    version: ip.version,
    meta: { ...ip.meta },
    floating_ips: (ip.floating_ips ?? []).map((address) => ({ address, type: 'floating', version: 4, meta: {} })),
    label: ip.label,
    vif_mac: ip.mac,
  }));
}

/** notifications.base.image_meta: system_metadata `image_*` keys without the prefix. */
export function imageMeta(systemMetadata: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(systemMetadata ?? {})) if (k.startsWith('image_')) out[k.slice(6)] = v;
  return out;
}

export const LEGACY_INSTANCE_FIELDS: FieldMap<LegacyInstanceSource> = {
  // Owner properties
  tenant_id: (s) => s.instance.project_id,
  user_id: (s) => s.instance.user_id,
  // Identity properties
  instance_id: (s) => s.instance.uuid,
  display_name: (s) => s.instance.display_name,
  reservation_id: (s) => s.instance.reservation_id,
  hostname: (s) => s.instance.hostname,
  // Type properties
  instance_type: (s) => s.instance.flavor.name ?? '',
  instance_type_id: (s) => s.instance.flavor.id,
  instance_flavor_id: (s) => s.instance.flavor.flavorid ?? '',
  architecture: (s) => s.instance.architecture,
  // Capacity properties
  memory_mb: (s) => s.instance.flavor.memory_mb,
  disk_gb: (s) => s.instance.flavor.root_gb + s.instance.flavor.ephemeral_gb,
  vcpus: (s) => s.instance.flavor.vcpus,
  root_gb: (s) => s.instance.flavor.root_gb,
  ephemeral_gb: (s) => s.instance.flavor.ephemeral_gb,
  // Location properties
  host: (s) => s.instance.host,
  node: (s) => s.instance.node,
  availability_zone: (s) => s.instance.availability_zone,
  cell_name: () => nullSafeStr(null),
  // Date properties
  created_at: (s) => pyStrAware(s.instance.created_at),
  terminated_at: (s) => nullSafeIsotime(s.instance.terminated_at),
  deleted_at: (s) => nullSafeIsotime(s.instance.deleted_at),
  launched_at: (s) => nullSafeIsotime(s.instance.launched_at),
  // Image properties
  image_ref_url: (s) => s.imageRefUrl,
  os_type: (s) => s.instance.os_type,
  kernel_id: (s) => s.instance.kernel_id,
  ramdisk_id: (s) => s.instance.ramdisk_id,
  // Status properties
  state: (s) => s.instance.vm_state,
  state_description: (s) => nullSafeStr(s.instance.task_state),
  // "progress=int(instance.progress) if instance.progress else ''"
  progress: (s) => (s.instance.progress ? Math.trunc(s.instance.progress) : ''),
  // accessIPs (novasim does not store them: Nova's default is None)
  access_ip_v4: () => null,
  access_ip_v6: () => null,
};

/** info_from_instance(context, instance, network_info, populate_image_ref_url=True, **kw). */
export function infoFromInstance(src: LegacyInstanceSource, kw: Record<string, unknown> = {}): Record<string, unknown> {
  const info = populate(LEGACY_INSTANCE_FIELDS, src);
  if (src.networkInfo) info.fixed_ips = fixedIps(src.instance.network_info ?? []);
  info.image_meta = imageMeta(src.instance.system_metadata);
  info.metadata = { ...src.instance.metadata };
  return Object.assign(info, kw);
}
