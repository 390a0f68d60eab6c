// RSA key generation from a caller-supplied byte stream, for deterministic mode only (a seeded run
// must reproduce its key pairs byte for byte; node:crypto's generator cannot be seeded). Standard
// construction: two probable primes (trial division + Miller–Rabin), e = 65537, CRT parameters.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

type Bytes = (n: number) => Buffer;

const SMALL_PRIMES: bigint[] = [];
for (let n = 3; SMALL_PRIMES.length < 300; n += 2) if (SMALL_PRIMES.every((p) => BigInt(n) % p !== 0n)) SMALL_PRIMES.push(BigInt(n));

const E = 65537n;
const big = (b: Buffer) => BigInt(`0x${b.toString('hex') || '0'}`);

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
  return ((oldS % m) + m) % m;
}

function millerRabin(n: bigint, rounds: number, bytes: Bytes): boolean {
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  const len = Math.ceil(n.toString(16).length / 2);
  outer: for (let i = 0; i < rounds; i++) {
    const a = (big(bytes(len)) % (n - 3n)) + 2n;
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    for (let r = 1; r < s; r++) {
      x = (x * x) % n;
      if (x === n - 1n) continue outer;
    }
    return false;
  }
  return true;
}

function probablePrime(bits: number, bytes: Bytes): bigint {
  for (;;) {
    const b = bytes(bits / 8);
    b[0] |= 0xc0; // top two bits set: the product has exactly 2·bits bits
    b[b.length - 1] |= 1;
    const p = big(b);
    if (SMALL_PRIMES.some((sp) => p % sp === 0n)) continue;
    if ((p - 1n) % E === 0n) continue;
    if (millerRabin(p, 1, bytes) && millerRabin(p, 24, bytes)) return p;
  }
}

const b64u = (n: bigint) => {
  const hex = n.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url');
};

export function seededRsaKeyPair(bits: number, bytes: Bytes): { publicKey: KeyObject; privateKey: KeyObject } {
  const p = probablePrime(bits / 2, bytes);
  let q = probablePrime(bits / 2, bytes);
  while (q === p) q = probablePrime(bits / 2, bytes);
  const n = p * q;
  const d = modInverse(E, (p - 1n) * (q - 1n));
  const jwk = {
    kty: 'RSA', n: b64u(n), e: b64u(E), d: b64u(d), p: b64u(p), q: b64u(q),
    dp: b64u(d % (p - 1n)), dq: b64u(d % (q - 1n)), qi: b64u(modInverse(q, p)),
  };
  const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}
