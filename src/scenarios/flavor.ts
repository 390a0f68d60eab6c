// nova/tests/functional/notification_sample_tests/test_flavor.py: flavor.create / flavor.delete /
// flavor.update, driven as admin_api at the tests' MAX_MICROVERSION (2.1, or 2.55 for the description).
import { expectEventTypes, record } from './expect.js';
import type { SampleHarness } from './harness.js';
import { PROJECT_ID, TEST_FLAVOR } from './nova-fixtures.js';
import type { Scenario } from './types.js';

const FLAVORS = '/compute/v2.1/flavors';

const body = (extra: Record<string, unknown> = {}) => ({
  flavor: { name: 'test_flavor', ram: 1024, vcpus: 2, disk: 10, id: TEST_FLAVOR, rxtx_factor: 2.0, ...extra },
});

const SETUP_NOTE = "novasim's sample seed boots servers on test_flavor (Nova's _boot_a_server creates it per test); the scenario deletes it first, outside the recorded window.";

/** The seeded test_flavor has the id and name these tests create: remove it before the window opens. */
async function freshStart(h: SampleHarness): Promise<void> {
  await h.request('DELETE', `${FLAVORS}/${TEST_FLAVOR}`, undefined, 202, { admin: true, version: '2.1' });
  h.resetNotifications();
}

export const flavorCreate: Scenario = {
  name: 'flavor-create',
  nova: 'test_flavor.py TestFlavorNotificationSample.test_flavor_create',
  async run(h) {
    await freshStart(h);
    await h.request('POST', FLAVORS, body(), 200, { admin: true, version: '2.1' });
    const ns = h.notifications();
    return {
      name: this.name, nova: this.nova, notes: [SETUP_NOTE],
      problems: expectEventTypes(ns, ['flavor.create']),
      recorded: record(ns, [['flavor-create', { kind: 'sample', sample: 'flavor-create', replacements: {} }]]),
    };
  },
};

export const flavorDestroy: Scenario = {
  name: 'flavor-destroy',
  nova: 'test_flavor.py TestFlavorNotificationSample.test_flavor_destroy',
  async run(h) {
    await freshStart(h);
    await h.request('POST', FLAVORS, body(), 200, { admin: true, version: '2.1' });
    await h.request('DELETE', `${FLAVORS}/${TEST_FLAVOR}`, undefined, 202, { admin: true, version: '2.1' });
    const ns = h.notifications();
    return {
      name: this.name, nova: this.nova, notes: [SETUP_NOTE],
      problems: expectEventTypes(ns, ['flavor.create', 'flavor.delete']),
      // Nova's test verifies only versioned_notifications[1].
      recorded: record(ns.slice(1), [['flavor-delete', { kind: 'sample', sample: 'flavor-delete', replacements: {} }]]),
    };
  },
};

export const flavorUpdate: Scenario = {
  name: 'flavor-update',
  nova: 'test_flavor.py TestFlavorNotificationSample.test_flavor_update',
  async run(h, profile) {
    // Zed's test grants "fake_tenant" (a project the sample seed has); master's grants fake.PROJECT_ID.
    const tenant = profile === 'zed' ? 'fake_tenant' : PROJECT_ID;
    await freshStart(h);
    await h.request('POST', FLAVORS, body({ 'os-flavor-access:is_public': false }), 200, { admin: true, version: '2.1' });
    await h.request('POST', `${FLAVORS}/${TEST_FLAVOR}/os-extra_specs`, { extra_specs: { 'hw:numa_nodes': '2' } }, 200, { admin: true, version: '2.1' });
    await h.request('POST', `${FLAVORS}/${TEST_FLAVOR}/action`, { addTenantAccess: { tenant } }, 200, { admin: true, version: '2.1' });
    const ns = h.notifications();
    return {
      name: this.name, nova: this.nova, notes: [SETUP_NOTE],
      problems: expectEventTypes(ns, ['flavor.create', 'flavor.update', 'flavor.update']),
      // Nova's test verifies only versioned_notifications[2].
      recorded: record(ns.slice(2), [['flavor-update', { kind: 'sample', sample: 'flavor-update', replacements: {} }]]),
    };
  },
};

export const flavorUpdateDescription: Scenario = {
  name: 'flavor-update-description',
  nova: 'test_flavor.py TestFlavorNotificationSamplev2_55.test_flavor_udpate_with_description',
  async run(h) {
    await freshStart(h);
    const created = await h.request('POST', FLAVORS, body({ 'os-flavor-access:is_public': false }), 200, { admin: true, version: '2.55' });
    const id = (created.flavor as { id: string }).id;
    await h.request('PUT', `${FLAVORS}/${id}`, { flavor: { description: 'test description' } }, 200, { admin: true, version: '2.55' });
    const ns = h.notifications();
    return {
      name: this.name, nova: this.nova, notes: [SETUP_NOTE],
      problems: expectEventTypes(ns, ['flavor.create', 'flavor.update']),
      recorded: record(ns, [
        ['flavor-create', { kind: 'sample', sample: 'flavor-create', replacements: { is_public: false } }],
        ['flavor-update', { kind: 'sample', sample: 'flavor-update', replacements: { description: 'test description', extra_specs: {}, projects: [] } }],
      ]),
    };
  },
};
