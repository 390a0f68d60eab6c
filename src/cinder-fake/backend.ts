// CinderBackend: the fake Cinder as a model, free of HTTP (moto-style). The plugin's routes call it;
// tests and the simulator may call it directly (inspect rows, wait for the volume manager, reset).
import * as reimage from './reimage-ops.js';
import type { Services } from '../services.js';
import * as attach from './attach-ops.js';
import type { CinderCtx } from './context.js';
import { CinderCore } from './core.js';
import * as migration from './migration-ops.js';
import { HttpNova, type NovaPort } from './nova-client.js';
import { applySeedVolumes } from './seed-volumes.js';
import type { Seed } from '../store/seed.js';
import type { Attachment, Volume, VolumeType } from './store.js';
import * as volumes from './volume-ops.js';
import { recoverWorkers, type CinderRecoveryReport } from './workers.js';

export interface CinderBackendOptions {
  /** How Cinder reaches Nova; default: HTTP to `config.novaUrl` or this simulator's /compute/v2.1. */
  nova?: NovaPort;
}

export class CinderBackend {
  readonly core: CinderCore;

  constructor(services: Services, opts: CinderBackendOptions = {}) {
    this.core = new CinderCore(services, opts.nova ?? new HttpNova(services));
  }

  /** Swap the Nova port (e.g. a stub in tests). */
  set nova(port: NovaPort) {
    this.core.nova = port;
  }

  get nova(): NovaPort {
    return this.core.nova;
  }

  // ---- volumes ----
  createVolume = (ctx: CinderCtx, req: volumes.CreateVolumeRequest) => volumes.createVolume(this.core, ctx, req);
  showVolume = (ctx: CinderCtx, id: string) => volumes.showVolume(this.core, ctx, id);
  listVolumes = (ctx: CinderCtx, q: volumes.ListQuery) => volumes.listVolumes(this.core, ctx, q);
  updateVolume = (ctx: CinderCtx, id: string, fields: Record<string, unknown>) => volumes.updateVolume(this.core, ctx, id, fields);
  deleteVolume = (ctx: CinderCtx, id: string, o: volumes.DeleteOptions) => volumes.deleteVolume(this.core, ctx, id, o);
  forceDelete = (ctx: CinderCtx, id: string) => volumes.forceDelete(this.core, ctx, id);
  extendVolume = (ctx: CinderCtx, id: string, newSize: number, inUseAllowed: boolean) => volumes.extendVolume(this.core, ctx, id, newSize, inUseAllowed);
  reimageVolume = (ctx: CinderCtx, id: string, imageId: string, reimageReserved: boolean) => reimage.reimageVolume(this.core, ctx, id, imageId, reimageReserved);
  resetStatus = (ctx: CinderCtx, id: string, body: Record<string, string | null | undefined>) => volumes.resetStatus(this.core, ctx, id, body);

  // ---- attachments API ----
  attachmentCreate = (ctx: CinderCtx, r: attach.AttachmentCreateRequest) => attach.attachmentCreate(this.core, ctx, r);
  attachmentUpdate = (ctx: CinderCtx, id: string, connector: Record<string, unknown>) => attach.attachmentUpdate(this.core, ctx, id, connector);
  attachmentComplete = (ctx: CinderCtx, id: string) => attach.attachmentComplete(this.core, ctx, id);
  attachmentDelete = (ctx: CinderCtx, id: string) => attach.attachmentDelete(this.core, ctx, id);
  attachmentGet = (ctx: CinderCtx, id: string) => attach.attachmentGet(this.core, ctx, id);
  attachmentList = (ctx: CinderCtx, query: Record<string, string>) => attach.attachmentList(this.core, ctx, query);

  // ---- legacy volume actions ----
  reserve = (ctx: CinderCtx, id: string) => attach.reserve(this.core, ctx, id);
  unreserve = (ctx: CinderCtx, id: string) => attach.unreserve(this.core, ctx, id);
  beginDetaching = (ctx: CinderCtx, id: string) => attach.beginDetaching(this.core, ctx, id);
  rollDetaching = (ctx: CinderCtx, id: string) => attach.rollDetaching(this.core, ctx, id);
  attach = (ctx: CinderCtx, id: string, o: attach.AttachRequest) => attach.attach(this.core, ctx, id, o);
  detach = (ctx: CinderCtx, id: string, attachmentId: string | null) => attach.detach(this.core, ctx, id, attachmentId);
  initializeConnection = (ctx: CinderCtx, id: string, connector: Record<string, unknown>) => attach.initializeConnection(this.core, ctx, id, connector);
  terminateConnection = (ctx: CinderCtx, id: string) => attach.terminateConnection(this.core, ctx, id);

  // ---- retype and migration ----
  retype = (ctx: CinderCtx, id: string, newType: string, policy: string | null) => migration.retype(this.core, ctx, id, newType, policy);
  migrateVolume = (ctx: CinderCtx, id: string, r: migration.MigrateRequest, clusterAware: boolean) => migration.migrateVolume(this.core, ctx, id, r, clusterAware);
  migrateVolumeCompletion = (ctx: CinderCtx, id: string, newId: string, error: boolean) => migration.migrateVolumeCompletion(this.core, ctx, id, newId, error);

  // ---- volume types ----
  listTypes(): VolumeType[] {
    this.core.ensureTypes();
    return this.core.store.listTypes();
  }

  getType(id: string): VolumeType | undefined {
    this.core.ensureTypes();
    return this.core.store.typeById(id);
  }

  defaultType(): VolumeType | undefined {
    this.core.ensureTypes();
    return this.core.store.defaultType();
  }

  // ---- inspection (no policy: the model's own view) ----
  volume(id: string): Volume | undefined {
    return this.core.store.getVolume(id);
  }

  allVolumes(): Volume[] {
    return this.core.store.listVolumes({});
  }

  attachment(id: string): Attachment | undefined {
    return this.core.store.getAttachment(id);
  }

  attachmentsOf(volumeId: string): Attachment[] {
    return this.core.store.attachmentsOf(volumeId);
  }

  /** Errors raised by asynchronous manager work (most recent last). */
  /** Manager tasks queued or running (the simulator's idle() waits for 0). */
  get pendingTasks(): number {
    return this.core.tasks.size;
  }

  get taskErrors(): readonly unknown[] {
    return this.core.taskErrors;
  }

  // ---- time ----

  /** Resolve when no manager task is queued or running; `fastForward` starts waiting timers at once. */
  idle(opts: { fastForward?: boolean } = {}): Promise<void> {
    return this.core.tasks.idle(opts);
  }

  /** Manager tasks queued or running (what sim.idle() waits for). */
  pending(): number {
    return this.core.tasks.size;
  }

  /** Start every waiting timer now (creating → available etc. without the configured delay). */
  flush(): void {
    this.core.tasks.flush();
  }

  /** Create the seed file's `volumes` that do not exist yet (`available`, on their type's backend). */
  seedVolumes(seed: Pick<Seed, 'volumes' | 'projects' | 'users'>): void {
    applySeedVolumes(this.core, seed);
  }

  /** cinder-volume's start-up clean-up of interrupted creates and deletes (workers.ts). */
  recover(): CinderRecoveryReport {
    return recoverWorkers(this.core);
  }

  /** Drop queued work, forget cached tokens, empty the tables and re-seed the volume types. */
  reset(): void {
    this.core.tasks.cancelAll();
    this.core.taskErrors.length = 0;
    this.core.nova.forgetTokens?.();
    this.core.store.wipe();
    this.core.ensureTypes();
  }
}
