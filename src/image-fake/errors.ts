// Glance answers errors as webob plain-text pages: "<code> <title>\n\n<explanation>\n\n   ".
import type { FastifyReply } from 'fastify';

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 410: 'Gone', 413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
};

export class GlanceError extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

export function sendGlanceError(reply: FastifyReply, status: number, detail: string, headers: Record<string, string> = {}) {
  for (const [k, v] of Object.entries(headers)) reply.header(k, v);
  return reply.code(status).type('text/plain; charset=UTF-8').send(`${status} ${TITLES[status] ?? 'Bad Request'}\n\n${detail}\n\n   `);
}
