// Deterministic fault injection shared by the fake Cinder, the simulated hypervisor and the
// control plane: a matched fault makes that component fail (or wait) exactly like a real one would.
import { z } from 'zod';

export const FaultSpecSchema = z
  .object({
    service: z.enum(['cinder', 'compute', 'neutron']),
    operation: z.string().min(1).max(100),
    match: z
      .object({ volume_id: z.string().optional(), instance_uuid: z.string().optional(), attachment_id: z.string().optional() })
      .strict()
      .default({}),
    times: z.number().int().min(1).max(1_000_000).default(1),
    error: z.union([
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
    ]),
  })
  .strict();

export type FaultSpec = z.input<typeof FaultSpecSchema>;
export type Fault = z.output<typeof FaultSpecSchema> & { id: string; hits: number; remaining: number };

export interface FaultTarget {
  volume_id?: string | null;
  instance_uuid?: string | null;
  attachment_id?: string | null;
}

export class FaultRegistry {
  private faults: Fault[] = [];
  private next = 1;

  add(spec: FaultSpec): Fault {
    const parsed = FaultSpecSchema.parse(spec);
    const fault: Fault = { ...parsed, id: `fault-${this.next++}`, hits: 0, remaining: parsed.times };
    this.faults.push(fault);
    return fault;
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
  }

  remove(id: string): boolean {
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
      f.remaining -= 1;
      f.hits += 1;
      return { ...f };
    }
    return null;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
