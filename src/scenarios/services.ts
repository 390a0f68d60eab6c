// nova/tests/functional/notification_sample_tests/test_service.py: the service.update tests of
// TestServiceUpdateNotificationSamplev2_52 (PUT os-services/<action> at 2.52) and
// TestServiceUpdateNotificationSampleLatest (PUT os-services/{uuid}), identical in Zed and master.
import { SERVICE_VERSION } from '../store/hosts.js';
import type { Replacements } from '../testing/match-sample.js';
import { expectEventTypes, record } from './expect.js';
import type { SampleHarness } from './harness.js';
import type { Scenario } from './types.js';

const SERVICES = '/compute/v2.1/os-services';
const HOST = 'host1';
const BINARY = 'nova-compute';

/**
 * Nova's tests stub the service DB (service_get_by_host_and_binary, service_update, at latest
 * service_get_by_uuid) with test_services.fake_services_list: the service updated is that list's
 * nova-compute on host1, disabled with reason "test2", last seen up 2012-10-29 13:42:05,
 * report_count 1, and the stubbed update applies the change to a copy of that row. novasim starts a
 * nova-compute on host1 (as any other run-time service) and gives its row those values, a
 * scenario-only row standing in for Nova's stub; the update then runs through the real API and
 * store. Each scenario runs on a fresh simulator, as each of Nova's tests starts from the fake row.
 */
function fakeHost1Row(h: SampleHarness): string {
  const svc = h.sim.computeServices.start({ host: HOST });
  h.sim.services.db
    .prepare(`UPDATE services SET disabled = 1, disabled_reason = 'test2', report_count = 1, last_seen_up = ?, updated_at = ?, created_at = ? WHERE id = ?`)
    .run('2012-10-29T13:42:05.000Z', '2012-10-29T13:42:05.000Z', '2012-09-18T02:46:27.000Z', svc.id);
  return svc.uuid;
}

type Step = { url: (uuid: string) => string; body: Record<string, unknown>; changed: Replacements };

function serviceUpdate(name: string, nova: string, version: string, step: Step): Scenario {
  return {
    name,
    nova,
    async run(h, profile) {
      const uuid = fakeHost1Row(h);
      h.resetNotifications();
      await h.request('PUT', `${SERVICES}/${step.url(uuid)}`, step.body, 200, { admin: true, version });
      const ns = h.notifications();
      // TestServiceNotificationBase._verify_notification defaults `version` to SERVICE_VERSION.
      const replacements: Replacements = { ...step.changed, uuid, version: SERVICE_VERSION[profile] };
      return {
        name: this.name, nova: this.nova, notes: [],
        // _verify_notification without `actual` looks at versioned_notifications[0].
        problems: expectEventTypes(ns, ['service.update'], { atLeast: 1 }),
        recorded: record(ns, [['service-update', { kind: 'sample', sample: 'service-update', replacements }]]),
      };
    },
  };
}

const OLD = { host: HOST, binary: BINARY };
const V252 = 'test_service.py TestServiceUpdateNotificationSamplev2_52';
const LATEST = 'test_service.py TestServiceUpdateNotificationSampleLatest';
const byUuid = (uuid: string) => uuid;
const DISABLED = { disabled: true };
const DISABLED_REASON = { disabled: true, disabled_reason: 'test2' };
// force-down changes forced_down only: the row stays disabled with its reason.
const FORCED_DOWN = { forced_down: true, disabled: true, disabled_reason: 'test2' };

export const SERVICE_SCENARIOS: readonly Scenario[] = [
  serviceUpdate('service-enable-v2_52', `${V252}.test_service_enable`, '2.52', { url: () => 'enable', body: OLD, changed: {} }),
  serviceUpdate('service-disabled-v2_52', `${V252}.test_service_disabled`, '2.52', { url: () => 'disable', body: OLD, changed: DISABLED }),
  serviceUpdate('service-disabled-log-reason-v2_52', `${V252}.test_service_disabled_log_reason`, '2.52', { url: () => 'disable-log-reason', body: { ...OLD, disabled_reason: 'test2' }, changed: DISABLED_REASON }),
  serviceUpdate('service-force-down-v2_52', `${V252}.test_service_force_down`, '2.52', { url: () => 'force-down', body: { ...OLD, forced_down: true }, changed: FORCED_DOWN }),
  serviceUpdate('service-enable', `${LATEST}.test_service_enable`, 'latest', { url: byUuid, body: { status: 'enabled' }, changed: {} }),
  serviceUpdate('service-disabled', `${LATEST}.test_service_disabled`, 'latest', { url: byUuid, body: { status: 'disabled' }, changed: DISABLED }),
  serviceUpdate('service-disabled-log-reason', `${LATEST}.test_service_disabled_log_reason`, 'latest', { url: byUuid, body: { status: 'disabled', disabled_reason: 'test2' }, changed: DISABLED_REASON }),
  serviceUpdate('service-force-down', `${LATEST}.test_service_force_down`, 'latest', { url: byUuid, body: { forced_down: true }, changed: FORCED_DOWN }),
];
