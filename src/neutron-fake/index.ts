// The fake Neutron's public surface: the fastify plugin, its HTTP-free backend and its seed.
export { neutronFake, neutronBackend } from './plugin.js';
export { NeutronBackend, type NeutronCtx } from './backend.js';
export { NeutronError } from './errors.js';
export { applySeedNetworks } from './seed.js';
