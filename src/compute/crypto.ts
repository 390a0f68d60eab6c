// nova/crypto.py: server-generated key pairs and fingerprints, with node:crypto standing in for
// paramiko/cryptography/openssl. Keys are real: the private key opens what the public key encrypts.
import { createHash, createPrivateKey, generateKeyPair, type KeyObject, sign, X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import { ComputeException } from './exceptions.js';
import { seededRsaKeyPair } from './seeded-rsa.js';

/** A byte source for reproducible keys (deterministic mode); node:crypto generates them otherwise. */
export type SeededBytes = (len: number) => Buffer;

const rsaKeyPair = (bits: number, bytes?: SeededBytes) =>
  bytes ? Promise.resolve(seededRsaKeyPair(bits, bytes)) : genKeyPair('rsa', { modulusLength: bits, publicExponent: 0x10001 });

const genKeyPair = promisify(generateKeyPair);

/** exception.InvalidKeypair: "Keypair data is invalid: %(reason)s" (400 at the API). */
export const invalidKeypair = (reason: string) => new ComputeException('InvalidKeypair', `Keypair data is invalid: ${reason}`, { novaException: true, code: 400 });

const colonHex = (hex: string) => hex.match(/../g)!.join(':');

// --- OpenSSH public keys (RFC 4253 §6.6 wire format) -------------------------------------------

function sshString(buf: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(buf.length);
  return Buffer.concat([len, buf]);
}

function mpint(b64url: string): Buffer {
  let b = Buffer.from(b64url, 'base64url');
  while (b.length > 1 && b[0] === 0 && (b[1] & 0x80) === 0) b = b.subarray(1);
  if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return sshString(b);
}

/** Reads the length-prefixed fields of a key blob; throws on truncation. */
class Reader {
  private off = 0;
  constructor(private buf: Buffer) {}
  string(): Buffer {
    if (this.off + 4 > this.buf.length) throw new Error('truncated');
    const n = this.buf.readUInt32BE(this.off);
    if (this.off + 4 + n > this.buf.length) throw new Error('truncated');
    const out = this.buf.subarray(this.off + 4, this.off + 4 + n);
    this.off += 4 + n;
    return out;
  }
  done(): boolean {
    return this.off === this.buf.length;
  }
}

const EC_CURVES: Record<string, { curve: string; size: number }> = {
  'ecdsa-sha2-nistp256': { curve: 'nistp256', size: 65 },
  'ecdsa-sha2-nistp384': { curve: 'nistp384', size: 97 },
  'ecdsa-sha2-nistp521': { curve: 'nistp521', size: 133 },
};

/** serialization.load_ssh_public_key: the key types cryptography reads, checked field by field. */
function checkSshPublicKey(text: string): Buffer {
  const parts = text.trim().split(/\s+/);
  if (parts.length < 2) throw new Error('Key is not in the proper format.');
  const [type, b64] = parts;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) throw new Error('bad base64');
  const blob = Buffer.from(b64, 'base64');
  const r = new Reader(blob);
  if (r.string().toString('latin1') !== type) throw new Error('Key header and key body contain different key type values.');
  if (type === 'ssh-rsa') {
    r.string();
    const n = r.string();
    if (n.length < 64) throw new Error('key too small');
  } else if (type === 'ssh-ed25519') {
    if (r.string().length !== 32) throw new Error('bad ed25519 key');
  } else if (type in EC_CURVES) {
    if (r.string().toString('latin1') !== EC_CURVES[type].curve) throw new Error('curve mismatch');
    const point = r.string();
    if (point.length !== EC_CURVES[type].size || point[0] !== 4) throw new Error('bad point');
  } else if (type === 'ssh-dss') {
    for (let i = 0; i < 4; i++) r.string();
  } else {
    throw new Error('Key type is not supported.');
  }
  if (!r.done()) throw new Error('Key body contains extra bytes.');
  return blob;
}

/** crypto.generate_fingerprint: MD5 of the key blob, colon-separated; InvalidKeypair if it is not an SSH key. */
export function generateFingerprint(publicKey: string): string {
  try {
    checkSshPublicKey(publicKey);
    const blob = Buffer.from(publicKey.split(' ')[1], 'base64');
    return colonHex(createHash('md5').update(blob).digest('hex'));
  } catch {
    throw invalidKeypair('failed to generate fingerprint');
  }
}

