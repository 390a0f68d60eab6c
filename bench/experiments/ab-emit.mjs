// EXPERIMENT: notifyAboutVolumeSwap (payload build + envelope + freeze + capture) with the current
// build (dist/) vs a patched copy (EXP_DIST, default /tmp/novasim-exp/dist), alternating batches
// in one process so machine load hits both alike; checks both produce the same payload.
import { pathToFileURL } from 'node:url';
const expDist = process.env.EXP_DIST ?? '/tmp/novasim-exp/dist';
async function make(dist) {
  const { createSimulator } = await import(`${dist}/index.js`);
  const sim = await createSimulator({ profile: 'zed', logLevel: 'silent', buildDelayMs: 0, deterministic: true });
  const login = await sim.app.inject({ method: 'POST', url: '/identity/v3/auth/tokens', payload: { auth: { identity: { methods: ['password'], password: { user: { name: 'admin', password: 'secret', domain: { name: 'Default' } } } }, scope: { project: { name: 'admin', domain: { name: 'Default' } } } } } });
  const h = { 'x-auth-token': login.headers['x-subject-token'] };
  const id = (await sim.app.inject({ method: 'POST', url: '/compute/v2.1/servers', headers: h, payload: { server: { name: 't', imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: '1', networks: 'auto' } } })).json().server.id;
  await sim.idle();
  const inst = sim.services.instances.get(id);
  const bdms = sim.services.bdms.listForInstance(id);
  const ctx = { requestId: 'req-x', userId: 'u', projectId: inst.project_id, roles: ['admin'], isAdmin: true, authToken: 't' };
  return { sim, emit: () => sim.notifier.notifyAboutVolumeSwap(ctx, inst, bdms, 'compute', 'start', 'a', 'b') };
}
const A = await make(new URL('../../dist', import.meta.url).href);
const B = await make(pathToFileURL(expDist).href);
console.log('same payload:', JSON.stringify(A.emit().envelope.payload) === JSON.stringify(B.emit().envelope.payload));
const ta = [], tb = [];
for (let round = 0; round < 20; round++) {
  for (const [x, arr] of [[A, ta], [B, tb]]) {
    const t = performance.now();
    for (let i = 0; i < 500; i++) x.emit();
    arr.push(((performance.now() - t) / 500) * 1000);
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`current: median ${med(ta).toFixed(1)} µs/notification (min ${Math.min(...ta).toFixed(1)}); patched: median ${med(tb).toFixed(1)} µs (min ${Math.min(...tb).toFixed(1)})`);
await A.sim.close(); await B.sim.close();
