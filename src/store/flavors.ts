// Nova API database flavors, flavor_extra_specs (a JSON column here) and flavor_projects
// (nova/objects/flavor.py: _flavor_get_query_from_db, _flavor_get_all_from_db, _flavor_create, …).
import type { FlavorSnapshot } from '../domain.js';
import type { Db } from './db.js';
import { bool } from './rows.js';
import { prepared } from './statement-cache.js';

type Row = Record<string, unknown>;

/** Who is looking: non-admins see public flavors and the private ones their project was given. */
export interface FlavorViewer {
  isAdmin: boolean;
  projectId: string | null;
}

export const FLAVOR_SORT_KEYS = [
  'created_at', 'description', 'disabled', 'ephemeral_gb', 'flavorid', 'id', 'is_public', 'memory_mb', 'name', 'root_gb',
  'rxtx_factor', 'swap', 'updated_at', 'vcpu_weight', 'vcpus',
] as const;
export type FlavorSortKey = (typeof FLAVOR_SORT_KEYS)[number];

export interface FlavorListFilter {
  viewer: FlavorViewer;
  /** null: public and private alike. */
  isPublic: boolean | null;
  disabled?: boolean;
  minMemoryMb?: number;
  minRootGb?: number;
  /** REGEXP on the name (2.102). */
  name?: RegExp;
  sortKey: FlavorSortKey;
  sortDir: 'asc' | 'desc';
  limit: number;
  marker?: string;
}

export type NewFlavor = Omit<FlavorSnapshot, 'id' | 'disabled'>;

export class FlavorIdExists extends Error {}
export class FlavorNameExists extends Error {}
export class FlavorMarkerNotFound extends Error {}

function toFlavor(r: Row): FlavorSnapshot {
  return {
    id: r.id as number, flavorid: r.flavorid as string, name: r.name as string, memory_mb: r.memory_mb as number, vcpus: r.vcpus as number,
    root_gb: r.root_gb as number, ephemeral_gb: r.ephemeral_gb as number, swap: r.swap as number, rxtx_factor: r.rxtx_factor as number,
    vcpu_weight: (r.vcpu_weight as number) ?? null, disabled: bool(r.disabled), is_public: bool(r.is_public),
    extra_specs: JSON.parse(r.extra_specs as string), description: (r.description as string) ?? null,
  };
}

/** The visibility clause of _flavor_get_query_from_db. */
function visibleClause(v: FlavorViewer, args: Row): string | null {
  if (v.isAdmin) return null;
  args.viewerProject = v.projectId;
  return '(is_public = 1 OR id IN (SELECT flavor_id FROM flavor_projects WHERE project_id = @viewerProject))';
}

export class FlavorStore {
  private byFlavorId;
  private projectsOf;
  private insProject;
  private delProject;

  constructor(private db: Db) {
    this.byFlavorId = prepared(db, 'SELECT * FROM flavors WHERE flavorid = ? ORDER BY id LIMIT 1');
    this.projectsOf = prepared(db, 'SELECT project_id FROM flavor_projects WHERE flavor_id = ? ORDER BY rowid');
    this.insProject = prepared(db, 'INSERT OR IGNORE INTO flavor_projects (flavor_id, project_id) VALUES (?, ?)');
    this.delProject = prepared(db, 'DELETE FROM flavor_projects WHERE flavor_id = ? AND project_id = ?');
  }

  /** Flavor.get_by_flavor_id: null when missing or not visible to `viewer` (when given). */
  get(flavorid: string, viewer?: FlavorViewer): FlavorSnapshot | null {
    const r = this.byFlavorId.get(flavorid) as Row | undefined;
    if (!r) return null;
    const f = toFlavor(r);
    if (viewer && !viewer.isAdmin && !f.is_public && !this.projects(f.id).includes(viewer.projectId ?? '')) return null;
    return f;
  }

  /** Every flavor, for callers that show the whole catalogue. */
  all(): FlavorSnapshot[] {
    return (prepared(this.db, 'SELECT * FROM flavors ORDER BY flavorid, id').all() as Row[]).map(toFlavor);
  }

