// The simulator's components, built once and handed to every plugin (moto-style backend, free of HTTP).
import type { Config } from './config.js';
import type { FaultRegistry } from './faults/registry.js';
import type { TokenStore } from './identity/tokens.js';
import type { Profile } from './profiles/index.js';
import type { Runtime } from './runtime.js';
import type { ActionStore } from './store/actions.js';
import type { BdmStore } from './store/block-devices.js';
import type { CatalogStore } from './store/catalog.js';
import type { Db } from './store/db.js';
import type { FlavorStore } from './store/flavors.js';
import type { HostStore } from './store/hosts.js';
import type { IdentityStore } from './store/identity.js';
import type { InstanceStore } from './store/instances.js';
import type { ShareMappingStore } from './store/share-mappings.js';

export interface Services {
  config: Config;
  profile: Profile;
  runtime: Runtime;
  db: Db;
  faults: FaultRegistry;
  identity: IdentityStore;
  tokens: TokenStore;
  instances: InstanceStore;
  bdms: BdmStore;
  /** Nova's share_mapping table (server shares, 2.97). */
  shareMappings: ShareMappingStore;
  actions: ActionStore;
  catalog: CatalogStore;
  flavors: FlavorStore;
  /** Compute services, nodes, aggregates, migrations (src/store/hosts.ts). */
  hosts: HostStore;
  /** The simulator's own base URL (`http://127.0.0.1:PORT`), listening first if needed. */
  baseUrl(): Promise<string>;
}
