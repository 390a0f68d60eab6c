// Baseline: the smallest fastify 5 server answering a small JSON document, started the way
// `novasim serve` starts (plain node, ESM, logger off, 127.0.0.1, port 0) and printing a ready line.
// Used as a child process by bench/run.ts for the cold-start and req/s baselines.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
app.put('/echo', async (req) => ({ ok: true, got: req.body }));
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`bare-fastify listening on ${url}\n`);
const stop = async () => {
  await app.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
