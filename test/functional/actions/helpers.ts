// Shared steps of the server-action tests: post an action, read the server, the action's events.
import type { Simulator } from '../../../src/index.js';
import type { Client } from '../../helpers/sim.js';

export const action = (c: Client, id: string, body: unknown, version?: string) =>
  c.req('POST', `/compute/v2.1/servers/${id}/action`, body, version ? { 'openstack-api-version': `compute ${version}` } : {});

export async function server(c: Client, id: string): Promise<Record<string, unknown>> {
  return (await c.req('GET', `/compute/v2.1/servers/${id}`)).json().server;
}

/** Post the action, expect 202, wait for nova-compute. */
export async function act(sim: Simulator, c: Client, id: string, body: unknown): Promise<void> {
  const res = await action(c, id, body);
  if (res.statusCode !== 202) throw new Error(`${JSON.stringify(body)}: ${res.statusCode} ${res.body}`);
  await sim.idle();
}

export const eventTypes = (sim: Simulator) => sim.notifications.list().map((n) => n.envelope.event_type);

/** The newest instance action with its events, as an admin sees it. */
export async function lastAction(admin: Client, id: string) {
  const list = (await admin.req('GET', `/compute/v2.1/servers/${id}/os-instance-actions`)).json().instanceActions;
  return (await admin.req('GET', `/compute/v2.1/servers/${id}/os-instance-actions/${list[0].request_id}`)).json().instanceAction as {
    action: string; message: string | null; events: { event: string; result: string; traceback: string | null; host?: string }[];
  };
}
