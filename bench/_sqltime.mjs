// Per-SQL time of a swap, empty DB vs 10k servers (dist build).
import Database from 'better-sqlite3';
const stats = new Map();
const P = Database.prototype.prepare;
Database.prototype.prepare = function (sql) {
  const st = P.call(this, sql);
  for (const m of ['run', 'get', 'all', 'iterate']) {
    const f = st[m];
    st[m] = function (...a) { const t = performance.now(); try { return f.apply(this, a); } finally { const s = stats.get(sql) ?? { n: 0, ms: 0 }; s.n++; s.ms += performance.now() - t; stats.set(sql, s); } };
  }
  return st;
};
const { createSimulator } = await import('../dist/index.js');
const { cinderBackend } = await import('../dist/cinder-fake/plugin.js');
const sim = await createSimulator({ profile: 'zed', logLevel: 'silent', buildDelayMs: 0, volumeCreateDelayMs: 0, volumeQuota: -1, gigabytesQuota: -1 });
const login = await sim.app.inject({ method: 'POST', url: '/identity/v3/auth/tokens', payload: { auth: { identity: { methods: ['password'], password: { user: { name: 'admin', password: 'secret', domain: { name: 'Default' } } } }, scope: { project: { name: 'admin', domain: { name: 'Default' } } } } } });
const tok = login.headers['x-subject-token']; const pid = login.json().token.project.id;
const h = { 'x-auth-token': tok, 'openstack-api-version': 'compute 2.92' };
const server = (await sim.app.inject({ method: 'POST', url: '/compute/v2.1/servers', headers: h, payload: { server: { name: 't', imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: '1', networks: 'none' } } })).json().server.id; await sim.idle();
const vol = async () => { const r = (await sim.app.inject({ method: 'POST', url: `/volume/v3/${pid}/volumes`, headers: { 'x-auth-token': tok }, payload: { volume: { size: 1 } } })).json().volume.id; await sim.idle(); return r; };
const vols = [await vol(), await vol()];
await sim.app.inject({ method: 'POST', url: `/compute/v2.1/servers/${server}/os-volume_attachments`, headers: h, payload: { volumeAttachment: { volumeId: vols[0] } } }); await sim.idle();
let cur = 0;
const swaps = async (n) => { const t = performance.now(); for (let i = 0; i < n; i++) { const since = sim.notifications.capture.lastSeq; const r = await sim.app.inject({ method: 'PUT', url: `/compute/v2.1/servers/${server}/os-volume_attachments/${vols[cur]}`, headers: h, payload: { volumeAttachment: { volumeId: vols[1 - cur] } } }); if (r.statusCode !== 202) throw new Error(r.body); await sim.notifications.waitFor('instance.volume_swap.end', { since }); cur = 1 - cur; await sim.idle(); } return (performance.now() - t) / n; };
const dump = (label, n) => { const rows = [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12); console.log(`-- ${label}: total SQL ${(rows.reduce((a, [, s]) => a + s.ms, 0) / n).toFixed(2)} ms/swap`); for (const [sql, s] of rows) console.log(`${(s.ms / n).toFixed(3).padStart(7)} ms ${String(s.n / n).padStart(4)}x  ${sql.replace(/\s+/g, ' ').slice(0, 120)}`); stats.clear(); };
await swaps(50); stats.clear();
console.log('empty ms/swap', (await swaps(100)).toFixed(2)); dump('empty', 100);
const store = cinderBackend(sim.services).core.store;
const inst = sim.services.instances.get(server); const [bdm] = sim.services.bdms.listForInstance(server); const v0 = store.getVolume(vols[0]); const a0 = store.attachmentsOf(vols[cur])[0];
sim.services.db.transaction(() => { for (let i = 0; i < 10000; i++) { const u = sim.services.runtime.uuid(), vid = sim.services.runtime.uuid(), aid = sim.services.runtime.uuid(); const c = new Date(Date.now() - (10000 - i) * 1000);
  const { id, ...r } = inst; sim.services.instances.insert({ ...r, uuid: u, display_name: `s${i}`, created_at: c });
  const { id: _b, ...br } = bdm; sim.services.bdms.insert({ ...br, uuid: sim.services.runtime.uuid(), instance_uuid: u, volume_id: vid, attachment_id: aid, created_at: c });
  store.insertVolume({ ...v0, id: vid, status: 'in-use' }); store.insertAttachment({ ...a0, id: aid, volume_id: vid, instance_uuid: u }); } })();
stats.clear(); await swaps(20); stats.clear();
console.log('10k ms/swap', (await swaps(100)).toFixed(2)); dump('10k', 100);
await sim.close();
