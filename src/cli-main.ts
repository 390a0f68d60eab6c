// The command line itself. src/cli.ts is the entry: it loads this (as dist/bundle/novasim-cli.cjs, through
// the code cache of src/compile-cache.ts) with the start-up tuning set (src/startup-tiering.ts,
// src/startup-heap.ts), which ends once the command has started: at the server's ready line, or right away
// for the other commands.
// `novasim serve` (and `novasim samples`, see samples-cli.ts): flags and NOVASIM_* variables, validated by zod.
import { parseArgs } from 'node:util';
import { ZodError } from 'zod';
import { ConfigSchema, configFromEnv } from './config.js';
import { createSimulator } from './index.js';
import { releaseYoungGeneration } from './startup-heap.js';
import { releaseOptimizingCompiler } from './startup-tiering.js';
import { notifyStarted } from './compile-cache.js';

const USAGE = `usage: novasim serve [--host H] [--port P] [--db FILE|:memory:] [--profile master|zed] [--seed FILE]
                     [--log-level L] [--deterministic] [--build-delay-ms N] [--live-migration-ms N] [--notify-jsonl FILE]
                     [--notify-amqp URL] [--notify-webhook URL] [--control-token T]
                     [--compute-hosts N] [--transport http|inject] [--shelved-offload-time S] [--shelved-poll-interval S]
                     [--reclaim-instance-interval S] [--allow-resize-to-same-host true|false] [--resize-confirm-window S] [--vif-plugging-timeout S]
                     [--vif-plugging-is-fatal true|false] [--notify-on-state-change none|vm_state|vm_and_task_state]
                     [--reimage-timeout-per-gb S]
       novasim samples --profile master|zed --out DIR [--check]
Every flag can also be given as NOVASIM_<FLAG> (e.g. NOVASIM_PORT=0, NOVASIM_DB=/tmp/n.sqlite).`;

const FLAGS = {
  host: { type: 'string' }, port: { type: 'string' }, db: { type: 'string' }, profile: { type: 'string' }, seed: { type: 'string' },
  'log-level': { type: 'string' }, deterministic: { type: 'boolean' }, 'build-delay-ms': { type: 'string' }, 'live-migration-ms': { type: 'string' },
  'notify-jsonl': { type: 'string' }, 'notify-amqp': { type: 'string' }, 'notify-webhook': { type: 'string' },
  'control-token': { type: 'string' }, 'compute-host': { type: 'string' }, 'conf-host': { type: 'string' },
  'notification-format': { type: 'string' }, 'notify-on-state-change': { type: 'string' }, 'control-exchange': { type: 'string' }, 'disk-prefix': { type: 'string' }, 'notification-cap': { type: 'string' },
  out: { type: 'string' }, check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  'compute-hosts': { type: 'string' }, transport: { type: 'string' },
  'shelved-offload-time': { type: 'string' }, 'shelved-poll-interval': { type: 'string' }, 'reclaim-instance-interval': { type: 'string' },
  'allow-resize-to-same-host': { type: 'string' }, 'resize-confirm-window': { type: 'string' },
  'my-ip': { type: 'string' }, 'compute-monitors': { type: 'string' }, 'volume-usage-poll-interval': { type: 'string' },
  'notifications-topics': { type: 'string' },
  'vif-plugging-timeout': { type: 'string' }, 'vif-plugging-is-fatal': { type: 'string' }, 'reimage-timeout-per-gb': { type: 'string' },
} as const;

/** Flags whose option is a list: comma-separated on the command line, as the NOVASIM_* variables. */
const LIST_FLAGS = new Set(['computeMonitors', 'notificationsTopics']);

const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

async function serve(flags: Record<string, unknown>) {
  const fromFlags = Object.fromEntries(Object.entries(flags).filter(([k, v]) => v !== undefined && !['out', 'check', 'help'].includes(k)).map(([k, v]) => [camel(k), LIST_FLAGS.has(camel(k)) ? String(v).split(',') : v]));
  const config = ConfigSchema.parse({ port: 8774, transport: 'http', ...configFromEnv(process.env), ...fromFlags });
  const sim = await createSimulator(config);
  const url = await sim.listen();
  const recovered = await sim.recovery;
  if (recovered.completed.length || recovered.rolledBack.length) {
    process.stdout.write(`novasim recovered ${recovered.completed.length} completed, ${recovered.rolledBack.length} rolled back operation(s) interrupted by the last stop\n`);
  }
  const cv = sim.cinderRecovery;
  if (cv.errored.length || cv.deleting.length) {
    process.stdout.write(`novasim cinder cleaned up ${cv.errored.length} interrupted create(s) (now error), resumed ${cv.deleting.length} delete(s)\n`);
  }
  // V8's defaults back before the code cache is written (src/compile-cache.ts), and the ready line last.
  releaseYoungGeneration();
  releaseOptimizingCompiler();
  notifyStarted();
  process.stdout.write(`novasim ${sim.profile.name} listening on ${url} (identity: ${url}/identity/v3)\n`);
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await sim.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function main() {
  const { values, positionals } = parseArgs({ options: FLAGS, allowPositionals: true, strict: true });
  const cmd = positionals[0] ?? 'serve';
  if (cmd !== 'serve' || values.help) {
    releaseYoungGeneration();
    releaseOptimizingCompiler();
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (cmd === 'serve') return serve(values);
  if (cmd === 'samples') {
    const { runSamplesCli } = await import('./samples-cli.js');
    process.exitCode = await runSamplesCli({ profile: values.profile, out: values.out, check: values.check ?? false });
    return;
  }
  throw new Error(`unknown command ${cmd}`);
}

main().catch((err: unknown) => {
  if (err instanceof ZodError) {
    process.stderr.write(`novasim: invalid option: ${err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n${USAGE}\n`);
  } else {
    process.stderr.write(`novasim: ${(err as Error).message}\n${USAGE}\n`);
  }
  process.exit(2);
});
