// The fake Manila's public surface: the fastify plugin, its HTTP-free backend and its seed.
export { manilaFake, manilaBackend } from './plugin.js';
export { ManilaBackend, type ManilaCtx } from './backend.js';
export { ManilaError } from './errors.js';
export { applySeedShares } from './seed.js';
