#!/usr/bin/python3
"""Publishes notifications with oslo.messaging's real Notifier (driver messagingv2, rabbit), so a
test can compare the bytes on the bus with novasim's AmqpSink.

stdin: a JSON list of {"ctxt": {...}, "publisher_id", "event_type", "priority", "payload"}.
Run it with Debian's /usr/bin/python3 (python3-oslo.messaging).
"""
import argparse
import json
import sys

import oslo_messaging
from oslo_config import cfg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--url', required=True)
    ap.add_argument('--exchange', default='nova')
    ap.add_argument('--topic', default='versioned_notifications')
    args = ap.parse_args()

    # control_exchange must be set before the transport is created.
    oslo_messaging.set_transport_defaults(control_exchange=args.exchange)
    conf = cfg.ConfigOpts()
    conf([], project='novasim-interop')
    transport = oslo_messaging.get_notification_transport(conf, url=args.url.replace('amqp://', 'rabbit://', 1))
    for item in json.load(sys.stdin):
        notifier = oslo_messaging.Notifier(transport, publisher_id=item['publisher_id'], driver='messagingv2',
                                           topics=[args.topic])
        getattr(notifier, item['priority'].lower())(item['ctxt'], item['event_type'], item['payload'])
    transport.cleanup()


if __name__ == '__main__':
    main()
