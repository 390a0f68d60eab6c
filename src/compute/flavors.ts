// Flavor writes as nova-api does them (nova/compute/flavors.py create, nova/objects/flavor.py Flavor
// create/save/destroy/add_access/remove_access), each one transaction followed by its versioned
// notification (Flavor._send_notification: flavor.create / flavor.update / flavor.delete).
import type { FlavorSnapshot, RequestContext } from '../domain.js';
import { notifyAboutFlavor } from '../notifier/flavor-notifications.js';
import type { Notifier } from '../notifier/notifier.js';
import type { Services } from '../services.js';
import { FlavorIdExists, FlavorNameExists, type NewFlavor } from '../store/flavors.js';
import { ComputeException } from './exceptions.js';

const nova = (pyClass: string, message: string, code: number) => new ComputeException(pyClass, message, { novaException: true, code });

export const flavorNotFound = (id: string | number) => nova('FlavorNotFound', `Flavor ${id} could not be found.`, 404);

export class FlavorApi {
  constructor(
    private s: Services,
    private notifier: Notifier,
  ) {}

  /** flavors.get_flavor_by_flavor_id as the caller may see it (common.get_flavor). */
  get(ctx: RequestContext, flavorid: string): FlavorSnapshot {
    const f = this.s.flavors.get(flavorid, ctx);
    if (!f) throw flavorNotFound(flavorid);
    return f;
  }

  /** flavors.create → Flavor.create(): the payload has extra_specs unset (null) and projects loaded ([]). */
  create(ctx: RequestContext, v: NewFlavor): FlavorSnapshot {
    const s = this.s;
    let flavor: FlavorSnapshot;
    try {
      flavor = s.db.transaction(() => s.flavors.create(v, s.runtime.now().toISOString()))();
    } catch (e) {
      if (e instanceof FlavorIdExists) throw nova('FlavorIdExists', `Flavor with ID ${v.flavorid} already exists.`, 409);
      if (e instanceof FlavorNameExists) throw nova('FlavorExists', `Flavor with name ${v.name} already exists.`, 409);
      throw e;
    }
    notifyAboutFlavor(this.notifier, ctx, 'create', { ...flavor, extra_specs: null, projects: s.flavors.projects(flavor.id) });
    return flavor;
  }

  /** Flavor.destroy(): the payload has neither extra_specs nor projects loaded. */
  destroy(ctx: RequestContext, flavorid: string): void {
    const s = this.s;
    const gone = s.db.transaction(() => s.flavors.destroy(flavorid))();
    if (!gone) throw flavorNotFound(flavorid);
    notifyAboutFlavor(this.notifier, ctx, 'delete', { ...gone, extra_specs: null, projects: null });
  }

  /** PUT /flavors/{id} (2.55): flavor.description = …; flavor.save(). */
  updateDescription(ctx: RequestContext, flavor: FlavorSnapshot, description: string | null): FlavorSnapshot {
    const s = this.s;
    s.db.transaction(() => s.flavors.setDescription(flavor.id, description, s.runtime.now().toISOString()))();
    const fresh = { ...flavor, description };
    // save() notifies only when something changed.
    if (description !== flavor.description) this.notifyUpdate(ctx, fresh);
    return fresh;
  }

  /** flavor.extra_specs = {...}; flavor.save(): added/changed keys are written, removed ones deleted. */
  setExtraSpecs(ctx: RequestContext, flavor: FlavorSnapshot, specs: Record<string, string>): FlavorSnapshot {
    const s = this.s;
    const current = s.flavors.get(flavor.flavorid);
    if (!current) throw flavorNotFound(flavor.id);
    // save() writes and notifies only when the dict differs from the loaded one (obj_what_changed).
    const before = current.extra_specs;
    const same = Object.keys(before).length === Object.keys(specs).length && Object.entries(specs).every(([k, v]) => before[k] === v);
    if (same) return current;
    s.db.transaction(() => s.flavors.setExtraSpecs(flavor.id, specs, s.runtime.now().toISOString()))();
    const fresh = { ...current, extra_specs: specs };
    this.notifyUpdate(ctx, fresh);
    return fresh;
  }

  /** Flavor.add_access (FlavorAccessExists names the flavor's internal id, as _flavor_add_project does). */
  addAccess(ctx: RequestContext, flavor: FlavorSnapshot, projectId: string): string[] {
    const s = this.s;
    const added = s.db.transaction(() => s.flavors.addProject(flavor.id, projectId))();
    if (!added) throw nova('FlavorAccessExists', `Flavor access already exists for flavor ${flavor.id} and project ${projectId} combination.`, 409);
    return this.notifyUpdate(ctx, flavor);
  }

  /** Flavor.remove_access. */
  removeAccess(ctx: RequestContext, flavor: FlavorSnapshot, projectId: string): string[] {
    const s = this.s;
    const removed = s.db.transaction(() => s.flavors.removeProject(flavor.id, projectId))();
    if (!removed) throw nova('FlavorAccessNotFound', `Flavor access not found for ${flavor.id} / ${projectId} combination.`, 404);
    return this.notifyUpdate(ctx, flavor);
  }

  /** _send_notification(UPDATE): projects are (re)loaded first; returns them. */
  private notifyUpdate(ctx: RequestContext, flavor: FlavorSnapshot): string[] {
    const current = this.s.flavors.get(flavor.flavorid) ?? flavor;
    const projects = this.s.flavors.projects(flavor.id);
    notifyAboutFlavor(this.notifier, ctx, 'update', { ...current, projects });
    return projects;
  }
}
