#!/usr/bin/python3
"""openstacksdk's cloud layer (Debian's python3-openstacksdk) on flavors, key pairs, limits, server groups
and hypervisors.

Credentials come from the OS_* environment (a member); hypervisors are listed by an admin connection to
the same cloud (the member gets Nova's 403). Prints one JSON object with what the SDK returned.
"""
import json
import os

import openstack


def main():
    conn = openstack.connect()
    flavors = [f.name for f in conn.list_flavors()]
    try:
        conn.list_hypervisors()
        member_hypervisors = 'allowed'
    except openstack.exceptions.HttpException as e:
        member_hypervisors = '%s: %s' % (e.status_code, e.details)
    admin = openstack.connect(
        auth_url=os.environ['OS_AUTH_URL'], username='admin', password='secret', project_name='admin',
        user_domain_name='Default', project_domain_name='Default', region_name='RegionOne')
    hypervisors = [{'name': h.name, 'state': h.state, 'status': h.status} for h in admin.list_hypervisors()]
    key = conn.create_keypair('sdk-key')
    limits = conn.get_compute_limits()
    group = conn.create_server_group('sdk-group', ['anti-affinity'])
    found = conn.get_server_group('sdk-group')
    out = {
        'flavors': flavors,
        'hypervisors': hypervisors,
        'member_hypervisors': member_hypervisors,
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
