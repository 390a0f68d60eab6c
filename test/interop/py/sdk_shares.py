"""openstacksdk against the fake Manila: endpoint discovery (shared-file-system), create/get/list/delete a share,
and the raw calls nova/share/manila.py makes at microversion 2.82 (export locations, allow_access with locks,
share-access-rules, deny_access unrestrict). Usage: BASE_URL. Prints one JSON line."""
import json, sys, openstack
base = sys.argv[1]
def connect(user, project):
    return openstack.connect(auth_url=base + '/identity/v3', username=user, password='secret', project_name=project,
        user_domain_name='Default', project_domain_name='Default', region_name='RegionOne', identity_api_version='3')
demo = connect('demo', 'demo')
nova = connect('nova', 'service')
out = {}
share = demo.share.create_share(share_protocol='NFS', size=1, name='sdk-share')
out['created_status'] = share.status
share = demo.share.wait_for_status(share, status='available', failures=['error'], interval=0.2, wait=20)
out['status'] = share.status
out['listed'] = share.id in [s.id for s in demo.share.shares(details=True)]
mv = '2.82'
locs = demo.share.get('/shares/%s/export_locations' % share.id, microversion=mv).json()['export_locations']
out['export_locations'] = [l['path'] for l in locs]
allow = nova.share.post('/shares/%s/action' % share.id, json={'allow_access': {
    'access_type': 'ip', 'access_to': '192.168.1.10', 'access_level': 'rw',
    'lock_visibility': True, 'lock_deletion': True, 'lock_reason': 'Lock by nova'}}, microversion=mv)
out['allow_status'] = allow.status_code
rule = allow.json()['access']
rules = nova.share.get('/share-access-rules?share_id=%s' % share.id, microversion=mv).json()['access_list']
out['rule_states'] = [r['state'] for r in rules]
out['owner_sees'] = [r['access_to'] for r in demo.share.get('/share-access-rules?share_id=%s' % share.id, microversion=mv).json()['access_list']]
deny = nova.share.post('/shares/%s/action' % share.id, json={'deny_access': {'access_id': rule['id'], 'unrestrict': True}}, microversion=mv)
out['deny_status'] = deny.status_code
demo.share.delete_share(share)
try:
    demo.share.get_share(share.id)
    out['deleted'] = False
except openstack.exceptions.ResourceNotFound as e:
    out['deleted'] = True
    out['not_found'] = str(e)
print(json.dumps(out))
