// Notifier configuration: Nova's [notifications] options plus CONF.host.
import { z } from 'zod';

export const NotifierOptions = z.object({
  /**
   * [notifications] notification_format (nova/conf/notifications.py). Nova's default is
   * 'unversioned' (only the legacy `compute.instance.*` notifications, "heavily used by ceilometer");
   * novasim exists to produce the versioned ones, so it defaults to 'versioned'. 'unversioned' sends
   * only the legacy twins (src/notifier/legacy/twins.ts), 'both' sends both, legacy first, as Nova.
   */
  notificationFormat: z.enum(['unversioned', 'versioned', 'both']).default('versioned'),
  /**
   * [notifications] bdms_in_notifications. Nova defaults to False (`block_devices: null`); novasim
   * defaults to true, as Nova's own sample tests run, so payloads match the golden samples.
   */
  bdmsInNotifications: z.boolean().default(true),
  /**
   * [notifications] include_share_mapping (only for profiles whose payloads have `shares`).
   * Nova defaults to False (`shares: null`); true gives `[]` (novasim has no shares), as the samples.
   */
  includeShareMapping: z.boolean().default(true),
  /**
   * [notifications] notify_on_state_change: null (Nova's default) sends nothing from Instance.save;
   * 'vm_state' / 'vm_and_task_state' make every save send instance.update (notifications/base.py send_update).
   */
  notifyOnStateChange: z.enum(['vm_state', 'vm_and_task_state']).nullable().default(null),
  /** [notifications] versioned_notifications_topics; messages go to `<topic>.<priority>`. */
  versionedNotificationsTopics: z.array(z.string().min(1)).min(1).default(['versioned_notifications']),
  /** [oslo_messaging_notifications] topics: where legacy notifications go (`notifications.<priority>`). */
  notificationsTopics: z.array(z.string().min(1)).min(1).default(['notifications']),
  /**
   * CONF.host: the publisher host of nova-api notifications and of `compute.exception`. Instance
   * notifications from the compute manager use the compute service host the caller passes in.
   * Nova defaults it to the machine's hostname; novasim uses a fixed 'novasim' so output is stable.
   */
  host: z.string().min(1).default('novasim'),
});

export type NotifierOptions = z.infer<typeof NotifierOptions>;
export type NotifierOptionsInput = z.input<typeof NotifierOptions>;
