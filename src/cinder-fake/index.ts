// The fake Cinder's public surface: the fastify plugin, its HTTP-free backend and the Nova port.
export { cinderFake, cinderBackend, type CinderFakeOptions } from './plugin.js';
export { CinderBackend, type CinderBackendOptions } from './backend.js';
export { HttpNova, NovaCallError, type NovaPort } from './nova-client.js';
export { CinderError } from './errors.js';
export type { CinderCtx } from './context.js';
export type { Volume, Attachment, VolumeType } from './store.js';
