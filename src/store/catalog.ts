// Images (the seeded catalogue a server is built from); flavors live in ./flavors.ts.
import type { FlavorSnapshot } from '../domain.js';
import type { Db } from './db.js';
import { FlavorStore } from './flavors.js';

export interface ImageRow {
  id: string; name: string; status: string; visibility: string; owner: string | null; disk_format: string; container_format: string;
  size: number; min_disk: number; min_ram: number; checksum: string | null; properties: string; created_at: string; updated_at: string;
}

export class CatalogStore {
  private imageById;
  private imagesAll;
  private flavorStore: FlavorStore;

  constructor(db: Db) {
    this.flavorStore = new FlavorStore(db);
    this.imageById = db.prepare('SELECT * FROM images WHERE id = ?');
    this.imagesAll = db.prepare('SELECT * FROM images ORDER BY created_at DESC, id');
  }

  /** The flavor by API id, whoever may see it (admin view); see FlavorStore for the per-project view. */
  flavor(flavorid: string): FlavorSnapshot | null {
    return this.flavorStore.get(flavorid);
  }

  image(id: string): ImageRow | null {
    return (this.imageById.get(id) as ImageRow | undefined) ?? null;
  }

  images(): ImageRow[] {
    return this.imagesAll.all() as ImageRow[];
  }
}
