// EXPERIMENT helper: copy dist/ to OUT (default /tmp/novasim-exp) and apply, at the JS level, the
// src changes proposed in BENCHMARKS.md ("Proposed fixes"), so ab-list.mjs / ab-emit.mjs /
// ab-start.ts can measure them against the unpatched build in the same process/run:
//   L1 microversion parseVersion cache        (src/api/microversion.ts)
//   L2 hostId memo                             (src/api/views/servers.ts)
//   L3 time formats via toISOString            (src/time-format.ts)
//   L4 batched BDM query, fault only if shown  (src/api/routes/servers.ts, src/store/block-devices.ts)
//   L5 instances.list: SQL LIMIT + raw rows    (src/store/instances.ts)
//   N1 populate() caches Object.entries        (src/notifier/payloads/field-map.ts)
//   S1 no ajv / fast-json-stringify compilers  (src/app.ts)
// Each patch is a literal string replacement; one that no longer applies (src moved on) is
// reported and skipped. Usage: npm run build && node bench/experiments/patch-dist.mjs [OUT]
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = process.argv[2] ?? '/tmp/novasim-exp';
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
cpSync(join(ROOT, 'dist'), join(OUT, 'dist'), { recursive: true });
for (const link of ['node_modules', 'fixtures', 'package.json']) if (existsSync(join(ROOT, link))) symlinkSync(join(ROOT, link), join(OUT, link));

const PATCHES = [
  ['L1', 'api/microversion.js', `export const parseVersion = (s) => {
    const [a, b] = s.split('.').map(Number);
    return [a, b];
};`, `const parsedVersions = new Map();
export const parseVersion = (s) => {
    let v = parsedVersions.get(s);
    if (v === undefined) {
        const [a, b] = s.split('.').map(Number);
        v = [a, b];
        if (parsedVersions.size < 512) parsedVersions.set(s, v);
    }
    return v;
};`],
  ['L2', 'api/views/servers.js', `export function hostId(i) {
    if (!i.host)
        return '';
    return createHash('sha224').update(i.project_id + i.host).digest('hex');
}`, `const hostIds = new Map();
export function hostId(i) {
    if (!i.host)
        return '';
    const key = \`\${i.project_id}\\u0000\${i.host}\`;
    let h = hostIds.get(key);
    if (h === undefined) {
        h = createHash('sha224').update(i.project_id + i.host).digest('hex');
        if (hostIds.size < 4096) hostIds.set(key, h);
    }
    return h;
}`],
  ['L3', 'time-format.js', `export function isoSecondsZ(d) {
    const p = parts(d);
    return \`\${p.date}T\${p.time}Z\`;
}`, `export function isoSecondsZ(d) {
    return \`\${d.toISOString().slice(0, 19)}Z\`;
}`],
  ['L3', 'time-format.js', `export function isoMicro(d) {
    const p = parts(d);
    return \`\${p.date}T\${p.time}.\${p.micro}\`;
}`, `export function isoMicro(d) {
    return \`\${d.toISOString().slice(0, 23)}000\`;
}`],
  ['L3', 'time-format.js', `export function osloTimestamp(d) {
    const p = parts(d);
    return d.getUTCMilliseconds() === 0 ? \`\${p.date} \${p.time}\` : \`\${p.date} \${p.time}.\${p.micro}\`;
}`, `export function osloTimestamp(d) {
    const iso = d.toISOString();
    return d.getUTCMilliseconds() === 0 ? \`\${iso.slice(0, 10)} \${iso.slice(11, 19)}\` : \`\${iso.slice(0, 10)} \${iso.slice(11, 23)}000\`;
}`],
  ['L4', 'store/block-devices.js', `    listForInstance(instanceUuid) {`, `    listForInstances(uuids) {
        const out = new Map(uuids.map((u) => [u, []]));
        if (uuids.length === 0) return out;
        this.forInstances ??= this.db.prepare("SELECT * FROM block_device_mappings WHERE deleted = 0 AND instance_uuid IN (SELECT value FROM json_each(?)) ORDER BY id").raw(true);
        this.forInstancesCols ??= this.forInstances.columns().map((c) => c.name);
        const cols = this.forInstancesCols;
        for (const a of this.forInstances.all(JSON.stringify(uuids))) {
            const r = {};
            for (let k = 0; k < cols.length; k++) r[cols[k]] = a[k];
            out.get(r.instance_uuid)?.push(toBdm(r));
        }
        return out;
    }
    listForInstance(instanceUuid) {`],
  ['L4', 'api/routes/servers.js', `    const detail = (req, i, kind) => serverDetail(i, {
        base: base(req), version: req.apiVersion, isAdmin: req.ctx.isAdmin, bdms: s.bdms.listForInstance(i.uuid),
        fault: s.actions.latestFaultFor(i.uuid), detailKind: kind,`, `    const detail = (req, i, kind, bdms) => serverDetail(i, {
        base: base(req), version: req.apiVersion, isAdmin: req.ctx.isAdmin, bdms: bdms ?? s.bdms.listForInstance(i.uuid),
        fault: (i.deleted || i.vm_state === 'error') ? s.actions.latestFaultFor(i.uuid) : null, detailKind: kind,`],
  ['L4', 'api/routes/servers.js', `            servers: servers.map((i) => (isDetail ? detail(req, i, 'list') : basicServer(base(req), i))),`, `            servers: isDetail
                ? ((all) => servers.map((i) => detail(req, i, 'list', all.get(i.uuid))))(s.bdms.listForInstances(servers.map((i) => i.uuid)))
                : servers.map((i) => basicServer(base(req), i)),`],
  ['L5', 'store/instances.js', `        for (const r of this.db.prepare(sql).iterate(args)) {`, `        if (!f.name && f.limit !== undefined) {
            const st = this.db.prepare(\`\${sql} LIMIT @__limit\`).raw(true);
            const cols = st.columns().map((c) => c.name);
            for (const a of st.all({ ...args, __limit: f.limit })) {
                const r = {};
                for (let k = 0; k < cols.length; k++) r[cols[k]] = a[k];
                out.push(toInstance(r));
            }
            return out;
        }
        for (const r of this.db.prepare(sql).iterate(args)) {`],
  ['N1', 'notifier/payloads/field-map.js', `export function populate(map, src) {
    const data = {};
    for (const [name, get] of Object.entries(map)) {
        const value = get(src);
        if (value !== OMIT)
            data[name] = value;
    }
    return data;
}`, `const entriesOf = new WeakMap();
export function populate(map, src) {
    let entries = entriesOf.get(map);
    if (entries === undefined) {
        entries = Object.entries(map);
        entriesOf.set(map, entries);
    }
    const data = {};
    for (let i = 0; i < entries.length; i++) {
        const value = entries[i][1](src);
        if (value !== OMIT)
            data[entries[i][0]] = value;
    }
    return data;
}`],
  ['S1', 'app.js', `        forceCloseConnections: true,`, `        forceCloseConnections: true,
        schemaController: { compilersFactory: {
            buildValidator: () => () => { throw new Error('novasim routes do not use fastify JSON schemas'); },
            buildSerializer: () => () => { throw new Error('novasim routes do not use fastify JSON schemas'); },
        } },`],
];

for (const [id, file, from, to] of PATCHES) {
  const path = join(OUT, 'dist', file);
  const text = readFileSync(path, 'utf8');
  if (!text.includes(from)) {
    console.log(`${id} ${file}: does not apply (source changed), skipped`);
    continue;
  }
  writeFileSync(path, text.replace(from, to));
  console.log(`${id} ${file}: applied`);
}
console.log(`patched copy in ${OUT}/dist`);
