import { core } from './001-core.js';
import { cinder } from './002-cinder.js';
import { trustedCerts } from './003-trusted-certs.js';
import { flavorAccess } from './004-flavor-access.js';
import { quotasServerGroups } from './005-quotas-server-groups.js';
import { hosts } from './006-hosts.js';
import { cinderWorkers } from './008-cinder-workers.js';
import { neutron } from './009-neutron.js';
import { neighbours } from './010-neighbours.js';
import { shares } from './017-shares.js';
import { shelveConsoles } from './011-shelve-consoles.js';
import { resize } from './012-resize.js';
import { bdmFields } from './016-bdm-fields.js';
import type { Migration } from './migration.js';

// Applied in id order (db.ts sorts), so the list's order does not matter.
export const MIGRATIONS: Migration[] = [core, cinder, trustedCerts, flavorAccess, quotasServerGroups, hosts, cinderWorkers, neutron, neighbours, shares, shelveConsoles, resize, bdmFields];
