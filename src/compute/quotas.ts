// Nova's count-based quota engine (nova/quota.py DbQuotaDriver + QuotaEngine, nova/objects/quotas.py
// check_deltas, nova/compute/utils.py check_num_instances_quota). Limits come from the API-set rows,
// then the "default" quota class, then the config defaults; usage is counted from the database.
import type { FlavorSnapshot, RequestContext } from '../domain.js';
import type { Db } from '../store/db.js';
import type { KeypairStore } from '../store/keypairs.js';
import { type Limits, QuotaStore, UsageCounter } from '../store/quotas.js';
import type { ServerGroup, ServerGroupStore } from '../store/server-groups.js';
import { ComputeException } from './exceptions.js';

/** nova.conf.quota defaults; the deprecated nova-network resources have no flag (-1). */
export const QUOTA_DEFAULTS: Readonly<Limits> = {
  cores: 20,
  fixed_ips: -1,
  floating_ips: -1,
  injected_file_content_bytes: 10240,
  injected_file_path_bytes: 255,
  injected_files: 5,
  instances: 10,
  key_pairs: 100,
  metadata_items: 128,
  ram: 51200,
  security_group_rules: -1,
  security_groups: -1,
  server_group_members: 10,
  server_groups: 10,
};

/** QUOTAS.resources (sorted, as Nova's QuotaEngine.resources property returns them). */
export const QUOTA_RESOURCES: readonly string[] = Object.keys(QUOTA_DEFAULTS).sort();


export interface QuotaValue {
  limit: number;
  in_use?: number;
  remains?: number;
}

/** OverQuota and its subclasses: the API turns them into 403 with format_message(). */
export class OverQuota extends ComputeException {
  constructor(pyClass: string, message: string) {
    super(pyClass, message, { novaException: true, code: 403 });
  }
}

/** Every OverQuota class name a controller maps to 403. */
export const OVER_QUOTA_ERRORS: Readonly<Record<string, number>> = {
  OverQuota: 403, TooManyInstances: 403, MetadataLimitExceeded: 403, KeypairLimitExceeded: 403, ServerGroupLimitExceeded: 403,
  GroupMemberLimitExceeded: 403, OnsetFileLimitExceeded: 403, OnsetFilePathLimitExceeded: 403, OnsetFileContentLimitExceeded: 403,
};

interface Over {
  overs: string[];
  quotas: Limits;
  usages: Limits;
}

export class QuotaEngine {
  readonly store: QuotaStore;
  private counter: UsageCounter;

  /** QUOTA_DEFAULTS with the configured [quota] instances/cores/ram. */
  private configDefaults: Limits;

  constructor(db: Db, private keypairs: KeypairStore, private groups: ServerGroupStore, conf: Partial<Limits> = {}) {
    this.configDefaults = { ...QUOTA_DEFAULTS };
    for (const [r, v] of Object.entries(conf)) if (v !== undefined) this.configDefaults[r] = v;
    this.store = new QuotaStore(db);
    this.counter = new UsageCounter(db);
  }

