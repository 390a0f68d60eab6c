// Publishes notifications to an AMQP 0-9-1 broker (RabbitMQ) exactly as Nova does through
// oslo.messaging's `messagingv2` notification driver with the rabbit transport, so an unmodified
// oslo.messaging NotificationListener (Ceilometer, Searchlight, a test harness…) can consume them.
//
// What oslo.messaging does, and what this sink reproduces (oslo_messaging/notify/messaging.py,
// _drivers/amqpdriver.py `_send`, _drivers/common.py `serialize_msg`, _drivers/impl_rabbit.py
// `notify_send` / `_publish_and_creates_default_queue` / `_publish`, kombu `Producer.publish`):
// - one message per configured topic, routing key `<topic>.<priority lower-cased>`
//   (`versioned_notifications.info`, `…error`);
// - exchange = `control_exchange` (Nova sets `nova`), type `topic`, durable = `amqp_durable_queues`
//   (default False), auto_delete = `amqp_auto_delete` (default False), declared once per connection;
// - before the first publish on a routing key (per connection) it declares a queue *named like the
//   routing key*, same durable/auto_delete, no arguments, bound to the exchange with that key — so
//   notifications are kept even before any consumer exists;
// - the message dict is the envelope (message_id, publisher_id, event_type, priority, payload,
//   timestamp) + `_unique_id` (uuid4 hex) + the request context flattened as `_context_<key>`;
//   messagingv2 wraps it as `{"oslo.version": "2.0", "oslo.message": "<that dict as JSON text>"}`;
//   both levels are Python `json.dumps` output (`", "`/`": "` separators, non-ASCII as \u-escapes);
// - kombu's JSON serializer: content_type `application/json`, content_encoding `utf-8`,
//   headers `{}`, priority 0, and delivery_mode **2** (kombu's default is persistent; oslo does
//   not override it even for a non-durable exchange — observed on the wire with oslo.messaging
//   14.0.3 / kombu 5.2.4), no expiration, not mandatory.
//
// Unlike oslo (which blocks the notifying thread while the broker is down), publish() never blocks
// or throws: messages go into a bounded buffer that a background loop drains over a confirm
// channel; the loop reconnects with exponential backoff from `reconnectMs` up to 30 s (oslo waits
// rabbit_retry_interval=1 s, then 2 s more per attempt, up to rabbit_interval_max=30 s). A message leaves the buffer only once the
// broker confirmed it, so a broker restart may cause a duplicate, never a silent loss (below the
// buffer bound).
import { randomUUID } from 'node:crypto';
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import type { RequestContext } from '../../domain.js';
import { toJson } from '../json.js';
import type { CapturedNotification } from '../types.js';
import type { Sink } from './sink.js';
import { redact } from './redact.js';

export interface AmqpSinkOptions {
  /** `amqp://user:pass@host:port/vhost` (oslo's `rabbit://` is accepted as an alias). */
  url: string;
  /** oslo `control_exchange`; Nova's is `nova`. */
  exchange?: string;
  /** `[notifications] versioned_notifications_topics`. */
  topics?: string[];
  /** Messages kept while the broker is unreachable; beyond it new messages are dropped and counted. */
  bufferLimit?: number;
  /** First reconnect delay; doubles per failed attempt up to reconnectMaxMs. */
  reconnectMs?: number;
  reconnectMaxMs?: number;
  /** Socket connect/handshake timeout. */
  connectTimeoutMs?: number;
  /** How long close() waits for the buffer to drain. */
  closeTimeoutMs?: number;
  /** oslo `amqp_durable_queues` (exchange and default queues). */
  durable?: boolean;
  /** oslo `amqp_auto_delete`. */
  autoDelete?: boolean;
  /** Messages published between two confirm waits. */
  batchSize?: number;
  /** `_unique_id` generator (uuid4 hex); injectable for deterministic runs. */
  uniqueId?: () => string;
  /**
   * The request context packed as `_context_*` keys. Default: Nova's RequestContext.to_dict()
   * rebuilt from `n.context` when the notifier supplies one, else no context keys.
   */
  contextOf?: (n: CapturedNotification) => Record<string, unknown> | null;
  name?: string;
}

