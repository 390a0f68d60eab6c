import { core } from './001-core.js';
import { cinder } from './002-cinder.js';
import { trustedCerts } from './003-trusted-certs.js';
import { hosts } from './006-hosts.js';
import type { Migration } from './migration.js';

export const MIGRATIONS: Migration[] = [core, cinder, trustedCerts];
MIGRATIONS.push(hosts);
