// Fastify wiring of the reset barrier: every request except the control plane's reset, health and
// notification routes (which never touch the state a reset empties, and may be long-lived) is
// admitted through the barrier and counted until it is answered or its client goes away.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { INTERNAL_HEADER, INTERNAL_SECRET, ResetBarrier } from './reset-barrier.js';
import { syncHook, syncSendHook } from './sync-hooks.js';

export { ResetBarrier };

const EXEMPT = /^\/_novasim\/(reset|health|notifications)(?:[/?]|$)/;
const counted = new WeakSet<FastifyRequest>();
const answered = new WeakSet<FastifyRequest>();

export function gateRequests(
  app: FastifyInstance,
  barrier: ResetBarrier,
  envelopeFor: (url: string, status: number, message: string) => { type: string; body: string },
): void {
  const leave = (req: FastifyRequest) => {
    if (!counted.delete(req)) return;
    barrier.leave();
  };
  const enter = (req: FastifyRequest, reply: FastifyReply) => {
    counted.add(req);
    // A client that went away gets no onResponse: count the request as done once its answer was
    // produced (onSend ran) and the connection closed. Until then its handler may still write.
    // A hijacked reply (a route fault that drops the connection) is done when its socket closes.
    reply.raw.once('close', () => {
      if (answered.has(req) || reply.sent) leave(req);
    });
  };
  // Synchronous unless a reset is running (src/sync-hooks.ts).
  app.addHook('onRequest', syncHook((req, reply) => {
    if (EXEMPT.test(req.url)) return undefined;
    const internal = req.headers[INTERNAL_HEADER] === INTERNAL_SECRET;
    if (barrier.admitNow(internal)) {
      enter(req, reply);
      return undefined;
    }
    return barrier.admit(internal).then((admitted) => {
      if (!admitted) {
        const b = envelopeFor(req.url, 503, 'The simulator is resetting; retry the request.');
        return reply.code(503).header('retry-after', '1').type(b.type).send(b.body);
      }
      enter(req, reply);
      return undefined;
    });
  }));
  app.addHook('onSend', syncSendHook((req) => {
    answered.add(req);
    return undefined;
  }));
  app.addHook('onResponse', syncHook((req) => {
    leave(req);
  }));
}