export interface AmqpSinkStats {
  connected: boolean;
  published: number;
  buffered: number;
  dropped: number;
  lastError: string | null;
  connects: number;
  url: string;
  exchange: string;
}

/** A queued message; its body is serialised by the drain loop, off the API's request path. */
interface Outgoing {
  routingKey: string;
  n: CapturedNotification;
  uniqueId: string;
  body?: Buffer;
}

/** Properties kombu sets for a JSON-serialised body (what a consumer sees in basic.properties). */
export const OSLO_PUBLISH_PROPERTIES = Object.freeze({
  contentType: 'application/json',
  contentEncoding: 'utf-8',
  headers: {},
  deliveryMode: 2,
  priority: 0,
  mandatory: false,
});

const PY_ESCAPE = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * Re-spaces compact JSON text (JSON.stringify/toJson output) the way Python's `json.dumps` writes it
 * with default arguments: `", "` and `": "` separators, and every character outside printable ASCII
 * escaped as `\u` escapes (ensure_ascii, which also covers DEL and non-BMP characters as surrogate pairs).
 */
export function pythonJson(compact: string): string {
  let out = '';
  let inString = false;
  let start = 0;
  for (let i = 0; i < compact.length; i++) {
    const c = compact.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      else if (c > 0x7e) {
        out += compact.slice(start, i) + PY_ESCAPE(compact[i]);
        start = i + 1;
      }
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x2c || c === 0x3a) {
      out += `${compact.slice(start, i + 1)} `;
      start = i + 1;
    }
  }
  return out + compact.slice(start);
}

/** `str(utcnow())` envelope time → nova.utils.strtime (`%Y-%m-%dT%H:%M:%S.%f`). */
function strtime(envelopeTimestamp: string): string {
  const t = envelopeTimestamp.replace(' ', 'T');
  return t.includes('.') ? t : `${t}.000000`;
}

/**
 * The `_context_*` Nova puts on the bus: RequestContext.to_dict() (oslo.context's keys, then Nova's),
 * after oslo.messaging's notifier sanitised it (`_sanitize_context`, in Debian's 14.0.3+deb12u1 and
 * later upstream releases: the context is rebuilt/redacted, so the same keys with `auth_token` null). The context's timestamp is the request time in Nova; the
 * notification time is the closest value novasim has.
 */
export function novaContextDict(ctx: RequestContext, timestamp: string | null = null): Record<string, unknown> {
  return {
    user: ctx.userId,
    project_id: ctx.projectId,
    system_scope: null,
    project: ctx.projectId,
    domain: null,
    user_domain: 'default',
    project_domain: 'default',
    is_admin: ctx.isAdmin,
    read_only: false,
    show_deleted: false,
    auth_token: null,
    request_id: ctx.requestId,
    global_request_id: null,
    resource_uuid: null,
    roles: [...ctx.roles],
    user_identity: `${ctx.userId || '-'} ${ctx.projectId || '-'} - default default`,
    is_admin_project: true,
    user_id: ctx.userId,
    read_deleted: 'no',
    remote_address: null,
    timestamp: timestamp === null ? null : strtime(timestamp),
    quota_class: null,
    user_name: ctx.userName ?? null,
    service_catalog: [],
    project_name: ctx.projectName ?? null,
  };
}

function defaultContextOf(n: CapturedNotification): Record<string, unknown> | null {
  const ctx = (n as CapturedNotification & { context?: RequestContext | null }).context;
  return ctx && typeof ctx === 'object' ? novaContextDict(ctx, n.envelope.timestamp) : null;
}

/** The message body oslo.messaging's messagingv2 driver puts on the bus for one notification. */
export function osloMessageBody(
  n: CapturedNotification,
  uniqueId: string,
  context: Record<string, unknown> | null,
): string {
  const e = n.envelope;
  const msg: Record<string, unknown> = {
    message_id: e.message_id,
    publisher_id: e.publisher_id,
    event_type: e.event_type,
    priority: e.priority,
    payload: e.payload,
    timestamp: e.timestamp,
    _unique_id: uniqueId,
  };
  for (const [k, v] of Object.entries(context ?? {})) msg[`_context_${k}`] = v;
  const inner = pythonJson(toJson(msg));
  return `{"oslo.version": "2.0", "oslo.message": ${JSON.stringify(inner)}}`;
}


