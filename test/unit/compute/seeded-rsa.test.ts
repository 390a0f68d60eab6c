// Deterministic mode's key pairs: real RSA keys (the private key opens what the public key sealed),
// the same for the same seed and different for another, as `novasim samples` reruns need.
import { createHash, privateDecrypt, publicEncrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateFingerprint, generateSshKeyPair } from '../../../src/compute/crypto.js';
import { seededRsaKeyPair } from '../../../src/compute/seeded-rsa.js';

function stream(seed: string) {
  let ctr = 0;
  return (n: number) => {
    const parts: Buffer[] = [];
    for (let len = 0; len < n; len += 32) parts.push(createHash('sha256').update(`${seed}:${ctr++}`).digest());
    return Buffer.concat(parts).subarray(0, n);
  };
}

describe('seeded RSA key pairs', () => {
  it('are working 2048-bit RSA keys with e = 65537', () => {
    const { publicKey, privateKey } = seededRsaKeyPair(2048, stream('a'));
    expect(publicKey.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048, publicExponent: 65537n });
    const sealed = publicEncrypt(publicKey, Buffer.from('novasim'));
    expect(privateDecrypt(privateKey, sealed).toString()).toBe('novasim');
  });

  it('repeat for one seed and differ for another; the ssh form has Nova\'s fingerprint of its blob', async () => {
    const a1 = await generateSshKeyPair(2048, stream('a'));
    const a2 = await generateSshKeyPair(2048, stream('a'));
    const b = await generateSshKeyPair(2048, stream('b'));
    expect(a1).toEqual(a2);
    expect(b.publicKey).not.toBe(a1.publicKey);
    expect(a1.publicKey).toMatch(/^ssh-rsa AAAAB3NzaC1yc2E\S+ Generated-by-Nova$/);
    expect(a1.fingerprint).toBe(generateFingerprint(a1.publicKey));
    expect(a1.privateKey).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
  });
});
