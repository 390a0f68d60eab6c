// Shared state and helpers of the fake Cinder backend (HTTP-free): rows, clock, ids, policy,
// faults, tasks and the Nova port. The operation modules (volume-ops, attach-ops, migration-ops)
// are functions over this object; backend.ts exposes them as the public CinderBackend class.
import type { Services } from '../services.js';
import { isoMicro } from '../time-format.js';
import { CinderPolicy, type CinderCtx } from './context.js';
import { volumeNotFound, volumeTypeNotFoundByName } from './errors.js';
import { CinderFaults } from './faults.js';
import type { NovaPort } from './nova-client.js';
import { BACKENDS, backendHost, findBackend, type Backend } from './seed.js';
import { CinderStore, type Volume, type VolumeType } from './store.js';
import { TaskTracker } from './tasks.js';
import type { VolumeBundle } from './views/volumes.js';

/** API.AVAILABLE_MIGRATION_STATUS: values meaning "not migrating". */
export const AVAILABLE_MIGRATION_STATUS = [null, 'deleting', 'error', 'success'];
export const isMigrating = (v: Volume) => !AVAILABLE_MIGRATION_STATUS.includes(v.migration_status);

export class CinderCore {
  readonly store: CinderStore;
  readonly tasks: TaskTracker;
  readonly faults: CinderFaults;
  readonly policy: CinderPolicy;
  /** Errors of asynchronous work (what cinder-volume would log). */
  readonly taskErrors: unknown[] = [];

  constructor(
    readonly services: Services,
    public nova: NovaPort,
  ) {
    this.store = new CinderStore(services.db);
    this.tasks = new TaskTracker((err) => this.logTaskError(err));
    this.faults = new CinderFaults(services.faults);
    this.policy = new CinderPolicy(services.profile.cinder);
  }

  /** What cinder-volume would log: failures of asynchronous work (kept for tests and diagnostics). */
  logTaskError(err: unknown): void {
    this.taskErrors.push(err);
    if (this.taskErrors.length > 100) this.taskErrors.shift();
  }

  get config() {
    return this.services.config;
  }

  get switches() {
    return this.services.profile.cinder;
  }

  now(): string {
    return isoMicro(this.services.runtime.now());
  }

  uuid(): string {
    return this.services.runtime.uuid();
  }

  // ---- volumes ----

  /** objects.Volume.get_by_id: project_only for non-admin contexts, 404 otherwise. */
  loadVolume(ctx: CinderCtx, id: string): Volume {
    const v = this.store.getVolume(id);
    if (!v || (!ctx.isAdmin && v.project_id !== ctx.projectId)) throw volumeNotFound(id);
    return v;
  }

  /** API.get: load, then volume:get — a policy failure is reported as 404 too. */
  getVolume(ctx: CinderCtx, id: string): Volume {
    const v = this.loadVolume(ctx, id);
    if (!this.policy.check('volume:get', ctx, v.project_id)) throw volumeNotFound(id);
    return v;
  }

  /** Re-read a volume the caller already holds (after updates). */
  reload(id: string): Volume {
    const v = this.store.getVolume(id);
    if (!v) throw volumeNotFound(id);
    return v;
  }

  /** volume.save(): every write bumps updated_at. */
  saveVolume(id: string, patch: Partial<Volume>): void {
    this.store.updateVolume(id, { ...patch, updated_at: this.now() });
  }

  bundle(v: Volume): VolumeBundle {
    return { volume: v, type: this.typeOf(v), attachments: this.store.attachmentsOf(v.id) };
  }

  // ---- types and backends ----

  ensureTypes(): void {
    // The clock is read only when the types are actually seeded (this runs on every volume read).
    this.store.ensureTypes(() => this.now());
  }

  typeOf(v: Volume): VolumeType | undefined {
    if (!v.volume_type_id) return undefined;
    this.ensureTypes();
    return this.store.typeById(v.volume_type_id);
  }

  /** volume_types.get_by_name_or_id: by id when uuid-like (then by name), else by name. */
  typeByNameOrId(ref: string): VolumeType {
    this.ensureTypes();
    const t = this.store.typeById(ref) ?? this.store.typeByName(ref);
    if (!t) throw volumeTypeNotFoundByName(ref);
    return t;
  }

  /** The backend a type lands on (its volume_backend_name), or the first one for untargeted types. */
  backendForType(t: VolumeType | undefined): Backend {
    const name = t?.extra_specs.volume_backend_name;
    return BACKENDS.find((b) => b.name === name) ?? BACKENDS[0];
  }

  /** Whether a volume's current backend satisfies a type (scheduler CapabilitiesFilter on volume_backend_name). */
  backendAccepts(host: string | null, t: VolumeType): boolean {
    const want = t.extra_specs.volume_backend_name;
    if (!want) return true;
    return host !== null && findBackend(this.config.cinderHost, host)?.name === want;
  }

  hostOf(b: Backend): string {
    return backendHost(this.config.cinderHost, b.name);
  }

  backendOf(host: string | null): Backend | undefined {
    return host ? findBackend(this.config.cinderHost, host) : undefined;
  }
}
