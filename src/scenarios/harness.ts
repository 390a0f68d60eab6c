// One simulator set up like Nova's NotificationSampleTestBase, driven through the HTTP API the
// way the sample tests drive Nova (api = user `fake`, admin_api = `admin`, microversion latest).
import type { InjectOptions } from 'fastify';
import { createSimulator, type Simulator } from '../index.js';
import type { ConfigInput } from '../config.js';
import type { ProfileName } from '../profiles/index.js';
import { toRecordedNotification } from '../testing/match-sample.js';
import { ADMIN_USER, API_USER, IMAGE_1, PORT_1, PROJECT, scenarioConfig, TEST_FLAVOR } from './nova-fixtures.js';
import type { Recorded, Recorded4 } from './types.js';
import { ANY, type Replacements } from '../testing/match-sample.js';

export class ScenarioError extends Error {}

interface Caller {
  token: string;
  projectId: string;
}

export interface Server {
  id: string;
  reservation_id: string;
}

const COMPUTE = '/compute/v2.1';

export class SampleHarness {
  private constructor(
    readonly sim: Simulator,
    readonly profile: ProfileName,
    private readonly api: Caller,
    private readonly adminApi: Caller,
  ) {}

  static async start(profile: ProfileName, flags: Partial<ConfigInput> = {}): Promise<SampleHarness> {
    const sim = await createSimulator({ ...scenarioConfig(profile), ...flags });
    try {
      const api = await login(sim, API_USER);
      const admin = await login(sim, ADMIN_USER);
      return new SampleHarness(sim, profile, api, admin);
    } catch (err) {
      await sim.close();
      throw err;
    }
  }

  close(): Promise<void> {
    return this.sim.close();
  }

  /** One request; anything but `expect` is a scenario failure. */
  async request(method: InjectOptions['method'], url: string, body: unknown, expect: number, opts: { admin?: boolean; service?: 'compute' | 'volume'; version?: string } = {}) {
    const who = opts.admin ? this.adminApi : this.api;
    const service = opts.service ?? 'compute';
    const res = await this.sim.app.inject({
      method,
      url,
      payload: body as InjectOptions['payload'],
      headers: { 'x-auth-token': who.token, ...(service === 'compute' ? { 'openstack-api-version': `compute ${opts.version ?? 'latest'}` } : {}) },
    });
    if (res.statusCode !== expect) throw new ScenarioError(`${method} ${url}: expected ${expect}, got ${res.statusCode} ${res.body}`);
    return res.body ? (res.json() as Record<string, unknown>) : {};
  }

  /** Notifications a step popped off the list (Nova's versioned_notifications.pop(0)), by capture seq. */
  private popped = new Set<number>();
  /** The scheduler.select_destinations.start/.end the last boot popped. */
  poppedSchedulerNotifications: Recorded4[] = [];
  /**
   * What _boot_a_server verified on the side (_pop_and_verify_dest_select_notification): the
   * scheduler's two notifications of the first boot, checked against their samples; runScenario
   * adds them to the scenario's result.
   */
  readonly sideRecorded: Recorded[] = [];

  /** Nova's notifier.reset(). */
  resetNotifications(): void {
    this.sim.notifications.clear();
    this.popped.clear();
  }

  /** self.notifier.versioned_notifications, in the four-key form. */
  notifications(): Recorded4[] {
    return this.sim.notifications.list().filter((n) => !this.popped.has(n.seq)).map((n) => toRecordedNotification(n) as Recorded4);
  }

