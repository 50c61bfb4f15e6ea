/**
 * Walker/Vose alias tables: O(n) construction, O(1) sampling of a discrete distribution with one
 * uniform draw. Used for the Zipf-distributed services, operation names and components.
 */
import type { Sfc32 } from './prng.js';

export class AliasTable {
  /** Number of outcomes. */
  readonly size: number;
  /** Normalised probability of each outcome (for tests and stats). */
  readonly probabilities: Float64Array;
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;

  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    if (n === 0) throw new RangeError('AliasTable needs at least one weight');
    let total = 0;
    for (let i = 0; i < n; i++) total += weights[i] ?? 0;
    this.size = n;
    this.probabilities = new Float64Array(n);
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) {
      const p = (weights[i] ?? 0) / total;
      this.probabilities[i] = p;
      scaled[i] = p * n;
      (scaled[i]! < 1 ? small : large).push(i);
    }
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.prob[s] = scaled[s]!;
      this.alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      (scaled[l]! < 1 ? small : large).push(l);
    }
    for (const i of large) {
      this.prob[i] = 1;
      this.alias[i] = i;
    }
    for (const i of small) {
      this.prob[i] = 1;
      this.alias[i] = i;
    }
  }

  /** Draws one outcome index with the given generator (one 32-bit draw). */
  sample(rng: Sfc32): number {
    const u = rng.float() * this.size;
    const i = Math.floor(u);
    return u - i < this.prob[i]! ? i : this.alias[i]!;
  }
}

/** Zipf weights 1/k^s for ranks k = 1..n (index 0 is the most frequent outcome). */
export function zipfWeights(n: number, s: number): Float64Array {
  const w = new Float64Array(n);
  for (let k = 0; k < n; k++) w[k] = 1 / (k + 1) ** s;
  return w;
}
