"""openstacksdk cloud layer create_server with its defaults (flavor and image by name, wait=True). Usage: BASE_URL."""
import json, sys, openstack
base = sys.argv[1]
conn = openstack.connect(auth_url=base + '/identity/v3', username='demo', password='secret', project_name='demo',
    user_domain_name='Default', project_domain_name='Default', region_name='RegionOne', identity_api_version='3')
s = conn.create_server('sdk1', image='cirros', flavor='m1.tiny', network='private', wait=True, timeout=60)
print(json.dumps({'id': s.id, 'status': s.status, 'public_v4': s.public_v4, 'private_v4': s.private_v4}))
