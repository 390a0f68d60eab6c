// The seed's shares for the fake Manila (like the seed's volumes for the fake Cinder): known ids, an owning
// project (by seed name or id), a protocol, a status and export paths. Applied at start (empty database)
// and after every reset. Format:
//   {"shares": [{"id": "<uuid>", "project": "demo", "share_proto": "NFS", "size": 1,
//                "export_locations": ["10.0.0.50:/mnt/foo"]}]}
import { z } from 'zod';
import type { Seed } from '../store/seed.js';
import { SHARE_PROTOCOLS, type ManilaBackend } from './backend.js';

export const SeedShareSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string().nullable().default(null),
    project: z.string().min(1),
    user: z.string().min(1).default('seed'),
    size: z.number().int().min(1).default(1),
    share_proto: z.enum(SHARE_PROTOCOLS).default('NFS'),
    status: z.enum(['available', 'error', 'creating', 'inactive']).default('available'),
    export_locations: z.array(z.string().min(1)).default([]),
  })
  .strict();

export function applySeedShares(backend: ManilaBackend, seed: Pick<Seed, 'projects'> & { shares?: unknown[] }): void {
  const projects = new Map(seed.projects.map((p) => [p.name, p.id]));
  const known = new Set(seed.projects.map((p) => p.id));
  const shares = (seed.shares ?? []).map((raw, i) => {
    const parsed = SeedShareSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`seed shares[${i}]: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    const sh = parsed.data;
    const projectId = projects.get(sh.project) ?? (known.has(sh.project) ? sh.project : null);
    if (!projectId) throw new Error(`seed shares[${i}]: unknown project ${sh.project}`);
    return { id: sh.id, project_id: projectId, user_id: sh.user, name: sh.name, size: sh.size, share_proto: sh.share_proto, status: sh.status, export_locations: sh.export_locations };
  });
  backend.seed(shares);
}