const sleep = (ms: number, signal: { wake?: () => void }) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref?.();
    signal.wake = () => {
      clearTimeout(t);
      resolve();
    };
  });

export class AmqpSink implements Sink {
  readonly name: string;
  readonly exchange: string;
  readonly topics: readonly string[];
  private readonly url: string;
  private readonly opts: Required<Omit<AmqpSinkOptions, 'name' | 'exchange' | 'topics' | 'url' | 'contextOf'>> & {
    contextOf: NonNullable<AmqpSinkOptions['contextOf']>;
  };
  private readonly queue: Outgoing[] = [];
  private connection: ChannelModel | null = null;
  private channel: ConfirmChannel | null = null;
  private declaredQueues = new Set<string>();
  private published = 0;
  private dropped = 0;
  private connects = 0;
  private lastError: string | null = null;
  private closed = false;
  private loop: Promise<void>;
  /** Wakes the loop when it sleeps (new message, close). */
  private waker: { wake?: () => void } = {};
  private connectionLost: (() => void) | null = null;

  constructor(options: AmqpSinkOptions) {
    this.name = options.name ?? 'amqp';
    this.url = options.url.replace(/^rabbit:/, 'amqp:');
    this.exchange = options.exchange ?? 'nova';
    this.topics = [...(options.topics ?? ['versioned_notifications'])];
    this.opts = {
      bufferLimit: options.bufferLimit ?? 10_000,
      reconnectMs: options.reconnectMs ?? 1000,
      reconnectMaxMs: options.reconnectMaxMs ?? 30_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      closeTimeoutMs: options.closeTimeoutMs ?? 2000,
      durable: options.durable ?? false,
      autoDelete: options.autoDelete ?? false,
      batchSize: options.batchSize ?? 256,
      uniqueId: options.uniqueId ?? (() => randomUUID().replaceAll('-', '')),
      contextOf: options.contextOf ?? defaultContextOf,
    };
    this.loop = this.run();
  }

  /** Enqueue one message per topic; never blocks, never throws. */
  publish(n: CapturedNotification): void {
    try {
      if (this.closed) {
        this.dropped += this.topics.length;
        return;
      }
      const priority = String(n.envelope.priority).toLowerCase();
      // Legacy notifications carry their own routing keys (`notifications.<priority>`): Nova's
      // LEGACY_NOTIFIER publishes to [oslo_messaging_notifications] topics, not the versioned ones.
      const keys = n.format === 'unversioned' ? n.topics : this.topics.map((t) => `${t}.${priority}`);
      for (const routingKey of keys) {
        if (this.queue.length >= this.opts.bufferLimit) {
          this.dropped++;
          continue;
        }
        // Each publish gets its own _unique_id, as oslo calls _send once per topic (drawn here, in order,
        // so deterministic runs repeat; the JSON is built later by the drain loop).
        this.queue.push({ routingKey, n, uniqueId: this.opts.uniqueId() });
      }
      this.waker.wake?.();
    } catch (err) {
      this.dropped++;
      this.lastError = `serialize: ${(err as Error).message}`;
    }
  }

  stats(): AmqpSinkStats {
    return {
      connected: this.channel !== null,
      published: this.published,
      buffered: this.queue.length,
      dropped: this.dropped,
      lastError: this.lastError,
      connects: this.connects,
      url: redact(this.url),
      exchange: this.exchange,
    };
  }

  /**
   * Waits (up to `closeTimeoutMs`) for the buffer to drain, then disconnects; a broker that stopped
   * answering gets its socket cut instead of holding the caller. Safe to call twice.
   */
  async close(): Promise<void> {
    const deadline = Date.now() + this.opts.closeTimeoutMs;
    const pause = (ms: number) => new Promise<false>((r) => setTimeout(() => r(false), Math.max(0, ms)).unref?.());
    if (!this.closed) {
      while (this.queue.length > 0 && Date.now() < deadline) await pause(10);
      this.closed = true;
      this.waker.wake?.();
      this.connectionLost?.();
    }
    const ended = await Promise.race([this.loop.then(() => true), pause(deadline - Date.now() + 200)]);
    if (!ended) {
      const socket = (this.connection as unknown as { connection?: { stream?: { destroy?: () => void } } } | null)?.connection?.stream;
      socket?.destroy?.();
      await Promise.race([this.loop, pause(200)]);
    }
  }

