// openstacksdk's cloud layer create_server(..., wait=True) with its defaults (image and flavor by name,
// auto_ip) against `novasim serve` (both profiles), as the demo user.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { distProblem, startNovasim, type Novasim } from './helpers/novasim.js';
import { describeIf, PYTHON, pythonProblem } from './helpers/prereq.js';

vi.setConfig({ testTimeout: 120_000 });

const PY = join(dirname(fileURLToPath(import.meta.url)), 'py');
const problems = [distProblem(), await pythonProblem(['openstack'])];

for (const profile of ['master', 'zed'] as const) describeIf('sdk create_server interop', problems)(`openstacksdk create_server with its defaults (${profile} profile)`, () => {
  let sim: Novasim;
  beforeAll(async () => {
    sim = await startNovasim({ profile });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("create_server('sdk1', image='cirros', flavor='m1.tiny', network='private', wait=True) reaches ACTIVE", async () => {
    const out = await new Promise<string>((resolve, reject) => {
      execFile(PYTHON, [join(PY, 'sdk_create_server_defaults.py'), sim.url], { timeout: 110_000, env: { ...process.env, PYTHONPATH: '', PYTHONHOME: '', NO_PROXY: '*', no_proxy: '*' } },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
    });
    const seen = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(seen.status).toBe('ACTIVE');
    expect(seen.private_v4).toMatch(/^10\.0\.0\./);
  });
});
