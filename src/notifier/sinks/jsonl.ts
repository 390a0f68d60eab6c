// Appends one line per notification envelope to a file (JSON Lines), through the float-preserving
// serializer, so the file holds exactly what Nova would have put on the bus (`"rxtx_factor":1.0`).
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
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
  private readonly stream: WriteStream;
  private written = 0;
  private errors = 0;
  private lastError: string | null = null;
  private closing: Promise<void> | null = null;
  /** Notifications waiting to be serialised: the JSON is built after the API call returns (setImmediate). */
  private pending: CapturedNotification[] = [];
  private scheduled = false;

  constructor(opts: JsonlSinkOptions) {
    this.name = opts.name ?? 'jsonl';
    this.path = opts.path;
    mkdirSync(dirname(opts.path), { recursive: true });
    this.stream = createWriteStream(opts.path, { flags: 'a', encoding: 'utf8' });
    // A disk error is counted and reported in stats(); it must not crash the simulator.
    this.stream.on('error', (err) => {
      this.errors++;
      this.lastError = err.message;
    });
  }

  publish(n: CapturedNotification): void {
    if (this.closing) return;
    this.pending.push(n);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0 || this.stream.destroyed) return;
    this.stream.write(batch.map((n) => `${toJson(n.envelope)}\n`).join(''));
    this.written += batch.length;
  }

  /** Flush buffered lines and close the file. Safe to call twice. */
  close(): Promise<void> {
    if (!this.closing) this.flush();
    this.closing ??= new Promise((resolve) => {
      if (this.stream.destroyed) return resolve();
      this.stream.end(() => resolve());
      this.stream.once('error', () => resolve());
    });
    return this.closing;
  }

  stats() {
    return { path: this.path, written: this.written, errors: this.errors, last_error: this.lastError };
  }
}
