// Plain domain objects shared by the store, the compute side and the notifier.
// They mirror Nova's objects (nova/objects/instance.py, block_device.py, flavor.py)
// closely enough that notification payloads can be built by field maps.

export type VmState =
  | 'active' | 'building' | 'paused' | 'suspended' | 'stopped' | 'rescued' | 'resized'
  | 'soft-delete' | 'deleted' | 'error' | 'shelved' | 'shelved_offloaded';

/** Nova's power_state integers (nova/compute/power_state.py). */
export const POWER_STATE = { pending: 0, running: 1, paused: 3, shutdown: 4, crashed: 6, suspended: 7 } as const;
export type PowerStateName = keyof typeof POWER_STATE;

export interface FlavorSnapshot {
  id: number;              // internal flavor id
  flavorid: string;        // API id, e.g. "1"
  name: string;
  memory_mb: number;
  vcpus: number;
  root_gb: number;
  ephemeral_gb: number;
  swap: number;
  rxtx_factor: number;
  vcpu_weight: number | null;
  disabled: boolean;
  is_public: boolean;
  extra_specs: Record<string, string>;
  description: string | null;
}

/** One fixed IP of a VIF, as IpPayload wants it. */
export interface FixedIp {
  label: string;
  mac: string;
  address: string;
  version: 4 | 6;
  port_uuid: string | null;
  device_name: string | null;
  meta: Record<string, string>;
  /** The VIF's port was given by the user (kept, only unbound, when the server goes): VIF preserve_on_delete. */
  preserve_on_delete?: boolean;
  network_id?: string;
  /** The VIF's device tag (API 2.49 interface attach, 2.32 boot). */
  tag?: string | null;
  /** Floating IPs NAT-ed to this fixed IP (network info model FixedIP.floating_ips). */
  floating_ips?: string[];
}

export interface Instance {
  id: number;
  uuid: string;
  project_id: string;
  user_id: string;
  display_name: string;
  display_description: string | null;
  hostname: string;
  reservation_id: string;
  launch_index: number;
  host: string | null;
  node: string | null;
  availability_zone: string | null;
  image_ref: string;
  kernel_id: string;
  ramdisk_id: string;
  key_name: string | null;
  os_type: string | null;
  architecture: string | null;
  vm_state: VmState;
  task_state: string | null;
  power_state: number;
  progress: number;
  locked: boolean;
  locked_by: 'admin' | 'owner' | null;
  auto_disk_config: boolean;
  config_drive: string;
  root_device_name: string | null;
  flavor: FlavorSnapshot;
  /** instance.old_flavor / new_flavor: set while a resize or cold migration is in progress (null otherwise). */
  old_flavor?: FlavorSnapshot | null;
  new_flavor?: FlavorSnapshot | null;
  metadata: Record<string, string>;
  system_metadata: Record<string, string>;
  tags: string[];
  /** Trusted image certificate ids (API 2.63 trusted_image_certificates); null/absent when none. */
  trusted_certs?: string[] | null;
  network_info: FixedIp[];
  created_at: Date;
  updated_at: Date | null;
  launched_at: Date | null;
  terminated_at: Date | null;
  deleted_at: Date | null;
  deleted: boolean;
}

export interface BlockDeviceMapping {
  id: number;
  uuid: string;
  instance_uuid: string;
  source_type: string;       // 'volume' | 'image' | 'blank'
  destination_type: string;  // 'volume' | 'local'
  device_name: string | null;
  boot_index: number | null;
  delete_on_termination: boolean;
  volume_id: string | null;
  volume_size: number | null;
  snapshot_id: string | null;
  image_id: string | null;
  attachment_id: string | null;
  connection_info: string | null; // JSON text, as Nova stores it
  tag: string | null;
  no_device: boolean | null;
  /** API 2.67 volume_type (the type's name once validated); disk_bus, device_type, guest_format as requested. */
  volume_type?: string | null;
  disk_bus?: string | null;
  device_type?: string | null;
  guest_format?: string | null;
  created_at: Date;
  updated_at: Date | null;
}

/** What a request (or the compute manager acting for it) runs as — Nova's RequestContext. */
export interface RequestContext {
  requestId: string;
  userId: string;
  projectId: string;
  roles: string[];
  isAdmin: boolean;
  authToken: string;
  /** Keystone's service catalog for the token, used to find Cinder like Nova does. */
  userName?: string;
  projectName?: string;
}
