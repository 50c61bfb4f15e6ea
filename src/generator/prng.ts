/**
 * Seeded pseudo-random numbers for the span generator: sfc32 (Chris Doty-Humphrey's Small Fast Counting
 * generator, 128-bit state, 32-bit output) seeded through a 32-bit avalanche hash. Never `Math.random`:
 * the same seed always gives the same numbers, on every platform and Node version.
 */

/** Thomas Mueller's 32-bit integer finaliser: a bijection of uint32 with full avalanche. */
export function mix32(x: number): number {
  x = Math.imul((x >>> 16) ^ x, 0x45d9f3b);
  x = Math.imul((x >>> 16) ^ x, 0x45d9f3b);
  return ((x >>> 16) ^ x) >>> 0;
}

/**
 * Hashes up to four uint32 words into one uint32 (order-sensitive). Used to derive independent
 * sub-seeds from `(seed, traceIndex, stream)` so any trace can be regenerated on its own.
 */
export function hash32(a: number, b = 0, c = 0, d = 0): number {
  let h = mix32((a ^ 0x9e3779b9) >>> 0);
  h = mix32((h ^ Math.imul(b >>> 0, 0x85ebca6b)) + 0x7f4a7c15);
  h = mix32((h ^ Math.imul(c >>> 0, 0xc2b2ae35)) + 0x165667b1);
  h = mix32((h ^ Math.imul(d >>> 0, 0x27d4eb2f)) + 0xd3a2646c);
  return h;
}

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/**
 * sfc32: fast, passes PractRand to many terabytes; state re-seedable without allocation. The state
 * lives in an Int32Array rather than four number fields: 32-bit values do not fit V8's small
 * integers, so number fields would be boxed doubles converted on every step.
 */
export class Sfc32 {
  /** a, b, c, d. */
  private readonly s = new Int32Array(4);

  constructor(seed = 0) {
    this.reseed(seed);
  }

  /** Resets the state from a 32-bit seed and an optional second word (discards the first 12 outputs). */
  reseed(seed: number, seed2 = 0): void {
    const s = this.s;
    s[0] = mix32(seed ^ 0x6a09e667);
    s[1] = mix32((seed2 ^ 0xbb67ae85) >>> 0);
    s[2] = mix32((seed + 0x3c6ef372) >>> 0);
    s[3] = 1;
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  /** Next uint32. */
  nextU32(): number {
    const s = this.s;
    const a = s[0]!;
    const b = s[1]!;
    const c = s[2]!;
    const d = s[3]!;
    const t = (((a + b) | 0) + d) | 0;
    s[3] = d + 1;
    s[0] = b ^ (b >>> 9);
    s[1] = c + (c << 3);
    s[2] = ((c << 21) | (c >>> 11)) + t;
    return t >>> 0;
  }

  /** Uniform float in [0, 1) with 32 bits of resolution. */
  float(): number {
    return this.nextU32() / TWO_POW_32;
  }

  /** Uniform float in [0, 1) with 53 bits of resolution (two draws). */
  float53(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / TWO_POW_53;
  }

  /** Uniform integer in [0, n) for 0 < n <= 2^32 (multiply-shift; bias < n / 2^32, negligible here). */
  int(n: number): number {
    return Math.floor((this.nextU32() / TWO_POW_32) * n);
  }
}
