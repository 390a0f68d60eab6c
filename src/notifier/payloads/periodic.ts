// Payloads of the compute service's periodic and start-up notifications:
// MetricsPayload/MetricPayload (nova/notifications/objects/metrics.py), VolumeUsagePayload
// (volume.py) and LibvirtErrorPayload (libvirt.py), each 1.0 in Zed 26.2.2 and master.
import type { Profile } from '../../profiles/index.js';
import { novaObject, payloadTime, type NovaObject } from '../primitive.js';
import { exceptionPayload, type ExceptionInfo } from './exception.js';

/** One MonitorMetric (nova/objects/monitor_metric.py). */
export interface MetricInfo {
  name: string;
  value: number;
  timestamp: Date;
  source: string;
}

export function metricsPayload(m: { host: string; hostIp: string; nodename: string; metrics: readonly MetricInfo[] }, profile: Profile): NovaObject {
  return novaObject('MetricsPayload', {
    host_ip: m.hostIp,
    host: m.host,
    nodename: m.nodename,
    metrics: m.metrics.map((x) => novaObject('MetricPayload', {
      timestamp: payloadTime(x.timestamp), source: x.source, numa_membw_values: null, name: x.name, value: x.value,
    }, profile)),
  }, profile);
}

/** A VolumeUsage row (nova/objects/volume_usage.py): the totals plus the current counters. */
export interface VolumeUsageInfo {
  volumeId: string;
  instanceUuid: string;
  projectId: string;
  userId: string;
  availabilityZone: string | null;
  lastRefreshed: Date;
  reads: number;
  readBytes: number;
  writes: number;
  writeBytes: number;
}

export function volumeUsagePayload(u: VolumeUsageInfo, profile: Profile): NovaObject {
  return novaObject('VolumeUsagePayload', {
    volume_id: u.volumeId, project_id: u.projectId, user_id: u.userId, availability_zone: u.availabilityZone,
    instance_uuid: u.instanceUuid, last_refreshed: payloadTime(u.lastRefreshed),
    reads: u.reads, read_bytes: u.readBytes, writes: u.writes, write_bytes: u.writeBytes,
  }, profile);
}

export function libvirtErrorPayload(ip: string, reason: ExceptionInfo, profile: Profile): NovaObject {
  return novaObject('LibvirtErrorPayload', { ip, reason: exceptionPayload(reason, profile) }, profile);
}
