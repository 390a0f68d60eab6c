// Fastify hooks whose usual path is synchronous. An `async` hook costs a promise and a microtask hop
// on every request, and each request here runs 6–10 of them (root, service, version hooks); a swap is
// 11 requests (BENCHMARKS.md, issue #16). These adapters use fastify's callback form: when the body
// returns undefined the chain goes on at once (done()); when it returns anything else (a reply it
// answered with, a payload, a promise from a path that must wait) fastify gets a promise of that value,
// exactly as from the async hook it replaces; a throw reaches fastify's error path as a rejection would
// (fastify/lib/hooks.js hookRunnerGenerator, onSendHookRunner).
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

type Body = (req: FastifyRequest, reply: FastifyReply) => unknown;

/** onRequest / preHandler / onResponse hook. */
export function syncHook(fn: Body) {
  return (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): Promise<unknown> | undefined => {
    const r = fn(req, reply);
    if (r === undefined) {
      done();
      return undefined;
    }
    return Promise.resolve(r);
  };
}

/** onSend hook: the payload it returns (or undefined: unchanged) goes on. */
export function syncSendHook<P = unknown>(fn: (req: FastifyRequest, reply: FastifyReply, payload: P) => P | undefined) {
  return (req: FastifyRequest, reply: FastifyReply, payload: P, done: (err: Error | null, payload?: P) => void): void => {
    done(null, fn(req, reply, payload));
  };
}
