// ImageMetaProps (nova/objects/image_meta.py, master 00a030403f67): the fields an image's Glance
// properties become in a RequestSpec's image, in declaration order, with the kind from_dict coerces
// each to, and _legacy_property_map (old Glance names → field names). Generated from upstream's source.
export type PropKind = 'int' | 'bool' | 'string' | 'list';

export const IMAGE_META_PROPS: ReadonlyArray<readonly [string, PropKind]> = [
  ['hw_architecture', 'string'],
  ['hw_emulation_architecture', 'string'],
  ['hw_auto_disk_config', 'string'],
  ['hw_boot_menu', 'bool'],
  ['hw_cdrom_bus', 'string'],
  ['hw_cpu_cores', 'int'],
  ['hw_cpu_sockets', 'int'],
  ['hw_cpu_max_cores', 'int'],
  ['hw_cpu_max_sockets', 'int'],
  ['hw_cpu_max_threads', 'int'],
  ['hw_cpu_policy', 'string'],
  ['hw_cpu_thread_policy', 'string'],
  ['hw_cpu_realtime_mask', 'string'],
  ['hw_cpu_threads', 'int'],
  ['hw_device_id', 'int'],
  ['hw_disk_bus', 'string'],
  ['hw_disk_type', 'string'],
  ['hw_floppy_bus', 'string'],
  ['hw_firmware_type', 'string'],
  ['hw_firmware_stateless', 'bool'],
  ['hw_input_bus', 'string'],
  ['hw_ipxe_boot', 'bool'],
  ['hw_locked_memory', 'bool'],
  ['hw_machine_type', 'string'],
  ['hw_mem_encryption', 'bool'],
  ['hw_mem_encryption_model', 'string'],
  ['hw_mem_page_size', 'string'],
  ['hw_numa_nodes', 'int'],
  ['hw_numa_cpus', 'list'],
  ['hw_numa_mem', 'list'],
  ['hw_pci_numa_affinity_policy', 'string'],
  ['hw_pointer_model', 'string'],
  ['hw_pmu', 'bool'],
  ['hw_qemu_guest_agent', 'bool'],
  ['hw_rescue_bus', 'string'],
  ['hw_rescue_device', 'string'],
  ['hw_rng_model', 'string'],
  ['hw_time_hpet', 'bool'],
  ['hw_serial_port_count', 'int'],
  ['hw_scsi_model', 'string'],
  ['hw_video_model', 'string'],
  ['hw_video_ram', 'int'],
  ['hw_vif_model', 'string'],
  ['hw_viommu_model', 'string'],
  ['hw_vm_mode', 'string'],
  ['hw_watchdog_action', 'string'],
  ['hw_vif_multiqueue_enabled', 'bool'],
  ['hw_tpm_model', 'string'],
  ['hw_tpm_version', 'string'],
  ['hw_ephemeral_encryption', 'bool'],
  ['hw_ephemeral_encryption_format', 'string'],
  ['hw_ephemeral_encryption_secret_uuid', 'string'],
  ['hw_virtio_packed_ring', 'bool'],
  ['hw_maxphysaddr_mode', 'string'],
  ['hw_maxphysaddr_bits', 'int'],
  ['hw_sound_model', 'string'],
  ['hw_usb_model', 'string'],
  ['hw_redirected_usb_ports', 'int'],
  ['img_bittorrent', 'bool'],
  ['img_bdm_v2', 'bool'],
  ['img_block_device_mapping', 'list'],
  ['img_cache_in_nova', 'bool'],
  ['img_compression_level', 'int'],
  ['img_hv_requested_version', 'string'],
  ['img_hv_type', 'string'],
  ['img_config_drive', 'string'],
  ['img_linked_clone', 'bool'],
  ['img_mappings', 'list'],
  ['img_owner_id', 'string'],
  ['img_root_device_name', 'string'],
  ['img_use_agent', 'bool'],
  ['img_version', 'int'],
  ['img_signature', 'string'],
  ['img_signature_hash_method', 'string'],
  ['img_signature_certificate_uuid', 'string'],
  ['img_signature_key_type', 'string'],
  ['img_hide_hypervisor_id', 'bool'],
  ['os_admin_user', 'string'],
  ['os_command_line', 'string'],
  ['os_distro', 'string'],
  ['os_require_quiesce', 'bool'],
  ['os_secure_boot', 'string'],
  ['os_skip_agent_inject_files_at_boot', 'bool'],
  ['os_skip_agent_inject_ssh', 'bool'],
  ['os_type', 'string'],
  ['traits_required', 'list'],
];

export const LEGACY_PROPERTY_MAP: Readonly<Record<string, string>> = {
  architecture: 'hw_architecture',
  owner_id: 'img_owner_id',
  vmware_disktype: 'hw_disk_type',
  vmware_image_version: 'img_version',
  vmware_ostype: 'os_distro',
  auto_disk_config: 'hw_auto_disk_config',
  ipxe_boot: 'hw_ipxe_boot',
  xenapi_device_id: 'hw_device_id',
  xenapi_image_compression_level: 'img_compression_level',
  vmware_linked_clone: 'img_linked_clone',
  xenapi_use_agent: 'img_use_agent',
  xenapi_skip_agent_inject_ssh: 'os_skip_agent_inject_ssh',
  xenapi_skip_agent_inject_files_at_boot: 'os_skip_agent_inject_files_at_boot',
  cache_in_nova: 'img_cache_in_nova',
  vm_mode: 'hw_vm_mode',
  bittorrent: 'img_bittorrent',
  mappings: 'img_mappings',
  block_device_mapping: 'img_block_device_mapping',
  bdm_v2: 'img_bdm_v2',
  root_device_name: 'img_root_device_name',
  hypervisor_version_requires: 'img_hv_requested_version',
  hypervisor_type: 'img_hv_type',
};

const KINDS = new Map(IMAGE_META_PROPS);
const ORDER = new Map(IMAGE_META_PROPS.map(([n], i) => [n, i]));

/** oslo FlexibleBooleanField: strutils.bool_from_string(value). */
function flexibleBool(v: string): boolean {
  return ['1', 't', 'true', 'on', 'y', 'yes'].includes(v.trim().toLowerCase());
}

/**
 * ImageMetaProps.from_dict(image['properties']): legacy names first (_set_attr_from_legacy_names, a
 * legacy value never overrides the current name), then current names; keys that are no field
 * (kernel_id, ramdisk_id, …) are dropped. Integer and flexible-boolean fields are coerced; list
 * fields keep Glance's text (novasim does not parse them).
 */
export function imageMetaProps(properties: Record<string, string>): Record<string, unknown> {
  const set = new Map<string, unknown>();
  const coerce = (name: string, v: string): unknown => {
    const kind = KINDS.get(name);
    if (kind === 'int') {
      const n = Number.parseInt(v, 10);
      return Number.isNaN(n) ? v : n;
    }
    return kind === 'bool' ? flexibleBool(v) : v;
  };
  for (const [legacy, name] of Object.entries(LEGACY_PROPERTY_MAP)) {
    if (legacy in properties && !(name in properties)) set.set(name, coerce(name, properties[legacy]));
  }
  for (const [k, v] of Object.entries(properties)) if (KINDS.has(k)) set.set(k, coerce(k, v));
  return Object.fromEntries([...set].sort((a, b) => ORDER.get(a[0])! - ORDER.get(b[0])!));
}
