// EXPERIMENT (not used by `npm run bench`): replace globalThis.fetch for http:// URLs with a
// minimal client on node:http + a keep-alive Agent, to measure what the compute→Cinder calls
// would cost without undici's fetch machinery (WHATWG streams, Headers, AbortSignal plumbing).
// Load with `node --import ./bench/experiments/fetch-shim.mjs …` (also inherited by children
// through NODE_OPTIONS). Only what CinderClient / HttpNova use is implemented.
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const realFetch = globalThis.fetch;

class ShimHeaders {
  constructor(raw) { this.raw = raw; }
  get(name) {
    const v = this.raw[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : String(v);
  }
}

function shimFetch(input, init = {}) {
  const url = typeof input === 'string' ? input : String(input.url ?? input);
  if (!url.startsWith('http://')) return realFetch(input, init);
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const headers = { ...(init.headers ?? {}) };
    const body = init.body;
    if (body !== undefined && body !== null) headers['content-length'] = Buffer.byteLength(body);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: init.method ?? 'GET', headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode, statusText: res.statusMessage ?? '', ok: res.statusCode >= 200 && res.statusCode < 300,
          headers: new ShimHeaders(res.headers),
          text: async () => text,
          json: async () => JSON.parse(text),
        });
      });
      res.on('error', reject);
    });
    const signal = init.signal;
    if (signal) {
      if (signal.aborted) return req.destroy(signal.reason);
      signal.addEventListener('abort', () => req.destroy(Object.assign(new Error('aborted'), { name: signal.reason?.name ?? 'AbortError' })), { once: true });
    }
    req.on('error', (e) => reject(Object.assign(new TypeError('fetch failed'), { cause: e, name: e.name === 'TimeoutError' ? 'TimeoutError' : 'TypeError' })));
    req.end(body ?? undefined);
  });
}

globalThis.fetch = shimFetch;
