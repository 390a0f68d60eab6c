// nova/compute/api.py HostAPI and AggregateAPI (with nova/objects/service.py and aggregate.py's
// notifications): service enable/disable/force-down/delete and host aggregates, each write one
// transaction, each change announced as Nova announces it.
import type { RequestContext } from '../domain.js';
import type { Notifier } from '../notifier/notifier.js';
import { exceptionPayload } from '../notifier/payloads/exception.js';
import { aggregateLegacySubject } from '../notifier/legacy/twins.js';
import { aggregateCachePayload, aggregatePayload, serviceStatusPayload, type AggregateSource } from '../notifier/payloads/hosts.js';
import type { Services } from '../services.js';
import { hostsFromConfig, type AggregateRow, type HostSeed, type ServiceRow } from '../store/hosts.js';
import { ComputeException, frame } from './exceptions.js';
import { exceptionInfo } from './events.js';

const err = (pyClass: string, message: string, code: number) => new ComputeException(pyClass, message, { novaException: true, code });

export const AGG_ADD = 'Add';
export const AGG_UPDATE = 'Update';
export const AGG_UPDATE_META = 'UpdateMeta';
export const AGG_DELETE = 'Delete';

/** _raise_invalid_aggregate_exc. */
function invalidAggregate(action: string, id: number, reason: string): ComputeException {
  const text = {
    [AGG_ADD]: `Cannot add host to aggregate ${id}. Reason: ${reason}.`,
    [AGG_DELETE]: `Cannot remove host from aggregate ${id}. Reason: ${reason}.`,
    [AGG_UPDATE]: `Cannot update aggregate ${id}. Reason: ${reason}.`,
    [AGG_UPDATE_META]: `Cannot update metadata of aggregate ${id}. Reason: ${reason}.`,
  }[action]!;
  return err(`InvalidAggregateAction${action}`, text, 400);
}

export class HostApi {
  constructor(
    private s: Services,
    private notifier: Notifier,
  ) {}

  // ---- services ----

  /** Service.save with status changes: service.update, published by the service itself. */
  updateService(ctx: RequestContext, svc: ServiceRow, changes: { disabled?: boolean; disabled_reason?: string | null; forced_down?: boolean }): ServiceRow {
    const s = this.s;
    s.db.transaction(() => s.hosts.updateService(svc.id, { ...changes, updated_at: s.runtime.now().toISOString() }))();
    const fresh = s.hosts.serviceById(svc.id)!;
    this.notifyService(ctx, fresh, 'update');
    return fresh;
  }

  /**
   * A nova-compute service started at run time (Nova's functional tests: start_service('compute',
   * host='host2')): Service.create sends service.create from `nova-compute:<host>` with the fresh row
   * (never reported: last_seen_up null, report_count 0).
   * The node joins the scheduler's candidates at once. A host that already runs a nova-compute is
   * Nova's ServiceBinaryExists.
   */
  startComputeService(ctx: RequestContext | null, seed: HostSeed): ServiceRow {
    const s = this.s;
    if (s.hosts.serviceByHostBinary(seed.host, 'nova-compute')) {
      throw err('ServiceBinaryExists', `Service with host ${seed.host} binary nova-compute exists.`, 409);
    }
    const spec = { ...hostsFromConfig(s.config, [seed])[0], host_ip: seed.host_ip ?? `192.168.1.${10 + (s.hosts.nodes().length % 240)}` };
    if (s.hosts.nodes().some((n) => n.hypervisor_hostname === spec.node)) {
      throw err('ComputeHostExists', `Compute node ${spec.node} already exists.`, 409);
    }
    const nowIso = s.runtime.now().toISOString();
    const svc = s.db.transaction(() => s.hosts.insertComputeService(s.config, s.profile.name, nowIso, spec))();
    this.notifyService(ctx, svc, 'create');
    // No report_state yet: Nova's first heartbeat comes INITIAL_REPORTING_DELAY (5 s) later, and
    // novasim's services do not heartbeat (serviceUp: up unless forced down).
    return svc;
  }