  /**
   * _pop_and_verify_dest_select_notification: take the scheduler's two notifications off the front
   * (Nova's test checks them against scheduler-select_destinations-start/-end and then counts the rest).
   */
  popSchedulerNotifications(serverId?: string): void {
    const left = this.sim.notifications.list().filter((n) => !this.popped.has(n.seq));
    const sched = left.slice(0, 2).filter((n) => n.envelope.event_type.startsWith('scheduler.select_destinations.'));
    for (const n of sched) this.popped.add(n.seq);
    this.poppedSchedulerNotifications = sched.map((n) => toRecordedNotification(n) as Recorded4);
    // A move's pair (resize) is popped as Nova's test pops it, not compared.
    if (serverId === undefined) return;
    // Nova verifies them at every boot; one pair per scenario is written and compared (the first boot's).
    if (this.sideRecorded.some((r) => r.file.startsWith('scheduler-select_destinations'))) return;
    const replacements: Replacements = {
      instance_uuid: serverId, 'pci_requests.instance_uuid': serverId, 'flavor.extra_specs': ANY, numa_topology: ANY,
    };
    const files = ['scheduler-select_destinations-start', 'scheduler-select_destinations-end'];
    this.poppedSchedulerNotifications.forEach((notification, i) => {
      const expected = files[i];
      if (notification.event_type !== expected.replace('scheduler-', 'scheduler.').replace('-', '.')) return;
      this.sideRecorded.push({ file: expected, notification, check: { kind: 'sample', sample: expected, replacements } });
    });
  }

  /**
   * _boot_a_server(extra_params=…): POST the server (name/description some-server, image1,
   * test_flavor, key my-key, return_reservation_id), find it by reservation id, wait for the
   * expected status, and tag an ACTIVE one with ["tag1"] (instance.update from nova-api).
   */
  async bootServer(
    extra: Record<string, unknown>, expectedStatus: 'ACTIVE' | 'ERROR' = 'ACTIVE',
    opts: { additionalExtraSpecs?: Record<string, string | number>; schedulerHints?: Record<string, unknown>; compareScheduler?: boolean } = {},
  ): Promise<Server> {
    if (opts.additionalExtraSpecs) {
      // admin_api.post_extra_spec(flavor_id, {"hw:watchdog_action": "disabled", **additional}); the
      // flavor.update it causes is dropped with the notifier.reset() that follows in Nova's helper.
      const specs = Object.fromEntries(Object.entries(opts.additionalExtraSpecs).map(([k, v]) => [k, String(v)]));
      await this.request('POST', `${COMPUTE}/flavors/${TEST_FLAVOR}/os-extra_specs`, { extra_specs: { 'hw:watchdog_action': 'disabled', ...specs } }, 200, { admin: true });
      for (const n of this.sim.notifications.list()) this.popped.add(n.seq);
    }
    const server = {
      name: 'some-server', imageRef: IMAGE_1, flavorRef: TEST_FLAVOR, description: 'some-server',
      networks: [{ port: PORT_1 }], ...extra, return_reservation_id: true, key_name: 'my-key',
    };
    const post: Record<string, unknown> = { server };
    if (opts.schedulerHints) post['os:scheduler_hints'] = opts.schedulerHints;
    const created = await this.request('POST', `${COMPUTE}/servers`, post, 202);
    const reservationId = created.reservation_id as string;
    const found = await this.request('GET', `${COMPUTE}/servers?reservation_id=${reservationId}`, undefined, 200);
    const id = (found.servers as { id: string }[])[0]?.id;
    if (!id) throw new ScenarioError(`no server with reservation id ${reservationId}`);
    await this.sim.idle();
    const shown = (await this.request('GET', `${COMPUTE}/servers/${id}`, undefined, 200)).server as { status: string };
    if (shown.status !== expectedStatus) throw new ScenarioError(`server ${id} is ${shown.status}, expected ${expectedStatus}`);
    // "let's just pop and verify the dest_select notifications if we don't have a special case"
    if (opts.schedulerHints === undefined && expectedStatus !== 'ERROR') this.popSchedulerNotifications(opts.compareScheduler === false ? undefined : id);
    if (expectedStatus === 'ACTIVE') await this.request('PUT', `${COMPUTE}/servers/${id}/tags`, { tags: ['tag1'] }, 200);
    return { id, reservation_id: reservationId };
  }

