#!/usr/bin/python3
"""openstacksdk's cloud layer (Debian's python3-openstacksdk) on key pairs, limits and server groups.

Credentials come from the OS_* environment. Prints one JSON object with what the SDK returned.
"""
import json

import openstack


def main():
    conn = openstack.connect()
    key = conn.create_keypair('sdk-key')
    limits = conn.get_compute_limits()
    group = conn.create_server_group('sdk-group', ['anti-affinity'])
    found = conn.get_server_group('sdk-group')
    out = {
        'keypair': {'name': key.name, 'fingerprint': key.fingerprint, 'private_key': key.private_key,
                    'public_key': key.public_key},
        'limits': {'max_total_instances': limits.max_total_instances, 'max_total_keypairs': limits.max_total_keypairs,
                   'total_instances_used': limits.total_instances_used},
        'group': {'id': group.id, 'name': group.name, 'policies': group.policies, 'found': found.id if found else None},
    }
    conn.delete_server_group(group.id)
    conn.delete_keypair('sdk-key')
    out['after'] = {'keypairs': [k.name for k in conn.list_keypairs()], 'groups': [g.name for g in conn.list_server_groups()]}
    print(json.dumps(out))


if __name__ == '__main__':
    main()
