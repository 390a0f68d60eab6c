// Key pairs, quotas/limits and server groups as a user of the compute API meets them.
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { type Client, client, startSim } from '../helpers/sim.js';

const B = '/compute/v2.1';
const IMAGE = '155d900f-4e14-4e4c-a73d-069cbf4541e6';
const PUB = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDx8nkQv/zgGgB4rMYmIf+6A4l6Rr+o/6lHBQdW5aYd44bd8JttDCE/F/pNRr0lRE+PiqSPO8nDPHw0010JeMH9gYgnnFlyY3/OcJ02RhIPyyxYpv9FhY+2YiUkpwFOcLImyrxEsYXpD/0d3ac30bNH6Sw9JD9UZHYcpSxsIbECHw== Generated-by-Nova';

let sim: Simulator;
let admin: Client;
let demo: Client;

beforeAll(async () => {
  sim = await startSim();
});
beforeEach(async () => {
  await sim.reset();
  admin = await client(sim, 'admin', '2.91');
  demo = await client(sim, 'demo', '2.91');
});
afterAll(async () => {
  await sim?.close();
});

const boot = (c: Client, body: Record<string, unknown> = {}, hints?: Record<string, unknown>) =>
  c.req('POST', `${B}/servers`, { server: { name: 'vm', imageRef: IMAGE, flavorRef: '1', networks: 'none', ...body }, ...(hints ? { 'os:scheduler_hints': hints } : {}) });
const fault = (r: { json(): unknown }) => Object.values(r.json() as Record<string, { code: number; message: string }>)[0];

