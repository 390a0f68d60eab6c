// `novasim serve --notify-webhook URL`: every notification is POSTed to a real HTTP receiver, byte
// for byte what /_novasim/notifications reports (and what Nova would have put on the bus).
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, distProblem, login, Setup, startNovasim, waitFor, type Novasim } from './helpers/novasim.js';
import { describeIf } from './helpers/prereq.js';

describeIf('webhook interop', [distProblem()], 'npm run build')('novasim serve --notify-webhook', () => {
  let receiver: FastifyInstance;
  let sim: Novasim;
  const received: Array<{ body: string; headers: Record<string, unknown> }> = [];
  let failFirst = 2;

  beforeAll(async () => {
    receiver = Fastify();
    receiver.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    receiver.post('/hook', async (req, reply) => {
      // The first deliveries fail: the sink must retry them, in order.
      if (failFirst-- > 0) return reply.code(503).send();
      received.push({ body: req.body as string, headers: req.headers });
      return reply.code(204).send();
    });
    const url = await receiver.listen({ port: 0, host: '127.0.0.1' });
    sim = await startNovasim({ profile: 'master', args: ['--notify-webhook', `${url}/hook`] });
  });

  afterAll(async () => {
    await sim?.stop();
    await receiver?.close();
  });

  it('POSTs each envelope, in order, retrying a failing receiver', async () => {
    const admin = await login(sim.url, 'admin');
    const setup = new Setup(sim.url, admin);
    const server = await setup.server('hook-vm');
    const captured = await setup.waitNotifications('instance.create.end', 1, server);
    const all = await setup.notifications({ instance_uuid: server });
    await waitFor('webhook deliveries', async () => received.length >= all.length, 20_000);
    // Instance payloads carry `uuid`; the scheduler's RequestSpecPayload carries `instance_uuid`.
    const mine = received.filter((r) => {
      const data = JSON.parse(r.body).payload?.['nova_object.data'];
      return (data?.uuid ?? data?.instance_uuid) === server;
    });
    expect(mine.map((r) => JSON.parse(r.body).event_type)).toEqual(all.map((n) => n.event_type));
    // Same bytes as the control plane's item minus its seq: the float survives (`"rxtx_factor":1.0`).
    const end = mine.find((r) => JSON.parse(r.body).event_type === 'instance.create.end')!;
    const { seq, ...envelope } = captured[0];
    expect(JSON.parse(end.body)).toEqual(envelope);
    expect(end.body).toContain('"rxtx_factor":1.0');
    expect(end.headers).toMatchObject({ 'content-type': 'application/json', 'x-novasim-seq': String(seq), 'x-novasim-event-type': 'instance.create.end' });
    const health = await api(sim.url, null, 'GET', '/_novasim/health');
    expect(JSON.stringify(health.body)).toMatch(/"retries":2/);
  });
});
