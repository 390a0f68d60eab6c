// The deprecated console actions (nova/api/openstack/compute/remote_consoles.py, 2.1–2.5):
// os-getVNCConsole, os-getSPICEConsole, os-getSerialConsole and os-getRDPConsole. From 2.6 they are
// POST /servers/{id}/remote-consoles (src/api/routes/remote-consoles.ts).
import { z } from 'zod';
import { ComputeException } from '../exceptions.js';
import type { ConsoleProtocol } from '../consoles.js';
import { defineAction } from './types.js';

const typed = (key: string, types: [string, ...string[]]) => z.object({ [key]: z.object({ type: z.enum(types) }).strict() }).strict();

function consoleAction(name: string, protocol: Exclude<ConsoleProtocol, 'rdp'>, types: [string, ...string[]], conflictName: string) {
  return defineAction<{ type: string }>({
    name,
    conflictName,
    maxVersion: '2.5',
    bodies: [{ schema: typed(name, types) }],
    args: (body) => ({ type: (body[name] as { type: string }).type }),
    status: 200,
    policy: 'os_compute_api:os-remote-consoles',
    lock: false,
    states: null,
    errors: { ConsoleTypeUnavailable: 400, ConsoleTypeInvalid: 400, InstanceNotReady: 409 },
    async apiCall({ hooks, ctx, instance, args }) {
      const out = hooks.consoles.get(ctx, instance, protocol, args.type);
      return { console: { type: args.type, url: out.url } };
    },
  });
}

export const getVncConsole = consoleAction('os-getVNCConsole', 'vnc', ['novnc', 'xvpvnc'], 'get_vnc_console');
export const getSpiceConsole = consoleAction('os-getSPICEConsole', 'spice', ['spice-html5'], 'get_spice_console');
export const getSerialConsole = consoleAction('os-getSerialConsole', 'serial', ['serial'], 'get_serial_console');

/**
 * os-getRDPConsole: on master removed with the Hyper-V driver (29.0.0): any body, a bare 400. On Zed
 * the rdp proxy is off by default ([rdp] enabled = False): "Unavailable console type rdp-html5.".
 */
export const getRdpConsole = defineAction<Record<string, never>>({
  name: 'os-getRDPConsole',
  conflictName: 'get_rdp_console',
  maxVersion: '2.5',
  bodies: [{ schema: z.object({ 'os-getRDPConsole': z.unknown() }).strict() }],
  args: () => ({}),
  policy: 'os_compute_api:os-remote-consoles',
  lock: false,
  states: null,
  errors: { ConsoleTypeUnavailable: 400, HTTPBadRequest: 400 },
  async apiCall({ s }) {
    if (s.profile.name === 'zed') throw new ComputeException('ConsoleTypeUnavailable', 'Unavailable console type rdp-html5.', { novaException: true, code: 400 });
    throw new ComputeException('HTTPBadRequest', 'The server could not comply with the request since it is either malformed or otherwise incorrect.', { novaException: true, code: 400 });
  },
});
