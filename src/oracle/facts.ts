/**
 * Facts about the written data that the concrete patterns are built from: one pass over the written prefix of the
 * generator's span stream.
 */
import { AbortedError } from '../errors.js';
import type { Span } from '../generator/generator.js';

/** The fields every predicate reads (present on generated spans and on returned spans' projected tags). */
export interface SpanFacts {
  traceId: string;
  serviceId: string;
  serviceInstanceId: string;
  startTimeMs: number;
  latencyMs: number;
  isError: number;
}

/** Facts about the written data the concrete patterns are built from (first pass over the written prefix). */
export interface DataFacts {
  spans: number;
  minStartMs: number;
  maxStartMs: number;
  /** Written spans per trace id. */
  traceWritten: Map<string, number>;
  /** The most frequent (serviceId, serviceInstanceId) pair. */
  busiestInstance: { serviceId: string; serviceInstanceId: string };
  /** The service with the most error spans. */
  errorService: string;
  /** Latency threshold matched by about 1% of spans (at least one). */
  latencyThresholdMs: number;
  /** Fully written traces of the smallest, median and largest size. */
  traceIds: { small: string; medium: string; large: string };
  traceSizes: { small: number; medium: number; large: number };
  /** Index of each chosen trace in the generator's stream (`SpanGenerator.traceAt`). */
  traceIndexes: { small: number; medium: number; large: number };
}

/** The ground-truth passes give the event loop a turn (and check the abort signal) this often. */
export const YIELD_EVERY_SPANS = 20_000;

export async function yieldToEventLoop(signal: AbortSignal | undefined): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (signal?.aborted) throw new AbortedError('aborted while computing the query ground truth', { cause: signal.reason });
}

/** First pass over the written prefix: the facts the patterns are built from. */
export async function collectFacts(spans: Iterable<Span>, signal?: AbortSignal): Promise<DataFacts> {
  let n = 0;
  let minStartMs = Number.POSITIVE_INFINITY;
  let maxStartMs = Number.NEGATIVE_INFINITY;
  const traceWritten = new Map<string, number>();
  const traceTotal = new Map<string, number>();
  const pairs = new Map<string, number>();
  const errorsByService = new Map<string, number>();
  const latencies = new Map<number, number>();
  const traceIndex = new Map<string, number>();
  let lastTraceId: string | undefined;
  for (const s of spans) {
    if (++n % YIELD_EVERY_SPANS === 0) await yieldToEventLoop(signal);
    if (s.traceId !== lastTraceId) {
      traceIndex.set(s.traceId, traceIndex.size);
      lastTraceId = s.traceId;
    }
    if (s.startTimeMs < minStartMs) minStartMs = s.startTimeMs;
    if (s.startTimeMs > maxStartMs) maxStartMs = s.startTimeMs;
    traceWritten.set(s.traceId, (traceWritten.get(s.traceId) ?? 0) + 1);
    traceTotal.set(s.traceId, s.traceSpanCount);
    const pair = `${s.serviceId}\u0000${s.serviceInstanceId}`;
    pairs.set(pair, (pairs.get(pair) ?? 0) + 1);
    if (s.isError !== 0) errorsByService.set(s.serviceId, (errorsByService.get(s.serviceId) ?? 0) + 1);
    latencies.set(s.latencyMs, (latencies.get(s.latencyMs) ?? 0) + 1);
  }
  if (n === 0) throw new Error('no spans were written: nothing to query');
  const busiest = maxKey(pairs) ?? '\u0000';
  const [serviceId = '', serviceInstanceId = ''] = busiest.split('\u0000');
  // Latency threshold: the smallest value such that at most 1% of spans (but at least one) are >= it.
  const sorted = [...latencies.entries()].sort((a, b) => b[0] - a[0]);
  const budget = Math.max(1, Math.floor(n * 0.01));
  let threshold = sorted[0]?.[0] ?? 0;
  let acc = 0;
  for (const [lat, count] of sorted) {
    if (acc + count > budget && acc > 0) break;
    acc += count;
    threshold = lat;
  }
  // Trace sizes among fully written traces: smallest, median (over traces) and largest.
  const bySize = new Map<number, string>();
  const sizeCounts = new Map<number, number>();
  for (const [id, written] of traceWritten) {
    const total = traceTotal.get(id) ?? written;
    if (written !== total) continue;
    if (!bySize.has(total)) bySize.set(total, id);
    sizeCounts.set(total, (sizeCounts.get(total) ?? 0) + 1);
  }
  if (bySize.size === 0) {
    // Only a partially written trace: use it (its written spans are the truth).
    const [id, written] = traceWritten.entries().next().value as [string, number];
    bySize.set(written, id);
    sizeCounts.set(written, 1);
  }
  const sizes = [...bySize.keys()].sort((a, b) => a - b);
  const small = sizes[0] as number;
  const large = sizes[sizes.length - 1] as number;
  const complete = [...sizeCounts.values()].reduce((a, b) => a + b, 0);
  let medium = small;
  let seen = 0;
  for (const size of sizes) {
    seen += sizeCounts.get(size) ?? 0;
    medium = size;
    if (seen * 2 >= complete) break;
  }
  return {
    spans: n,
    minStartMs,
    maxStartMs,
    traceWritten,
    busiestInstance: { serviceId, serviceInstanceId },
    errorService: maxKey(errorsByService) ?? serviceId,
    latencyThresholdMs: threshold,
    traceIds: { small: bySize.get(small) as string, medium: bySize.get(medium) as string, large: bySize.get(large) as string },
    traceSizes: { small, medium, large },
    traceIndexes: {
      small: traceIndex.get(bySize.get(small) as string) ?? -1,
      medium: traceIndex.get(bySize.get(medium) as string) ?? -1,
      large: traceIndex.get(bySize.get(large) as string) ?? -1,
    },
  };
}

function maxKey(m: Map<string, number>): string | undefined {
  let best: string | undefined;
  let bestCount = -1;
  for (const [k, c] of m) {
    if (c > bestCount || (c === bestCount && best !== undefined && k < best)) {
      best = k;
      bestCount = c;
    }
  }
  return best;
}
