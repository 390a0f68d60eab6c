// Shared machinery of the reliability and property suites (issue #7): service envelopes, database
// snapshots, violation bookkeeping, input mutators for fast-check, and a child-process novasim.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import type { Simulator } from '../../src/index.js';

/** One seed for every property in these suites: runs are reproducible. Override with NOVASIM_FC_SEED. */
export const FC_SEED = Number(process.env.NOVASIM_FC_SEED ?? 20_240_707);
/** Scale every property's numRuns (NOVASIM_FC_SCALE=10 for a long soak). */
export const runs = (n: number) => Math.max(1, Math.round(n * Number(process.env.NOVASIM_FC_SCALE ?? 1)));

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const IMAGE_ID = '155d900f-4e14-4e4c-a73d-069cbf4541e6';

// ---------------------------------------------------------------------------------------------
// Services and their error envelopes
// ---------------------------------------------------------------------------------------------

export type Service = 'compute' | 'volume' | 'identity' | 'image' | 'control' | 'root';

export function serviceOf(url: string): Service {
  const p = url.split('?')[0];
  if (p.startsWith('/compute')) return 'compute';
  if (p.startsWith('/volume')) return 'volume';
  if (p.startsWith('/identity')) return 'identity';
  if (p.startsWith('/image')) return 'image';
  if (p.startsWith('/_novasim')) return 'control';
  return 'root';
}

const NOVA_FAULTS: Record<number, string> = {
  400: 'badRequest', 401: 'unauthorized', 403: 'forbidden', 404: 'itemNotFound', 405: 'badMethod', 409: 'conflictingRequest',
  413: 'overLimit', 415: 'badMediaType', 429: 'overLimit', 501: 'notImplemented', 503: 'serviceUnavailable',
};
const CINDER_FAULTS: Record<number, string> = { ...NOVA_FAULTS };
delete CINDER_FAULTS[429];

/** Texts that betray a JavaScript crash behind a 4xx (a masked bug) unless the request itself contained them. */
const CRASH_MARKERS = [
  /Cannot read properties/, /Cannot set properties/, /is not a function/, /is not iterable/, /Maximum call stack/, /Invalid time value/,
  /\bTypeError\b/, /\bRangeError\b/, /\bSyntaxError\b/, /\bReferenceError\b/, /FST_ERR_/, /of undefined|undefined is not|is undefined/, /\[object Object\]/, /\bNaN\b/,
];

export interface Sent {
  method: string;
  url: string;
  /** The raw body as sent (for crash-marker checks); undefined when none. */
  body?: string;
  headers?: Record<string, string>;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export const toAnswer = (r: LightMyRequestResponse): Answer => ({ status: r.statusCode, headers: r.headers as Answer['headers'], body: r.body });

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** keystonemiddleware's (and Keystone's) `{"error": {"code", "title", "message"}}`. */
function keystoneEnvelope(a: Answer): string | null {
  const b = parseJson(a.body);
  if (!String(a.headers['content-type'] ?? '').startsWith('application/json')) return `content-type ${a.headers['content-type']}`;
  if (!isObj(b) || Object.keys(b).length !== 1 || !isObj(b.error)) return `not a Keystone envelope: ${a.body.slice(0, 160)}`;
  const e = b.error;
  if (e.code !== a.status || typeof e.title !== 'string' || typeof e.message !== 'string') return `bad Keystone error fields: ${a.body.slice(0, 160)}`;
  return null;
}

/** Nova / Cinder `{"<faultName>": {"code", "message"}}`. */
function faultEnvelope(a: Answer, names: Record<number, string>): string | null {
  if (!String(a.headers['content-type'] ?? '').startsWith('application/json')) return `content-type ${a.headers['content-type']} (${a.body.slice(0, 120)})`;
  const b = parseJson(a.body);
  const name = names[a.status] ?? 'computeFault';
  if (!isObj(b) || Object.keys(b).length !== 1 || !isObj(b[name])) return `not a {"${name}": …} envelope: ${a.body.slice(0, 160)}`;
  const f = b[name] as Record<string, unknown>;
  if (f.code !== a.status || typeof f.message !== 'string') return `bad fault fields: ${a.body.slice(0, 160)}`;
  const extra = Object.keys(f).filter((k) => !['code', 'message', 'retryAfter'].includes(k));
  if (extra.length) return `unexpected fault keys ${extra.join(',')}`;
  return null;
}

/** `{"error": {"code", "message", …}}` of the /_novasim control plane. */
function controlEnvelope(a: Answer): string | null {
  const b = parseJson(a.body);
  if (!isObj(b) || !isObj(b.error)) return `not a control envelope: ${a.body.slice(0, 160)}`;
  if (b.error.code !== a.status || typeof b.error.message !== 'string') return `bad control error fields: ${a.body.slice(0, 160)}`;
  return null;
}

