// test_keypair.py TestKeypairNotificationSample (nova/tests/functional/notification_sample_tests).
import { expectEventTypes, record } from './expect.js';
import type { Scenario } from './types.js';

const MY_KEY = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDx8nkQv/zgGgB4rMYmIf+6A4l6Rr+o/6lHBQdW5aYd44bd8JttDCE/F/pNRr0lRE+PiqSPO8nDPHw0010JeMH9gYgnnFlyY3/OcJ02RhIPyyxYpv9FhY+2YiUkpwFOcLImyrxEsYXpD/0d3ac30bNH6Sw9JD9UZHYcpSxsIbECHw== Generated-by-Nova';
const KEYPAIRS = '/compute/v2.1/os-keypairs';

/** The sample seed imports my-key for _boot_a_server; Nova's keypair tests start without it. */
const NO_SEEDED_KEY = "The sample seed holds user fake's my-key (other scenarios boot with it); it is deleted before the window, as Nova's keypair tests start without one.";

/** Generate my-key at 2.91 (2.92 no longer generates), then delete it: 4 notifications. */
export const keypairCreateDelete: Scenario = {
  name: 'keypair-create-delete',
  nova: 'test_keypair.py TestKeypairNotificationSample.test_keypair_create_delete',
  async run(h) {
    await h.request('DELETE', `${KEYPAIRS}/my-key`, undefined, 204);
    h.resetNotifications();
    const created = await h.request('POST', KEYPAIRS, { keypair: { name: 'my-key', user_id: 'fake', type: 'ssh' } }, 201, { version: '2.91' });
    const keypair = created.keypair as { fingerprint: string; public_key: string; name: string };
    await h.request('DELETE', `${KEYPAIRS}/${keypair.name}`, undefined, 204);
    const ns = h.notifications();
    const key = { fingerprint: keypair.fingerprint, public_key: keypair.public_key };
    return {
      name: this.name,
      nova: this.nova,
      problems: expectEventTypes(ns, ['keypair.create.start', 'keypair.create.end', 'keypair.delete.start', 'keypair.delete.end']),
      recorded: record(ns, [
        ['keypair-create-start', { kind: 'sample', sample: 'keypair-create-start', replacements: {} }],
        ['keypair-create-end', { kind: 'sample', sample: 'keypair-create-end', replacements: key }],
        ['keypair-delete-start', { kind: 'sample', sample: 'keypair-delete-start', replacements: key }],
        ['keypair-delete-end', { kind: 'sample', sample: 'keypair-delete-end', replacements: key }],
      ]),
      notes: [NO_SEEDED_KEY],
    };
  },
};

/** Import Nova's test key as my-key: 2 notifications. */
export const keypairImport: Scenario = {
  name: 'keypair-import',
  nova: 'test_keypair.py TestKeypairNotificationSample.test_keypair_import',
  async run(h) {
    await h.request('DELETE', `${KEYPAIRS}/my-key`, undefined, 204);
    h.resetNotifications();
    await h.request('POST', KEYPAIRS, { keypair: { name: 'my-key', user_id: 'fake', public_key: MY_KEY, type: 'ssh' } }, 201);
    const ns = h.notifications();
    return {
      name: this.name,
      nova: this.nova,
      problems: expectEventTypes(ns, ['keypair.import.start', 'keypair.import.end']),
      recorded: record(ns, [
        ['keypair-import-start', { kind: 'sample', sample: 'keypair-import-start', replacements: {} }],
        ['keypair-import-end', { kind: 'sample', sample: 'keypair-import-end', replacements: {} }],
      ]),
      notes: [NO_SEEDED_KEY],
    };
  },
};
