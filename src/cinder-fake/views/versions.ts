// The version document (cinder/api/versions.py _KNOWN_VERSIONS, api/views/versions.py).
import type { Profile } from '../../profiles/index.js';

/** `base` is the fake's mount URL (`http://host/volume`); `self` is base + "/v3/". */
export function versionsDoc(profile: Profile, base: string) {
  return {
    versions: [
      {
        id: 'v3.0',
        status: 'CURRENT',
        version: profile.volume.maxVersion,
        min_version: profile.volume.minVersion,
        updated: profile.volume.updated,
        links: [
          { rel: 'describedby', type: 'text/html', href: 'https://docs.openstack.org/' },
          { rel: 'self', href: `${base}/v3/` },
        ],
        'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.volume+json;version=3' }],
      },
    ],
  };
}