/** Glance's webob plain-text pages: "<status> <title>\n\n<detail>". */
function glanceEnvelope(a: Answer): string | null {
  if (!String(a.headers['content-type'] ?? '').startsWith('text/plain')) return `content-type ${a.headers['content-type']} (${a.body.slice(0, 120)})`;
  if (!a.body.startsWith(`${a.status} `)) return `plain-text body does not start with the status: ${a.body.slice(0, 120)}`;
  return null;
}

/** Why this error response is not in its service's own envelope, or null when it is. */
export function envelopeProblem(service: Service, a: Answer): string | null {
  if (a.status < 400) return null;
  // keystonemiddleware answers 401 in front of Nova, Cinder and Glance with Keystone's body.
  if (a.status === 401 && (service === 'compute' || service === 'volume' || service === 'image')) return keystoneEnvelope(a);
  switch (service) {
    case 'compute':
    case 'root':
      return faultEnvelope(a, NOVA_FAULTS);
    case 'volume':
      return faultEnvelope(a, CINDER_FAULTS);
    case 'identity':
      return keystoneEnvelope(a);
    case 'image':
      return glanceEnvelope(a);
    case 'control':
      return controlEnvelope(a);
  }
}

/** A crash text in an error message that the request did not bring in itself. */
export function crashMarker(sent: Sent, a: Answer): string | null {
  if (a.status < 400) return null;
  const echo = `${sent.url} ${sent.body ?? ''} ${Object.values(sent.headers ?? {}).join(' ')}`;
  let decodedEcho = echo;
  try {
    decodedEcho = decodeURIComponent(echo);
  } catch {
    /* keep raw */
  }
  for (const m of CRASH_MARKERS) {
    if (m.test(a.body) && !m.test(echo) && !m.test(decodedEcho)) return `error text looks like a JS crash (${m.source}): ${a.body.slice(0, 200)}`;
  }
  return null;
}

/**
 * 5xx answers the specs document as the real service's behaviour (faithful, not novasim bugs).
 * Each entry: why, and a predicate on the request/answer. Everything else 5xx is a violation.
 */
export const DOCUMENTED_5XX: { why: string; test: (s: Sent, a: Answer) => boolean }[] = [
  {
    // cinder-fake.md §1.5/request.ts validBody: Cinder's @validation.schema reads kwargs['body'] → KeyError → FaultWrapper 500.
    why: 'Cinder: a body-taking route called without a body (KeyError upstream)',
    test: (s, a) => s.url.startsWith('/volume/') && a.status === 500 && /"The server has either erred or is incapable of performing the requested operation\."/.test(a.body) && isBodyless(s),
  },
  {
    // cinder-fake.md §2.6 / volume-actions.ts: body['os-detach'].get(...) on null → AttributeError → 500.
    why: 'Cinder: os-detach with a null argument (AttributeError upstream)',
    test: (s, a) => s.url.startsWith('/volume/') && a.status === 500 && /"os-detach"\s*:\s*null/.test(s.body ?? ''),
  },
  {
    // cinder-fake.md §2.5: the coordination lock name formats connector[host]; missing → 500 (marked unverified in the spec).
    why: 'Cinder: attachment update with a connector lacking "host"',
    test: (s, a) => s.url.includes('/attachments/') && s.method === 'PUT' && a.status === 500 && a.body.includes('Unable to update the attachment.'),
  },
  {
    // cinder-fake.md §2.5 / §5.2: attachment_create with a connector the manager rejects → 500 "Unable to create attachment for volume (…)".
    why: 'Cinder: attachment create whose connector the manager rejects',
    test: (s, a) => s.url.includes('/attachments') && s.method === 'POST' && a.status === 500 && a.body.includes('Unable to create attachment for volume'),
  },
  {
    // cinder-fake.md §5.2 zed column: attachment_update InvalidVolume/InvalidInput wrapped into 500.
    why: 'Cinder (zed): attachment_update errors wrapped as 500 "Unable to update attachment.(…)"',
    test: (s, a) => s.url.includes('/attachments/') && s.method === 'PUT' && a.status === 500 && a.body.includes('Unable to update attachment.('),
  },
];

function isBodyless(s: Sent): boolean {
  if (s.body === undefined || s.body === '') return true;
  const ct = (s.headers?.['content-type'] ?? '').toLowerCase();
  // Cinder's get_body: a body without Content-Type counts as none.
  return ct === '';
}

export function documented5xx(s: Sent, a: Answer): string | null {
  if (a.status < 500) return null;
  return DOCUMENTED_5XX.find((d) => d.test(s, a))?.why ?? null;
}

// ---------------------------------------------------------------------------------------------
// Database snapshots
// ---------------------------------------------------------------------------------------------

/** Tables whose rows legitimately change on reads or logins. */
export const VOLATILE_TABLES = new Set(['tokens', 'schema_migrations']);

export type Snapshot = Map<string, string[]>;

/** Every row of every table (except the volatile ones), in rowid order, as JSON lines. */
export function snapshotDb(sim: Simulator, exclude: Set<string> = VOLATILE_TABLES): Snapshot {
  const db = sim.services.db;
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[])
    .map((r) => r.name)
    .filter((t) => !exclude.has(t));
  const out: Snapshot = new Map();
  for (const t of tables) out.set(t, (db.prepare(`SELECT * FROM "${t}" ORDER BY rowid`).all() as unknown[]).map((r) => JSON.stringify(r)));
  return out;
}

