// Seeded randomness: same seed, same numbers. Content is derived from hashes of
// (seed, key, version) so any item can be regenerated on demand instead of stored.

/** 32-bit mix of any number of integers (murmur3-style finalizer per step). */
export function hash32(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    // fold the high part of large numbers (timestamps, seeds above 2^32)
    h = Math.imul(h ^ Math.floor(p / 0x100000000), 0x27d4eb2d);
  }
  return h >>> 0;
}

export type Rng = () => number;

/** mulberry32: small, fast, good enough for test data. Returns floats in [0, 1). */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)] as T;
}

export function intBetween(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** A WeChat-looking id (article_id, media_id are 43 base64url characters). */
export function idString(rng: Rng, length = 43): string {
  let s = "";
  for (let i = 0; i < length; i++) s += ID_ALPHABET[Math.floor(rng() * 64)];
  return s;
}

export function hexString(rng: Rng, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += "0123456789abcdef"[Math.floor(rng() * 16)];
  return s;
}
