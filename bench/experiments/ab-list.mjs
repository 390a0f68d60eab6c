// EXPERIMENT: GET /servers/detail?limit=1000 with the current build (dist/) vs a patched copy
// (EXP_DIST, default /tmp/novasim-exp/dist), alternating in one process; checks both answer the
// same JSON. Usage: node bench/experiments/ab-list.mjs [servers]
import { pathToFileURL } from 'node:url';
const N = Number(process.argv[2] ?? 2000);
const expDist = process.env.EXP_DIST ?? '/tmp/novasim-exp/dist';
async function make(dist) {
  const { createSimulator } = await import(`${dist}/index.js`);
  const sim = await createSimulator({ profile: 'zed', logLevel: 'silent', buildDelayMs: 0, deterministic: true });
  const login = await sim.app.inject({ method: 'POST', url: '/identity/v3/auth/tokens', payload: { auth: { identity: { methods: ['password'], password: { user: { name: 'admin', password: 'secret', domain: { name: 'Default' } } } }, scope: { project: { name: 'admin', domain: { name: 'Default' } } } } } });
  const h = { 'x-auth-token': login.headers['x-subject-token'], 'openstack-api-version': 'compute 2.92' };
  const b = await sim.app.inject({ method: 'POST', url: '/compute/v2.1/servers', headers: h, payload: { server: { name: 't', imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: '1', networks: 'none' } } });
  const inst = sim.services.instances.get(b.json().server.id);
  await sim.idle();
  const { id, ...rest } = sim.services.instances.get(inst.uuid);
  sim.services.db.transaction(() => {
    for (let i = 0; i < N; i++) {
      const u = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const c = new Date(Date.UTC(2020, 0, 1) + i * 1000);
      sim.services.instances.insert({ ...rest, uuid: u, display_name: `s${i}`, created_at: c, updated_at: c, launched_at: c });
      sim.services.bdms.insert({ uuid: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`, instance_uuid: u, source_type: 'volume', destination_type: 'volume', device_name: '/dev/vdb', boot_index: null, delete_on_termination: false, volume_id: `20000000-0000-4000-8000-${String(i).padStart(12, '0')}`, volume_size: 1, snapshot_id: null, image_id: null, attachment_id: null, connection_info: null, tag: null, no_device: null, created_at: c, updated_at: null });
    }
  })();
  return { sim, list: () => sim.app.inject({ url: '/compute/v2.1/servers/detail?limit=1000', headers: h }) };
}
const A = await make(new URL('../../dist', import.meta.url).href);
const B = await make(pathToFileURL(expDist).href);
const [ra, rb] = [await A.list(), await B.list()];
const norm = (body) => body.replace(/"(updated|created|OS-SRV-USG:launched_at)":"[^"]*"/g, '').replace(/http:\/\/[^/"]+/g, '');
console.log('same JSON:', norm(ra.body) === norm(rb.body), `(${ra.body.length} bytes)`);
const ta = [], tb = [];
for (let round = 0; round < 25; round++) {
  for (const [x, arr] of [[A, ta], [B, tb]]) { const t = performance.now(); await x.list(); arr.push(performance.now() - t); }
}
const med = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`current dist: median ${med(ta).toFixed(1)} ms (min ${Math.min(...ta).toFixed(1)}); patched: median ${med(tb).toFixed(1)} ms (min ${Math.min(...tb).toFixed(1)})`);
await A.sim.close(); await B.sim.close();
