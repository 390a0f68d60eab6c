import { core } from './001-core.js';
import { cinder } from './002-cinder.js';
import { trustedCerts } from './003-trusted-certs.js';
import { cinderWorkers } from './008-cinder-workers.js';
import type { Migration } from './migration.js';

export const MIGRATIONS: Migration[] = [core, cinder, trustedCerts];
MIGRATIONS.push(cinderWorkers);
