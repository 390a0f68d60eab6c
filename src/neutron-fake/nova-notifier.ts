// neutron/notifiers/nova.py: after a floating IP or a compute port changes, Neutron tells Nova
// `network-changed` (tag = port id) through POST /os-server-external-events as its [nova] user
// (devstack: nova, admin+service), asynchronously. Over HTTP only; failures are logged and dropped.
import { KeystonePasswordAuth } from '../cinder-fake/nova-client.js';
import { exchange, keepAliveAgents } from '../http-transport.js';
import type { Services } from '../services.js';

const agents = keepAliveAgents();

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
    if (!events.length) return;
    const p = this.send(events).catch(() => undefined);
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async send(events: { serverId: string; portId: string }[]): Promise<void> {
    const base = this.services.config.novaUrl ?? `${await this.services.baseUrl()}/compute/v2.1`;
    const token = await this.keystone().token();
    await exchange({
      method: 'POST',
      url: `${base.replace(/\/+$/, '')}/os-server-external-events`,
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-auth-token': token, 'user-agent': 'python-novaclient' },
      body: JSON.stringify({ events: events.map((e) => ({ name: 'network-changed', server_uuid: e.serverId, tag: e.portId })) }),
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
