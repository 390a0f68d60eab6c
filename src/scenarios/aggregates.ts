// nova/tests/functional/notification_sample_tests/test_aggregate.py TestAggregateNotificationSample
// and test_exception_notification.py TestExceptionNotificationSample, driven as admin_api at
// the latest microversion (identical in Zed 26.2.2 and master).
import { ANY } from '../testing/match-sample.js';
import { expectEventTypes, record } from './expect.js';
import type { SampleHarness } from './harness.js';
import { IMAGE_1 } from './nova-fixtures.js';
import type { Check, Scenario } from './types.js';

const AGGREGATES = '/compute/v2.1/os-aggregates';

interface Aggregate {
  id: number;
  uuid: string;
}

/** admin_api.post_aggregate({"aggregate": {"name": "my-aggregate", "availability_zone": "nova"}}). */
async function postAggregate(h: SampleHarness, name = 'my-aggregate'): Promise<Aggregate> {
  const body = await h.request('POST', AGGREGATES, { aggregate: { name, availability_zone: 'nova' } }, 200, { admin: true });
  return body.aggregate as Aggregate;
}

const action = (h: SampleHarness, agg: Aggregate, body: unknown) => h.request('POST', `${AGGREGATES}/${agg.id}/action`, body, 200, { admin: true });

/** The replacements every check but aggregate-create-start uses: {'uuid': …, 'id': …}. */
const sample = (name: string, agg: Aggregate, withId = true): Check => ({
  kind: 'sample', sample: name, replacements: withId ? { uuid: agg.uuid, id: agg.id } : { uuid: agg.uuid },
});

export const aggregateCreateDelete: Scenario = {
  name: 'aggregate-create-delete',
  nova: 'test_aggregate.py TestAggregateNotificationSample.test_aggregate_create_delete',
  async run(h) {
    h.resetNotifications();
    const agg = await postAggregate(h);
    const afterCreate = h.notifications();
    await h.request('DELETE', `${AGGREGATES}/${agg.id}`, undefined, 200, { admin: true });
    const ns = h.notifications();
    return {
      name: this.name, nova: this.nova, notes: [],
      problems: [
        ...expectEventTypes(afterCreate, ['aggregate.create.start', 'aggregate.create.end']),
        ...expectEventTypes(ns, ['aggregate.create.start', 'aggregate.create.end', 'aggregate.delete.start', 'aggregate.delete.end']),
      ],
      recorded: record(ns, [
        // The aggregate has no id before it is created: Nova replaces only the uuid here.
        ['aggregate-create-start', sample('aggregate-create-start', agg, false)],
        ['aggregate-create-end', sample('aggregate-create-end', agg)],
        ['aggregate-delete-start', sample('aggregate-delete-start', agg)],
        ['aggregate-delete-end', sample('aggregate-delete-end', agg)],
      ]),
    };
  },
};

export const aggregateAddRemoveHost: Scenario = {
  name: 'aggregate-add-remove-host',
  nova: 'test_aggregate.py TestAggregateNotificationSample.test_aggregate_add_remove_host',
  async run(h) {
    const agg = await postAggregate(h);
    h.resetNotifications();
    await action(h, agg, { add_host: { host: 'compute' } });
    const afterAdd = h.notifications();
    await action(h, agg, { remove_host: { host: 'compute' } });
    const ns = h.notifications();
    // The test ends by deleting the aggregate; it checks nothing after that.
    await h.request('DELETE', `${AGGREGATES}/${agg.id}`, undefined, 200, { admin: true });
    return {
      name: this.name, nova: this.nova, notes: [],
      problems: [
        ...expectEventTypes(afterAdd, ['aggregate.add_host.start', 'aggregate.add_host.end']),
        ...expectEventTypes(ns, ['aggregate.add_host.start', 'aggregate.add_host.end', 'aggregate.remove_host.start', 'aggregate.remove_host.end']),
      ],
      recorded: record(ns, [
        ['aggregate-add_host-start', sample('aggregate-add_host-start', agg)],
        ['aggregate-add_host-end', sample('aggregate-add_host-end', agg)],
        ['aggregate-remove_host-start', sample('aggregate-remove_host-start', agg)],
        ['aggregate-remove_host-end', sample('aggregate-remove_host-end', agg)],
      ]),
    };
  },
};

