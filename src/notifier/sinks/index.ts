export * from './capture.js';
export * from './jsonl.js';
export type { Sink } from './sink.js';
export * from './amqp.js';
export * from './webhook.js';
