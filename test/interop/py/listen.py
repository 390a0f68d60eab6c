#!/usr/bin/python3
"""An oslo.messaging NotificationListener, as Ceilometer or a test harness would run it.

Prints one JSON line per received notification:
  {"priority", "ctxt", "publisher_id", "event_type", "payload", "metadata"}
after a first line {"ready": true} once its queue is declared and bound. Exits after --count
notifications, or once --until <event_type> arrived (0/none = until timeout), or after --timeout
seconds (exit status 3 on timeout).

Run it with Debian's /usr/bin/python3 (python3-oslo.messaging).
"""
import argparse
import json
import sys
import threading
import time

import oslo_messaging
from oslo_config import cfg

PRIORITIES = ('audit', 'critical', 'debug', 'info', 'warn', 'error', 'sample')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--url', required=True, help='transport URL, e.g. rabbit://guest:guest@127.0.0.1:5672/')
    ap.add_argument('--exchange', default='nova', help="Nova's control_exchange")
    ap.add_argument('--topic', default='versioned_notifications')
    ap.add_argument('--pool', default=None, help='listener pool (its own queue); default: the topic queue')
    ap.add_argument('--count', type=int, default=0)
    ap.add_argument('--until', default=None, help='exit once this event_type was received')
    ap.add_argument('--timeout', type=float, default=30.0)
    args = ap.parse_args()

    conf = cfg.ConfigOpts()
    conf([], project='novasim-interop')
    transport = oslo_messaging.get_notification_transport(conf, url=args.url.replace('amqp://', 'rabbit://', 1))
    targets = [oslo_messaging.Target(topic=args.topic, exchange=args.exchange)]

    lock = threading.Lock()
    received = []
    done = threading.Event()

    def emit(priority, ctxt, publisher_id, event_type, payload, metadata):
        with lock:
            received.append(event_type)
            line = json.dumps({'priority': priority, 'ctxt': dict(ctxt or {}), 'publisher_id': publisher_id,
                               'event_type': event_type, 'payload': payload, 'metadata': dict(metadata or {})})
            sys.stdout.write(line + '\n')
            sys.stdout.flush()
            if (args.count and len(received) >= args.count) or event_type == args.until:
                done.set()

    class Endpoint(object):
        pass

    for p in PRIORITIES:
        setattr(Endpoint, p, (lambda prio: lambda self, ctxt, publisher_id, event_type, payload, metadata:
                              emit(prio, ctxt, publisher_id, event_type, payload, metadata))(p))

    listener = oslo_messaging.get_notification_listener(
        transport, targets, [Endpoint()], executor='threading', pool=args.pool)
    listener.start()
    sys.stdout.write(json.dumps({'ready': True}) + '\n')
    sys.stdout.flush()

    ok = done.wait(args.timeout)
    listener.stop()
    listener.wait()
    transport.cleanup()
    sys.exit(0 if ok or not (args.count or args.until) else 3)


if __name__ == '__main__':
    main()
