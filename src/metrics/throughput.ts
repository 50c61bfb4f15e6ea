/**
 * Per-second throughput series: spans, errors and the highest latency of each second since a start
 * time. Memory is O(1) per elapsed second (three typed-array slots), whatever the event rate.
 */
import { OptionsError } from '../errors.js';
import type { TimeSeriesPoint } from '../results.js';

const INITIAL_SECONDS = 64;

export class ThroughputSeries {
  readonly startMs: number;
  private spans: Float64Array = new Float64Array(INITIAL_SECONDS);
  private errors: Float64Array = new Float64Array(INITIAL_SECONDS);
  private maxLatency: Float64Array = new Float64Array(INITIAL_SECONDS);
  private last = -1;

  /** @param startMs time of second 0, ms (e.g. `performance.now()` or `Date.now()`; use the same clock in add()). */
  constructor(startMs: number) {
    if (!Number.isFinite(startMs)) throw new OptionsError('startMs', `startMs: expected a finite number, got ${String(startMs)}`);
    this.startMs = startMs;
  }

  /**
   * Counts `spans` spans (of which `errors` failed) completed at `nowMs`, with a latency of `latencyMs`.
   * Events before `startMs` count in second 0.
   */
  add(nowMs: number, spans: number, errors: number, latencyMs: number): void {
    let sec = Math.floor((nowMs - this.startMs) / 1000);
    if (!(sec >= 0)) sec = 0;
    if (sec >= this.spans.length) this.grow(sec + 1);
    this.spans[sec]! += spans;
    this.errors[sec]! += errors;
    if (latencyMs > this.maxLatency[sec]!) this.maxLatency[sec] = latencyMs;
    if (sec > this.last) this.last = sec;
  }

  private grow(min: number): void {
    let size = this.spans.length;
    while (size < min) size *= 2;
    const grow = (a: Float64Array): Float64Array => {
      const b = new Float64Array(size);
      b.set(a);
      return b;
    };
    this.spans = grow(this.spans);
    this.errors = grow(this.errors);
    this.maxLatency = grow(this.maxLatency);
  }

  /** Number of seconds covered (last second with an event + 1). */
  get seconds(): number {
    return this.last + 1;
  }

  /** One point per second from 0 to the last second with an event (empty seconds included, as zeros). */
  points(): TimeSeriesPoint[] {
    const out: TimeSeriesPoint[] = [];
    for (let s = 0; s <= this.last; s++) {
      out.push({ tSec: s, spans: this.spans[s]!, errors: this.errors[s]!, maxLatencyMs: this.maxLatency[s]! });
    }
    return out;
  }
}
