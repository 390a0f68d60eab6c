// nova/tests/functional/notification_sample_tests/test_service.py: the service.update tests of
// TestServiceUpdateNotificationSamplev2_52 (PUT os-services/<action> at 2.52) and
// TestServiceUpdateNotificationSampleLatest (PUT os-services/{uuid}), identical in Zed and master.
import { expectEventTypes, notCompared, record } from './expect.js';
import type { Scenario } from './types.js';

const SERVICES = '/compute/v2.1/os-services';
const HOST = 'compute';
const BINARY = 'nova-compute';

/**
 * Why service-update.json is written (--out) but not compared: Nova's tests stub the service DB
 * with test_services.fake_services_list, so the sample is that fake row (host "host1", publisher
 * nova-compute:host1, last_seen_up 2012-10-29T13:42:05Z, report_count 1), and the stubbed
 * service_update hands back the row it was given. Nova replaces only uuid, version and the changed
 * fields; novasim updates its real nova-compute service (host "compute", last seen at the frozen
 * clock, report_count 0), whose row no replacement makes equal to the fake one.
 */
const STUBBED_DB =
  "test_service.py stubs nova.db service_get_by_host_and_binary/service_update with test_services' fake host1 rows, so service-update.json is that fake row " +
  '(host host1, publisher nova-compute:host1, last_seen_up 2012-10-29T13:42:05Z, report_count 1), which Nova\'s replacements leave as is; ' +
  "novasim updates its real nova-compute service on host compute, so the notification is written but not compared.";

type Step = { url: (uuid: string) => string; body: Record<string, unknown> };

function serviceUpdate(name: string, nova: string, version: string, step: Step, notes: string[] = []): Scenario {
  return {
    name,
    nova,
    async run(h) {
      const found = await h.request('GET', `${SERVICES}?host=${HOST}&binary=${BINARY}`, undefined, 200, { admin: true });
      const uuid = (found.services as { id: string }[])[0]?.id ?? '';
      h.resetNotifications();
      await h.request('PUT', `${SERVICES}/${step.url(uuid)}`, step.body, 200, { admin: true, version });
      const ns = h.notifications();
      return {
        name: this.name, nova: this.nova, notes,
        // _verify_notification without `actual` looks at versioned_notifications[0].
        problems: expectEventTypes(ns, ['service.update'], { atLeast: 1 }),
        recorded: record(ns, [['service-update', notCompared(STUBBED_DB)]]),
      };
    },
  };
}

const OLD = { host: HOST, binary: BINARY };
const V252 = 'test_service.py TestServiceUpdateNotificationSamplev2_52';
const LATEST = 'test_service.py TestServiceUpdateNotificationSampleLatest';
const byUuid = (uuid: string) => uuid;

export const SERVICE_SCENARIOS: readonly Scenario[] = [
  // Said once, on the first of test_service.py's scenarios.
  serviceUpdate('service-enable-v2_52', `${V252}.test_service_enable`, '2.52', { url: () => 'enable', body: OLD }),
  serviceUpdate('service-disabled-v2_52', `${V252}.test_service_disabled`, '2.52', { url: () => 'disable', body: OLD }),
  serviceUpdate('service-disabled-log-reason-v2_52', `${V252}.test_service_disabled_log_reason`, '2.52', { url: () => 'disable-log-reason', body: { ...OLD, disabled_reason: 'test2' } }),
  serviceUpdate('service-force-down-v2_52', `${V252}.test_service_force_down`, '2.52', { url: () => 'force-down', body: { ...OLD, forced_down: true } }),
  serviceUpdate('service-enable', `${LATEST}.test_service_enable`, 'latest', { url: byUuid, body: { status: 'enabled' } }),
  serviceUpdate('service-disabled', `${LATEST}.test_service_disabled`, 'latest', { url: byUuid, body: { status: 'disabled' } }),
  serviceUpdate('service-disabled-log-reason', `${LATEST}.test_service_disabled_log_reason`, 'latest', { url: byUuid, body: { status: 'disabled', disabled_reason: 'test2' } }),
  serviceUpdate('service-force-down', `${LATEST}.test_service_force_down`, 'latest', { url: byUuid, body: { forced_down: true } }),
];
