// Seed data (users, projects, roles, flavors, images): the default fixture or a user's --seed file.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Db } from './db.js';
import { prepared } from './statement-cache.js';

export const SeedSchema = z.object({
  projects: z.array(z.object({ id: z.string().min(1), name: z.string().min(1) })).default([]),
  roles: z.array(z.string().min(1)).default([]),
  users: z
    .array(
      z.object({
        id: z.string().min(1),
        name: z.string().min(1),
        password: z.string(),
        project: z.string().optional(),
        roles: z.record(z.string(), z.array(z.string())).default({}),
      }),
    )
    .default([]),
  flavors: z
    .array(
      z.object({
        flavorid: z.string().min(1),
        name: z.string().min(1),
        memory_mb: z.number().int().min(1),
        vcpus: z.number().int().min(1),
        root_gb: z.number().int().min(0),
        ephemeral_gb: z.number().int().min(0).default(0),
        swap: z.number().int().min(0).default(0),
        rxtx_factor: z.number().default(1.0),
        vcpu_weight: z.number().int().nullable().default(0),
        is_public: z.boolean().default(true),
        extra_specs: z.record(z.string(), z.string()).default({}),
        description: z.string().nullable().default(null),
      }),
    )
    .default([]),
  images: z
    .array(
      z.object({
        id: z.string().uuid(),
        name: z.string(),
        disk_format: z.string().default('qcow2'),
        container_format: z.string().default('bare'),
        size: z.number().int().default(0),
        min_disk: z.number().int().default(0),
        min_ram: z.number().int().default(0),
        checksum: z.string().nullable().default(null),
        visibility: z.enum(['public', 'private', 'shared', 'community']).default('public'),
        owner: z.string().nullable().default(null),
        properties: z.record(z.string(), z.string()).default({}),
        /** Glance tags. */
        tags: z.array(z.string()).default([]),
        /** Glance's created_at/updated_at (ISO 8601); default: when the seed is applied. */
        created_at: z.string().datetime({ offset: true }).optional(),
        updated_at: z.string().datetime({ offset: true }).optional(),
      }),
    )
    .default([]),
  keypairs: z
    .array(z.object({ user: z.string(), name: z.string().min(1), public_key: z.string(), fingerprint: z.string(), type: z.enum(['ssh', 'x509']).default('ssh') }))
    .default([]),
  ports: z
    .array(
      z.object({
        id: z.string().uuid(), network: z.string().default('private'), mac: z.string(), address: z.string(),
        version: z.union([z.literal(4), z.literal(6)]).default(4), device_name: z.string().nullable().default(null), project: z.string().optional(),
      }),
    )
    .default([]),
  /** Volumes for the fake Cinder (tests and sample scenarios need known ids); format: src/cinder-fake/seed-volumes.ts. */
  volumes: z.array(z.record(z.string(), z.unknown())).default([]),
  /** Shares for the fake Manila (known ids); format: src/manila-fake/seed.ts. */
  shares: z.array(z.record(z.string(), z.unknown())).default([]),
  /** Networks and routers for the fake Neutron (default: devstack's private/public/router1); format: src/neutron-fake/seed.ts. */
  networks: z.array(z.record(z.string(), z.unknown())).optional(),
  routers: z.array(z.record(z.string(), z.unknown())).optional(),
  /** Compute hosts (one node each) replacing the generated `computeHosts`; format: src/store/hosts.ts HostSeedSchema. */
  computeHosts: z.array(z.record(z.string(), z.unknown())).optional(),
});
export type Seed = z.output<typeof SeedSchema>;

export const DEFAULT_SEED_PATH = fileURLToPath(new URL('../../fixtures/seed.json', import.meta.url));

export function loadSeed(path?: string): Seed {
  const file = path ?? DEFAULT_SEED_PATH;
  return SeedSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** Insert the seed; projects/users/roles referenced by name. Runs inside the caller's transaction. */
export function applySeed(db: Db, seed: Seed, nowIso: string): void {
  const projId = new Map(seed.projects.map((p) => [p.name, p.id]));
  const insProject = prepared(db, 'INSERT OR IGNORE INTO projects (id, name) VALUES (?, ?)');
  const insRole = prepared(db, 'INSERT OR IGNORE INTO roles (id, name) VALUES (?, ?)');
  const insUser = prepared(db, 'INSERT OR IGNORE INTO users (id, name, password, default_project_id) VALUES (?, ?, ?, ?)');
  const insAssign = prepared(db, 'INSERT OR IGNORE INTO role_assignments (user_id, project_id, role_id) VALUES (?, ?, ?)');
  const insFlavor = prepared(db,
    `INSERT OR IGNORE INTO flavors (flavorid, name, memory_mb, vcpus, root_gb, ephemeral_gb, swap, rxtx_factor, vcpu_weight, is_public, extra_specs, description)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insImage = prepared(db,
    `INSERT OR IGNORE INTO images (id, name, visibility, owner, disk_format, container_format, size, min_disk, min_ram, checksum, properties, tags, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insKeypair = prepared(db, 'INSERT OR IGNORE INTO keypairs (name, user_id, fingerprint, public_key, type, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const userId = new Map(seed.users.map((u) => [u.name, u.id]));
  // Keystone's `default` domain (migration 010) comes back with the seed after a reset.
  prepared(db, "INSERT OR IGNORE INTO domains (id, name, description) VALUES ('default', 'Default', 'The default domain')").run();
  for (const p of seed.projects) insProject.run(p.id, p.name);
  const roleNames = new Set([...seed.roles, ...seed.users.flatMap((u) => Object.values(u.roles).flat())]);
  for (const r of roleNames) insRole.run(r, r);
  for (const u of seed.users) {
    insUser.run(u.id, u.name, u.password, u.project ? (projId.get(u.project) ?? u.project) : null);
    for (const [project, roles] of Object.entries(u.roles)) {
      const pid = projId.get(project) ?? project;
      for (const r of roles) insAssign.run(u.id, pid, r);
    }
  }
  for (const f of seed.flavors) {
    insFlavor.run(f.flavorid, f.name, f.memory_mb, f.vcpus, f.root_gb, f.ephemeral_gb, f.swap, f.rxtx_factor, f.vcpu_weight, f.is_public ? 1 : 0, JSON.stringify(f.extra_specs), f.description);
  }
  for (const i of seed.images) {
    const created = i.created_at ? new Date(i.created_at).toISOString() : nowIso;
    insImage.run(
      i.id, i.name, i.visibility, i.owner, i.disk_format, i.container_format, i.size, i.min_disk, i.min_ram, i.checksum,
      JSON.stringify(i.properties), JSON.stringify(i.tags), created, i.updated_at ? new Date(i.updated_at).toISOString() : created,
    );
  }
  for (const k of seed.keypairs) insKeypair.run(k.name, userId.get(k.user) ?? k.user, k.fingerprint, k.public_key, k.type, nowIso);
}