  /** Service.destroy (the API has checked instances and removed it from its aggregates). */
  deleteService(ctx: RequestContext, svc: ServiceRow): void {
    const s = this.s;
    if (svc.binary === 'nova-compute') {
      for (const agg of s.hosts.aggregatesByHost(svc.host)) this.removeHost(ctx, agg.id, svc.host);
    }
    s.db.transaction(() => s.hosts.deleteService(svc.id))();
    this.notifyService(ctx, svc, 'delete');
  }

  private notifyService(ctx: RequestContext | null, svc: ServiceRow, action: 'create' | 'update' | 'delete'): void {
    if (!this.notifier.versionedEnabled) return;
    const source = svc.binary as 'nova-compute';
    this.notifier.emit({
      context: ctx, eventType: `service.${action}`, priority: 'INFO', source, host: svc.host,
      payload: serviceStatusPayload({ service: svc, availabilityZone: null }, this.s.profile),
    });
  }

  // ---- aggregates ----

  get(id: number): AggregateRow {
    const a = this.s.hosts.aggregateById(id);
    if (!a) throw err('AggregateNotFound', `Aggregate ${id} could not be found.`, 404);
    return a;
  }

  /** create_aggregate → Aggregate.create (create.start, _aggregate_create_in_db, create.end). */
  create(ctx: RequestContext, name: string, az: string | null): AggregateRow {
    const s = this.s;
    const uuid = s.runtime.uuid();
    const metadata: Record<string, string> = az ? { availability_zone: az } : {};
    // Aggregate.create: payload = its changes (name, metadata as meta_data), + aggregate_id at the end.
    const legacyCreate: Record<string, unknown> = { name, ...(az ? { meta_data: { ...metadata } } : {}) };
    this.notifyAggregate(ctx, 'create', 'start', { id: null, uuid, name, hosts: null, metadata }, legacyCreate);
    if (s.hosts.aggregateByName(name)) {
      // wrap_exception on create_aggregate: compute.exception from nova-api, then the API's 409.
      const e = new ComputeException('AggregateNameExists', `Aggregate ${name} already exists.`, {
        novaException: true, code: 409,
        frames: [frame('nova.compute.api', 'create_aggregate', 6590), frame('nova.objects.aggregate', 'create', 310), frame('nova.objects.aggregate', '_aggregate_create_in_db', 187)],
      });
      const info = exceptionInfo(e);
      this.notifier.emit({
        context: ctx, eventType: 'compute.exception', priority: 'ERROR', source: 'nova-api', host: s.config.confHost, payload: exceptionPayload(info, s.profile),
        // compute/api.py's wrap_exception(service='compute', binary='nova-api'): the legacy one keeps compute.<host>.
        legacy: { kind: 'exception', exc: info, method: 'create_aggregate', args: { aggregate_name: name, availability_zone: az }, service: 'compute' },
      });
      throw e;
    }
    const id = s.db.transaction(() => s.hosts.createAggregate(uuid, name, metadata, s.runtime.now().toISOString()))();
    const agg = this.get(id);
    this.notifyAggregate(ctx, 'create', 'end', agg, { ...legacyCreate, aggregate_id: agg.id });
    return agg;
  }

  /** update_aggregate: a new name is saved (update_prop), the zone goes through update_metadata. */
  update(ctx: RequestContext, id: number, values: { name?: string; availability_zone?: string | null }): AggregateRow {
    const s = this.s;
    let agg = this.get(id);
    if (values.name !== undefined) {
      const renamed = { ...agg, name: values.name };
      // Aggregate.save: {'aggregate_id'} (+ meta_data only when metadata changed).
      this.notifyAggregate(ctx, 'update_prop', 'start', renamed, { aggregate_id: id });
      const clash = s.hosts.aggregateByName(values.name);
      if (clash && clash.id !== id) throw err('AggregateNameExists', `Aggregate ${values.name} already exists.`, 409);
      s.db.transaction(() => s.hosts.updateAggregate(id, { name: values.name }))();
      agg = this.get(id);
      this.notifyAggregate(ctx, 'update_prop', 'end', agg, { aggregate_id: id });
    }
    if ('availability_zone' in values) {
      const meta = { availability_zone: values.availability_zone ?? null };
      this.checkSafeAz(meta, agg, agg.hosts, AGG_UPDATE, true);
      agg = this.applyMetadata(ctx, agg, meta);
    }
    return agg;
  }