/** Human-readable differences between two snapshots (empty when equal). */
export function diffSnapshots(before: Snapshot, after: Snapshot): string[] {
  const out: string[] = [];
  for (const t of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(t) ?? [];
    const b = after.get(t) ?? [];
    if (a.length === b.length && a.every((x, i) => x === b[i])) continue;
    const setA = new Set(a);
    const setB = new Set(b);
    const gone = a.filter((x) => !setB.has(x));
    const added = b.filter((x) => !setA.has(x));
    out.push(`${t}: -${gone.length} +${added.length}${gone[0] ? ` was ${gone[0].slice(0, 300)}` : ''}${added[0] ? ` now ${added[0].slice(0, 300)}` : ''}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Violations: collected across a property's runs, deduplicated, reported once
// ---------------------------------------------------------------------------------------------

export interface Violation {
  key: string;
  example: string;
  count: number;
}

export class Violations {
  private readonly byKey = new Map<string, Violation>();

  add(key: string, example: string): void {
    const v = this.byKey.get(key);
    if (v) v.count += 1;
    else this.byKey.set(key, { key, example, count: 1 });
  }

  get size(): number {
    return this.byKey.size;
  }

  list(): Violation[] {
    return [...this.byKey.values()];
  }

  /** One line per distinct violation, with a count and one reproducing example. */
  report(): string {
    return this.list()
      .map((v) => `• [${v.count}×] ${v.key}\n    e.g. ${v.example}`)
      .join('\n');
  }
}

/** Route template of a URL: ids, uuids and long/odd segments become placeholders (for grouping). */
export function routeKey(method: string, url: string): string {
  const path = url.split('?')[0];
  const segs = path.split('/').map((seg, i, all) => {
    if (i === 0) return seg;
    if (/^[0-9a-f]{32}$/i.test(seg) && all[i - 1] === 'v3') return '{project}';
    if (/^[0-9a-f-]{32,36}$/i.test(seg) || /^req-/.test(seg)) return '{id}';
    if (['compute', 'v2.1', 'volume', 'v3', 'identity', 'image', 'v2', '_novasim', 'servers', 'flavors', 'os-volume_attachments', 'os-instance-actions', 'action', 'tags',
      'volumes', 'attachments', 'types', 'detail', 'auth', 'tokens', 'images', 'faults', 'clock', 'notifications', 'wait', 'health', 'reset', 'stream', 'default'].includes(seg)) return seg;
    return '{x}';
  });
  return `${method} ${segs.join('/')}`;
}

export function describeSent(s: Sent, a?: Answer): string {
  const body = s.body === undefined ? '' : ` body=${JSON.stringify(s.body.length > 160 ? `${s.body.slice(0, 160)}…(${s.body.length} chars)` : s.body)}`;
  const hdrs = s.headers && Object.keys(s.headers).length ? ` headers=${JSON.stringify(Object.fromEntries(Object.entries(s.headers).map(([k, v]) => [k, v.length > 60 ? `${v.slice(0, 60)}…` : v])))}` : '';
  const url = s.url.length > 200 ? `${s.url.slice(0, 200)}…` : s.url;
  const ans = a ? ` → ${a.status} ${a.body.length > 220 ? `${a.body.slice(0, 220)}…` : a.body}` : '';
  return `${s.method} ${url}${hdrs}${body}${ans}`;
}

/**
 * The checks every response to a (possibly bad) request must pass: no 5xx unless documented, the
 * service's own envelope, no crash text behind a 4xx. Returns the violation keys it added.
 */
export function checkResponse(v: Violations, s: Sent, a: Answer, allowed2xx = true): string[] {
  const problems: string[] = [];
  const service = serviceOf(s.url);
  if (a.status >= 500 && !documented5xx(s, a)) problems.push('5xx');
  if (a.status < 200 || (a.status >= 300 && a.status < 400 && !(s.method === 'GET' && a.status === 300)) || (!allowed2xx && a.status < 300)) problems.push('unexpected status');
  // A HEAD answer has no body to judge.
  const env = s.method === 'HEAD' ? null : envelopeProblem(service, a);
  if (env) problems.push(`not in the ${service} envelope (${env.replace(/: .*/s, '')})`);
  const crash = s.method === 'HEAD' ? null : crashMarker(s, a);
  if (crash) problems.push(crash.replace(/: .*/s, ''));
  if (!problems.length) return [];
  const key = `${routeKey(s.method, s.url)} → ${a.status}: ${problems.join('; ')}`;
  v.add(key, describeSent(s, a));
  return [key];
}

// ---------------------------------------------------------------------------------------------
// Requests through inject, with the bookkeeping above
// ---------------------------------------------------------------------------------------------

export interface InjectCase {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS';
  url: string;
  headers?: Record<string, string>;
  /** A raw body (sent as is) or a JSON value (serialized, content-type application/json unless given). */
  raw?: string | Buffer;
  json?: unknown;
}

export async function injectCase(sim: Simulator, c: InjectCase): Promise<{ sent: Sent; answer: Answer }> {
  const headers: Record<string, string> = { ...(c.headers ?? {}) };
  let payload: string | Buffer | undefined;
  if (c.json !== undefined) {
    payload = serializeBody(c.json);
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  } else if (c.raw !== undefined) payload = c.raw;
  const res = await sim.app.inject({ method: c.method, url: c.url, headers, payload });
  const sent: Sent = { method: c.method, url: c.url, headers, body: payload === undefined ? undefined : Buffer.isBuffer(payload) ? payload.toString('latin1') : payload };
  return { sent, answer: toAnswer(res) };
}

// ---------------------------------------------------------------------------------------------
// fast-check arbitraries: mutated bodies, raw bodies, content types, ids, microversions, tokens
// ---------------------------------------------------------------------------------------------

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Path = (string | number)[];

/** Every path inside a JSON value (the root is []). */
export function pathsOf(v: Json, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...pathsOf(x, [...prefix, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...pathsOf(x, [...prefix, k]));
  return out;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function getAt(root: Json, path: Path): Json | undefined {
  let cur: Json | undefined = root;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, Json>)[p as string];
  }
  return cur;
}

function setAt(root: Json, path: Path, value: Json | undefined): Json {
  if (path.length === 0) return value === undefined ? null : value;
  const parent = getAt(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (parent && typeof parent === 'object') {
    if (value === undefined) {
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete (parent as Record<string, Json>)[last as string];
    } else (parent as Record<string, Json>)[last as string] = value;
  }
  return root;
}

/**
 * Deep nesting as a placeholder string, expanded by serializeBody(): V8's JSON.stringify overflows
 * its stack near 5 000 levels, JSON.parse (the server's side) does not.
 */
export function nested(depth: number, kind: 'array' | 'object'): Json {
  return `@@DEEP:${kind}:${depth}@@`;
}

export function nestedText(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** JSON text of a (mutated) body, with deep-nesting placeholders expanded. */
export function serializeBody(v: unknown): string {
  return JSON.stringify(v).replace(/"@@DEEP:(array|object):(\d+)@@"/g, (_m, kind: 'array' | 'object', n: string) => nestedText(Number(n), kind));
}

/** Strings that have broken parsers and views before: unicode edge cases, NUL, RTL, lone surrogates, regex bait. */
export const nastyString = fc.oneof(
  fc.constantFrom(
    '', ' ', '\u0000', 'a\u0000b', '\uD800', '\uDFFF', '💥🔥', 'ℕ𝕠𝕧𝕒', '\u202Ename', 'e\u0301', 'ﷺ', '\r\n', '\t', '\\', '"', "'",
    '%00', '%', '../../etc/passwd', '<script>', '${x}', '{{x}}', '(a+)+$', '[', '*', 'null', 'None', 'True', '0', '-1', '1e309',
    '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'undefined', '/dev/vdb', '/dev/sda1', '00000000-0000-0000-0000-000000000000',
  ),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

export const hugeString = fc.constantFrom(256, 4_096, 65_536, 300_000).map((n) => 'x'.repeat(n));

/** Any JSON value, biased towards the awkward ones. */
export const anyJson: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
  { weight: 1, arbitrary: fc.constantFrom<Json>(null, true, false, 0, -1, 1.5, -0, 2 ** 53 + 1, 1e308, -1e308, '', [], {}, [[]], [{}]) },
  { weight: 1, arbitrary: nastyString },
);

export type Mutation =
  | { kind: 'drop'; at: number }
  | { kind: 'wrongType'; at: number; value: Json }
  | { kind: 'huge'; at: number; value: string }
  | { kind: 'deep'; at: number; depth: number; shape: 'array' | 'object' }
  | { kind: 'unicode'; at: number; value: string }
  | { kind: 'arrayForObject'; at: number }
  | { kind: 'extraKey'; at: number; key: string; value: Json }
  | { kind: 'replaceRoot'; value: Json }
  | { kind: 'number'; at: number; value: Json };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('wrongType' as const), at: fc.nat(), value: anyJson }),
  fc.record({ kind: fc.constant('huge' as const), at: fc.nat(), value: hugeString }),
  fc.record({ kind: fc.constant('deep' as const), at: fc.nat(), depth: fc.constantFrom(2, 16, 100, 1_000, 5_000, 20_000), shape: fc.constantFrom('array' as const, 'object' as const) }),
  fc.record({ kind: fc.constant('unicode' as const), at: fc.nat(), value: nastyString }),
  fc.record({ kind: fc.constant('arrayForObject' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('extraKey' as const), at: fc.nat(), key: fc.oneof(fc.constantFrom('__proto__', 'constructor', '', 'id', 'x', 'volumeId', 'size', 'status'), nastyString), value: anyJson }),
  fc.record({ kind: fc.constant('replaceRoot' as const), value: anyJson }),
  fc.record({ kind: fc.constant('number' as const), at: fc.nat(), value: fc.constantFrom<Json>(0, -1, 1.5, 2 ** 31, 2 ** 53 + 1, 1e308, '1', '01', ' 1', '1e3', '0x10', 'NaN', 'Infinity') }),
);

/** Apply 1..n mutations to a valid JSON body; the result is again JSON (no undefined). */
export function mutate(valid: Json, muts: Mutation[]): Json {
  let v = clone(valid);
  for (const m of muts) {
    if (m.kind === 'replaceRoot') {
      v = clone(m.value);
      continue;
    }
    const paths = pathsOf(v);
    const path = paths[m.at % paths.length];
    const here = getAt(v, path);
    switch (m.kind) {
      case 'drop':
        v = setAt(v, path, undefined);
        break;
      case 'wrongType':
      case 'number':
        v = setAt(v, path, clone(m.value));
        break;
      case 'huge':
        v = setAt(v, path, m.value);
        break;
      case 'deep':
        v = setAt(v, path, nested(m.depth, m.shape));
        break;
      case 'unicode':
        v = setAt(v, path, typeof here === 'string' ? here + m.value : m.value);
        break;
      case 'arrayForObject':
        v = setAt(v, path, here !== null && typeof here === 'object' && !Array.isArray(here) ? [here] : [here ?? null]);
        break;
      case 'extraKey': {
        const objPaths = paths.filter((p) => {
          const x = getAt(v, p);
          return x !== null && typeof x === 'object' && !Array.isArray(x);
        });
        if (objPaths.length === 0) break;
        const target = getAt(v, objPaths[m.at % objPaths.length]) as Record<string, Json>;
        // defineProperty: an own "__proto__" key, as JSON.parse would create it.
        Object.defineProperty(target, m.key, { value: clone(m.value), enumerable: true, writable: true, configurable: true });
        break;
      }
    }
  }
  return v;
}

export const mutationsArb = fc.array(mutationArb, { minLength: 1, maxLength: 3 });

/** Raw bodies that are not (valid) JSON, derived from a valid body where useful. */
export function rawBodyArb(valid: Json): fc.Arbitrary<string | Buffer> {
  const text = serializeBody(valid);
  return fc.oneof(
    fc.constantFrom('', ' ', 'null', '[]', '{}', '""', 'true', '{', '}', '{"a":}', "{'a': 1}", 'NaN', '{"a": NaN}', '{"a": Infinity}', '\uFEFF{}', '{"a":1}garbage', '[1,]', '{"a":1,}', '%7B%7D', 'a=1&b=2', '<xml/>'),
    fc.nat({ max: Math.max(1, text.length - 1) }).map((n) => text.slice(0, n)),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
    fc.constant(`\uFEFF${text}`),
    fc.constant(`${text}${text}`),
  );
}

export const contentTypeArb = fc.constantFrom(
  'application/json', 'application/json; charset=UTF-8', 'APPLICATION/JSON', 'application/json;charset=utf-16', 'text/plain', 'text/plain; charset=utf-8',
  'application/xml', 'text/html', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream',
  'application/vnd.openstack.compute+json', 'application/vnd.openstack.volume+json', 'application/json-patch+json', 'a/b/c', ';;;', '*/*', 'json', ' ',
);

/** Path ids that are not known resources: unknown uuids, non-uuids, encodings, path tricks. */
export const badIdArb = fc.oneof(
  fc.uuid().map((u) => u),
  fc.uuid().map((u) => u.replace(/-/g, '')),
  fc.uuid().map((u) => u.toUpperCase()),
  fc.constantFrom('0', '-1', 'null', 'None', 'detail', 'default', '..', '.', '%2e%2e', '%00', '%20', '%2F', 'a%2Fb', '__proto__', 'constructor', 'x'.repeat(499), 'x'.repeat(501), '%ZZ', '💥', '%F0%9F%92%A5', 'urn:uuid:0', '{00000000-0000-0000-0000-000000000000}'),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }).map((s) => encodeURIComponent(s)),
);

export const computeVersionHeaderArb = fc.oneof(
  fc.constantFrom(
    'compute 2.1', 'compute 2.93', 'compute latest', 'compute LATEST', 'compute 2.0', 'compute 1.1', 'compute 3.0', 'compute 2.94', 'compute 2.999', 'compute 2', 'compute 2.01', 'compute 02.1',
    'compute ', 'compute', 'compute 2.5.1', 'compute -2.1', 'compute 2.1e1', 'compute 99999999999999999999.1', 'volume 3.0', 'compute 2.1, compute 2.5', 'COMPUTE 2.5', 'compute\t2.5',
    ' compute 2.5 ', 'compute 2.x', ',', 'latest', '2.1', 'identity 3.0,compute 2.60',
  ),
  fc.string({ unit: 'grapheme-ascii', maxLength: 30 }).map((s) => `compute ${s}`),
);

export const volumeVersionHeaderArb = fc.oneof(
  fc.constantFrom(
    'volume 3.0', 'volume 3.44', 'volume 3.70', 'volume latest', 'volume 3.71', 'volume 3.72', 'volume 3.999', 'volume 2.0', 'volume 4.0', 'volume 3', 'volume 3.01', 'volume ',
    'volume', 'compute 2.1', 'volume 3.27,volume 3.44', 'VOLUME 3.44', 'volume -3.0', 'volume 99999999999999999999.0', 'block-storage 3.44', 'volumes 3.44', ',', '',
  ),
  fc.string({ unit: 'grapheme-ascii', maxLength: 30 }).map((s) => `volume ${s}`),
);

export const garbageTokenArb = fc.oneof(
  fc.constantFrom('', ' ', 'null', 'gAAAAA', `gAAAAA${'0'.repeat(64)}`, 'x'.repeat(8_000), 'Bearer abc', '%00', '\t'),
  fc.string({ unit: 'grapheme-ascii', maxLength: 80 }),
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'.split('')), minLength: 32, maxLength: 96 }).map((h) => `gAAAAA${h}`),
);

/** encodeURIComponent that survives lone surrogates (percent-encodes the UTF-8 replacement instead of throwing). */
export function safeEncode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
}

/** `arb` with probability p, else null (fc.option's `freq` is the other way round: 1/freq nulls). */
export function sometimes<T>(arb: fc.Arbitrary<T>, p: number): fc.Arbitrary<T | null> {
  const w = Math.round(p * 100);
  return fc.oneof({ weight: 100 - w, arbitrary: fc.constant(null) }, { weight: w, arbitrary: arb });
}

/** Sometimes a method the route was not made for (Nova/Cinder: 404/405 in their envelope). */
export const methodOverrideArb = sometimes(fc.constantFrom('PATCH' as const, 'OPTIONS' as const, 'HEAD' as const, 'PUT' as const, 'POST' as const, 'DELETE' as const), 0.08);

/** Query strings of random key=value pairs mixed with the given known keys. */
export function queryArb(keys: string[]): fc.Arbitrary<string> {
  const value = fc.oneof(
    fc.constantFrom('', '0', '1', '-1', '1000', '1001', '99999999999999999999', 'abc', 'true', 'false', 'None', '2020-01-01T00:00:00Z', 'garbage', '2020-13-45', '(a+)+$', '[', '%ZZ', '%00', 'x'.repeat(5000)),
    fc.uuid(),
    fc.string({ unit: 'grapheme-ascii', maxLength: 20 }),
  );
  const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: fc.constantFrom('x', 'foo', '__proto__', 'constructor', 'limit[]', 'a[b]', '') });
  return fc.array(fc.tuple(key, value), { maxLength: 4 }).map((pairs) =>
    pairs.map(([k, v]) => `${encodeURIComponent(k)}=${v === '%ZZ' || v === '%00' ? v : encodeURIComponent(v)}`).join('&'),
  );
}

// ---------------------------------------------------------------------------------------------
// Real HTTP helpers (127.0.0.1 only)
// ---------------------------------------------------------------------------------------------

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  json<T = any>(): T; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function http(base: string, method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...(opts.token ? { 'x-auth-token': opts.token } : {}), ...(opts.headers ?? {}) };
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${base}${path}`, { method, headers, body, signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

/** A raw HTTP/1.1 exchange with node:http (for oversized headers, which fetch refuses to send). */
export function rawHttp(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string; headers: Record<string, unknown> } | { error: string }> {
  const u = new URL(base);
  return new Promise((res) => {
    const req = httpRequest({ host: u.hostname, port: Number(u.port), method, path, headers, timeout: 10_000, agent: false }, (r) => {
      let data = '';
      r.setEncoding('utf8');
      r.on('data', (c) => (data += c));
      r.on('end', () => res({ status: r.statusCode ?? 0, body: data, headers: r.headers }));
      r.on('error', (e) => res({ error: e.message }));
    });
    req.on('error', (e) => res({ error: e.message }));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/**
 * The cloud's consistency, read through the public APIs (Nova as admin, Cinder at 3.44 with
 * all_tenants): servers ACTIVE and idle; per server unique devices and one BDM per volume; every BDM
 * backed by an `attached` Cinder attachment for that server and volume; no Cinder attachment without
 * a BDM; volumes `in-use` exactly when attached, else `available`; at most one attachment per
 * non-multiattach volume; no migration left running. Returns the problems (empty = consistent).
 */
export async function checkConsistency(
  base: string,
  admin: { token: string; projectId: string },
  servers: string[],
  opts: {
    volumeIds?: Set<string>;
    db?: { prepare(sql: string): { all(): unknown[]; get(): unknown } };
    /** Volumes Nova documents as left `detaching` (swap answered 500 after begin_detaching, spec §7 row 19). */
    allowDetaching?: Set<string>;
    /** Volumes left out of the check altogether, their BDMs included (the storm's "left as upstream leaves them"). */
    ignoreVolumes?: Set<string>;
  } = {},
): Promise<string[]> {
  const volumeIds = opts.volumeIds;
  const problems: string[] = [];
  const inScope = (id: string) => !volumeIds || volumeIds.has(id);
  const atts = ((await http(base, 'GET', `/volume/v3/${admin.projectId}/attachments/detail?all_tenants=1`, { token: admin.token, headers: { 'openstack-api-version': 'volume 3.44' } })).json().attachments as {
    id: string; status: string; instance: string; volume_id: string;
  }[]).filter((a) => inScope(a.volume_id));
  const vols = ((await http(base, 'GET', `/volume/v3/${admin.projectId}/volumes/detail?all_tenants=1`, { token: admin.token })).json().volumes as {
    id: string; status: string; multiattach: boolean; attachments: { server_id: string; attachment_id: string }[]; migration_status?: string | null;
  }[]).filter((v) => inScope(v.id));
  const attById = new Map(atts.map((a) => [a.id, a]));
  const bdmAttIds = new Set<string>();
  for (const server of servers) {
    const srv = (await http(base, 'GET', `/compute/v2.1/servers/${server}`, { token: admin.token })).json().server;
    if (srv.status !== 'ACTIVE' || srv['OS-EXT-STS:task_state'] !== null) problems.push(`server ${server} left ${srv.status}/${srv['OS-EXT-STS:task_state']}`);
    const bdms = (await http(base, 'GET', `/compute/v2.1/servers/${server}/os-volume_attachments`, { token: admin.token, headers: { 'openstack-api-version': 'compute 2.89' } })).json().volumeAttachments as {
      volumeId: string; attachment_id: string | null; device: string;
    }[];
    const devices = new Set<string>();
    const volsHere = new Set<string>();
    for (const b of bdms) {
      if (opts.ignoreVolumes?.has(b.volumeId)) continue;
      if (devices.has(b.device)) problems.push(`server ${server}: two BDMs on device ${b.device}`);
      devices.add(b.device);
      if (volsHere.has(b.volumeId)) problems.push(`server ${server}: volume ${b.volumeId} has two BDMs`);
      volsHere.add(b.volumeId);
      const a = b.attachment_id ? attById.get(b.attachment_id) : undefined;
      if (!a) problems.push(`BDM ${server}/${b.volumeId} points at attachment ${b.attachment_id} that Cinder does not have`);
      else {
        bdmAttIds.add(a.id);
        if (a.status !== 'attached' || a.instance !== server || a.volume_id !== b.volumeId) {
          problems.push(`BDM ${server}/${b.volumeId}: Cinder attachment ${a.id} is ${a.status} for ${a.instance}/${a.volume_id}`);
        }
      }
    }
  }
  for (const a of atts) if (!bdmAttIds.has(a.id)) problems.push(`Cinder attachment ${a.id} (${a.status}, ${a.instance}/${a.volume_id}) has no BDM (leaked)`);
  for (const v of vols) {
    if (v.migration_status && v.migration_status !== 'success') problems.push(`volume ${v.id} migration_status ${v.migration_status}`);
    const mine = atts.filter((a) => a.volume_id === v.id);
    if (!v.multiattach && mine.length > 1) problems.push(`volume ${v.id} has ${mine.length} attachments (${mine.map((a) => `${a.instance}:${a.status}`).join(', ')})`);
    const want = mine.length ? 'in-use' : 'available';
    const documentedStuck = v.status === 'detaching' && want === 'in-use' && opts.allowDetaching?.has(v.id);
    if (v.status !== want && !documentedStuck) problems.push(`volume ${v.id} is ${v.status} with ${mine.length} attachment(s)`);
  }
  if (opts.db) {
    // Cross-check the rows themselves (the API could hide a leaked row).
    const rowAtts = (opts.db.prepare('SELECT volume_id, attach_status FROM volume_attachments').all() as { volume_id: string; attach_status: string }[]).filter((r) => inScope(r.volume_id));
    for (const r of rowAtts) if (r.attach_status !== 'attached') problems.push(`attachment row of ${r.volume_id} left ${r.attach_status}`);
    const tasks = opts.db.prepare('SELECT COUNT(*) AS n FROM compute_tasks').get() as { n: number };
    if (tasks.n) problems.push(`${tasks.n} compute task(s) still recorded (unfinished or unrecovered operations)`);
  }
  return problems;
}

export async function loginHttp(base: string, user = 'admin', project = user === 'admin' ? 'admin' : user === 'nova' || user === 'cinder' ? 'service' : 'demo') {
  const res = await http(base, 'POST', '/identity/v3/auth/tokens', {
    body: { auth: { identity: { methods: ['password'], password: { user: { name: user, password: 'secret', domain: { name: 'Default' } } } }, scope: { project: { name: project, domain: { name: 'Default' } } } } },
  });
  if (res.status !== 201) throw new Error(`login ${user}: ${res.status} ${res.text}`);
  return { token: res.headers.get('x-subject-token')!, projectId: res.json().token.project.id as string, userId: res.json().token.user.id as string };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Poll `fn` until it returns a truthy value (or throw after timeoutMs). */
export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 10_000, everyMs = 20): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A bounded-concurrency pool: run every task, at most `limit` at a time, results in order. */
export async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<{ results: T[]; maxInFlight: number }> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= tasks.length) return;
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        results[i] = await tasks[i]();
      } finally {
        inFlight -= 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return { results, maxInFlight };
}

/** mulberry32: a seeded PRNG for workload generation outside fast-check. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] };
}

// ---------------------------------------------------------------------------------------------
// novasim as a child process (the built CLI users run, dist/bundle/novasim.mjs), for crash tests
// ---------------------------------------------------------------------------------------------

export const CLI = join(ROOT, 'dist', 'bundle', 'novasim.mjs');

export interface Child {
  proc: ChildProcess;
  url: string;
  /** Everything printed so far. */
  stdout: () => string;
  stderr: () => string;
  /** The "novasim recovered …" line, if start-up recovery did something. */
  recovered: { completed: number; rolledBack: number } | null;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export function tempDbPath(tag: string): string {
  return join(tmpdir(), `novasim-${tag}-${process.pid}-${Date.now()}-${Math.floor(Math.random() * 1e9)}.sqlite`);
}

export function removeDb(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(path + suffix)) rmSync(path + suffix, { force: true });
}

export async function startChild(args: string[], env: Record<string, string> = {}, timeoutMs = 15_000): Promise<Child> {
  const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--log-level', 'silent', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const url = await new Promise<string>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`novasim did not start: ${out} ${err}`)), timeoutMs);
    const check = () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(t);
        res(m[1]);
      }
    };
    proc.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(t);
      rej(new Error(`novasim exited (${code}) before listening: ${out} ${err}`));
    });
  });
  const rec = /novasim recovered (\d+) completed, (\d+) rolled back/.exec(out);
  return {
    proc,
    url,
    stdout: () => out,
    stderr: () => err,
    recovered: rec ? { completed: Number(rec[1]), rolledBack: Number(rec[2]) } : null,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** Log one line per property/measurement, so the run shows what was tried. */
export function report(line: string): void {
  console.log(`[reliability] ${line}`);
}

// ---------------------------------------------------------------------------------------------
// The bad-input property loop: send, check the answer, check nothing changed on a rejection
// ---------------------------------------------------------------------------------------------

export interface CaseStats {
  cases: number;
  rejected: number;
  accepted: number;
  rebuilds: number;
  byStatus: Map<number, number>;
  /** 5xx answers excused as documented upstream behaviour, by reason. */
  documented: Map<string, number>;
}

export const newStats = (): CaseStats => ({ cases: 0, rejected: 0, accepted: 0, rebuilds: 0, byStatus: new Map(), documented: new Map() });

export function statsLine(name: string, s: CaseStats, v: Violations): string {
  const statuses = [...s.byStatus.entries()].sort((a, b) => a[0] - b[0]).map(([k, n]) => `${k}:${n}`).join(' ');
  const doc = [...s.documented.entries()].map(([k, n]) => `${n}× ${k}`).join('; ');
  return `${name}: ${s.cases} cases (${s.rejected} rejected, ${s.accepted} accepted, ${s.rebuilds} fixture rebuilds) statuses {${statuses}}${doc ? ` documented 5xx {${doc}}` : ''} → ${v.size} distinct violation(s)`;
}

/**
 * Send one case and judge it. A rejected request (≥400) must leave every table (except tokens)
 * and the notification stream exactly as they were; `allowDiff` may excuse a documented change.
 * Returns true when the request was accepted and changed something (the caller rebuilds its fixture).
 */
export async function judgeCase(
  sim: Simulator,
  c: InjectCase,
  v: Violations,
  stats: CaseStats,
  allowDiff?: (sent: Sent, answer: Answer, diff: string[]) => boolean,
): Promise<{ sent: Sent; answer: Answer; dirty: boolean }> {
  const before = snapshotDb(sim);
  const seq = sim.notifications.capture.lastSeq;
  const { sent, answer } = await injectCase(sim, c);
  stats.cases += 1;
  stats.byStatus.set(answer.status, (stats.byStatus.get(answer.status) ?? 0) + 1);
  checkResponse(v, sent, answer);
  const why = documented5xx(sent, answer);
  if (why) stats.documented.set(why, (stats.documented.get(why) ?? 0) + 1);
  await sim.idle();
  const route = routeKey(sent.method, sent.url);
  if (answer.status >= 400) {
    stats.rejected += 1;
    const diff = diffSnapshots(before, snapshotDb(sim));
    if (diff.length && !allowDiff?.(sent, answer, diff)) {
      v.add(`${route}: rejected (${answer.status}) request changed ${diff.map((d) => d.split(':')[0]).join(', ')}`, `${describeSent(sent, answer)}\n      diff: ${diff.join('\n            ')}`);
    }
    const emitted = sim.notifications.list({ since: seq });
    if (emitted.length) {
      v.add(`${route}: rejected (${answer.status}) request emitted ${emitted.map((n) => n.envelope.event_type).join(', ')}`, describeSent(sent, answer));
    }
    return { sent, answer, dirty: false };
  }
  stats.accepted += 1;
  return { sent, answer, dirty: sent.method !== 'GET' && sent.method !== 'HEAD' };
}
