import type { Migration } from './migration.js';

// block_device_mapping columns a boot-from-volume request carries (nova/db/main/models.py BlockDeviceMapping):
// volume_type (API 2.67), disk_bus, device_type, guest_format.
export const bdmFields: Migration = {
  id: 16,
  name: 'bdm-fields',
  sql: `ALTER TABLE block_device_mappings ADD COLUMN volume_type TEXT;
ALTER TABLE block_device_mappings ADD COLUMN disk_bus TEXT;
ALTER TABLE block_device_mappings ADD COLUMN device_type TEXT;
ALTER TABLE block_device_mappings ADD COLUMN guest_format TEXT;`,
};
