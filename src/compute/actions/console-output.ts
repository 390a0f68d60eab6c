// os-getConsoleOutput (nova/api/openstack/compute/console_output.py → compute_api.get_console_output,
// @check_instance_host → ComputeManager.get_console_output, an RPC call answered by nova.virt.fake's
// fixed console text). 200 {"output": …}; `length` keeps the last lines as _tail_log does.
import { z } from 'zod';
import { defineAction } from './types.js';

/** nova.virt.fake.FakeDriver.get_console_output. */
export const FAKE_CONSOLE_OUTPUT = 'FAKE CONSOLE OUTPUT\nANOTHER\nLAST LINE';

// 'length': {'type': ['integer', 'string', 'null'], 'pattern': '^-?[0-9]+$', 'minimum': -1}
const length = z.union([z.number().int().min(-1), z.string().regex(/^-?[0-9]+$/), z.null()]);
const schema = z.object({ 'os-getConsoleOutput': z.object({ length: length.optional() }).strict() }).strict();

/** ComputeManager._tail_log: 0 → empty; n → the last n lines (so -1 drops the first line, as Nova's slice does). */
export function tailLog(log: string, len: number | string | null): string {
  if (len === null) return log;
  const n = Number.parseInt(String(len), 10) || 0;
  if (n === 0) return '';
  return log.split('\n').slice(-n).join('\n');
}

export const getConsoleOutput = defineAction<{ length: number | string | null }>({
  name: 'os-getConsoleOutput',
  conflictName: 'os-getConsoleOutput',
  bodies: [{ schema }],
  args: (body) => ({ length: (body['os-getConsoleOutput'] as { length?: number | string | null }).length ?? null }),
  status: 200,
  policy: 'os_compute_api:os-console-output',
  lock: false,
  host: true,
  states: null,
  apiEffect: ({ args }) => {
    // The controller strips the characters XML could not carry.
    // eslint-disable-next-line no-control-regex
    return { output: tailLog(FAKE_CONSOLE_OUTPUT, args.length).replace(/[\x00-\x08\x0B-\x1F]/g, '') };
  },
});