export const aggregateUpdateMetadata: Scenario = {
  name: 'aggregate-update-metadata',
  nova: 'test_aggregate.py TestAggregateNotificationSample.test_aggregate_update_metadata',
  async run(h) {
    const agg = await postAggregate(h);
    h.resetNotifications();
    await action(h, agg, { set_metadata: { metadata: { availability_zone: 'AZ-1' } } });
    const ns = h.notifications();
    return {
      name: this.name, nova: this.nova, notes: [],
      problems: expectEventTypes(ns, ['aggregate.update_metadata.start', 'aggregate.update_metadata.end']),
      recorded: record(ns, [
        ['aggregate-update_metadata-start', sample('aggregate-update_metadata-start', agg)],
        ['aggregate-update_metadata-end', sample('aggregate-update_metadata-end', agg)],
      ]),
    };
  },
};

export const aggregateUpdateProps: Scenario = {
  name: 'aggregate-update-props',
  nova: 'test_aggregate.py TestAggregateNotificationSample.test_aggregate_updateprops',
  async run(h) {
    h.resetNotifications();
    const agg = await postAggregate(h);
    await h.request('PUT', `${AGGREGATES}/${agg.id}`, { aggregate: { name: 'my-new-aggregate' } }, 200, { admin: true });
    const ns = h.notifications();
    return {
      name: this.name, nova: this.nova, notes: [],
      problems: expectEventTypes(ns, ['aggregate.create.start', 'aggregate.create.end', 'aggregate.update_prop.start', 'aggregate.update_prop.end']),
      // Nova's test verifies only versioned_notifications[2] and [3].
      recorded: record(ns.slice(2), [
        ['aggregate-update_prop-start', sample('aggregate-update_prop-start', agg)],
        ['aggregate-update_prop-end', sample('aggregate-update_prop-end', agg)],
      ]),
    };
  },
};

export const aggregateCacheImages: Scenario = {
  name: 'aggregate-cache-images',
  nova: 'test_aggregate.py TestAggregateNotificationSample.test_aggregate_cache_images',
  async run(h) {
    const agg = await postAggregate(h);
    await action(h, agg, { add_host: { host: 'compute' } });
    h.resetNotifications();
    await h.request('POST', `${AGGREGATES}/${agg.id}/images`, { cache: [{ id: IMAGE_1 }] }, 202, { admin: true });
    // "Since the operation is asynchronous we have to wait for the end notification."
    await h.sim.idle();
    const ns = h.notifications();
    return {
      name: this.name, nova: this.nova, notes: [],
      problems: expectEventTypes(ns, ['aggregate.cache_images.start', 'aggregate.cache_images.progress', 'aggregate.cache_images.end']),
      recorded: record(ns, [
        ['aggregate-cache_images-start', sample('aggregate-cache_images-start', agg)],
        ['aggregate-cache_images-progress', sample('aggregate-cache_images-progress', agg)],
        ['aggregate-cache_images-end', sample('aggregate-cache_images-end', agg)],
      ]),
    };
  },
};

/** Creating an aggregate whose name exists: AggregateNameExists from nova-api, as compute.exception. */
export const exceptionNotification: Scenario = {
  name: 'exception-notification',
  nova: 'test_exception_notification.py TestExceptionNotificationSample.test_versioned_exception_notification_with_correct_params',
  async run(h) {
    h.resetNotifications();
    const post = { aggregate: { name: 'versioned_exc_aggregate', availability_zone: 'nova' } };
    await h.request('POST', AGGREGATES, post, 200, { admin: true });
    // "recreating the aggregate raises exception"
    await h.request('POST', AGGREGATES, post, 409, { admin: true });
    const ns = h.notifications();
    return {
      name: this.name, nova: this.nova, notes: [],
      problems: expectEventTypes(ns, ['aggregate.create.start', 'aggregate.create.end', 'aggregate.create.start', 'compute.exception']),
      // Nova's test verifies only versioned_notifications[3], with assertIn('AggregateNameExists', traceback).
      recorded: record(ns.slice(3), [
        ['compute-exception', { kind: 'sample', sample: 'compute-exception', replacements: { traceback: ANY }, tracebackContains: 'AggregateNameExists' }],
      ]),
    };
  },
};

export const AGGREGATE_SCENARIOS: readonly Scenario[] = [
  aggregateCreateDelete, aggregateAddRemoveHost, aggregateUpdateMetadata, aggregateUpdateProps, aggregateCacheImages, exceptionNotification,
];
