// The fake Neutron's rows: one JSON document per resource plus the columns it is looked up by
// (neutron/db/models_v2.py, trimmed). Knows SQL, nothing of HTTP.
import type { Db } from '../store/db.js';
import { prepared } from '../store/statement-cache.js';

export type Doc = Record<string, unknown> & { id: string; project_id: string };

const TABLES = {
  networks: { table: 'neutron_networks', extra: [] },
  subnets: { table: 'neutron_subnets', extra: ['network_id'] },
  ports: { table: 'neutron_ports', extra: ['network_id', 'device_id'] },
  security_groups: { table: 'neutron_security_groups', extra: [] },
  security_group_rules: { table: 'neutron_security_group_rules', extra: ['security_group_id'] },
  floatingips: { table: 'neutron_floatingips', extra: [] },
  routers: { table: 'neutron_routers', extra: [] },
} as const;

export type Collection = keyof typeof TABLES;

export class DocTable {
  private readonly extra: readonly string[];
  constructor(
    private readonly db: Db,
    readonly table: string,
    extra: readonly string[],
  ) {
    this.extra = extra;
  }

  get(id: string): Doc | null {
    const r = prepared(this.db, `SELECT doc FROM ${this.table} WHERE id = ?`).get(id) as { doc: string } | undefined;
    return r ? (JSON.parse(r.doc) as Doc) : null;
  }

  /** All rows in creation order, optionally narrowed by one indexed column. */
  all(where?: { column: string; value: string }): Doc[] {
    const rows = (where
      ? prepared(this.db, `SELECT doc FROM ${this.table} WHERE ${where.column} = ? ORDER BY seq`).all(where.value)
      : prepared(this.db, `SELECT doc FROM ${this.table} ORDER BY seq`).all()) as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as Doc);
  }

  insert(doc: Doc): void {
    const cols = ['id', 'project_id', ...this.extra, 'seq', 'doc'];
    const seq = (prepared(this.db, `SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM ${this.table}`).get() as { n: number }).n;
    prepared(this.db, `INSERT INTO ${this.table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`)
      .run(doc.id, doc.project_id, ...this.extra.map((c) => String(doc[c] ?? '')), seq, JSON.stringify(doc));
  }

  save(doc: Doc): void {
    const sets = this.extra.map((c) => `${c} = ?`);
    prepared(this.db, `UPDATE ${this.table} SET ${[...sets, 'doc = ?'].join(', ')} WHERE id = ?`)
      .run(...this.extra.map((c) => String(doc[c] ?? '')), JSON.stringify(doc), doc.id);
  }

  delete(id: string): void {
    prepared(this.db, `DELETE FROM ${this.table} WHERE id = ?`).run(id);
  }
}

export class NeutronStore {
  readonly t: Record<Collection, DocTable>;
  constructor(readonly db: Db) {
    this.t = Object.fromEntries(Object.entries(TABLES).map(([k, v]) => [k, new DocTable(db, v.table, v.extra)])) as Record<Collection, DocTable>;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  allocated(subnetId: string): Set<string> {
    return new Set((prepared(this.db, 'SELECT ip_address FROM neutron_ip_allocations WHERE subnet_id = ?').all(subnetId) as { ip_address: string }[]).map((r) => r.ip_address));
  }

  allocationOwner(subnetId: string, ip: string): string | null {
    const r = prepared(this.db, 'SELECT port_id FROM neutron_ip_allocations WHERE subnet_id = ? AND ip_address = ?').get(subnetId, ip) as { port_id: string } | undefined;
    return r?.port_id ?? null;
  }

  allocate(subnetId: string, ip: string, portId: string, networkId: string): void {
    prepared(this.db, 'INSERT INTO neutron_ip_allocations (subnet_id, ip_address, port_id, network_id) VALUES (?, ?, ?, ?)').run(subnetId, ip, portId, networkId);
  }

  releasePort(portId: string): void {
    prepared(this.db, 'DELETE FROM neutron_ip_allocations WHERE port_id = ?').run(portId);
  }

  subnetHasAllocations(subnetId: string, exceptPorts: string[] = []): boolean {
    const rows = prepared(this.db, 'SELECT port_id FROM neutron_ip_allocations WHERE subnet_id = ?').all(subnetId) as { port_id: string }[];
    return rows.some((r) => !exceptPorts.includes(r.port_id));
  }
}
