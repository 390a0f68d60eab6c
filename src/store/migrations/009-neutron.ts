import type { Migration } from './migration.js';

// The fake Neutron's own tables. Each resource is a JSON document (the API view minus computed
// fields) with the columns the fake filters or joins on; neutron_ip_allocations keeps one row per
// allocated address so an address is never handed out twice (neutron's ipallocations table).
// The old `ports` table (pre-created ports known only to Nova) is gone: ports live in Neutron now.
export const neutron: Migration = {
  id: 9,
  name: 'neutron',
  sql: `
DROP TABLE IF EXISTS ports;
CREATE TABLE neutron_networks (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE neutron_subnets (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, network_id TEXT NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE INDEX neutron_subnets_network ON neutron_subnets(network_id);
CREATE TABLE neutron_ports (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, network_id TEXT NOT NULL, device_id TEXT NOT NULL DEFAULT '',
  seq INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE INDEX neutron_ports_network ON neutron_ports(network_id);
CREATE INDEX neutron_ports_device ON neutron_ports(device_id);
CREATE TABLE neutron_ip_allocations (subnet_id TEXT NOT NULL, ip_address TEXT NOT NULL, port_id TEXT NOT NULL, network_id TEXT NOT NULL,
  PRIMARY KEY (subnet_id, ip_address));
CREATE INDEX neutron_ip_allocations_port ON neutron_ip_allocations(port_id);
CREATE TABLE neutron_security_groups (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE neutron_security_group_rules (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, security_group_id TEXT NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE INDEX neutron_sg_rules_group ON neutron_security_group_rules(security_group_id);
CREATE TABLE neutron_floatingips (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE neutron_routers (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL);
`,
};
