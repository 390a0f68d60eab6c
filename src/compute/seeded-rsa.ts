// RSA key generation from a caller-supplied byte source, for deterministic mode only: node:crypto's
// generateKeyPair cannot be seeded, and `novasim samples` promises byte-identical reruns (a
// server-generated key pair's public key and fingerprint land in keypair.create.end). The keys are
// real (FIPS 186-4 style: random odd candidates with the top two bits set, trial division, then
// Miller–Rabin), just reproducible; outside deterministic mode node:crypto generates them.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

// The first 300 odd primes, for trial division; built on first use (≈ 45,000 BigInt divisions), not at
// import: only deterministic key-pair generation needs them, and every start paid for them.
let smallPrimes: bigint[] | null = null;
function smallPrimesList(): bigint[] {
  if (smallPrimes) return smallPrimes;
  const out: bigint[] = [];
  for (let n = 3; out.length < 300; n += 2) if (out.every((p) => BigInt(n) % p !== 0n)) out.push(BigInt(n));
  return (smallPrimes = out);
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
  }
  return result;
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new Error('not invertible');
  return ((oldS % m) + m) % m;
}

const toBigInt = (b: Buffer) => BigInt(`0x${b.toString('hex') || '0'}`);

function probablyPrime(n: bigint, bytes: (len: number) => Buffer, rounds: number): boolean {
  for (const p of smallPrimesList()) if (n % p === 0n) return n === p;
  let d = n - 1n;
  let r = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    r++;
  }
  const len = Math.ceil(n.toString(16).length / 2);
  witness: for (let i = 0; i < rounds; i++) {
    const a = 2n + (toBigInt(bytes(len)) % (n - 3n));
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    for (let j = 1; j < r; j++) {
      x = (x * x) % n;
      if (x === n - 1n) continue witness;
    }
    return false;
  }
  return true;
}

function prime(bits: number, e: bigint, bytes: (len: number) => Buffer): bigint {
  const top = 3n << BigInt(bits - 2);
  for (;;) {
    const c = (toBigInt(bytes(bits / 8)) | top | 1n) & ((1n << BigInt(bits)) - 1n);
    // One Miller–Rabin round rejects almost every composite; survivors get five (FIPS 186-4 C.3 for 1024-bit candidates).
    if ((c - 1n) % e !== 0n && probablyPrime(c, bytes, 1) && probablyPrime(c, bytes, 5)) return c;
  }
}

const b64u = (n: bigint) => {
  const hex = n.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url');
};

/** An RSA key pair of `bits` (a multiple of 16) with e = 65537, drawn from `bytes`. */
export function seededRsaKeyPair(bits: number, bytes: (len: number) => Buffer): { publicKey: KeyObject; privateKey: KeyObject } {
  const e = 65537n;
  for (;;) {
    const p = prime(bits / 2, e, bytes);
    const q = prime(bits / 2, e, bytes);
    const n = p * q;
    if (p === q || n.toString(2).length !== bits) continue;
    const d = modInverse(e, (p - 1n) * (q - 1n));
    const jwk = { kty: 'RSA', n: b64u(n), e: b64u(e), d: b64u(d), p: b64u(p), q: b64u(q), dp: b64u(d % (p - 1n)), dq: b64u(d % (q - 1n)), qi: b64u(modInverse(q, p)) };
    const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
    return { privateKey, publicKey: createPublicKey(privateKey) };
  }
}
