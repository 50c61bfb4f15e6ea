/**
 * What the mixed phase has written, as facts per span (no payloads), with when each span was sent and when it was
 * acknowledged. A query under ingest is checked against two sets: the spans acknowledged before it was sent (it
 * must find those) and the spans sent before its answer came (it may find only those).
 */

/** Facts of one written span, enough to evaluate every mixed query's predicate. */
export interface IngestSpan {
  traceId: string;
  spanId: string;
  serviceId: string;
  startTimeMs: number;
  latencyMs: number;
  isError: number;
}

const NOT_YET = Number.POSITIVE_INFINITY;

/** The spans written so far, in send order. */
export class IngestTruth {
  readonly spans: IngestSpan[] = [];
  /** performance.now() when each span's batch was sent. */
  #sentAt: number[] = [];
  /** performance.now() when each span was acknowledged with success (Infinity: not (yet) acknowledged). */
  #ackedAt: number[] = [];
  readonly #bySpanId = new Map<string, number>();
  readonly #byTrace = new Map<string, number[]>();

  /** Records a batch as sent; returns the index of its first span. */
  sent(spans: readonly IngestSpan[], atMs: number): number {
    const first = this.spans.length;
    for (const s of spans) {
      const i = this.spans.length;
      this.spans.push(s);
      this.#sentAt.push(atMs);
      this.#ackedAt.push(NOT_YET);
      this.#bySpanId.set(s.spanId, i);
      let list = this.#byTrace.get(s.traceId);
      if (list === undefined) {
        list = [];
        this.#byTrace.set(s.traceId, list);
      }
      list.push(i);
    }
    return first;
  }

  /** Marks spans `[first, first + count)` acknowledged at `atMs` (only those `ok` says succeeded). */
  acknowledged(first: number, count: number, atMs: number, ok: (offset: number) => boolean = () => true): void {
    for (let k = 0; k < count; k++) if (ok(k)) this.#ackedAt[first + k] = atMs;
  }

  indexOf(spanId: string): number | undefined {
    return this.#bySpanId.get(spanId);
  }

  spansOfTrace(traceId: string): readonly number[] {
    return this.#byTrace.get(traceId) ?? [];
  }

  /** True when span `i` was acknowledged before `atMs` (it must be visible to a query sent then). */
  ackedBefore(i: number, atMs: number): boolean {
    return (this.#ackedAt[i] ?? NOT_YET) < atMs;
  }

  /** True when span `i` was sent before `atMs` (a query answered then may show it). */
  sentBefore(i: number, atMs: number): boolean {
    return (this.#sentAt[i] ?? NOT_YET) < atMs;
  }

  ackedAt(i: number): number {
    return this.#ackedAt[i] ?? NOT_YET;
  }

  get size(): number {
    return this.spans.length;
  }
}
