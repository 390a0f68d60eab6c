// neutron/notifiers/nova.py: after a floating IP or a compute port changes, Neutron tells Nova
// `network-changed` (tag = port id) through POST /os-server-external-events as its [nova] user
// (devstack: nova, admin+service), asynchronously. Over HTTP only; failures are logged and dropped.
import { KeystonePasswordAuth } from '../cinder-fake/nova-client.js';
import { exchange, keepAliveAgents } from '../http-transport.js';
import type { Services } from '../services.js';

const agents = keepAliveAgents();

interface NovaEvent {
  name: string;
  server_uuid: string;
  tag: string;
  status?: 'completed' | 'failed';
}

export class NovaNotifier {
  private readonly inFlight = new Set<Promise<void>>();
  private auth: KeystonePasswordAuth | null = null;

  constructor(private readonly services: Services) {}

  private keystone(): KeystonePasswordAuth {
    const c = this.services.config;
    this.auth ??= new KeystonePasswordAuth(
      async () => `${await this.services.baseUrl()}/identity/v3`, c.novaServiceUser, c.novaServicePassword, c.serviceProject,
      () => this.services.runtime.now().getTime(),
    );
    return this.auth;
  }

  /** Queue `network-changed` for each (server, port); resolves nothing, see idle(). */
  networkChanged(events: { serverId: string; portId: string }[]): void {
    this.queue(events.map((e) => ({ name: 'network-changed', server_uuid: e.serverId, tag: e.portId })));
  }

  /**
   * record_port_status_changed: a compute port going ACTIVE is `network-vif-plugged` (completed), ERROR is
   * `network-vif-plugged` (failed), ACTIVE → DOWN `network-vif-unplugged`. A Neutron fault on operation
   * `network-vif-plugged` / `network-vif-unplugged` (match instance_uuid) drops the event, or delays it
   * with {"delay_ms": N} — to exercise Nova's vif_plugging_timeout / vif_plugging_is_fatal.
   */
  portStatusChanged(e: { serverId: string; portId: string; name: 'network-vif-plugged' | 'network-vif-unplugged'; status: 'completed' | 'failed' }): void {
    const f = this.services.faults.take('neutron', e.name, { instance_uuid: e.serverId });
    const event = { name: e.name, server_uuid: e.serverId, tag: e.portId, status: e.status };
    if (!f) return this.queue([event]);
    if ('delay_ms' in f.error) {
      const wait = f.error.delay_ms;
      this.track(new Promise<void>((r) => setTimeout(r, wait)).then(() => this.send([event])));
    }
  }

  /** A server's port was deleted: `network-vif-deleted` (Nova drops the VIF from the instance). */
  portDeleted(e: { serverId: string; portId: string }): void {
    if (this.services.faults.take('neutron', 'network-vif-deleted', { instance_uuid: e.serverId })) return;
    this.queue([{ name: 'network-vif-deleted', server_uuid: e.serverId, tag: e.portId }]);
  }

  private queue(events: NovaEvent[]): void {
    if (!events.length) return;
    this.track(this.send(events));
  }

  private track(p: Promise<void>): void {
    const q = p.catch(() => undefined);
    this.inFlight.add(q);
    void q.finally(() => this.inFlight.delete(q));
  }

  private async send(events: NovaEvent[]): Promise<void> {
    const base = this.services.config.novaUrl ?? `${await this.services.baseUrl()}/compute/v2.1`;
    const token = await this.keystone().token();
    await exchange({
      method: 'POST',
      url: `${base.replace(/\/+$/, '')}/os-server-external-events`,
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-auth-token': token, 'user-agent': 'python-novaclient' },
      body: JSON.stringify({ events }),
      timeoutMs: this.services.config.cinderTimeoutMs,
      agents,
    });
  }

  get pending(): number {
    return this.inFlight.size;
  }

  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  forgetTokens(): void {
    this.auth = null;
  }
}
