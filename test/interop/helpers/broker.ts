// Remembers the exchanges and queues a test created on the shared broker and deletes them after it,
// each on its own channel: one failure (a 404 closes an AMQP channel) must not stop the rest.
import amqp from 'amqplib';
import { BROKER_URL } from './prereq.js';

export class BrokerJanitor {
  private readonly queues = new Set<string>();
  private readonly exchanges = new Set<string>();

  constructor(private readonly url = BROKER_URL) {}

  queue(...names: string[]): void {
    for (const n of names) this.queues.add(n);
  }

  exchange(...names: string[]): void {
    for (const n of names) this.exchanges.add(n);
  }

  async clean(): Promise<void> {
    const conn = await amqp.connect(this.url).catch(() => null);
    if (!conn) return;
    const run = async (op: (ch: amqp.Channel) => Promise<unknown>) => {
      const ch = await conn.createChannel();
      ch.on('error', () => undefined);
      await op(ch).catch(() => undefined);
      await ch.close().catch(() => undefined);
    };
    for (const q of this.queues) await run((ch) => ch.deleteQueue(q));
    for (const x of this.exchanges) await run((ch) => ch.deleteExchange(x));
    this.queues.clear();
    this.exchanges.clear();
    await conn.close().catch(() => undefined);
  }
}
