// compute_api.attach_interface / detach_interface (nova/compute/api.py): lock and state checks, the
// instance action, show_port for a given port, then an RPC call (attach) or cast (detach).
import type { FixedIp, Instance, RequestContext } from '../domain.js';
import type { Services } from '../services.js';
import { checkInstanceLock, checkInstanceState } from './checks.js';
import type { AttachInterfaceArgs } from './flows/interfaces.js';
import type { ComputeManager } from './manager.js';
import { healNetworkInfo, listInstancePorts, showPort } from './network.js';
import type { NetworkApi, NeutronPort } from './neutron-client.js';

const STATES = ['active', 'paused', 'stopped'] as const;

export class InterfaceApi {
  constructor(
    private readonly s: Services,
    private readonly manager: ComputeManager,
    readonly network: NetworkApi,
  ) {}

  private recordAction(ctx: RequestContext, uuid: string, action: string) {
    this.s.actions.start({ action, instanceUuid: uuid, requestId: ctx.requestId, userId: ctx.userId, projectId: ctx.projectId, at: this.s.runtime.now() });
  }

  async attach(ctx: RequestContext, instance: Instance, a: AttachInterfaceArgs): Promise<FixedIp[]> {
    checkInstanceLock(ctx, instance);
    checkInstanceState(instance, 'attach_interface', [...STATES]);
    this.s.db.transaction(() => this.recordAction(ctx, instance.uuid, 'attach_interface'))();
    if (a.portId) await showPort(this.network, { ...ctx, isAdmin: true }, a.portId);
    return this.manager.callAttachInterface(ctx, { kind: 'attach_interface', uuid: instance.uuid, args: a });
  }

  detach(ctx: RequestContext, instance: Instance, portId: string): void {
    checkInstanceLock(ctx, instance);
    checkInstanceState(instance, 'detach_interface', [...STATES]);
    let start = () => {};
    this.s.db.transaction(() => {
      this.recordAction(ctx, instance.uuid, 'detach_interface');
      start = this.manager.record(ctx, { kind: 'detach_interface', uuid: instance.uuid, portId });
    })();
    start();
  }

  /**
   * external_instance_event network-changed: the compute manager refreshes the instance's network
   * info cache from Neutron (ports, fixed and floating IPs), in the instance's queue.
   */
  networkChanged(ctx: RequestContext, instance: Instance): void {
    void this.manager.tasks.run(instance.uuid, async () => {
      const fresh = this.s.instances.get(instance.uuid);
      if (fresh) await healNetworkInfo({ network: this.network, services: this.s }, { ...ctx, isAdmin: true }, fresh);
    });
  }

  list(ctx: RequestContext, instance: Instance): Promise<NeutronPort[]> {
    return listInstancePorts(this.network, ctx, instance.uuid);
  }

  show(ctx: RequestContext, portId: string): Promise<NeutronPort> {
    return showPort(this.network, ctx, portId);
  }
}
