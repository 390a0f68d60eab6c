// os-migrateLive (nova/api/openstack/compute/migrate_server.py _migrate_live → compute_api.live_migrate
// → conductor live_migrate_instance → ComputeManager.live_migration on the source).
import { z } from 'zod';
import { ComputeException } from '../exceptions.js';
import { type LiveMigrateArgs, type LiveMigrationCast, liveMigrateInstance } from '../live-migration/conductor.js';
import { liveMigration } from '../live-migration/manager.js';
import { defineAction } from './types.js';
import { MigrationRecords } from '../../store/migration-records.js';

// parameter_types.boolean (the API's common.ts booleanLike, kept here so compute imports nothing from api/).
const TRUE_VALUES: readonly unknown[] = [true, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes'];
const FALSE_VALUES: readonly unknown[] = [false, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no'];
const ENUM = [...TRUE_VALUES, ...FALSE_VALUES];
const pyList = (vals: readonly unknown[]) => `[${vals.map((v) => (typeof v === 'string' ? `'${v}'` : v ? 'True' : 'False')).join(', ')}]`;
const boolean = z.union([z.boolean(), z.string()]).refine((v) => ENUM.includes(v), { message: `PY:{value} is not one of ${pyList(ENUM)}` });
const blockMigration = z.union([z.boolean(), z.string()]).refine((v) => [...ENUM, 'auto'].includes(v), { message: `PY:{value} is not one of ${pyList([...ENUM, 'auto'])}` });
// parameter_types.fqdn with type ['string', 'null'].
const host = z.union([
  z.null(),
  z.string()
    .refine((v) => v.length >= 1, { message: 'PY:{value} is too short' })
    .refine((v) => v.length <= 255, { message: 'PY:{value} is too long' })
    .refine((v) => /^[a-zA-Z0-9-._]*$/.test(v), { message: "PY:{value} does not match '^[a-zA-Z0-9-._]*$'" }),
]);

const body = (inner: z.ZodRawShape) => z.object({ 'os-migrateLive': z.object(inner).strict() }).strict();
/** schemas/migrate_server.py migrate_live, _v2_25, _v2_30, _v2_68. */
const v21 = body({ block_migration: boolean, disk_over_commit: boolean, host });
const v225 = body({ block_migration: blockMigration, host });
const v230 = body({ block_migration: blockMigration, host, force: boolean.optional() });

const asBool = (v: unknown) => TRUE_VALUES.includes(v);

/** The API's arguments, then (after the conductor) the cast to the source compute. */
export type MigrateLiveArgs = LiveMigrateArgs & { cast?: LiveMigrationCast };

export const migrateLive = defineAction<MigrateLiveArgs>({
  name: 'os-migrateLive',
  conflictName: 'os-migrateLive',
  bodies: [{ max: '2.24', schema: v21 }, { min: '2.25', max: '2.29', schema: v225 }, { min: '2.30', max: '2.67', schema: v230 }, { min: '2.68', schema: v225 }],
  args: (b, v) => {
    const m = b['os-migrateLive'] as { block_migration: unknown; disk_over_commit?: unknown; host: string | null; force?: unknown };
    const hostName = m.host ?? null;
    let force: boolean | null = null;
    if (v.matches('2.30')) {
      // _get_force_param_for_live_migration.
      force = asBool(m.force ?? false);
      if (force && !hostName) throw new ComputeException('HTTPBadRequest', "Can't force to a non-provided destination", { novaException: true, code: 400 });
    }
    const auto = v.matches('2.25') && m.block_migration === 'auto';
    return {
      host: hostName,
      blockMigration: auto ? null : asBool(m.block_migration),
      diskOverCommit: v.matches('2.25') ? null : asBool(m.disk_over_commit),
      force,
      async: v.matches('2.34'),
    };
  },
  // Master checks migrate_live:host when a host is named (2025.1+); Zed only has migrate_live.
  policy: (a, profile) => `os_compute_api:os-migrate-server:migrate_live${a.host && profile === 'master' ? ':host' : ''}`,
  errors: {
    HTTPBadRequest: 400, NoValidHost: 400, ComputeServiceUnavailable: 400, InvalidHypervisorType: 400, InvalidCPUInfo: 400, UnableToMigrateToSelf: 400,
    DestinationHypervisorTooOld: 400, InvalidLocalStorage: 400, InvalidSharedStorage: 400, HypervisorUnavailable: 400, MigrationPreCheckError: 400,
    ComputeHostNotFound: 400,
  },
  lock: true,
  states: { method: 'live_migrate', vmStates: ['active', 'paused'] },
  // compute_api.live_migrate: ComputeNodeList.get_all_by_host before anything is saved.
  validate(s, _instance, a) {
    if (a.host && s.hosts.nodesByHost(a.host).length === 0) {
      throw new ComputeException('ComputeHostNotFound', `Compute host ${a.host} could not be found.`, { novaException: true, code: 404 });
    }
  },
  taskState: 'migrating',
  instanceAction: 'live-migration',
  apiConductor(c) {
    try {
      return { ...c.args, cast: liveMigrateInstance({ services: c.s, scheduler: c.scheduler }, c.ctx, c.uuid, c.args) };
    } catch (e) {
      // 2.34+: the conductor was cast to; its failure is recorded (fault, migration error, task_state
      // None, compute_task.migrate_server.error) and never reaches the API.
      if (c.args.async) return null;
      throw e;
    }
  },
  method: 'live_migration',
  async flow(f) {
    if (f.args.cast) await liveMigration(f.d, f.ctx, f.uuid, f.args.cast);
  },
  // The job itself is recovered on its own compute_tasks row.
  revertsTaskState: false,
  onRestart: 'revert',
  // Interrupted before the source compute queued it: _reset_live_migration leaves the migration in error.
  revertExtra(d, a) {
    const m = a.cast ? new MigrationRecords(d.services.db).get(a.cast.migrationId) : null;
    if (m && ['accepted', 'queued', 'preparing', 'running'].includes(m.status)) new MigrationRecords(d.services.db).update(m.id, { status: 'error' }, d.services.runtime.now().toISOString());
  },
});