describe('os-keypairs', () => {
  it('generates a real RSA key pair whose public half and fingerprint are what Nova computes, usable at boot', async () => {
    const r = await demo.req('POST', `${B}/os-keypairs`, { keypair: { name: 'gen' } });
    expect(r.statusCode).toBe(201);
    const k = r.json().keypair;
    expect(k.private_key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    const jwk = createPublicKey(createPrivateKey(k.private_key)).export({ format: 'jwk' }) as { n: string; e: string };
    const blob = Buffer.from(k.public_key.split(' ')[1], 'base64');
    expect(blob.subarray(blob.length - Buffer.from(jwk.n, 'base64url').length).equals(Buffer.from(jwk.n, 'base64url'))).toBe(true);
    expect(k.public_key).toMatch(/^ssh-rsa \S+ Generated-by-Nova$/);
    expect(k.fingerprint).toBe(createHash('md5').update(blob).digest('hex').match(/../g)!.join(':'));
    expect(k.user_id).toBe(demo.userId);
    // The private key is never stored: show has no private_key.
    const shown = (await demo.req('GET', `${B}/os-keypairs/gen`)).json().keypair;
    expect(shown).not.toHaveProperty('private_key');
    expect(shown).toMatchObject({ name: 'gen', type: 'ssh', deleted: false, deleted_at: null, updated_at: null, fingerprint: k.fingerprint });
    expect((await boot(demo, { key_name: 'gen' })).statusCode).toBe(202);
  });

  it('x509 keys are self-signed client certificates for CN=<user>', async () => {
    const k = (await demo.req('POST', `${B}/os-keypairs`, { keypair: { name: 'win', type: 'x509' } })).json().keypair;
    const cert = new X509Certificate(k.public_key);
    expect(cert.subject).toBe(`CN=${demo.userId}`);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(k.fingerprint).toBe(cert.fingerprint.toLowerCase());
    expect(k.type).toBe('x509');
  });

  it('imports keys with Nova fingerprints and refuses bad ones, duplicates and generation at 2.92', async () => {
    const ok = await demo.req('POST', `${B}/os-keypairs`, { keypair: { name: 'imp', public_key: PUB } });
    expect(ok.json().keypair.fingerprint).toBe('1e:2c:9b:56:79:4b:45:77:f9:ca:7a:98:2c:b0:d5:3c');
    expect(ok.json().keypair).not.toHaveProperty('private_key');
    const bad = await demo.req('POST', `${B}/os-keypairs`, { keypair: { name: 'bad', public_key: 'ssh-rsa bm90IGEga2V5' } });
    expect([bad.statusCode, fault(bad).message]).toEqual([400, 'Keypair data is invalid: failed to generate fingerprint']);
    const dup = await demo.req('POST', `${B}/os-keypairs`, { keypair: { name: 'imp', public_key: PUB } });
    expect([dup.statusCode, fault(dup).message]).toEqual([409, "Key pair 'imp' already exists."]);
    const name = await demo.req('POST', `${B}/os-keypairs`, { keypair: { name: 'a!b', public_key: PUB } });
    expect(fault(name).message).toBe("Invalid input for field/attribute name. Value: a!b. 'a!b' does not match '^[_\\\\- a-zA-Z0-9]+$'");
    const d292 = await demo.req('POST', `${B}/os-keypairs`, { keypair: { name: 'x' } }, { 'openstack-api-version': 'compute 2.92' });
    expect([d292.statusCode, fault(d292).message]).toEqual([400, "Invalid input for field/attribute keypair. Value: {'name': 'x'}. 'public_key' is a required property"]);
    const gone = await demo.req('DELETE', `${B}/os-keypairs/nope`);
    expect([gone.statusCode, fault(gone).message]).toEqual([404, `Keypair nope not found for user ${demo.userId}`]);
    expect((await demo.req('DELETE', `${B}/os-keypairs/imp`)).statusCode).toBe(204);
  });

  it('lists per user; admins may name another user at 2.10+, members may not; pages at 2.35', async () => {
    for (const n of ['a', 'b', 'c']) await demo.req('POST', `${B}/os-keypairs`, { keypair: { name: n, public_key: PUB } });
    expect((await admin.req('GET', `${B}/os-keypairs`)).json().keypairs).toEqual([]);
    const theirs = await admin.req('GET', `${B}/os-keypairs?user_id=${demo.userId}`);
    expect(theirs.json().keypairs.map((k: { keypair: { name: string } }) => k.keypair.name)).toEqual(['a', 'b', 'c']);
    const refused = await demo.req('GET', `${B}/os-keypairs?user_id=${admin.userId}`);
    expect([refused.statusCode, fault(refused).message]).toEqual([403, "Policy doesn't allow os_compute_api:os-keypairs:index to be performed."]);
    const page = await demo.req('GET', `${B}/os-keypairs?limit=2&marker=a`);
    expect(page.json().keypairs.map((k: { keypair: { name: string } }) => k.keypair.name)).toEqual(['b', 'c']);
    expect(page.json().keypairs_links[0].href).toContain('/compute/v2.1/os-keypairs?limit=2&marker=c');
    const badMarker = await demo.req('GET', `${B}/os-keypairs?marker=zz`);
    expect([badMarker.statusCode, fault(badMarker).message]).toEqual([400, 'Marker zz could not be found.']);
  });
});

describe('quotas and limits', () => {
  const setQuota = (body: Record<string, unknown>, q = '') => admin.req('PUT', `${B}/os-quota-sets/${demo.projectId}${q}`, { quota_set: body });

  it('refuses a boot over the instances/cores quota with Nova\'s text, and builds what fits of min..max', async () => {
    expect((await setQuota({ instances: 2 })).statusCode).toBe(200);
    expect((await boot(demo)).statusCode).toBe(202);
    const partial = await boot(demo, { min_count: 1, max_count: 3, return_reservation_id: true });
    expect(partial.statusCode).toBe(202);
    await sim.idle();
    const servers = (await demo.req('GET', `${B}/servers`)).json().servers;
    expect(servers).toHaveLength(2);
    const over = await boot(demo);
    expect([over.statusCode, fault(over).message]).toEqual([403, 'Quota exceeded for instances: Requested 1, but already used 2 of 2 instances']);
    await setQuota({ instances: 10, cores: 3 });
    const cores = await boot(demo, { flavorRef: '3' });
    expect(fault(cores).message).toBe('Quota exceeded for cores: Requested 2, but already used 2 of 3 cores');
    const limits = (await demo.req('GET', `${B}/limits`)).json().limits.absolute;
    expect(limits).toMatchObject({ maxTotalInstances: 10, maxTotalCores: 3, totalInstancesUsed: 2, totalCoresUsed: 2, totalRAMUsed: 1024 });
  });

  it('enforces metadata items and key pairs; validates updates like Nova; only admins update', async () => {
    await setQuota({ metadata_items: 1, key_pairs: 1 });
    const meta = await boot(demo, { metadata: { a: '1', b: '2' } });
    expect([meta.statusCode, fault(meta).message]).toEqual([403, 'Maximum number of metadata items exceeds 1']);
    expect((await demo.req('POST', `${B}/os-keypairs`, { keypair: { name: 'one', public_key: PUB } })).statusCode).toBe(201);
    const two = await demo.req('POST', `${B}/os-keypairs`, { keypair: { name: 'two', public_key: PUB } });
    expect([two.statusCode, fault(two).message]).toEqual([403, 'Quota exceeded, too many key pairs.']);
    await boot(demo);
    await sim.idle();
    const below = await setQuota({ instances: 0 });
    expect([below.statusCode, fault(below).message]).toEqual([400, 'Quota limit 0 for instances must be greater than or equal to already used and reserved 1.']);
    expect((await setQuota({ instances: 0, force: 'True' })).json().quota_set.instances).toBe(0);
    const bad = await setQuota({ instances: 'x' });
    expect(fault(bad).message).toBe("Invalid input for field/attribute instances. Value: x. 'x' does not match '^-?[0-9]+$'");
    const member = await demo.req('PUT', `${B}/os-quota-sets/${demo.projectId}`, { quota_set: { instances: 5 } });
    expect([member.statusCode, fault(member).message]).toEqual([403, "Policy doesn't allow os_compute_api:os-quota-sets:update to be performed."]);
    const unknown = await admin.req('GET', `${B}/os-quota-sets/no-such-project`);
    expect([unknown.statusCode, fault(unknown).message]).toEqual([400, 'Project ID no-such-project is not a valid project.']);
    // A per-user limit can be at most what the project has left.
    const user = await setQuota({ cores: 50 }, `?user_id=${demo.userId}`);
    expect(fault(user).message).toBe('Quota limit 50 for cores must be less than or equal to 20.');
    expect((await admin.req('DELETE', `${B}/os-quota-sets/${demo.projectId}`)).statusCode).toBe(202);
    expect((await demo.req('GET', `${B}/os-quota-sets/${demo.projectId}`)).json().quota_set.instances).toBe(10);
  });

  it('the "default" quota class changes the defaults; quota classes are admin-only', async () => {
    await admin.req('PUT', `${B}/os-quota-class-sets/default`, { quota_class_set: { instances: 7 } });
    expect((await demo.req('GET', `${B}/os-quota-sets/${demo.projectId}/defaults`)).json().quota_set.instances).toBe(7);
    expect((await demo.req('GET', `${B}/limits`)).json().limits.absolute.maxTotalInstances).toBe(7);
    const member = await demo.req('GET', `${B}/os-quota-class-sets/default`);
    expect([member.statusCode, fault(member).message]).toEqual([403, "Policy doesn't allow os_compute_api:os-quota-class-sets:show to be performed."]);
    const other = await demo.req('GET', `${B}/limits?tenant_id=${admin.projectId}`);
    expect(other.statusCode).toBe(403);
  });
});

describe('os-server-groups', () => {
  const create = (c: Client, sg: Record<string, unknown>, v = '2.64') => c.req('POST', `${B}/os-server-groups`, { server_group: sg }, { 'openstack-api-version': `compute ${v}` });

  it('boots into a group, counts members against the quota and hides deleted members', async () => {
    const g = (await create(demo, { name: 'g', policy: 'anti-affinity', rules: { max_server_per_host: 2 } })).json().server_group;
    expect(g).toMatchObject({ policy: 'anti-affinity', rules: { max_server_per_host: 2 }, members: [], project_id: demo.projectId, user_id: demo.userId });
    await admin.req('PUT', `${B}/os-quota-sets/${demo.projectId}`, { quota_set: { server_group_members: 1 } });
    const first = await boot(demo, {}, { group: g.id });
    expect(first.statusCode).toBe(202);
    const vm = first.json().server.id;
    await sim.idle();
    const full = await boot(demo, {}, { group: g.id });
    expect([full.statusCode, fault(full).message]).toEqual([403, 'Quota exceeded, too many servers in group']);
    expect((await demo.req('GET', `${B}/os-server-groups/${g.id}`)).json().server_group.members).toEqual([vm]);
    expect(sim.notifications.list().filter((n) => n.envelope.event_type === 'server_group.add_member')).toHaveLength(1);
    await demo.req('DELETE', `${B}/servers/${vm}`);
    await sim.idle();
    expect((await demo.req('GET', `${B}/os-server-groups/${g.id}`)).json().server_group.members).toEqual([]);
    const unknown = await boot(demo, {}, { group: '9e0a4c45-7d5c-4c7b-9d67-0a2f1b3c4d5e' });
    expect([unknown.statusCode, fault(unknown).message]).toEqual([400, 'Instance group 9e0a4c45-7d5c-4c7b-9d67-0a2f1b3c4d5e could not be found.']);
    const notUuid = await boot(demo, {}, { group: 'abc' });
    expect(notUuid.statusCode).toBe(400);
  });

  it('validates policies per microversion, applies the server_groups quota and Nova\'s policy', async () => {
    const rules = await create(demo, { name: 'g', policy: 'affinity', rules: { max_server_per_host: 2 } });
    expect([rules.statusCode, fault(rules).message]).toEqual([400, 'Only anti-affinity policy supports rules.']);
    expect((await create(demo, { name: 'old', policies: ['soft-affinity'] }, '2.14')).statusCode).toBe(400);
    const old = (await create(demo, { name: 'old', policies: ['soft-affinity'] }, '2.15')).json().server_group;
    expect(old).toEqual({ id: old.id, name: 'old', policies: ['soft-affinity'], members: [], metadata: {}, project_id: demo.projectId, user_id: demo.userId });
    await admin.req('PUT', `${B}/os-quota-sets/${demo.projectId}`, { quota_set: { server_groups: 1 } });
    const over = await create(demo, { name: 'two', policy: 'affinity' });
    expect([over.statusCode, fault(over).message]).toEqual([403, 'Quota exceeded, too many server groups.']);
    const mine = (await create(admin, { name: 'adm', policy: 'affinity' })).json().server_group;
    const peek = await demo.req('GET', `${B}/os-server-groups/${mine.id}`);
    expect([peek.statusCode, fault(peek).message]).toEqual([403, "Policy doesn't allow os_compute_api:os-server-groups:show to be performed."]);
    expect((await demo.req('GET', `${B}/os-server-groups?all_projects=1`)).json().server_groups.map((g: { id: string }) => g.id)).toEqual([old.id]);
    expect((await admin.req('GET', `${B}/os-server-groups?all_projects=1`)).json().server_groups).toHaveLength(2);
    expect((await admin.req('GET', `${B}/os-server-groups?all_projects=1&offset=1&limit=1`)).json().server_groups.map((g: { id: string }) => g.id)).toEqual([mine.id]);
    expect((await demo.req('DELETE', `${B}/os-server-groups/${old.id}`)).statusCode).toBe(204);
    const gone = await demo.req('DELETE', `${B}/os-server-groups/${old.id}`);
    expect([gone.statusCode, fault(gone).message]).toEqual([404, `Instance group ${old.id} could not be found.`]);
  });
});