  /** get_defaults: the "default" quota class overrides the config defaults. */
  defaults(): Limits {
    const cls = this.store.quotaClass('default');
    return Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, cls[r] ?? this.configDefaults[r]]));
  }

  /** get_class_quotas: a class's rows, else the config default (not the default class). */
  classQuotas(name: string): Limits {
    const cls = this.store.quotaClass(name);
    return Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, cls[r] ?? this.configDefaults[r]]));
  }

  /** _get_usages: key_pairs and server_group_members always show 0 here. */
  private usages(projectId: string, userId?: string): Limits {
    const icr = this.counter.instancesCoresRam(projectId, userId);
    return { ...icr, key_pairs: 0, server_group_members: 0, server_groups: this.groups.count(projectId, userId) };
  }

  /** _process_quotas (context.quota_class is never set by keystonemiddleware, so no class lookup). */
  private process(projectId: string, quotas: Limits, usages: Limits | null, remains: boolean): Record<string, QuotaValue> {
    const defaults = this.defaults();
    const out: Record<string, QuotaValue> = {};
    for (const r of QUOTA_RESOURCES) {
      const limit = quotas[r] ?? defaults[r];
      out[r] = { limit };
      if (usages) out[r].in_use = usages[r] ?? 0;
      if (remains) out[r].remains = limit;
    }
    if (remains) for (const q of this.store.allUserLimits(projectId)) if (out[q.resource]) out[q.resource].remains! -= q.hard_limit;
    return out;
  }

  projectQuotas(projectId: string, opts: { usages?: boolean; remains?: boolean } = {}): Record<string, QuotaValue> {
    return this.process(projectId, this.store.project(projectId), opts.usages ? this.usages(projectId) : null, opts.remains ?? false);
  }

  /** get_user_quotas: the user's rows, then the project's rows, then defaults. */
  userQuotas(projectId: string, userId: string, opts: { usages?: boolean } = {}): Record<string, QuotaValue> {
    const quotas = { ...this.store.project(projectId), ...this.store.user(projectId, userId) };
    return this.process(projectId, quotas, opts.usages ? this.usages(projectId, userId) : null, false);
  }

  /** get_settable_quotas: the range the os-quota-sets update accepts without force. */
  settable(projectId: string, userId?: string): Record<string, { minimum: number; maximum: number }> {
    const unlimited = (v: number) => v <= -1;
    const project = this.projectQuotas(projectId, { usages: true, remains: true });
    const out: Record<string, { minimum: number; maximum: number }> = {};
    if (userId !== undefined) {
      const set = this.store.user(projectId, userId);
      const user = this.userQuotas(projectId, userId, { usages: true });
      for (const [r, v] of Object.entries(user)) {
        const rem = project[r].remains!;
        const mine = set[r] ?? 0;
        out[r] = { minimum: v.in_use ?? 0, maximum: unlimited(rem) || unlimited(mine) ? -1 : rem + mine };
      }
      return out;
    }
    for (const [r, v] of Object.entries(project)) {
      const sub = unlimited(v.limit) || unlimited(v.remains!) ? -1 : v.limit - v.remains!;
      out[r] = { minimum: Math.max(sub, v.in_use ?? 0), maximum: -1 };
    }
    return out;
  }

  private limitsFor(projectId: string, userId: string | null): { project: Limits; user: Limits } {
    const lim = (q: Record<string, QuotaValue>) => Object.fromEntries(Object.entries(q).map(([k, v]) => [k, v.limit]));
    return { project: lim(this.projectQuotas(projectId)), user: lim(this.userQuotas(projectId, userId ?? '')) };
  }

  /** limit_check_project_and_user over counted values (count + delta). */
  private check(projectId: string, userId: string | null, projectValues: Limits, userValues: Limits): Over | null {
    const { project, user } = this.limitsFor(projectId, userId);
    const overs = new Set<string>();
    for (const [r, v] of Object.entries(projectValues)) if (project[r] >= 0 && project[r] < v) overs.add(r);
    for (const [r, v] of Object.entries(userValues)) if (user[r] >= 0 && user[r] < v) overs.add(r);
    if (!overs.size) return null;
    return { overs: [...overs].sort(), quotas: project, usages: {} };
  }

  /**
   * compute utils check_num_instances_quota: how many of min..max instances of `flavor` may be
   * built; raises TooManyInstances (403) with Nova's text when not even min_count fits.
   */
  checkNumInstances(ctx: RequestContext, flavor: Pick<FlavorSnapshot, 'vcpus' | 'memory_mb'>, minCount: number, maxCount: number, projectId = ctx.projectId, userId: string | null = ctx.userId): number {
    const userSet = this.store.user(projectId, userId ?? '');
    const scopedUser = userId !== null && ['instances', 'cores', 'ram'].some((r) => r in userSet) ? userId : null;
    const reqCores = maxCount * flavor.vcpus;
    const reqRam = maxCount * flavor.memory_mb;
    const deltas: Limits = { instances: maxCount, cores: reqCores, ram: reqRam };
    const proj = this.counter.instancesCoresRam(projectId);
    const usr = scopedUser !== null ? this.counter.instancesCoresRam(projectId, scopedUser) : null;
    const add = (c: Limits) => Object.fromEntries(Object.entries(deltas).map(([k, d]) => [k, c[k] + d]));
    const over = this.check(projectId, scopedUser, add(proj), usr ? add(usr) : {});
    if (!over) return maxCount;
    const quotas = scopedUser !== null ? this.limitsFor(projectId, scopedUser).user : over.quotas;
    const usages: Limits = usr ?? proj;
    // get_headroom
    const headroom: Limits = Object.fromEntries(Object.keys(deltas).map((r) => [r, quotas[r] - usages[r]]));
    if (quotas.cores === -1) headroom.cores = deltas.cores ? (headroom.instances ?? 1) * deltas.cores / (deltas.instances ?? 1) : (headroom.instances ?? 1);
    if (quotas.ram === -1) headroom.ram = deltas.ram ? (headroom.instances ?? 1) * deltas.ram / (deltas.instances ?? 1) : (headroom.instances ?? 1);
    let allowed = headroom.instances ?? 1;
    if (flavor.vcpus) allowed = Math.min(allowed, Math.floor(headroom.cores / flavor.vcpus));
    if (flavor.memory_mb) allowed = Math.min(allowed, Math.floor(headroom.ram / flavor.memory_mb));
    if (allowed > 0 && minCount <= allowed && allowed <= maxCount) return this.checkNumInstances(ctx, flavor, minCount, allowed, projectId, userId);
    const requested: Record<string, string | number> = { instances: minCount === maxCount ? String(minCount) : `${minCount}-${maxCount}`, cores: reqCores, ram: reqRam };
    const fmtNum = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
    const overs = over.overs.join(', ');
    const reqs = over.overs.map((r) => String(requested[r])).join(', ');
    const used = over.overs.map((r) => fmtNum(quotas[r] - headroom[r])).join(', ');
    const total = over.overs.map((r) => String(quotas[r])).join(', ');
    throw new OverQuota('TooManyInstances', `Quota exceeded for ${overs}: Requested ${reqs}, but already used ${used} of ${total} ${overs}`);
  }

  /**
   * compute API _check_quota_for_upsize (resize): only the growth in cores/ram is checked
   * (compute utils upsize_quota_delta), and an excess is TooManyInstances with Nova's text.
   */
  checkUpsize(ctx: RequestContext, current: Pick<FlavorSnapshot, 'vcpus' | 'memory_mb'>, next: Pick<FlavorSnapshot, 'vcpus' | 'memory_mb'>, projectId = ctx.projectId, userId = ctx.userId): void {
    const deltas: Limits = {};
    if (next.vcpus > current.vcpus) deltas.cores = next.vcpus - current.vcpus;
    if (next.memory_mb > current.memory_mb) deltas.ram = next.memory_mb - current.memory_mb;
    if (!Object.keys(deltas).length) return;
    const userSet = this.store.user(projectId, userId);
    const scopedUser = ['instances', 'cores', 'ram'].some((r) => r in userSet) ? userId : null;
    const proj = this.counter.instancesCoresRam(projectId);
    const usr = scopedUser !== null ? this.counter.instancesCoresRam(projectId, scopedUser) : null;
    const add = (c: Limits) => Object.fromEntries(Object.entries(deltas).map(([k, d]) => [k, c[k] + d]));
    const over = this.check(projectId, scopedUser, add(proj), usr ? add(usr) : {});
    if (!over) return;
    const quotas = scopedUser !== null ? this.limitsFor(projectId, scopedUser).user : over.quotas;
    const usages: Limits = usr ?? proj;
    // get_over_quota_detail(headroom, overs, quotas, deltas): used = quota - headroom = usage.
    const overs = over.overs.join(', ');
    const reqs = over.overs.map((r) => String(deltas[r])).join(', ');
    const used = over.overs.map((r) => String(usages[r])).join(', ');
    const total = over.overs.map((r) => String(quotas[r])).join(', ');
    throw new OverQuota('TooManyInstances', `Quota exceeded for ${overs}: Requested ${reqs}, but already used ${used} of ${total} ${overs}`);
  }

  /** _check_metadata_properties_quota: limit_check(metadata_items=n). */
  checkMetadata(ctx: RequestContext, count: number): void {
    if (count === 0) return;
    const over = this.check(ctx.projectId, ctx.userId, { metadata_items: count }, { metadata_items: count });
    if (over) throw new OverQuota('MetadataLimitExceeded', `Maximum number of metadata items exceeds ${over.quotas.metadata_items}`);
  }

  /** KeypairAPI._check_key_pair_quotas: check_deltas({'key_pairs': delta}, user_id). */
  checkKeypairs(ctx: RequestContext, userId: string, delta = 1): void {
    if (this.check(ctx.projectId, ctx.userId, {}, { key_pairs: this.keypairs.count(userId) + delta })) {
      throw new OverQuota('KeypairLimitExceeded', 'Quota exceeded, too many key pairs.');
    }
  }

  /** os-server-groups create: check_deltas({'server_groups': delta}, project_id, user_id). */
  checkServerGroups(ctx: RequestContext, delta = 1): void {
    const p = this.groups.count(ctx.projectId) + delta;
    const u = this.groups.count(ctx.projectId, ctx.userId) + delta;
    if (this.check(ctx.projectId, ctx.userId, { server_groups: p }, { server_groups: u })) {
      throw new OverQuota('ServerGroupLimitExceeded', 'Quota exceeded, too many server groups.');
    }
  }

  /** _provision_instances: check_deltas({'server_group_members': delta}, group, user_id). */
  checkGroupMembers(ctx: RequestContext, group: ServerGroup, delta = 1): void {
    const n = this.counter.groupMembersOfUser(group.id, ctx.userId) + delta;
    if (this.check(ctx.projectId, ctx.userId, {}, { server_group_members: n })) {
      throw new OverQuota('OverQuota', 'Quota exceeded, too many servers in group');
    }
  }
}