  /** _flavor_get_all_from_db with paginate_query(sort_key, id). */
  list(f: FlavorListFilter): FlavorSnapshot[] {
    const args: Row = {};
    const where: string[] = [];
    const vis = visibleClause(f.viewer, args);
    if (vis) where.push(vis);
    if (f.minMemoryMb !== undefined) {
      where.push('memory_mb >= @minRam');
      args.minRam = f.minMemoryMb;
    }
    if (f.minRootGb !== undefined) {
      where.push('root_gb >= @minDisk');
      args.minDisk = f.minRootGb;
    }
    if (f.disabled !== undefined) {
      where.push('disabled = @disabled');
      args.disabled = f.disabled ? 1 : 0;
    }
    if (f.isPublic !== null) {
      args.isPublic = f.isPublic ? 1 : 0;
      if (f.isPublic && f.viewer.projectId) {
        args.project = f.viewer.projectId;
        where.push('(is_public = @isPublic OR id IN (SELECT flavor_id FROM flavor_projects WHERE project_id = @project))');
      } else {
        where.push('is_public = @isPublic');
      }
    }
    const key = f.sortKey;
    const dir = f.sortDir === 'desc' ? 'DESC' : 'ASC';
    if (f.marker !== undefined) {
      const mArgs: Row = {};
      const mVis = visibleClause(f.viewer, mArgs);
      const m = prepared(this.db, `SELECT * FROM flavors WHERE flavorid = @marker${mVis ? ` AND ${mVis}` : ''} LIMIT 1`).get({ ...mArgs, marker: f.marker }) as Row | undefined;
      if (!m) throw new FlavorMarkerNotFound(f.marker);
      const op = dir === 'ASC' ? '>' : '<';
      where.push(`(${key} ${op} @mk OR (${key} IS @mk AND id ${op} @mid))`);
      args.mk = m[key] as unknown;
      args.mid = m.id;
    }
    args.limit = f.limit;
    const sql = `SELECT * FROM flavors ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${key} ${dir}, id ${dir} LIMIT @limit`;
    let rows = prepared(this.db, sql).all(args) as Row[];
    if (f.name) {
      const re = f.name;
      rows = rows.filter((r) => re.test(String(r.name)));
    }
    return rows.map(toFlavor);
  }

  /** _flavor_create: a duplicate flavorid wins over a duplicate name, as the DB error says. */
  create(v: NewFlavor, nowIso: string): FlavorSnapshot {
    if (this.byFlavorId.get(v.flavorid)) throw new FlavorIdExists(v.flavorid);
    if (prepared(this.db, 'SELECT 1 FROM flavors WHERE name = ?').get(v.name)) throw new FlavorNameExists(v.name);
    const info = prepared(
      this.db,
      `INSERT INTO flavors (flavorid, name, memory_mb, vcpus, root_gb, ephemeral_gb, swap, rxtx_factor, vcpu_weight, is_public, extra_specs, description, created_at)
       VALUES (@flavorid, @name, @memory_mb, @vcpus, @root_gb, @ephemeral_gb, @swap, @rxtx_factor, @vcpu_weight, @is_public, @extra_specs, @description, @created_at)`,
    ).run({ ...v, is_public: v.is_public ? 1 : 0, extra_specs: JSON.stringify(v.extra_specs), created_at: nowIso });
    return { ...v, id: Number(info.lastInsertRowid), disabled: false };
  }

  /** _flavor_destroy: the row, its extra specs and its access list. */
  destroy(flavorid: string): FlavorSnapshot | null {
    const r = this.byFlavorId.get(flavorid) as Row | undefined;
    if (!r) return null;
    prepared(this.db, 'DELETE FROM flavor_projects WHERE flavor_id = ?').run(r.id);
    prepared(this.db, 'DELETE FROM flavors WHERE id = ?').run(r.id);
    return toFlavor(r);
  }

  setDescription(id: number, description: string | null, nowIso: string): void {
    prepared(this.db, 'UPDATE flavors SET description = ?, updated_at = ? WHERE id = ?').run(description, nowIso, id);
  }

  setExtraSpecs(id: number, specs: Record<string, string>, nowIso: string): void {
    prepared(this.db, 'UPDATE flavors SET extra_specs = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(specs), nowIso, id);
  }

  projects(id: number): string[] {
    return (this.projectsOf.all(id) as { project_id: string }[]).map((r) => r.project_id);
  }

  /** False when the project already had access (FlavorAccessExists). */
  addProject(id: number, projectId: string): boolean {
    return this.insProject.run(id, projectId).changes === 1;
  }

  /** False when the project had no access (FlavorAccessNotFound). */
  removeProject(id: number, projectId: string): boolean {
    return this.delProject.run(id, projectId).changes === 1;
  }
}