/** crypto.generate_x509_fingerprint: SHA-1 of the certificate's DER, lower-case, colon-separated. */
export function generateX509Fingerprint(pem: string): string {
  try {
    return new X509Certificate(pem).fingerprint.toLowerCase();
  } catch {
    throw invalidKeypair('failed to generate X509 fingerprint. Error message: Unable to load PEM file. See https://cryptography.io/en/latest/faq/#why-can-t-i-import-my-pem-file for more details. MalformedFraming');
  }
}

function sshPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' }) as { n: string; e: string };
  const blob = Buffer.concat([sshString(Buffer.from('ssh-rsa')), mpint(jwk.e), mpint(jwk.n)]);
  return `ssh-rsa ${blob.toString('base64')} Generated-by-Nova`;
}

/** crypto.generate_key_pair: RSA 2048, the private key as paramiko writes it (PKCS#1 PEM). */
export async function generateSshKeyPair(bits = 2048, bytes?: SeededBytes): Promise<{ privateKey: string; publicKey: string; fingerprint: string }> {
  const { publicKey, privateKey } = await rsaKeyPair(bits, bytes);
  const pub = sshPublicKey(publicKey);
  return { privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }) as string, publicKey: pub, fingerprint: generateFingerprint(pub) };
}

// --- A self-signed X.509 client certificate (crypto.generate_winrm_x509_cert) -------------------

function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a * 40 + b];
  for (const v of rest) {
    const enc = [v & 0x7f];
    for (let x = v >> 7; x > 0; x >>= 7) enc.unshift((x & 0x7f) | 0x80);
    bytes.push(...enc);
  }
  return der(0x06, Buffer.from(bytes));
}

const seq = (...c: Buffer[]) => der(0x30, ...c);
const utf8 = (s: string) => der(0x0c, Buffer.from(s, 'utf8'));
const utcTime = (d: Date) => der(0x17, Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-T:]/g, '')}Z`));
const SHA256_RSA = seq(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));

/**
 * generate_winrm_x509_cert: `openssl req -x509 -days 3650 -subj /CN=<user_id>` with
 * extendedKeyUsage clientAuth and a UPN subjectAltName. Nova returns the certificate as the
 * public key and a PKCS#12 bundle as the private key; novasim returns the PKCS#8 private key
 * (base64 DER), which openssl and cryptography read as well.
 */
export async function generateX509KeyPair(userId: string, now: Date, serial: Buffer, bits = 2048, bytes?: SeededBytes): Promise<{ privateKey: string; publicKey: string; fingerprint: string }> {
  const { publicKey, privateKey } = await rsaKeyPair(bits, bytes);
  const name = seq(der(0x31, seq(oid('2.5.4.3'), utf8(userId))));
  const notAfter = new Date(now.getTime() + 3650 * 86400_000);
  const upn = der(0xa0, oid('1.3.6.1.4.1.311.20.2.3'), der(0xa0, utf8(`${userId}@localhost`)));
  const extensions = der(0xa3, seq(
    seq(oid('2.5.29.37'), der(0x04, seq(oid('1.3.6.1.5.5.7.3.2')))),
    seq(oid('2.5.29.17'), der(0x04, seq(upn))),
  ));
  const serialBytes = serial[0] & 0x80 ? Buffer.concat([Buffer.from([0]), serial]) : serial;
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))), der(0x02, serialBytes), SHA256_RSA, name, seq(utcTime(now), utcTime(notAfter)), name,
    publicKey.export({ type: 'spki', format: 'der' }), extensions,
  );
  const signature = sign('sha256', tbs, privateKey);
  const cert = seq(tbs, SHA256_RSA, der(0x03, Buffer.from([0]), signature));
  const pem = `-----BEGIN CERTIFICATE-----\n${cert.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
  const pkcs8 = createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' })).export({ type: 'pkcs8', format: 'der' });
  return { privateKey: pkcs8.toString('base64'), publicKey: pem, fingerprint: generateX509Fingerprint(pem) };
}
