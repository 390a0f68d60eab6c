// Bodies as strings for the services that decode them by their own rules (Cinder's and Neutron's hooks).
import type { FastifyInstance } from 'fastify';

const asString = (_req: unknown, body: string | Buffer, done: (err: null, body: string | Buffer) => void) => done(null, body);

/**
 * Every content type is read as a string. The same parser is also registered under `application/json`,
 * the type nearly every request carries: fastify 5 caches the parser it finds for a content type, except
 * when it falls back to the `*` catch-all — then it parses the header into a new ContentType on every
 * request (ContentTypeParser.getParser), ≈ 3 % of a swap's CPU. Same function, same limits: nothing a
 * client can see changes.
 */
export function rawStringBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, asString);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, asString);
}
