import Fastify from 'fastify';
import http from 'node:http';
const app = Fastify({ logger: false });
app.get('/v', async () => ({ volume: { id: 'x', status: 'in-use', size: 1 } }));
app.post('/a', async (req) => ({ ok: true, body: req.body }));
const url = await app.listen({ host: '127.0.0.1', port: 0 });
const agent = new http.Agent({ keepAlive: true });
const u = new URL(url);
const httpReq = (method, path, body) => new Promise((res, rej) => {
  const payload = body ? JSON.stringify(body) : undefined;
  const r = http.request({ host: u.hostname, port: u.port, path, method, agent, headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {} }, (resp) => { let s = ''; resp.setEncoding('utf8'); resp.on('data', (c) => (s += c)); resp.on('end', () => res(JSON.parse(s))); });
  r.on('error', rej); r.end(payload);
});
const bench = async (name, fn, n = 2000) => { for (let i = 0; i < 500; i++) await fn(); const t = performance.now(); for (let i = 0; i < n; i++) await fn(); console.log(name.padEnd(40), ((performance.now() - t) / n * 1000).toFixed(0), 'µs'); };
for (let round = 0; round < 2; round++) {
await bench('inject GET', () => app.inject({ url: '/v' }).then((r) => r.json()));
await bench('fetch GET', () => fetch(`${url}/v`, { headers: { 'x-auth-token': 't' }, signal: AbortSignal.timeout(30000) }).then((r) => r.text()).then(JSON.parse));
await bench('http.request GET keepalive', () => httpReq('GET', '/v'));
await bench('fetch POST json', () => fetch(`${url}/a`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: 1 }), signal: AbortSignal.timeout(30000) }).then((r) => r.text()));
await bench('http.request POST json', () => httpReq('POST', '/a', { a: 1 }));
}
await app.close(); agent.destroy();
