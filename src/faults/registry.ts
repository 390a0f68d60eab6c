// Deterministic fault injection shared by the fake Cinder, the simulated hypervisor and the
// control plane: a matched fault makes that component fail (or wait) exactly like a real one would.
import { z } from 'zod';
import { RouteFaults, type RouteFault, type RouteFaultSpec } from './route-faults.js';

const FaultErrorSchema = z.union([
  z.object({ status: z.number().int().min(400).max(599), message: z.string().max(4096) }).strict(),
  z.object({ delay_ms: z.number().int().min(0).max(600_000) }).strict(),
  // compute driver faults raise a Python-like exception (class name + message).
  z
    .object({
      exception: z.string().min(1).max(100),
      message: z.string().max(4096),
      /** Where the exception appears to be raised (ExceptionPayload module_name/function_name). */
      module: z.string().min(1).max(200).optional(),
      function: z.string().min(1).max(200).optional(),
    })
    .strict(),
]);
type FaultError = z.output<typeof FaultErrorSchema>;

/** The virt driver's volume operations: their failures come from os-brick. */
const DRIVER_VOLUME_OPS = ['driver.attach_volume', 'driver.detach_volume', 'driver.swap_volume'];

/** `%(name)s` in a default message is replaced by the volume id when the fault fires. */
export const VOLUME_NAME_PLACEHOLDER = '%(name)s';

/**
 * The error a fault gets when none is given: what the component most plausibly raises there.
 * Cinder API/manager points answer Cinder's generic 500 (FaultWrapper), Neutron's its own; the driver's volume
 * operations raise os-brick's VolumeDriverException (os_brick/exception.py, message kept).
 * Other compute points have no obvious default: the caller must say which exception.
 */
function defaultError(service: 'cinder' | 'compute' | 'neutron' | 'manila', operation: string): FaultError | null {
  // Manila's FaultWrapper hides an unexpected error behind the same generic 500 as Cinder's.
  if (service === 'cinder' || service === 'manila') return { status: 500, message: 'The server has either erred or is incapable of performing the requested operation.' };
  // neutron/api/v2/resource.py: an unexpected error is this HTTPInternalServerError.
  if (service === 'neutron') return { status: 500, message: 'Request Failed: internal server error while processing your request.' };
  // libvirt Host._get_connection when libvirtd is not there.
  if (operation === 'driver.connect') {
    return { exception: 'libvirtError', message: "Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory", module: 'nova.virt.libvirt.host', function: '_get_connection' };
  }
  if (DRIVER_VOLUME_OPS.includes(operation)) {
    return { exception: 'VolumeDriverException', message: `An error occurred while IO to volume ${VOLUME_NAME_PLACEHOLDER}.` };
  }
  return null;
}

export const FaultSpecSchema = z
  .object({
    service: z.enum(['cinder', 'compute', 'neutron', 'manila']),
    operation: z.string().min(1).max(100),
    match: z
      .object({ volume_id: z.string().optional(), instance_uuid: z.string().optional(), attachment_id: z.string().optional(), share_id: z.string().optional() })
      .strict()
      .default({}),
    times: z.number().int().min(1).max(1_000_000).default(1),
    error: FaultErrorSchema.optional(),
  })
  .strict()
  .transform((f, ctx) => {
    if (f.error) return { ...f, error: f.error };
    const error = defaultError(f.service, f.operation);
    if (error) return { ...f, error };
    ctx.addIssue({
      code: 'custom',
      path: ['error'],
      message: `required for compute operation ${f.operation} (give {"exception": "<Python class>", "message": "…"}, {"status": <4xx/5xx>, "message": "…"} or {"delay_ms": N}; only Cinder and Manila operations and ${DRIVER_VOLUME_OPS.join(', ')} have a default)`,
    });
    return z.NEVER;
  });

export type FaultSpec = z.input<typeof FaultSpecSchema>;
export type Fault = z.output<typeof FaultSpecSchema> & { id: string; hits: number; remaining: number };

export interface FaultTarget {
  volume_id?: string | null;
  instance_uuid?: string | null;
  attachment_id?: string | null;
  share_id?: string | null;
}

export class FaultRegistry {
  private faults: Fault[] = [];
  private next = 1;
  /** Generic faults on any route (./route-faults.ts), applied by the root hook in ./route-hook.ts. */
  readonly routes = new RouteFaults();

  /** A route fault; without a seed, deterministic runs draw from a fixed one. */
  addRoute(spec: RouteFaultSpec, now: Date, deterministic: boolean): RouteFault {
    return this.routes.add(spec, now, () => (deterministic ? 42 + this.routes.size : Math.floor(Math.random() * 2 ** 32)));
  }

  add(spec: FaultSpec): Fault {
    const parsed = FaultSpecSchema.parse(spec);
    const fault: Fault = { ...parsed, id: `fault-${this.next++}`, hits: 0, remaining: parsed.times };
    this.faults.push(fault);
    return fault;
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** Operation faults then route faults (what GET /_novasim/faults shows). */
  listAll(): (Fault | RouteFault)[] {
    return [...this.list(), ...this.routes.list()];
  }

  clear(): void {
    this.faults = [];
    this.routes.clear();
  }

  remove(id: string): boolean {
    if (this.routes.remove(id)) return true;
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length !== before;
  }

  /** Consume one hit of the first armed fault matching this call, if any. */
  take(service: Fault['service'], operation: string, target: FaultTarget = {}): Fault | null {
    for (const f of this.faults) {
      if (f.service !== service || f.operation !== operation || f.remaining <= 0) continue;
      const m = f.match;
      if (m.volume_id && m.volume_id !== target.volume_id) continue;
      if (m.instance_uuid && m.instance_uuid !== target.instance_uuid) continue;
      if (m.attachment_id && m.attachment_id !== target.attachment_id) continue;
      if (m.share_id && m.share_id !== target.share_id) continue;
      f.remaining -= 1;
      f.hits += 1;
      return { ...f };
    }
    return null;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