  /** update_aggregate_metadata. */
  setMetadata(ctx: RequestContext, id: number, metadata: Record<string, string | null>): AggregateRow {
    const agg = this.get(id);
    this.checkSafeAz(metadata, agg, agg.hosts, AGG_UPDATE_META, true);
    return this.applyMetadata(ctx, agg, metadata);
  }

  /** Aggregate.update_metadata: update_metadata.start/.end around the write; a null deletes the key. */
  private applyMetadata(ctx: RequestContext, agg: AggregateRow, metadata: Record<string, string | null>): AggregateRow {
    const s = this.s;
    const legacyMeta = { aggregate_id: agg.id, meta_data: { ...metadata } };
    this.notifyAggregate(ctx, 'update_metadata', 'start', agg, legacyMeta);
    s.db.transaction(() => {
      s.hosts.setMetadata(agg.id, metadata);
      s.hosts.updateAggregate(agg.id, { updated_at: s.runtime.now().toISOString() });
    })();
    const fresh = this.get(agg.id);
    this.notifyAggregate(ctx, 'update_metadata', 'end', fresh, legacyMeta);
    return fresh;
  }

  /** delete_aggregate. */
  delete(ctx: RequestContext, id: number): void {
    const s = this.s;
    const agg = this.get(id);
    this.notifyAggregate(ctx, 'delete', 'start', agg, { aggregate_id: id });
    if (agg.hosts.length > 0) throw err('InvalidAggregateActionDelete', `Cannot remove host from aggregate ${id}. Reason: Host aggregate is not empty.`, 400);
    s.db.transaction(() => s.hosts.deleteAggregate(id))();
    this.notifyAggregate(ctx, 'delete', 'end', agg, { aggregate_id: id });
  }

  /** add_host_to_aggregate. */
  addHost(ctx: RequestContext, id: number, host: string): AggregateRow {
    const s = this.s;
    if (!s.hosts.computeService(host)) throw err('ComputeHostNotFound', `Compute host ${host} could not be found.`, 404);
    const agg = this.get(id);
    this.notifyAggregate(ctx, 'add_host', 'start', agg, { aggregate_id: id, host_name: host });
    this.checkSafeAz(agg.metadata, agg, [host], AGG_ADD, false);
    const newAz = agg.metadata.availability_zone;
    const count = s.hosts.countInstancesOnHost(host);
    if (count && newAz) {
      const azs = [...new Set(s.hosts.aggregatesByHost(host).map((a) => a.metadata.availability_zone).filter(Boolean))];
      const oldAz = azs[0] ?? null;
      if (oldAz !== newAz) {
        throw invalidAggregate(AGG_ADD, id, `The host cannot be added to the aggregate as the availability zone of the host would change from '${oldAz ?? 'None'}' to '${newAz}' but the host already has ${count} instance(s). Changing the AZ of an existing instance is not supported by this action. Move the instances away from this host then try again. If you need to move the instances between AZs then you can use shelve_offload and unshelve to achieve this.`);
      }
    }
    if (agg.hosts.includes(host)) throw err('AggregateHostExists', `Aggregate ${id} already has host ${host}.`, 409);
    s.db.transaction(() => s.hosts.addAggregateHost(id, host))();
    const fresh = this.get(id);
    this.notifyAggregate(ctx, 'add_host', 'end', fresh, { aggregate_id: id, host_name: host, name: fresh.name });
    return fresh;
  }

