import { core } from './001-core.js';
import { cinder } from './002-cinder.js';
import { trustedCerts } from './003-trusted-certs.js';
import { flavorAccess } from './004-flavor-access.js';
import type { Migration } from './migration.js';

export const MIGRATIONS: Migration[] = [core, cinder, trustedCerts, flavorAccess];
