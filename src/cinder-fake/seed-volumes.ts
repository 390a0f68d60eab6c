// The seed file's `volumes`: volumes with known ids (Nova's CinderFixture ids, test fixtures),
// created `available` on their type's backend as if the volume manager had just built them.
// Applied at start (empty database) and after every reset.
import { z } from 'zod';
import type { Seed } from '../store/seed.js';
import type { CinderCore } from './core.js';
import type { Volume } from './store.js';

export const SeedVolumeSchema = z
  .object({
    id: z.string().uuid(),
    /** Owning project, by seed name or id. */
    project: z.string().min(1),
    /** Owning user, by seed name or id. */
    user: z.string().min(1),
    size: z.number().int().min(1),
    name: z.string().nullable().default(null),
    description: z.string().nullable().default(null),
    /** Volume type name or id; default: the default type. A multiattach type makes the volume multiattach. */
    volume_type: z.string().min(1).optional(),
    bootable: z.boolean().default(false),
    metadata: z.record(z.string(), z.string()).default({}),
  })
  .strict();
export type SeedVolume = z.output<typeof SeedVolumeSchema>;

/** Insert the seed's volumes that do not exist yet (by id). */
export function applySeedVolumes(core: CinderCore, seed: Pick<Seed, 'volumes' | 'projects' | 'users'>): void {
  const projects = new Map(seed.projects.map((p) => [p.name, p.id]));
  const users = new Map(seed.users.map((u) => [u.name, u.id]));
  const volumes = seed.volumes.map((v, i) => {
    const parsed = SeedVolumeSchema.safeParse(v);
    if (!parsed.success) throw new Error(`seed volumes[${i}]: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    return parsed.data;
  });
  core.ensureTypes();
  const now = core.now();
  core.store.transaction(() => {
    for (const s of volumes) {
      if (core.store.getVolume(s.id)) continue;
      const type = s.volume_type ? core.typeByNameOrId(s.volume_type) : core.store.defaultType();
      const backend = core.backendForType(type);
      const v: Volume = {
        id: s.id,
        name_id: null,
        project_id: projects.get(s.project) ?? s.project,
        user_id: users.get(s.user) ?? s.user,
        display_name: s.name,
        display_description: s.description,
        size: s.size,
        availability_zone: backend.availabilityZone,
        status: 'available',
        attach_status: 'detached',
        migration_status: null,
        previous_status: null,
        host: core.hostOf(backend),
        cluster_name: null,
        volume_type_id: type?.id ?? null,
        multiattach: type?.extra_specs.multiattach === '<is> True',
        bootable: s.bootable,
        encryption_key_id: null,
        provider_id: null,
        provider_location: null,
        // What the manager's create writes (volume-ops.ts scheduleCreate).
        provider_auth: `CHAP user-${s.id.slice(0, 8)} pass-${s.id.slice(-8)}`,
        replication_status: 'disabled',
        service_uuid: backend.serviceUuid,
        shared_targets: false,
        use_quota: true,
        group_id: null,
        consistencygroup_id: null,
        snapshot_id: null,
        source_volid: null,
        metadata: s.metadata,
        admin_metadata: {},
        glance_metadata: null,
        created_at: now,
        updated_at: now,
        launched_at: now,
        terminated_at: null,
      };
      core.store.insertVolume(v);
    }
  });
}
