// Time, ids and randomness for the whole simulator. Deterministic mode is one switch here:
// a frozen, settable clock and a seeded uuid stream, so a run reproduces byte-identical output.
import { randomBytes, randomUUID } from 'node:crypto';

export interface RuntimeOptions {
  deterministic?: boolean;
  /** Frozen start time in deterministic mode (Nova's TimeFixture uses 2012-10-29 13:42:11). */
  frozenTime?: string;
  seed?: number;
  /** Force every request id to this value (Nova's sample tests do). */
  fixedRequestId?: string | null;
}

/** mulberry32: tiny, well-known PRNG; good enough for reproducible ids (and seeded fault draws). */
export function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Runtime {
  readonly deterministic: boolean;
  private frozen: Date | null;
  private offsetMs = 0;
  private rand: (() => number) | null;
  private readonly seed: number;
  fixedRequestId: string | null;

  constructor(opts: RuntimeOptions = {}) {
    this.deterministic = opts.deterministic ?? false;
    this.seed = opts.seed ?? 42;
    this.frozen = this.deterministic ? new Date(opts.frozenTime ?? '2012-10-29T13:42:11Z') : null;
    this.rand = this.deterministic ? mulberry32(this.seed) : null;
    this.fixedRequestId = opts.fixedRequestId ?? null;
  }

  now(): Date {
    if (this.frozen) return new Date(this.frozen.getTime());
    return new Date(Date.now() + this.offsetMs);
  }

  /** Freeze the clock at `iso` (any mode), or unfreeze with null (real time again, outside deterministic mode). */
  setClock(iso: string | null): void {
    if (iso === null) {
      this.frozen = this.deterministic ? this.frozen : null;
      return;
    }
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) throw new RangeError(`invalid time ${iso}`);
    this.frozen = d;
  }

  /** Move time forward: the frozen clock, or an offset on the real one. */
  advance(ms: number): void {
    if (this.frozen) this.frozen = new Date(this.frozen.getTime() + ms);
    else this.offsetMs += ms;
  }

  clockState() {
    return { now: this.now().toISOString(), frozen: this.frozen !== null, deterministic: this.deterministic };
  }

  uuid(): string {
    if (!this.rand) return randomUUID();
    const bytes = new Uint8Array(16);
    for (let i = 0; i < 16; i++) bytes[i] = Math.floor(this.rand() * 256);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const h = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  requestId(): string {
    return this.fixedRequestId ?? `req-${this.uuid()}`;
  }

  /** Random lowercase alphanumerics (reservation ids `r-xxxxxxxx`, admin passwords). */
  randomString(len: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
    let s = '';
    for (let i = 0; i < len; i++) {
      const r = this.rand ? this.rand() : Math.random();
      s += alphabet[Math.floor(r * alphabet.length)];
    }
    return s;
  }

  /** Random bytes: node:crypto's, or drawn from the seeded stream in deterministic mode. */
  randomBytes(len: number): Buffer {
    if (!this.rand) return randomBytes(len);
    const b = Buffer.alloc(len);
    for (let i = 0; i < len; i++) b[i] = Math.floor(this.rand() * 256);
    return b;
  }

  /** Restart the id stream (used by reset in deterministic mode so runs repeat). */
  reseed(): void {
    if (this.deterministic) this.rand = mulberry32(this.seed);
  }
}
