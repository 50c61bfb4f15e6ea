/**
 * Latency recording on an HDR histogram (hdr-histogram-js, pure-JS build: no WebAssembly, no async
 * init): microsecond resolution from 1 µs to 1 h, 3 significant digits. Count, min, max, mean and
 * standard deviation are tracked exactly beside the histogram (Welford); percentiles come from the
 * histogram (within 0.1% of the true value) and are clamped to [min, max].
 */
import * as hdr from 'hdr-histogram-js';
import { OptionsError } from '../errors.js';
import type { LatencySummary } from '../results.js';

/** Highest recordable latency, µs (1 hour); larger samples are clamped into the top bucket (exact max is kept). */
export const HIGHEST_TRACKABLE_US = 3_600_000_000;
/** Significant decimal digits kept by the histogram. */
export const SIGNIFICANT_DIGITS = 3;

/** Records latencies (ms) and summarises them. Not thread-safe; merge per-worker recorders instead. */
export class LatencyRecorder {
  private readonly hist: hdr.Histogram;
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = 0;

  constructor() {
    this.hist = hdr.build({
      bitBucketSize: 32,
      autoResize: false,
      lowestDiscernibleValue: 1,
      highestTrackableValue: HIGHEST_TRACKABLE_US,
      numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
      useWebAssembly: false,
    });
  }

  /** Number of samples recorded. */
  get count(): number {
    return this.n;
  }

  /**
   * Records one latency in milliseconds (fractions allowed; stored at 1 µs resolution).
   * @throws OptionsError (`latencyMs`) when the value is negative or not a finite number.
   */
  record(ms: number): void {
    if (!(ms >= 0 && ms < Number.POSITIVE_INFINITY)) {
      throw new OptionsError('latencyMs', `latencyMs: expected a finite number >= 0, got ${String(ms)}`);
    }
    let us = Math.round(ms * 1000);
    if (us > HIGHEST_TRACKABLE_US) us = HIGHEST_TRACKABLE_US;
    this.hist.recordValue(us);
    const n = ++this.n;
    const delta = ms - this.mean;
    this.mean += delta / n;
    this.m2 += delta * (ms - this.mean);
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
  }

  /** Adds every sample of `other` to this recorder (other is unchanged). */
  merge(other: LatencyRecorder): void {
    if (other.n === 0) return;
    this.hist.add(other.hist);
    const n = this.n + other.n;
    const delta = other.mean - this.mean;
    this.m2 = this.m2 + other.m2 + (delta * delta * this.n * other.n) / n;
    this.mean = this.mean + (delta * other.n) / n;
    this.n = n;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  /** Forgets every sample. */
  reset(): void {
    this.hist.reset();
    this.n = 0;
    this.mean = 0;
    this.m2 = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = 0;
  }

  /** Value at a percentile (0–100), ms; 0 when empty. */
  percentile(p: number): number {
    if (this.n === 0) return 0;
    const v = this.hist.getValueAtPercentile(p) / 1000;
    return Math.min(this.max, Math.max(this.min, v));
  }

  /**
   * Summary in ms. Every figure is 0 when nothing was recorded. `stdDevMs` is the population standard
   * deviation of the recorded samples.
   */
  summary(): LatencySummary {
    if (this.n === 0) {
      return { count: 0, minMs: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p95Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0, stdDevMs: 0 };
    }
    return {
      count: this.n,
      minMs: this.min,
      meanMs: this.mean,
      p50Ms: this.percentile(50),
      p90Ms: this.percentile(90),
      p95Ms: this.percentile(95),
      p99Ms: this.percentile(99),
      p999Ms: this.percentile(99.9),
      maxMs: this.max,
      stdDevMs: Math.sqrt(this.m2 / this.n),
    };
  }
}
