// Events Neutron and Cinder send to Nova (POST /os-server-external-events → compute_api.
// external_instance_event → the instance's compute host). novasim records each accepted event per
// instance; a flow (or a test) can wait for one, as nova-compute's wait_for_instance_event does.
import type { Services } from '../services.js';

export interface ExternalEvent {
  instanceUuid: string;
  /** The instance row's internal id: after a reset a deterministic run reuses uuids, never ids. */
  instanceId: number;
  name: string;
  status: 'failed' | 'completed' | 'in-progress';
  tag: string | null;
  /** Simulator time it arrived. */
  at: Date;
}

interface Waiter {
  instanceUuid: string;
  name: string;
  tag: string | null | undefined;
  resolve: (e: ExternalEvent) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
}

const matches = (w: { instanceUuid: string; name: string; tag?: string | null }, e: ExternalEvent) =>
  w.instanceUuid === e.instanceUuid && w.name === e.name && (w.tag === undefined || w.tag === e.tag);

/** The events one simulator received, bounded per instance. */
export class ExternalEvents {
  private byInstance = new Map<string, ExternalEvent[]>();
  private waiters = new Set<Waiter>();
  private static readonly PER_INSTANCE = 200;

  constructor(
    private now: () => Date,
    /** The current internal id of an instance uuid (null when there is none). */
    private currentId: (uuid: string) => number | null,
  ) {}

  /** Accept an event: remember it and wake whoever waits for it. */
  deliver(e: Omit<ExternalEvent, 'at'>): ExternalEvent {
    const ev = { ...e, at: this.now() };
    const list = this.byInstance.get(e.instanceUuid) ?? [];
    list.push(ev);
    if (list.length > ExternalEvents.PER_INSTANCE) list.shift();
    this.byInstance.set(e.instanceUuid, list);
    for (const w of [...this.waiters]) {
      if (!matches(w, ev)) continue;
      this.waiters.delete(w);
      if (w.timer) clearTimeout(w.timer);
      w.resolve(ev);
    }
    return ev;
  }

  /** Events received for the instance that now has this uuid, oldest first. */
  list(instanceUuid: string): readonly ExternalEvent[] {
    const id = this.currentId(instanceUuid);
    return (this.byInstance.get(instanceUuid) ?? []).filter((e) => e.instanceId === id);
  }

  /**
   * Resolve with the first event `name` (and `tag`, when given) for the instance, already received
   * or arriving within `timeoutMs`; reject after that with a timeout error.
   */
  waitFor(instanceUuid: string, name: string, opts: { tag?: string | null; timeoutMs?: number; includePast?: boolean } = {}): Promise<ExternalEvent> {
    const past = opts.includePast === false ? undefined : this.list(instanceUuid).find((e) => matches({ instanceUuid, name, tag: opts.tag }, e));
    if (past) return Promise.resolve(past);
    return new Promise<ExternalEvent>((resolve, reject) => {
      const w: Waiter = { instanceUuid, name, tag: opts.tag, resolve, reject };
      if (opts.timeoutMs !== undefined) {
        w.timer = setTimeout(() => {
          this.waiters.delete(w);
          reject(new Error(`Timeout waiting for ${name}${opts.tag ? `-${opts.tag}` : ''} for instance ${instanceUuid}`));
        }, opts.timeoutMs);
      }
      this.waiters.add(w);
    });
  }

  /** Forget everything; pending waiters are rejected. */
  clear(): void {
    this.byInstance.clear();
    for (const w of this.waiters) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(new Error('external events cleared'));
    }
    this.waiters.clear();
  }
}

const registries = new WeakMap<Services, ExternalEvents>();

/** The simulator's external-event registry (one per Services). */
export function externalEvents(s: Services): ExternalEvents {
  let r = registries.get(s);
  if (!r) registries.set(s, (r = new ExternalEvents(() => s.runtime.now(), (uuid) => s.instances.get(uuid, { readDeleted: true })?.id ?? null)));
  return r;
}
