// Cinder's request schemas (cinder/api/schemas/{volumes,attachments,volume_actions,admin_actions}.py
// and validation/parameter_types.py), copied key for key so errors come out in jsonschema's order.
import type { Schema } from './json-schema.js';

const uuid: Schema = { type: 'string', format: 'uuid' };
const optionalUuid: Schema = { oneOf: [{ type: 'null' }, { type: 'string', format: 'uuid' }] };
const uuidAllowNull: Schema = { oneOf: [uuid, { type: 'null' }] };
const nameAllowZeroMinLength: Schema = { type: ['string', 'null'], minLength: 0, maxLength: 255 };
const nullableName: Schema = { type: ['string', 'null'] };
const extraSpecs = (nullable: boolean): Schema => ({
  type: nullable ? ['object', 'null'] : 'object',
  patternProperties: { '^[a-zA-Z0-9-_:. /]{1,255}$': { type: 'string', maxLength: 255 } },
  additionalProperties: false,
});
const volumeSize = (nullable: boolean): Schema => ({
  type: nullable ? ['integer', 'string', 'null'] : ['integer', 'string'],
  pattern: '^[0-9]+$',
  minimum: 1,
  maximum: 2147483647,
});
export const BOOLEAN_VALUES = [true, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', 'y', 't',
  false, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no', 'n', 'f'];
const boolean: Schema = { type: ['boolean', 'string'], enum: BOOLEAN_VALUES };
const optionalBoolean: Schema = { oneOf: [{ type: 'null' }, boolean] };

const wrap = (key: string, inner: Schema): Schema => ({
  type: 'object',
  properties: { [key]: inner },
  required: [key],
  additionalProperties: false,
});

function volumeCreate(opts: { groupId: boolean; backupId: boolean; strict: boolean }): Schema {
  const props: Record<string, Schema> = {
    name: nullableName,
    description: nullableName,
    display_name: nullableName,
    display_description: nullableName,
    volume_type: nameAllowZeroMinLength,
    metadata: extraSpecs(true),
    snapshot_id: optionalUuid,
    source_volid: optionalUuid,
    consistencygroup_id: optionalUuid,
    size: volumeSize(true),
    availability_zone: nameAllowZeroMinLength,
    multiattach: optionalBoolean,
    image_id: { type: ['string', 'null'], minLength: 0, maxLength: 255 },
    imageRef: { type: ['string', 'null'], minLength: 0, maxLength: 255 },
  };
  if (opts.groupId) props.group_id = { type: ['string', 'null'], minLength: 0, maxLength: 255 };
  if (opts.backupId) props.backup_id = optionalUuid;
  return {
    type: 'object',
    properties: {
      volume: { type: 'object', properties: props, additionalProperties: opts.strict ? false : true },
      'OS-SCH-HNT:scheduler_hints': { type: ['object', 'null'] },
    },
    required: ['volume'],
    additionalProperties: false,
  };
}

/** create (3.0), create_volume_v313, create_volume_v347, create_volume_v353 (no unknown keys). */
export const volumeCreateSchema = (v: { atLeast(mv: string): boolean }) =>
  volumeCreate({ groupId: v.atLeast('3.13'), backupId: v.atLeast('3.47'), strict: v.atLeast('3.53') });

const updateProps: Record<string, Schema> = {
  name: nullableName,
  description: nullableName,
  display_name: nullableName,
  display_description: nullableName,
  metadata: extraSpecs(false),
};
export const volumeUpdateSchema: Schema = wrap('volume', { type: 'object', properties: updateProps, additionalProperties: false });
/** update_v353: at least one known key. */
export const volumeUpdateSchemaV353: Schema = wrap('volume', {
  type: 'object',
  properties: updateProps,
  additionalProperties: false,
  anyOf: Object.keys(updateProps).map((k) => ({ required: [k] })),
});

const attachmentCreateProps: Record<string, Schema> = {
  instance_uuid: uuid,
  connector: { type: ['object', 'null'] },
  volume_uuid: uuid,
};
export const attachmentCreateSchema = (withMode: boolean): Schema =>
  wrap('attachment', {
    type: 'object',
    properties: withMode ? { ...attachmentCreateProps, mode: { type: 'string', enum: ['rw', 'ro'] } } : attachmentCreateProps,
    required: ['volume_uuid'],
    additionalProperties: false,
  });
export const attachmentUpdateSchema: Schema = wrap('attachment', {
  type: 'object',
  properties: { connector: { type: 'object', minProperties: 1 } },
  required: ['connector'],
  additionalProperties: false,
});

export const ACTION_SCHEMAS: Record<string, Schema> = {
  'os-attach': wrap('os-attach', {
    type: 'object',
    properties: {
      instance_uuid: uuid,
      mountpoint: { type: 'string', minLength: 1, maxLength: 255 },
      host_name: { type: 'string', maxLength: 255 },
      mode: { type: 'string', enum: ['rw', 'ro'] },
    },
    required: ['mountpoint'],
    anyOf: [{ required: ['instance_uuid'] }, { required: ['host_name'] }],
    additionalProperties: false,
  }),
  'os-detach': wrap('os-detach', {
    type: ['object', 'null'],
    properties: { attachment_id: uuidAllowNull },
    additionalProperties: false,
  }),
  // api/schemas/volume_actions.py reimage.
  'os-reimage': wrap('os-reimage', {
    type: 'object',
    properties: { image_id: uuid, reimage_reserved: boolean },
    required: ['image_id'],
    additionalProperties: false,
  }),
  'os-extend': wrap('os-extend', {
    type: 'object',
    properties: { new_size: volumeSize(false) },
    required: ['new_size'],
    additionalProperties: false,
  }),
  'os-retype': wrap('os-retype', {
    type: 'object',
    properties: {
      new_type: { type: 'string' },
      // null passes 'type' but not 'enum': Cinder rejects an explicit null.
      migration_policy: { type: ['string', 'null'], enum: ['on-demand', 'never'] },
    },
    required: ['new_type'],
    additionalProperties: false,
  }),
  'os-initialize_connection': wrap('os-initialize_connection', {
    type: 'object',
    properties: { connector: { type: ['object', 'string'] } },
    required: ['connector'],
    additionalProperties: false,
  }),
  'os-terminate_connection': wrap('os-terminate_connection', {
    type: 'object',
    properties: { connector: { type: ['string', 'object', 'null'] } },
    required: ['connector'],
    additionalProperties: false,
  }),
  'os-reset_status': wrap('os-reset_status', {
    type: 'object',
    properties: {
      status: { type: ['string', 'null'] },
      attach_status: { type: ['string', 'null'] },
      migration_status: { type: ['string', 'null'] },
    },
    additionalProperties: false,
  }),
  'os-migrate_volume_completion': wrap('os-migrate_volume_completion', {
    type: 'object',
    properties: { new_volume: uuid, error: { type: ['string', 'null', 'boolean'] } },
    required: ['new_volume'],
    additionalProperties: false,
  }),
};

/** migrate_volume (< 3.16: host required) and migrate_volume_v316 (host or cluster). */
export const migrateVolumeSchema = (v316: boolean): Schema =>
  wrap('os-migrate_volume', v316
    ? {
        type: 'object',
        properties: {
          host: { type: ['string', 'null'], maxLength: 255 },
          force_host_copy: boolean,
          lock_volume: boolean,
          cluster: nameAllowZeroMinLength,
        },
        additionalProperties: false,
      }
    : {
        type: 'object',
        properties: { host: { type: 'string', maxLength: 255 }, force_host_copy: boolean, lock_volume: boolean },
        required: ['host'],
        additionalProperties: false,
      });

/** oslo strutils.bool_from_string(strict=False) over the values the schema lets through. */
export function boolFromString(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  return ['1', 't', 'true', 'on', 'y', 'yes'].includes(String(v).trim().toLowerCase());
}
