// flavor.create / flavor.update / flavor.delete (nova/objects/flavor.py Flavor._send_notification):
// FlavorNotification with a FlavorPayload, INFO, published by nova-api on CONF.host.
import type { RequestContext } from '../domain.js';
import type { Notifier } from './notifier.js';
import { flavorPayload, type FlavorPayloadSource } from './payloads/flavor.js';
import type { CapturedNotification } from './types.js';

export type FlavorAction = 'create' | 'update' | 'delete';

export function notifyAboutFlavor(notifier: Notifier, ctx: RequestContext, action: FlavorAction, flavor: FlavorPayloadSource): CapturedNotification | null {
  if (!notifier.versionedEnabled) return null;
  return notifier.emit({
    context: ctx, eventType: `flavor.${action}`, priority: 'INFO', source: 'nova-api', host: notifier.options.host,
    payload: flavorPayload(flavor, notifier.profile),
  });
}
