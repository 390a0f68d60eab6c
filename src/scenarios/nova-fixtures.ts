// The values Nova's notification-sample tests run with (nova/tests/functional/
// notification_sample_tests/notification_sample_base.py, nova/tests/fixtures/{cinder,neutron,
// glance}.py, nova/tests/unit/fake_policy.py), as simulator configuration.
import { fileURLToPath } from 'node:url';
import type { ConfigInput } from '../config.js';
import type { ProfileName } from '../profiles/index.js';

/** CinderFixture volume ids. */
export const SWAP_OLD_VOL = 'a07f71dc-8151-4e7d-a0cc-cd24a3f11113';
export const SWAP_NEW_VOL = '227cc671-f30b-4488-96fd-7d0bf13648d8';
export const SWAP_ERR_OLD_VOL = '828419fa-3efb-4533-b458-4267ca5fe9b1';
export const SWAP_ERR_NEW_VOL = '9c6d9c2d-7a8f-4c80-938d-3bf062b8d489';

/** NeutronFixture.port_1, GlanceFixture image1, _boot_a_server's flavor. */
export const PORT_1 = 'ce531f90-199f-48c0-816c-13e38010b442';
/** NeutronFixture.port_2 (the port its create_port hands out on network_1). */
export const PORT_2 = '88dae9fa-0dc6-49e3-8c29-3abc41e99ac9';
export const IMAGE_1 = '155d900f-4e14-4e4c-a73d-069cbf4541e6';
/** GlanceFixture's image the rebuild tests switch to (ami, no architecture). */
export const REBUILD_IMAGE = 'a2459075-d96c-40d5-893e-577ff92e721c';
export const TEST_FLAVOR = 'a22d5517-147c-4147-a0d1-e698df5cd4e3';

/** ManilaFixture's share (NFS, export location 10.0.0.50:/mnt/foo), seeded in the fake Manila. */
export const SHARE_ID = 'e8debdc0-447a-4376-a10a-4cd9122d7986';

/** The request id every request gets (mock of oslo_context generate_request_id). */
export const REQUEST_ID = 'req-5b6c791d-5709-4f36-8fbe-c3e02869e35d';

/** Users of OSAPIFixture: `api` (fake: reader+member) and `admin_api` (admin), project fake.PROJECT_ID. */
export const API_USER = { name: 'fake', password: 'fake' };
export const ADMIN_USER = { name: 'admin', password: 'admin' };
export const PROJECT = 'openstack';
/** fake.PROJECT_ID, the id of project `openstack`. */
export const PROJECT_ID = '6f70656e737461636b20342065766572';

export const SEED_PATH = fileURLToPath(new URL('../../fixtures/nova-samples-seed.json', import.meta.url));

const VA = 'os_compute_api:os-volumes-attachments';

/** nova/tests/unit/fake_policy.py: every rule novasim evaluates that the fake policy sets, all "". */
export const FAKE_POLICY: Record<string, string> = Object.fromEntries(
  [
    'os_compute_api:servers:index', 'os_compute_api:servers:detail', 'os_compute_api:servers:index:get_all_tenants',
    'os_compute_api:servers:detail:get_all_tenants', 'os_compute_api:servers:show', 'os_compute_api:servers:create',
    'os_compute_api:servers:create:trusted_certs', 'os_compute_api:servers:delete', 'os_compute_api:servers:update',
    'os_compute_api:os-lock-server:lock', 'os_compute_api:os-lock-server:unlock', 'os_compute_api:os-flavor-manage:create',
    'os_compute_api:os-server-tags:index', 'os_compute_api:os-server-tags:update_all',
    `${VA}:index`, `${VA}:show`, `${VA}:create`, `${VA}:update`, `${VA}:swap`, `${VA}:delete`,
    'os_compute_api:os-instance-actions:list', 'os_compute_api:os-instance-actions:show',
    'os_compute_api:os-instance-actions:events', 'os_compute_api:os-instance-actions:events:details',
    'os_compute_api:os-keypairs:index', 'os_compute_api:os-keypairs:create', 'os_compute_api:os-keypairs:show', 'os_compute_api:os-keypairs:delete',
    'os_compute_api:os-quota-sets:show', 'os_compute_api:os-quota-sets:update', 'os_compute_api:os-quota-sets:delete',
    'os_compute_api:os-quota-sets:detail', 'os_compute_api:os-quota-sets:defaults', 'os_compute_api:os-quota-class-sets:update',
    'os_compute_api:os-quota-class-sets:show', 'os_compute_api:os-server-groups:show', 'os_compute_api:os-server-groups:index',
    'os_compute_api:os-server-groups:index:all_projects', 'os_compute_api:os-server-groups:create', 'os_compute_api:os-server-groups:delete',
    'os_compute_api:limits',
    'os_compute_api:servers:stop', 'os_compute_api:servers:start', 'os_compute_api:servers:reboot',
    'os_compute_api:servers:trigger_crash_dump', 'os_compute_api:os-pause-server:pause', 'os_compute_api:os-pause-server:unpause',
    'os_compute_api:os-suspend-server:suspend', 'os_compute_api:os-suspend-server:resume',
    'os_compute_api:os-rescue', 'os_compute_api:os-unrescue',
    'os_compute_api:os-shelve:shelve', 'os_compute_api:os-shelve:shelve_offload', 'os_compute_api:os-shelve:unshelve',
    'os_compute_api:os-deferred-delete:restore', 'os_compute_api:os-deferred-delete:force', 'os_compute_api:os-admin-password',
    'os_compute_api:os-remote-consoles',
    'os_compute_api:servers:rebuild', 'os_compute_api:servers:rebuild:trusted_certs', 'os_compute_api:servers:create_image',
    'os_compute_api:servers:create_image:allow_volume_backed', 'os_compute_api:os-create-backup', 'os_compute_api:os-evacuate',
  ].map((rule) => [rule, '']),
);

/**
 * Simulator options equivalent to the sample tests' set-up: frozen time (TimeFixture), fixed
 * request id, compute service host `compute` with CONF.host `fake-mini`, the fake driver's
 * /dev/sd* names, notification_format=both with bdms_in_notifications and (master)
 * include_share_mapping. Master runs the fake Cinder in Nova-fixture mode, because HEAD's
 * CinderFixture reports the swapped volumes as migrating (see config cinderCompat); Zed's
 * fixture does not, so Zed runs against the faithful fake Cinder.
 */
export function scenarioConfig(profile: ProfileName): ConfigInput {
  return {
    profile,
    deterministic: true,
    frozenTime: '2012-10-29T13:42:11Z',
    fixedRequestId: REQUEST_ID,
    computeHost: 'compute',
    node: 'fake-mini',
    confHost: 'fake-mini',
    // Nova's sample tests start one nova-compute, `compute` with node `fake-mini`.
    computeHosts: 1,
    diskPrefix: 'sd',
    notificationFormat: 'both',
    bdmsInNotifications: true,
    includeShareMapping: true,
    policyOverrides: FAKE_POLICY,
    seed: SEED_PATH,
    cinderCompat: profile === 'master' ? 'nova-fixture' : 'cinder',
    logLevel: 'silent',
    buildDelayMs: 0,
    volumeCreateDelayMs: 0,
    volumeDeleteDelayMs: 0,
  };
}
