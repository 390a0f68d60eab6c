// Version documents, microversion negotiation and the request pipeline (cinder-fake.md §1).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCinder, type CinderHarness, type CinderUser } from './harness.js';

const ref = (p: string) => JSON.parse(readFileSync(new URL(`../../../fixtures/reference/cinder/${p}`, import.meta.url), 'utf8'));

describe('fake Cinder: versions and request pipeline (master)', () => {
  let h: CinderHarness;
  let demo: CinderUser;
  beforeAll(async () => {
    h = await startCinder();
    demo = await h.as('demo');
  });
  afterAll(() => h.close());

  it('answers GET /volume/ with 300 and GET /volume/v3/ with 200, unauthenticated, shaped like the samples', async () => {
    const root = await h.app.inject({ url: '/volume/' });
    expect(root.statusCode).toBe(300);
    const v3 = await h.app.inject({ url: '/volume/v3/' });
    expect(v3.statusCode).toBe(200);
    expect(v3.json()).toEqual(root.json());
    const doc = v3.json().versions[0];
    const sample = ref('versions/version-show-response.json').versions[0];
    expect(Object.keys(doc).sort()).toEqual(Object.keys(sample).sort());
    expect(doc).toMatchObject({ id: 'v3.0', status: 'CURRENT', version: '3.71', min_version: '3.0', updated: '2023-08-31T00:00:00Z' });
    expect(doc.links[1]).toEqual({ rel: 'self', href: 'http://localhost:80/volume/v3/' });
    expect(root.headers['x-openstack-request-id']).toMatch(/^req-/);
  });

  it('redirects /volume/v3 to /volume/v3/', async () => {
    const res = await h.app.inject({ url: '/volume/v3' });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/volume/v3/');
  });

  it('defaults to 3.0 and echoes the version with Vary on successes', async () => {
    const res = await demo.get('/volumes');
    expect(res.statusCode).toBe(200);
    expect(res.headers['openstack-api-version']).toBe('volume 3.0');
    expect(res.headers.vary).toBe('OpenStack-API-Version');
    expect(res.headers['x-compute-request-id']).toBe(res.headers['x-openstack-request-id']);
  });

  it('takes the first comma item naming volume, and "latest" means the maximum', async () => {
    const res = await demo.get('/volumes', { headers: { 'openstack-api-version': 'compute 2.1, volume 3.44' } });
    expect(res.headers['openstack-api-version']).toBe('volume 3.44');
    const latest = await demo.get('/volumes', { version: 'latest' });
    expect(latest.headers['openstack-api-version']).toBe('volume 3.71');
  });

  it('rejects a malformed version with 400 and an out-of-range one with 406 computeFault', async () => {
    const bad = await demo.get('/volumes', { version: '3.01' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ badRequest: { code: 400, message: 'API Version String 3.01 is of invalid format. Must be of format MajorNum.MinorNum.' } });
    const high = await demo.get('/volumes', { version: '3.72' });
    expect(high.statusCode).toBe(406);
    expect(high.json()).toEqual({ computeFault: { code: 406, message: 'Version 3.72 is not supported by the API. Minimum is 3.0 and maximum is 3.71.' } });
    expect(high.headers['openstack-api-version']).toBe('volume 3.72');
    expect(high.headers.vary).toBe('OpenStack-API-Version');
  });

  it('answers a header without a volume item with webob 400', async () => {
    const res = await demo.get('/volumes', { headers: { 'openstack-api-version': 'compute 2.1' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().badRequest.message).toBe('The server could not comply with the request since it is either malformed or otherwise incorrect.');
  });

  it('puts version headers on faults too', async () => {
    const res = await demo.get('/volumes/5b1e1a0a-0000-4000-8000-000000000000', { version: '3.44' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['openstack-api-version']).toBe('volume 3.44');
    expect(res.headers['x-compute-request-id']).toMatch(/^req-/);
    expect(res.json()).toEqual({ itemNotFound: { code: 404, message: 'Volume 5b1e1a0a-0000-4000-8000-000000000000 could not be found.' } });
  });

  it('needs a token (401) on /v3 routes', async () => {
    const res = await h.app.inject({ url: `/volume/v3/${demo.projectId}/volumes` });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe(401);
  });

  it('refuses an X-Service-Token that does not validate (401, keystonemiddleware)', async () => {
    const res = await demo.get('/volumes', { headers: { 'x-service-token': 'not-a-token' } });
    expect(res.statusCode).toBe(401);
  });

  it('accepts project-less URLs and builds links without the project', async () => {
    const res = await demo.post('/volumes', { volume: { size: 1 } }, { noProject: true });
    expect(res.statusCode).toBe(202);
    const links = res.json().volume.links;
    expect(links[0].href).toBe(`http://localhost:80/volume/v3/volumes/${res.json().volume.id}`);
    expect(links[1].href).toBe(`http://localhost:80/volume/volumes/${res.json().volume.id}`);
    await h.idle();
  });

  it('refuses a URL project other than the token project, admins included', async () => {
    const admin = await h.as('admin');
    const res = await admin.get('/volumes', { urlProject: demo.projectId });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ badRequest: { code: 400, message: 'Malformed request url' } });
  });

  it('answers non-JSON bodies with 415 and unparsable JSON with 400', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: `/volume/v3/${demo.projectId}/volumes`,
      headers: { 'x-auth-token': demo.token, 'content-type': 'text/plain' },
      payload: 'size=1',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toEqual({ badMediaType: { code: 415, message: 'Unsupported Content-Type' } });
    const bad = await h.app.inject({
      method: 'POST',
      url: `/volume/v3/${demo.projectId}/volumes`,
      headers: { 'x-auth-token': demo.token, 'content-type': 'application/json' },
      payload: '{"volume": ',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().badRequest.message).toBe('Malformed request body');
  });

  it('answers unknown routes with the itemNotFound envelope', async () => {
    const res = await demo.get('/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ itemNotFound: { code: 404, message: 'The resource could not be found.' } });
  });
});

describe('fake Cinder: versions (zed)', () => {
  it('reports 3.70 / 2022-08-31 and refuses 3.71', async () => {
    const h = await startCinder({ profile: 'zed' });
    try {
      const doc = (await h.app.inject({ url: '/volume/' })).json().versions[0];
      expect(doc).toMatchObject({ version: '3.70', min_version: '3.0', updated: '2022-08-31T00:00:00Z' });
      expect(doc).toEqual({ ...ref('zed-21.3.2/versions/versions-response.json').versions[0], links: doc.links });
      const demo = await h.as('demo');
      const res = await demo.get('/volumes', { version: '3.71' });
      expect(res.statusCode).toBe(406);
      expect(res.json().computeFault.message).toBe('Version 3.71 is not supported by the API. Minimum is 3.0 and maximum is 3.70.');
    } finally {
      await h.close();
    }
  });
});
