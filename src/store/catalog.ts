// Flavors and images (the seeded catalogue a server is built from).
import type { FlavorSnapshot } from '../domain.js';
import type { Db } from './db.js';
import { bool } from './rows.js';

export interface ImageRow {
  id: string; name: string; status: string; visibility: string; owner: string | null; disk_format: string; container_format: string;
  size: number; min_disk: number; min_ram: number; checksum: string | null; properties: string; created_at: string; updated_at: string;
}

function toFlavor(r: Record<string, unknown>): FlavorSnapshot {
  return {
    id: r.id as number, flavorid: r.flavorid as string, name: r.name as string, memory_mb: r.memory_mb as number, vcpus: r.vcpus as number,
    root_gb: r.root_gb as number, ephemeral_gb: r.ephemeral_gb as number, swap: r.swap as number, rxtx_factor: r.rxtx_factor as number,
    vcpu_weight: (r.vcpu_weight as number) ?? null, disabled: bool(r.disabled), is_public: bool(r.is_public),
    extra_specs: JSON.parse(r.extra_specs as string), description: (r.description as string) ?? null,
  };
}

export class CatalogStore {
  private flavorById;
  private flavorsAll;
  private imageById;
  private imagesAll;
  private insFlavor;
  private memberOf;

  constructor(db: Db) {
    this.flavorById = db.prepare('SELECT * FROM flavors WHERE flavorid = ?');
    this.flavorsAll = db.prepare('SELECT * FROM flavors ORDER BY memory_mb, flavorid');
    this.imageById = db.prepare('SELECT * FROM images WHERE id = ?');
    this.imagesAll = db.prepare('SELECT * FROM images ORDER BY created_at DESC, id');
    this.memberOf = db.prepare('SELECT 1 FROM image_members WHERE image_id = ? AND member = ?');
    this.insFlavor = db.prepare(
      `INSERT INTO flavors (flavorid, name, memory_mb, vcpus, root_gb, ephemeral_gb, swap, rxtx_factor, vcpu_weight, is_public, extra_specs, description)
       VALUES (@flavorid, @name, @memory_mb, @vcpus, @root_gb, @ephemeral_gb, @swap, @rxtx_factor, @vcpu_weight, @is_public, @extra_specs, @description)`,
    );
  }

  flavor(flavorid: string): FlavorSnapshot | null {
    const r = this.flavorById.get(flavorid) as Record<string, unknown> | undefined;
    return r ? toFlavor(r) : null;
  }

  flavors(): FlavorSnapshot[] {
    return (this.flavorsAll.all() as Record<string, unknown>[]).map(toFlavor);
  }

  addFlavor(f: Omit<FlavorSnapshot, 'id' | 'disabled'>): FlavorSnapshot {
    const info = this.insFlavor.run({ ...f, is_public: f.is_public ? 1 : 0, extra_specs: JSON.stringify(f.extra_specs) });
    return { ...f, id: Number(info.lastInsertRowid), disabled: false };
  }

  image(id: string): ImageRow | null {
    return (this.imageById.get(id) as ImageRow | undefined) ?? null;
  }

  /**
   * Glance's get_image visibility, as Nova meets it when it looks the image up with the user's token: admin,
   * owner, public and community images, and shared images the project is a member of (image-fake/access.ts).
   */
  imageVisible(i: ImageRow, ctx: { projectId: string; isAdmin: boolean }): boolean {
    if (ctx.isAdmin || i.owner === ctx.projectId || i.visibility === 'public' || i.visibility === 'community') return true;
    return i.visibility === 'shared' && !!this.memberOf.get(i.id, ctx.projectId);
  }

  images(): ImageRow[] {
    return this.imagesAll.all() as ImageRow[];
  }
}