  private async run(): Promise<void> {
    let delay = this.opts.reconnectMs;
    while (!this.closed) {
      try {
        await this.connect();
        delay = this.opts.reconnectMs;
        await this.drain();
      } catch (err) {
        if (!this.closed) this.lastError = (err as Error)?.message ?? String(err);
      }
      await this.disconnect();
      if (this.closed) break;
      await sleep(delay, this.waker);
      delay = Math.min(delay * 2, this.opts.reconnectMaxMs);
    }
    await this.disconnect();
  }

  private async connect(): Promise<void> {
    // Loaded on first use, so a simulator without --notify-amqp never loads amqplib.
    const { default: amqp } = await import('amqplib');
    const connection = await amqp.connect(this.url, { timeout: this.opts.connectTimeoutMs });
    this.connection = connection;
    // Handlers are bound to this connection only: a late event from a previous one must not
    // tear down its successor.
    let onLost!: () => void;
    const lost = new Promise<void>((resolve) => {
      onLost = resolve;
    });
    this.connectionLost = onLost;
    // An unhandled 'error' event would crash the process; the loop learns about it through 'close'.
    connection.on('error', (err: Error) => {
      this.lastError = err.message;
    });
    connection.on('close', onLost);
    const channel = await connection.createConfirmChannel();
    channel.on('error', (err: Error) => {
      this.lastError = err.message;
    });
    channel.on('close', onLost);
    await channel.assertExchange(this.exchange, 'topic', { durable: this.opts.durable, autoDelete: this.opts.autoDelete });
    this.declaredQueues = new Set();
    this.channel = channel;
    this.connects++;
    void lost.then(() => {
      if (this.channel === channel) this.channel = null;
      this.waker.wake?.();
    });
  }

  /** Publishes batches while connected; returns (or throws) when the connection is gone or on close. */
  /** oslo's message body for one queued notification; a notification that cannot be serialised is dropped. */
  private encode(m: Outgoing): Buffer | undefined {
    try {
      return Buffer.from(osloMessageBody(m.n, m.uniqueId, this.opts.contextOf(m.n)), 'utf8');
    } catch (err) {
      this.dropped++;
      this.lastError = `serialize: ${(err as Error).message}`;
      return undefined;
    }
  }

  private async drain(): Promise<void> {
    for (;;) {
      const channel = this.channel;
      if (!channel) throw new Error(this.lastError ?? 'connection closed');
      if (this.queue.length === 0) {
        if (this.closed) return;
        await sleep(60_000, this.waker);
        continue;
      }
      const batch = this.queue.slice(0, this.opts.batchSize);
      let skipped = 0;
      for (const m of batch) {
        if (!this.declaredQueues.has(m.routingKey)) {
          // oslo's _publish_and_creates_default_queue: queue named like the routing key, bound to it.
          await channel.assertQueue(m.routingKey, { durable: this.opts.durable, autoDelete: this.opts.autoDelete });
          await channel.bindQueue(m.routingKey, this.exchange, m.routingKey);
          this.declaredQueues.add(m.routingKey);
        }
        m.body ??= this.encode(m);
        if (!m.body) {
          skipped++;
          continue;
        }
        channel.publish(this.exchange, m.routingKey, m.body, { ...OSLO_PUBLISH_PROPERTIES, headers: {} });
      }
      await channel.waitForConfirms();
      // Only confirmed messages leave the buffer; new ones were appended behind the batch.
      this.queue.splice(0, batch.length);
      this.published += batch.length - skipped;
    }
  }

  private async disconnect(): Promise<void> {
    const { connection } = this;
    this.channel = null;
    this.connection = null;
    this.connectionLost = null;
    if (connection) {
      try {
        await connection.close();
      } catch {
        // Already closed by the broker or the network.
      }
    }
  }
}
