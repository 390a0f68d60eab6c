// Server representation by microversion (nova/api/openstack/compute/views/servers.py).
import { createHash } from 'node:crypto';
import type { Instance } from '../../domain.js';
import type { InstanceFault } from '../../store/actions.js';
import type { AttachedVolume } from '../../store/block-devices.js';
import { isoMicro, isoSecondsZ } from '../../time-format.js';
import type { ApiVersion } from '../microversion.js';
import { statusFromState } from './server-status.js';

export interface ServerViewOpts {
  base: string;           // http://host/compute/v2.1
  version: ApiVersion;
  isAdmin: boolean;
  /** The server's BDMs, or just their volume ids and delete_on_termination (all the view reads). */
  bdms: readonly AttachedVolume[];
  /** The latest fault, or a function looking it up (called only for ERROR/DELETED servers, the only ones showing it). */
  fault: InstanceFault | null | (() => InstanceFault | null);
  /** server_groups appear on show/update/rebuild only (2.71). */
  detailKind: 'show' | 'list';
}

const link = (href: string, rel: string) => ({ href, rel });

/** nova/utils.py generate_hostid: sha224(project_id + host), '' without a host. */
const hostIds = new Map<string, string>();

/** sha224(project_id + host), memoised (bounded): a list of 1,000 servers would hash 1,000 times. */
export function hostId(i: Instance): string {
  if (!i.host) return '';
  const key = i.project_id + i.host;
  let h = hostIds.get(key);
  if (h === undefined) {
    h = createHash('sha224').update(key).digest('hex');
    if (hostIds.size >= 4096) hostIds.clear();
    hostIds.set(key, h);
  }
  return h;
}

/** The bookmark base (no /v2.1) of a base URL; the last one is kept: a list asks it for every server. */
let lastBase = '';
let lastBookmark = '';
function bookmarkOf(base: string): string {
  if (base !== lastBase) {
    lastBookmark = base.replace(/\/v2\.1$/, '');
    lastBase = base;
  }
  return lastBookmark;
}

export function serverLinks(base: string, id: string) {
  const bookmark = bookmarkOf(base);
  return [link(`${base}/servers/${id}`, 'self'), link(`${bookmark}/servers/${id}`, 'bookmark')];
}

function addresses(i: Instance) {
  const out: Record<string, unknown[]> = {};
  for (const ip of i.network_info) {
    (out[ip.label] ??= []).push({ version: ip.version, addr: ip.address, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': ip.mac });
    for (const f of ip.floating_ips ?? []) out[ip.label].push({ version: f.includes(':') ? 6 : 4, addr: f, 'OS-EXT-IPS:type': 'floating', 'OS-EXT-IPS-MAC:mac_addr': ip.mac });
  }
  return out;
}

export function basicServer(base: string, i: Instance) {
  return { id: i.uuid, links: serverLinks(base, i.uuid), name: i.display_name };
}

export function serverDetail(i: Instance, o: ServerViewOpts): Record<string, unknown> {
  const v = o.version;
  const bookmark = bookmarkOf(o.base);
  const status = i.deleted ? 'DELETED' : statusFromState(i.vm_state, i.task_state);
  const s: Record<string, unknown> = {
    id: i.uuid,
    name: i.display_name,
    status,
    tenant_id: i.project_id,
    user_id: i.user_id,
    metadata: i.metadata,
    hostId: hostId(i),
    image: i.image_ref ? { id: i.image_ref, links: [link(`${bookmark}/images/${i.image_ref}`, 'bookmark')] } : '',
    flavor: v.matches('2.47')
      ? {
          vcpus: i.flavor.vcpus, ram: i.flavor.memory_mb, disk: i.flavor.root_gb, ephemeral: i.flavor.ephemeral_gb,
          swap: i.flavor.swap, original_name: i.flavor.name, extra_specs: i.flavor.extra_specs,
        }
      : { id: i.flavor.flavorid, links: [link(`${bookmark}/flavors/${i.flavor.flavorid}`, 'bookmark')] },
    created: isoSecondsZ(i.created_at),
    updated: isoSecondsZ(i.updated_at ?? i.created_at),
    addresses: addresses(i),
    accessIPv4: '',
    accessIPv6: '',
    links: serverLinks(o.base, i.uuid),
    'OS-DCF:diskConfig': i.auto_disk_config ? 'AUTO' : 'MANUAL',
    progress: i.progress,
    'OS-EXT-AZ:availability_zone': i.availability_zone ?? '',
    config_drive: i.config_drive,
    key_name: i.key_name,
    'OS-SRV-USG:launched_at': i.launched_at ? isoMicro(i.launched_at) : null,
    'OS-SRV-USG:terminated_at': i.terminated_at ? isoMicro(i.terminated_at) : null,
    security_groups: [{ name: 'default' }],
    'OS-EXT-STS:task_state': i.task_state,
    'OS-EXT-STS:vm_state': i.vm_state,
    'OS-EXT-STS:power_state': i.power_state,
    'os-extended-volumes:volumes_attached': o.bdms
      .filter((b) => b.volume_id)
      .map((b) => (v.matches('2.3') ? { id: b.volume_id, delete_on_termination: b.delete_on_termination } : { id: b.volume_id })),
  };
  if (o.isAdmin) {
    // os_compute_api:os-extended-server-attributes defaults to admin only.
    s['OS-EXT-SRV-ATTR:host'] = i.host;
    s['OS-EXT-SRV-ATTR:instance_name'] = `instance-${i.id.toString(16).padStart(8, '0')}`;
    s['OS-EXT-SRV-ATTR:hypervisor_hostname'] = i.node;
    if (v.matches('2.3')) {
      s['OS-EXT-SRV-ATTR:reservation_id'] = i.reservation_id;
      s['OS-EXT-SRV-ATTR:launch_index'] = i.launch_index;
      s['OS-EXT-SRV-ATTR:hostname'] = i.hostname;
      s['OS-EXT-SRV-ATTR:kernel_id'] = i.kernel_id;
      s['OS-EXT-SRV-ATTR:ramdisk_id'] = i.ramdisk_id;
      s['OS-EXT-SRV-ATTR:root_device_name'] = i.root_device_name;
      s['OS-EXT-SRV-ATTR:user_data'] = null;
    }
  } else if (v.matches('2.90')) {
    s['OS-EXT-SRV-ATTR:hostname'] = i.hostname;
  }
  if (v.matches('2.9')) s.locked = i.locked;
  if (v.matches('2.16') && o.isAdmin) s.host_status = i.host ? 'UP' : '';
  if (v.matches('2.19')) s.description = i.display_description;
  if (v.matches('2.26')) s.tags = i.tags;
  if (v.matches('2.63')) s.trusted_image_certificates = i.trusted_certs ?? null;
  if (v.matches('2.71') && o.detailKind === 'show') s.server_groups = [];
  if (v.matches('2.73')) s.locked_reason = i.system_metadata.locked_reason ?? null;
  if (v.matches('2.96')) s.pinned_availability_zone = null;
  if (v.matches('2.100') && o.detailKind === 'show') s.scheduler_hints = {};
  const fault = status === 'ERROR' || status === 'DELETED' ? (typeof o.fault === 'function' ? o.fault() : o.fault) : null;
  if (fault) {
    const f: Record<string, unknown> = { code: fault.code, created: isoSecondsZ(new Date(fault.created_at)), message: fault.message };
    // details only for admins or non-500 faults (views/servers.py _get_fault).
    if (fault.details && (o.isAdmin || fault.code !== 500)) f.details = fault.details;
    s.fault = f;
  }
  return s;
}
