// After an extend, cinder-volume tells Nova about every attached instance (cinder/volume/manager.py
// extend_volume → compute/nova.py API.extend_volume): POST /os-server-external-events at 2.51 with
// {"name": "volume-extended", "server_uuid", "tag": volume_id} as the privileged [nova] user. A refusal is
// only logged (_send_events returns False), the extend itself stands.
import type { CinderCore } from './core.js';

export function notifyVolumeExtended(core: CinderCore, volumeId: string): void {
  const instances = [...new Set(core.store.attachmentsOf(volumeId).map((a) => a.instance_uuid).filter((u): u is string => !!u))];
  if (!instances.length || !core.nova.extendVolume) return;
  core.tasks.track(core.nova.extendVolume(instances, volumeId));
}
