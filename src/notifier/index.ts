// Public surface of the notifier.
export * from './envelope.js';
export { toJson, pyFloatRepr } from './json.js';
export { Notifier, type EmitParams, type InstanceUpdateOptions, type NotifierDeps } from './notifier.js';
export { NotifierOptions, type NotifierOptionsInput } from './options.js';
export * from './payloads/index.js';
export { novaObject, payloadVersion, type NovaObject } from './primitive.js';
export * from './sinks/index.js';
export type { CapturedNotification } from './types.js';
