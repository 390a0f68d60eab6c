// RequestSpec.availability_zone of a server (nova_api request_specs): the zone the scheduler must
// keep it in. Set at boot when the user asked for a zone; unshelve (2.77 / 2.91) moves or clears it.
import type { Db } from '../store/db.js';
import { prepared } from '../store/statement-cache.js';

export function requestedAz(db: Db, uuid: string): string | null {
  const r = prepared(db, 'SELECT availability_zone FROM request_spec_az WHERE instance_uuid = ?').get(uuid) as { availability_zone: string | null } | undefined;
  return r?.availability_zone ?? null;
}

export function setRequestedAz(db: Db, uuid: string, az: string | null): void {
  if (az === null) prepared(db, 'DELETE FROM request_spec_az WHERE instance_uuid = ?').run(uuid);
  else prepared(db, 'INSERT INTO request_spec_az (instance_uuid, availability_zone) VALUES (?, ?) ON CONFLICT(instance_uuid) DO UPDATE SET availability_zone = excluded.availability_zone').run(uuid, az);
}