  /** _attach_volume_to_server: POST os-volume_attachments and wait for the compute side. */
  async attachVolume(server: Server, volumeId: string): Promise<void> {
    // At "latest", a profile that has 2.101 answers 202 without a body.
    const expect = this.sim.profile.switches.attachNoBodyFrom ? 202 : 200;
    await this.request('POST', `${COMPUTE}/servers/${server.id}/os-volume_attachments`, { volumeAttachment: { volumeId } }, expect);
    await this.sim.idle();
  }

  /** _detach_volume_from_server. */
  async detachVolume(server: Server, volumeId: string): Promise<void> {
    await this.request('DELETE', `${COMPUTE}/servers/${server.id}/os-volume_attachments/${volumeId}`, undefined, 202);
    await this.sim.idle();
  }

  /** _volume_swap_server: PUT os-volume_attachments/{old} {"volumeAttachment": {"volumeId": new}} as `api`. */
  async swapVolume(server: Server, oldVolumeId: string, newVolumeId: string): Promise<void> {
    await this.request('PUT', `${COMPUTE}/servers/${server.id}/os-volume_attachments/${oldVolumeId}`, { volumeAttachment: { volumeId: newVolumeId } }, 202);
    await this.sim.idle();
  }

  /** _delete_server: DELETE and wait until it is gone. */
  async deleteServer(server: Server): Promise<void> {
    await this.request('DELETE', `${COMPUTE}/servers/${server.id}`, undefined, 204);
    await this.sim.idle();
    await this.request('GET', `${COMPUTE}/servers/${server.id}`, undefined, 404);
  }

  /** Volume ids listed by GET os-volume_attachments. */
  async attachedVolumes(server: Server): Promise<string[]> {
    const body = await this.request('GET', `${COMPUTE}/servers/${server.id}/os-volume_attachments`, undefined, 200);
    return (body.volumeAttachments as { volumeId: string }[]).map((a) => a.volumeId);
  }

  /** api.attach_interface(server, post): POST os-interface (an RPC call: the answer comes after the compute side). */
  async attachInterface(server: Server, post: unknown, expect = 200): Promise<void> {
    await this.request('POST', `${COMPUTE}/servers/${server.id}/os-interface`, post, expect);
    await this.sim.idle();
  }

  /** api.detach_interface(server, port_id). */
  async detachInterface(server: Server, portId: string): Promise<void> {
    await this.request('DELETE', `${COMPUTE}/servers/${server.id}/os-interface/${portId}`, undefined, 202);
    await this.sim.idle();
  }

  /** self.start_service('compute', host=host): one more nova-compute, its node named like the host (the fake driver's). */
  startCompute(host: string): void {
    const s = this.sim.services;
    s.db.transaction(() => s.hosts.addComputeHost(host, host, s.config, this.profile, s.runtime.now().toISOString()))();
  }

  /** _wait_for_notification(event_type): poll (the work runs in this process) until it was emitted. */
  async waitForNotification(eventType: string, timeoutMs = 20_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.sim.notifications.list().some((n) => n.envelope.event_type === eventType)) {
      if (Date.now() > until) throw new ScenarioError(`timed out waiting for ${eventType}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** Cinder's admin os-reset_status (e.g. `{migration_status: "migrating"}`), as admin_api. */
  async resetVolumeStatus(volumeId: string, body: Record<string, string>): Promise<void> {
    await this.request('POST', `/volume/v3/${this.adminApi.projectId}/volumes/${volumeId}/action`, { 'os-reset_status': body }, 202, { admin: true, service: 'volume' });
  }
}

async function login(sim: Simulator, user: { name: string; password: string }): Promise<Caller> {
  const res = await sim.app.inject({
    method: 'POST',
    url: '/identity/v3/auth/tokens',
    payload: {
      auth: {
        identity: { methods: ['password'], password: { user: { name: user.name, password: user.password, domain: { name: 'Default' } } } },
        scope: { project: { name: PROJECT, domain: { name: 'Default' } } },
      },
    },
  });
  if (res.statusCode !== 201) throw new ScenarioError(`login ${user.name}: ${res.statusCode} ${res.body}`);
  return { token: res.headers['x-subject-token'] as string, projectId: (res.json() as { token: { project: { id: string } } }).token.project.id };
}
