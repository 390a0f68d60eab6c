// The admin host APIs, registered together: os-services, os-hypervisors, os-availability-zone,
// os-aggregates, os-migrations (and servers/{id}/migrations).
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../plugin.js';
import { osAggregateRoutes } from './os-aggregates.js';
import { osAvailabilityZoneRoutes } from './os-availability-zone.js';
import { osHypervisorRoutes } from './os-hypervisors.js';
import { osMigrationRoutes } from './os-migrations.js';
import { osServiceRoutes } from './os-services.js';

export async function hostRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  await app.register(osServiceRoutes, opts);
  await app.register(osHypervisorRoutes, opts);
  await app.register(osAvailabilityZoneRoutes, opts);
  await app.register(osAggregateRoutes, opts);
  await app.register(osMigrationRoutes, opts);
}
