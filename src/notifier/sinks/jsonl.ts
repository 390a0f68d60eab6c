// Appends one line per notification envelope to a file (JSON Lines), through the float-preserving
// serializer, so the file holds exactly what Nova would have put on the bus (`"rxtx_factor":1.0`).
// Written synchronously (one write(2) per notification, no fsync) and placed before the capture sink:
// a notification visible in the API is already in the kernel's page cache, so a SIGKILL of the
// process cannot lose it (a power cut still can).
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { toJson } from '../json.js';
import type { CapturedNotification } from '../types.js';
import type { Sink } from './sink.js';

export interface JsonlSinkOptions {
  path: string;
  name?: string;
}

export class JsonlSink implements Sink {
  readonly name: string;
  readonly path: string;
  private fd: number | null;
  private written = 0;
  private errors = 0;
  private lastError: string | null = null;

  constructor(opts: JsonlSinkOptions) {
    this.name = opts.name ?? 'jsonl';
    this.path = opts.path;
    mkdirSync(dirname(opts.path), { recursive: true });
    this.fd = openSync(opts.path, 'a');
  }

  publish(n: CapturedNotification): void {
    if (this.fd === null) return;
    try {
      writeSync(this.fd, `${toJson(n.envelope)}\n`);
      this.written++;
    } catch (err) {
      // A disk error is counted and reported in stats(); it must not crash the simulator.
      this.errors++;
      this.lastError = (err as Error).message;
    }
  }

  /** Close the file. Safe to call twice. */
  async close(): Promise<void> {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    closeSync(fd);
  }

  stats() {
    return { path: this.path, written: this.written, errors: this.errors, last_error: this.lastError };
  }
}
