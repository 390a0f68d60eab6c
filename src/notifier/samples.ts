// Nova's golden notification samples (doc/notification_samples), loaded the way Nova's sample
// tests load them: JSON with `$ref` resolved as nova/tests/json_ref.py does.
//
// Where the samples live: $NOVASIM_REFERENCE_DIR (the `reference` directory that holds `nova/`),
// else the copy packaged with novasim (`fixtures/reference`, byte-identical to upstream; see its NOTICE).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getProfile, type Profile, type ProfileName } from '../profiles/index.js';
import { deepFreeze } from './freeze.js';

/** Per release, the samples directory relative to the reference dir. */
export const SAMPLE_DIRS: Readonly<Record<ProfileName, string>> = {
  master: 'nova/notification_samples',
  zed: 'nova/zed-26.2.2/notification_samples',
};

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The four keys Nova's fake notifier records and the sample files hold. */
export interface NotificationSample {
  event_type: string;
  payload: { [key: string]: Json };
  priority: string;
  publisher_id: string;
}

/** The reference data shipped in the package: `fixtures/reference` (same depth from src/ and dist/). */
export const PACKAGED_REFERENCE_DIR = fileURLToPath(new URL('../../fixtures/reference', import.meta.url));

/**
 * Reference directories seen to hold the samples: the check is a syscall per assertion otherwise. Only
 * successes are kept, so a directory named by a changed NOVASIM_REFERENCE_DIR is still checked once.
 */
const verifiedDirs = new Set<string>();

/** Absolute path of the reference directory (the one containing `nova/notification_samples`). */
export function referenceDir(): string {
  const fromEnv = process.env.NOVASIM_REFERENCE_DIR;
  if (fromEnv) {
    const dir = resolve(fromEnv);
    if (!verifiedDirs.has(dir) && !existsSync(join(dir, SAMPLE_DIRS.master))) {
      throw new Error(`NOVASIM_REFERENCE_DIR=${fromEnv} has no ${SAMPLE_DIRS.master}`);
    }
    verifiedDirs.add(dir);
    return dir;
  }
  if (!verifiedDirs.has(PACKAGED_REFERENCE_DIR) && !existsSync(join(PACKAGED_REFERENCE_DIR, SAMPLE_DIRS.master))) {
    throw new Error(`Nova notification samples not found: the package's ${PACKAGED_REFERENCE_DIR} has no ${SAMPLE_DIRS.master} (set NOVASIM_REFERENCE_DIR)`);
  }
  verifiedDirs.add(PACKAGED_REFERENCE_DIR);
  return PACKAGED_REFERENCE_DIR;
}

function profileName(profile: Profile | ProfileName): ProfileName {
  return typeof profile === 'string' ? profile : profile.name;
}

export function sampleDir(profile: Profile | ProfileName = 'master'): string {
  const name = profileName(profile);
  getProfile(name); // unknown names fail here rather than as a missing file
  return join(referenceDir(), SAMPLE_DIRS[name]);
}

/**
 * Parsed files and resolved samples, by absolute path. The samples are read-only reference data
 * (vendored, or the NOVASIM_REFERENCE_DIR a run names), never written by novasim, so an entry never
 * goes stale; a different reference directory is a different path. Resolving a sample reads and
 * merges every file its $refs name, which each assertion (the benchmark's scenario, the samples CLI,
 * user tests) otherwise repeated; the resolved document is frozen so no copy handed out can change it.
 */
const fileCache = new Map<string, Json>();
const resolvedCache = new Map<string, Json>();

function readJson(path: string): Json {
  let doc = fileCache.get(path);
  if (doc === undefined) {
    doc = JSON.parse(readFileSync(path, 'utf8')) as Json;
    fileCache.set(path, doc);
  }
  return structuredClone(doc);
}

/** json_ref._update_dict_recursively: dicts merge recursively, anything else replaces. */
function mergeInto(target: { [key: string]: Json }, update: { [key: string]: Json }): void {
  for (const [key, value] of Object.entries(update)) {
    const current = target[key];
    if (isDict(current) && isDict(value)) mergeInto(current, value);
    else target[key] = value;
  }
}

function isDict(v: unknown): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function loadRef(ref: string, baseDir: string): Json {
  const [file, pointer] = ref.split('#', 2);
  // Nova raises NotImplementedError for a JSON pointer after '#'; so do we.
  if (pointer) throw new Error(`JSON refs with a path after "#" are not supported: ${ref}`);
  const path = isAbsolute(file) ? file : join(baseDir, file);
  return resolveRefs(readJson(path), dirname(path));
}

/**
 * nova/tests/json_ref.py resolve_refs: a dict with `$ref` becomes the referenced file (path relative
 * to the referring file, its own refs resolved relative to itself), with the dict's other keys
 * resolved and deep-merged over it. Mutates and returns `doc`.
 */
export function resolveRefs(doc: Json, baseDir: string): Json {
  if (Array.isArray(doc)) {
    for (let i = 0; i < doc.length; i++) doc[i] = resolveRefs(doc[i], baseDir);
    return doc;
  }
  if (!isDict(doc)) return doc;
  if ('$ref' in doc) {
    const { $ref, ...overrides } = doc;
    if (typeof $ref !== 'string') throw new Error(`$ref must be a string, got ${JSON.stringify($ref)}`);
    const resolved = loadRef($ref, baseDir);
    const resolvedOverrides = resolveRefs(overrides, baseDir);
    if (isDict(resolved) && isDict(resolvedOverrides)) {
      mergeInto(resolved, resolvedOverrides);
      return resolved;
    }
    return Object.keys(overrides).length ? resolvedOverrides : resolved;
  }
  for (const key of Object.keys(doc)) doc[key] = resolveRefs(doc[key], baseDir);
  return doc;
}

/** A sample by name (`instance-volume_swap-start`, `.json` optional), refs resolved, as a fresh copy. */
export function loadSample(name: string, profile: Profile | ProfileName = 'master'): NotificationSample {
  const file = name.endsWith('.json') ? name : `${name}.json`;
  const path = join(sampleDir(profile), file);
  let resolved = resolvedCache.get(path);
  if (resolved === undefined) {
    if (!existsSync(path)) throw new Error(`no notification sample ${file} for profile ${profileName(profile)} (${path})`);
    resolved = deepFreeze(resolveRefs(readJson(path), dirname(path)));
    resolvedCache.set(path, resolved);
  }
  // Callers get their own copy: matchesNotificationSample writes its replacements into it.
  return structuredClone(resolved) as unknown as NotificationSample;
}
