// Images (the seeded catalogue a server is built from); flavors live in ./flavors.ts.
import type { FlavorSnapshot } from '../domain.js';
import type { Db } from './db.js';
import { FlavorStore } from './flavors.js';
import { prepared } from './statement-cache.js';

export interface ImageRow {
  id: string; name: string; status: string; visibility: string; owner: string | null; disk_format: string; container_format: string;
  size: number; min_disk: number; min_ram: number; checksum: string | null; properties: string; created_at: string; updated_at: string;
}

export class CatalogStore {
  private imageById;
  private imagesAll;
  private flavorStore: FlavorStore;
  private memberOf;

  constructor(db: Db) {
    this.flavorStore = new FlavorStore(db);
    this.imageById = prepared(db, 'SELECT * FROM images WHERE id = ?');
    this.imagesAll = prepared(db, 'SELECT * FROM images ORDER BY created_at DESC, id');
    this.memberOf = prepared(db, 'SELECT 1 FROM image_members WHERE image_id = ? AND member = ?');
  }

  /** The flavor by API id, whoever may see it (admin view); see FlavorStore for the per-project view. */
  flavor(flavorid: string): FlavorSnapshot | null {
    return this.flavorStore.get(flavorid);
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
