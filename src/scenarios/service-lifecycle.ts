// nova/tests/functional/notification_sample_tests/test_service.py TestServiceNotificationSample:
// test_service_create / test_service_destroy start a second nova-compute on host2 while the test
// runs (self.start_service('compute', host='host2')); novasim does the same through its control
// route POST /_novasim/compute-services. TestServiceNotificationBase replaces `version` with the
// current SERVICE_VERSION in every check.
import { SERVICE_VERSION } from '../store/hosts.js';
import { ANY } from '../testing/match-sample.js';
import { expectEventTypes, record } from './expect.js';
import type { Scenario } from './types.js';

const NOVA = 'test_service.py TestServiceNotificationSample';
const START = '/_novasim/compute-services';

export const serviceCreate: Scenario = {
  name: 'service-create',
  nova: `${NOVA}.test_service_create`,
  async run(h, profile) {
    h.resetNotifications();
    await h.request('POST', START, { host: 'host2' }, 201, { admin: true });
    const ns = h.notifications();
    return {
      name: this.name, nova: this.nova, notes: [],
      // _verify_notification without `actual`: versioned_notifications[0].
      problems: expectEventTypes(ns, ['service.create'], { atLeast: 1 }),
      recorded: record(ns, [['service-create', { kind: 'sample', sample: 'service-create', replacements: { uuid: ANY, version: SERVICE_VERSION[profile] } }]]),
    };
  },
};

export const serviceDestroy: Scenario = {
  name: 'service-delete',
  nova: `${NOVA}.test_service_destroy`,
  async run(h, profile) {
    h.resetNotifications();
    await h.request('POST', START, { host: 'host2' }, 201, { admin: true });
    const found = await h.request('GET', '/compute/v2.1/os-services?host=host2&binary=nova-compute', undefined, 200, { admin: true });
    const id = (found.services as { id: string }[])[0]?.id ?? '';
    await h.request('DELETE', `/compute/v2.1/os-services/${id}`, undefined, 204, { admin: true });
    const ns = h.notifications();
    return {
      name: this.name, nova: this.nova, notes: [],
      // actual=versioned_notifications[1]: [0] is host2's service.create.
      problems: expectEventTypes(ns, ['service.create', 'service.delete'], { atLeast: 2 }),
      recorded: record(ns.slice(1), [['service-delete', { kind: 'sample', sample: 'service-delete', replacements: { uuid: id, version: SERVICE_VERSION[profile] } }]]),
    };
  },
};

export const SERVICE_LIFECYCLE_SCENARIOS: readonly Scenario[] = [serviceCreate, serviceDestroy];
