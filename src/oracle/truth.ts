/**
 * Ground truth: what each pattern's answer must be, computed from the generator's span stream (the written prefix),
 * and the store that computes it once per data set and shares it between runners over the same data.
 */
import type { Span } from '../generator/generator.js';
import type { ConcretePattern } from './catalogue.js';
import { type DataFacts, YIELD_EVERY_SPANS, yieldToEventLoop } from './facts.js';

/** Ground truth of one pattern. Id sets are kept only while they are small enough to be compared exactly. */
export interface GroundTruth {
  spanCount: number;
  /** Matching span ids; undefined once more than `maxSpans` matched. */
  spanIds: Set<string> | undefined;
  traceCount: number;
  /** Traces with at least one matching span; undefined once more than `maxTraces` matched. */
  traceIds: Set<string> | undefined;
  /** Spans the trace model returns for the matching traces (sum of their written spans). */
  traceSpanCount: number;
  /**
   * Start times of the latest `maxSpans` matching spans, latest first: what a stream answer ordered by time
   * (descending) and cut by its limit must hold (FACT 25: the stream's top-N is exact).
   */
  latestStartMs: number[];
}

/** Second pass: ground truth of every pattern. */
export async function computeGroundTruth(
  spans: Iterable<Span>,
  patterns: ConcretePattern[],
  facts: DataFacts,
  maxSpans: number,
  maxTraces: number,
  signal?: AbortSignal,
): Promise<Map<string, GroundTruth>> {
  let k = 0;
  const truth = patterns.map(() => ({
    spanCount: 0,
    spanIds: new Set<string>() as Set<string> | undefined,
    traceCount: 0,
    traceIds: new Set<string>() as Set<string> | undefined,
    traceSpanCount: 0,
    lastTrace: undefined as string | undefined,
    seen: new Set<string>(),
    latest: new TopK(maxSpans),
  }));
  // Spans of one trace are consecutive in the generator's stream, so "trace already counted" needs only the last id,
  // except when a trace is interleaved; `seen` guards that case for the counted traces of each pattern.
  for (const s of spans) {
    if (++k % YIELD_EVERY_SPANS === 0) await yieldToEventLoop(signal);
    for (let i = 0; i < patterns.length; i++) {
      const p = patterns[i] as ConcretePattern;
      if (!p.predicate(s)) continue;
      const t = truth[i] as (typeof truth)[number];
      t.spanCount++;
      t.latest.add(s.startTimeMs);
      if (t.spanIds) {
        t.spanIds.add(s.spanId);
        if (t.spanIds.size > maxSpans) t.spanIds = undefined;
      }
      if (t.lastTrace !== s.traceId && !t.seen.has(s.traceId)) {
        t.seen.add(s.traceId);
        t.traceCount++;
        t.traceSpanCount += facts.traceWritten.get(s.traceId) ?? 0;
        if (t.traceIds) {
          t.traceIds.add(s.traceId);
          if (t.traceIds.size > maxTraces) t.traceIds = undefined;
        }
      }
      t.lastTrace = s.traceId;
    }
  }
  const out = new Map<string, GroundTruth>();
  patterns.forEach((p, i) => {
    const t = truth[i] as (typeof truth)[number];
    out.set(p.name, {
      spanCount: t.spanCount,
      spanIds: t.spanIds,
      traceCount: t.traceCount,
      traceIds: t.traceIds,
      traceSpanCount: t.traceSpanCount,
      latestStartMs: t.latest.sortedDesc(),
    });
  });
  return out;
}

/** The `k` largest numbers seen (a bounded min-heap). */
class TopK {
  readonly #heap: number[] = [];
  constructor(readonly k: number) {}

  add(v: number): void {
    const h = this.#heap;
    if (h.length < this.k) {
      h.push(v);
      let i = h.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if ((h[parent] as number) <= v) break;
        h[i] = h[parent] as number;
        i = parent;
      }
      h[i] = v;
      return;
    }
    if (this.k === 0 || v <= (h[0] as number)) return;
    // Replace the root and sift down.
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && (h[r] as number) < (h[l] as number) ? r : l;
      if ((h[c] as number) >= v) break;
      h[i] = h[c] as number;
      i = c;
    }
    h[i] = v;
  }

  sortedDesc(): number[] {
    return [...this.#heap].sort((a, b) => b - a);
  }
}

/** Everything the oracle derives from one written prefix: the facts, the concrete patterns and their ground truth. */
export interface TruthEntry {
  /** Spans of the prefix (the generator's first `written` spans). */
  written: number;
  facts: DataFacts;
  patterns: ConcretePattern[];
  truth: Map<string, GroundTruth>;
}

/** What the ground truth depends on: the generator's inputs, the written prefix and the query limits. */
export interface TruthKey {
  seed: number;
  scale: unknown;
  endTimeMs: number;
  written: number;
  maxQuerySpans: number;
  maxQueryTraces: number;
}

/**
 * Computes ground truths and keeps the most recent ones, so runners over the same data (runComparison's two models)
 * compute each only once. Owned by whoever composes the runners; nothing is shared between stores.
 */
export class GroundTruthStore {
  readonly #entries = new Map<string, Promise<TruthEntry>>();
  readonly #capacity: number;

  /** @param capacity - entries kept (oldest dropped first). @default 2 */
  constructor(capacity = 2) {
    this.#capacity = capacity;
  }

  /**
   * The entry for `key`, computed with `compute` unless held already. A computation that fails (e.g. aborted) is
   * not kept.
   */
  async get(key: TruthKey, compute: () => Promise<TruthEntry>): Promise<TruthEntry> {
    const k = JSON.stringify([key.seed, key.scale, key.endTimeMs, key.written, key.maxQuerySpans, key.maxQueryTraces]);
    let entry = this.#entries.get(k);
    if (!entry) {
      entry = compute();
      this.#entries.set(k, entry);
      entry.catch(() => {
        if (this.#entries.get(k) === entry) this.#entries.delete(k);
      });
      while (this.#entries.size > this.#capacity) this.#entries.delete(this.#entries.keys().next().value as string);
    }
    return entry;
  }
}
