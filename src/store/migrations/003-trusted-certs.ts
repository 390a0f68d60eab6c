import type { Migration } from './migration.js';

// instance_extra.trusted_certs (API 2.63 trusted_image_certificates): the ids as a JSON list, NULL when none.
export const trustedCerts: Migration = {
  id: 3,
  name: 'trusted-certs',
  sql: 'ALTER TABLE instances ADD COLUMN trusted_certs TEXT;',
};
