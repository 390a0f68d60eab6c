"""openstacksdk's cloud layer against novasim: create_server(network=..., auto_ip=True, wait=True).

Usage: create_server.py BASE_URL NAME; prints one JSON line with what the SDK saw.
The flavor is passed by id (a dict) so the SDK does not fetch its extra specs.
"""
import json
import sys

import openstack

base, name = sys.argv[1], sys.argv[2]
conn = openstack.connect(
    auth_url=base + '/identity/v3', username='demo', password='secret', project_name='demo',
    user_domain_name='Default', project_domain_name='Default', region_name='RegionOne', identity_api_version='3',
)
server = conn.create_server(name, image=conn.get_image('cirros'), flavor={'id': '1'}, network='private', auto_ip=True, wait=True, timeout=60)
print(json.dumps({
    'id': server.id, 'status': server.status, 'public_v4': server.public_v4, 'private_v4': server.private_v4,
    'addresses': server.addresses,
}))
