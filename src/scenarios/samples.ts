// `novasim samples`: run Nova's notification-sample scenarios in deterministic mode, write each
// notification as a sample file (--out) and compare them with Nova's golden samples (--check).
import { join } from 'node:path';
import { PROFILES, type ProfileName } from '../profiles/index.js';
import { checkRecorded } from './check.js';
import { SampleHarness } from './harness.js';
import { createDelete, createDeleteWithInstanceUpdate, createError } from './instance-lifecycle.js';
import { flavorCreate, flavorDestroy, flavorUpdate, flavorUpdateDescription } from './flavor.js';
import type { Scenario, ScenarioResult } from './types.js';
import { volumeAttachError, volumeDetachAttach } from './volume-attach.js';
import { volumeSwap, volumeSwapError } from './volume-swap.js';
import { interfaceAttachDetach, interfaceAttachError } from './interface-attach.js';
import { writeSample } from './write.js';
import { keypairCreateDelete, keypairImport } from './keypairs.js';
import { serverGroupAddMember, serverGroupCreateDelete } from './server-groups.js';
import { INSTANCE_ACTION_SCENARIOS } from './instance-actions.js';
import { AGGREGATE_SCENARIOS } from './aggregates.js';
import { SERVICE_SCENARIOS } from './services.js';
import { shareAttachDetach, shareAttachDetachError } from './share-attach.js';
import { SHELVE_DELETE_SCENARIOS } from './shelve-delete.js';
import { RESIZE_SCENARIOS } from './resize.js';
import { LIVE_MIGRATION_SCENARIOS } from './live-migration.js';
import { SERVICE_LIFECYCLE_SCENARIOS } from './service-lifecycle.js';
import { buildInstancesFault } from './compute-task.js';
import { PERIODIC_SCENARIOS } from './periodic.js';
import { REBUILD_SCENARIOS } from './rebuild.js';
import { snapshotServer } from './snapshot.js';
import { evacuateServer } from './evacuate.js';
import { computeTaskRebuildFault } from './compute-task-rebuild.js';

const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

export const SCENARIOS: readonly Scenario[] = [
  createDelete, createError, createDeleteWithInstanceUpdate, volumeDetachAttach, volumeAttachError, volumeSwap, volumeSwapError,
  flavorCreate, flavorDestroy, flavorUpdate, flavorUpdateDescription,
  keypairCreateDelete, keypairImport, serverGroupCreateDelete, serverGroupAddMember,
  interfaceAttachDetach, interfaceAttachError,
  shareAttachDetach, shareAttachDetachError,
  ...INSTANCE_ACTION_SCENARIOS,
  ...AGGREGATE_SCENARIOS,
  ...SERVICE_SCENARIOS,
  ...SHELVE_DELETE_SCENARIOS,
  ...RESIZE_SCENARIOS,
  ...LIVE_MIGRATION_SCENARIOS,
  ...SERVICE_LIFECYCLE_SCENARIOS,
  buildInstancesFault,
  ...PERIODIC_SCENARIOS,
  ...REBUILD_SCENARIOS,
  snapshotServer,
  evacuateServer,
  computeTaskRebuildFault,
];

export interface RunSamplesOptions {
  /** master or zed; both when absent. */
  profile?: string;
  /** Write <out>/<profile>/<scenario>/<sample>.json. */
  out?: string;
  /** Compare with the golden samples; mismatches make the exit code 1. */
  check: boolean;
  /** Only these scenarios (by name); default all. */
  scenarios?: readonly string[];
  /** Where the report goes (default stdout). */
  log?: (line: string) => void;
}

/** Run one scenario on a fresh simulator (like one Nova test case). */
export async function runScenario(scenario: Scenario, profile: ProfileName): Promise<ScenarioResult> {
  const h = await SampleHarness.start(profile, { ...scenario.flags, ...scenario.config?.(profile) });
  try {
    const result = await scenario.run(h, profile);
    // _boot_a_server's own checks (scheduler-select_destinations-start/-end) come first, as in Nova's test.
    return { ...result, recorded: [...h.sideRecorded, ...result.recorded] };
  } catch (err) {
    return { name: scenario.name, nova: scenario.nova, recorded: [], problems: [`scenario failed: ${(err as Error).message}`], notes: [] };
  } finally {
    await h.close();
  }
}

/** Returns the process exit code: 0 ok, 1 problems or mismatches, 2 bad options. */
export async function runSamples(opts: RunSamplesOptions): Promise<number> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const fail = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (opts.profile !== undefined && !(PROFILE_NAMES as string[]).includes(opts.profile)) {
    fail(`novasim samples: unknown profile ${JSON.stringify(opts.profile)} (expected ${PROFILE_NAMES.join(' or ')})`);
    return 2;
  }
  if (!opts.out && !opts.check) {
    fail('novasim samples: nothing to do; give --out DIR and/or --check');
    return 2;
  }
  const profiles = opts.profile ? [opts.profile as ProfileName] : [...PROFILE_NAMES];
  const scenarios = opts.scenarios ? SCENARIOS.filter((s) => opts.scenarios!.includes(s.name)) : SCENARIOS;
  let failures = 0;
  for (const profile of profiles) {
    log(`== ${profile}`);
    for (const scenario of scenarios) {
      if (scenario.profiles && !scenario.profiles.includes(profile)) continue;
      const result = await runScenario(scenario, profile);
      log(`  ${result.name} (${result.nova})`);
      for (const p of result.problems) log(`    PROBLEM: ${p}`);
      failures += result.problems.length;
      for (const r of result.recorded) {
        const written = opts.out ? writeSample(join(opts.out, profile, result.name), r.file, r.notification) : null;
        if (!opts.check) {
          log(`    ${r.file}.json${written ? ` -> ${written}` : ''}`);
          continue;
        }
        const c = checkRecorded(r, profile);
        const how = r.check.kind === 'exception' ? ' (structure only)' : '';
        log(`    ${r.file}.json: ${c.status.toUpperCase()}${how}`);
        if (c.status === 'mismatch') failures++;
        for (const line of c.detail) log(`      ${line}`);
        if (r.check.kind === 'exception') log(`      note: ${r.check.note}`);
      }
      for (const n of result.notes) log(`    note: ${n}`);
    }
  }
  log(failures ? `novasim samples: ${failures} problem(s)` : `novasim samples: ok${opts.check ? ', every compared notification matches its sample' : ''}`);
  return failures ? 1 : 0;
}
