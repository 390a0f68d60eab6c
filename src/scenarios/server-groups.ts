// test_server_group.py TestServerGroupNotificationSample (nova/tests/functional/notification_sample_tests).
import { expectEventTypes, record } from './expect.js';
import { IMAGE_1, PORT_1, TEST_FLAVOR } from './nova-fixtures.js';
import type { Scenario } from './types.js';

const GROUPS = '/compute/v2.1/os-server-groups';
const GROUP_REQ = { server_group: { name: 'test-server-group', policy: 'anti-affinity', rules: { max_server_per_host: 3 } } };

/** Create, then (after notifier.reset) delete an anti-affinity group with max_server_per_host 3. */
export const serverGroupCreateDelete: Scenario = {
  name: 'server-group-create-delete',
  nova: 'test_server_group.py TestServerGroupNotificationSample.test_server_group_create_delete',
  async run(h) {
    h.resetNotifications();
    const group = (await h.request('POST', GROUPS, GROUP_REQ, 200)).server_group as { id: string };
    const created = h.notifications();
    h.resetNotifications();
    await h.request('DELETE', `${GROUPS}/${group.id}`, undefined, 204);
    const deleted = h.notifications();
    const replacements = { uuid: group.id };
    return {
      name: this.name,
      nova: this.nova,
      problems: [...expectEventTypes(created, ['server_group.create']), ...expectEventTypes(deleted, ['server_group.delete'])],
      recorded: [
        ...record(created, [['server_group-create', { kind: 'sample', sample: 'server_group-create', replacements }]]),
        ...record(deleted, [['server_group-delete', { kind: 'sample', sample: 'server_group-delete', replacements }]]),
      ],
      notes: [],
    };
  },
};

/** Boot a server with the group hint: server_group.add_member comes first. */
export const serverGroupAddMember: Scenario = {
  name: 'server-group-add-member',
  nova: 'test_server_group.py TestServerGroupNotificationSample.test_server_group_add_member',
  async run(h) {
    const group = (await h.request('POST', GROUPS, GROUP_REQ, 200)).server_group as { id: string };
    h.resetNotifications();
    const server = {
      name: 'some-server', imageRef: IMAGE_1, flavorRef: TEST_FLAVOR, description: 'some-server', networks: [{ port: PORT_1 }], key_name: 'my-key',
    };
    const created = (await h.request('POST', '/compute/v2.1/servers', { server, 'os:scheduler_hints': { group: group.id } }, 202)).server as { id: string };
    await h.sim.idle();
    const ns = h.notifications();
    return {
      name: this.name,
      nova: this.nova,
      problems: expectEventTypes(ns, ['server_group.add_member'], { atLeast: 1 }),
      recorded: record(ns, [['server_group-add_member', { kind: 'sample', sample: 'server_group-add_member', replacements: { uuid: group.id, members: [created.id] } }]]),
      notes: [
        "Nova's test counts 6 notifications (add_member, scheduler select_destinations start/end, instance.create start/end, instance.update for the tags); only add_member is compared, as Nova compares it.",
      ],
    };
  },
};