  /** remove_host_from_aggregate. */
  removeHost(ctx: RequestContext, id: number, host: string): AggregateRow {
    const s = this.s;
    if (!s.hosts.computeService(host)) throw err('ComputeHostNotFound', `Compute host ${host} could not be found.`, 404);
    const agg = this.get(id);
    this.notifyAggregate(ctx, 'remove_host', 'start', agg, { aggregate_id: id, host_name: host });
    const currentAz = agg.metadata.availability_zone;
    const count = s.hosts.countInstancesOnHost(host);
    if (count && currentAz) {
      const azs = [...new Set(s.hosts.aggregatesByHost(host).filter((a) => a.id !== id).map((a) => a.metadata.availability_zone).filter(Boolean))];
      const newAz = azs[0] ?? null;
      if (currentAz !== newAz) {
        throw invalidAggregate(AGG_DELETE, id, `The host cannot be removed from the aggregate as the availability zone of the host would change from '${currentAz}' to '${newAz ?? 'None'}' but the host already has ${count} instance(s). Changing the AZ of an existing instance is not supported by this action. Move the instances away from this host then try again. If you need to move the instances between AZs then you can use shelve_offload and unshelve to achieve this.`);
      }
    }
    if (!agg.hosts.includes(host)) throw err('AggregateHostNotFound', `Aggregate ${id} has no host ${host}.`, 404);
    s.db.transaction(() => s.hosts.removeAggregateHost(id, host))();
    const fresh = this.get(id);
    this.notifyAggregate(ctx, 'remove_host', 'end', fresh, { aggregate_id: id, host_name: host });
    return fresh;
  }

  /**
   * ComputeTaskManager.cache_images: cache_images.start, one progress per host (from the conductor),
   * cache_images.end. An image the catalogue does not have (or not active) is reported failed.
   */
  cacheImages(ctx: RequestContext, id: number, imageIds: string[]): void {
    const s = this.s;
    const agg = this.get(id);
    this.notifyAggregate(ctx, 'cache_images', 'start', agg);
    const cached = imageIds.filter((i) => s.catalog.image(i)?.status === 'active');
    const failed = imageIds.filter((i) => !cached.includes(i));
    agg.hosts.forEach((host, i) => {
      if (!this.notifier.versionedEnabled) return;
      this.notifier.emit({
        context: ctx, eventType: 'aggregate.cache_images.progress', priority: 'INFO', source: 'nova-conductor', host: s.config.confHost,
        payload: aggregateCachePayload({ aggregate: agg, host, index: i + 1, total: agg.hosts.length, imagesCached: cached, imagesFailed: failed }, s.profile),
      });
    });
    this.notifyAggregate(ctx, 'cache_images', 'end', agg);
  }

  /** is_safe_to_update_az. */
  private checkSafeAz(metadata: Record<string, string | null>, agg: AggregateRow, hosts: string[], action: string, checkNoInstances: boolean): void {
    if (!('availability_zone' in metadata)) return;
    const az = metadata.availability_zone;
    if (!az) throw invalidAggregate(action, agg.id, `Aggregate ${agg.name} does not support empty named availability zone`);
    const hostAggs = this.s.hosts.aggregates().filter((a) => a.metadata.availability_zone !== undefined && a.hosts.some((h) => hosts.includes(h)));
    const conflicting = hostAggs.filter((a) => a.metadata.availability_zone !== az && a.id !== agg.id).map((a) => a.metadata.availability_zone);
    if (conflicting.length) throw invalidAggregate(action, agg.id, `One or more hosts already in availability zone(s) [${conflicting.map((z) => `'${z}'`).join(', ')}]`);
    const sameName = (agg.metadata.availability_zone ?? null) === az;
    if (checkNoInstances && !sameName && hosts.some((h) => this.s.hosts.countInstancesOnHost(h) > 0)) {
      throw invalidAggregate(action, agg.id, 'One or more hosts contain instances in this zone');
    }
  }

  /** notify_about_aggregate_action: published by nova-api:<CONF.host>. */
  private notifyAggregate(ctx: RequestContext, action: string, phase: 'start' | 'end', agg: AggregateSource | AggregateRow, legacy?: Record<string, unknown>): void {
    const twin = legacy ? aggregateLegacySubject(action, phase, legacy) : null;
    this.notifier.emit({
      context: ctx, eventType: `aggregate.${action}.${phase}`, priority: 'INFO', source: 'nova-api', host: this.s.config.confHost,
      payload: aggregatePayload(agg, this.s.profile),
      // The legacy aggregate.<suffix>.<phase> the same call site sends first (notify_about_aggregate_update).
      ...(twin ? { legacy: twin } : {}),
    });
  }
}
