/**
 * Query patterns with the same meaning on both models, and their ground truth computed from the generator.
 *
 * Semantics. A stream query returns matching SPANS; a trace query (BanyanDB v0.10.3) returns whole TRACES that
 * contain at least one matching span, with every span of each such trace, and its `limit` counts traces. So each
 * pattern has one span predicate, and:
 * - stream ground truth: the written spans that satisfy it;
 * - trace ground truth: the written traces with at least one span that satisfies it, each with all its written spans;
 * - across models: the set of trace ids (stream: distinct trace ids of the returned spans) must be equal.
 *
 * Limits. Each query asks for `min(expected + 1, max)` results (spans on stream, traces on trace): one more than the
 * truth, so an over-answer is visible. When the truth exceeds `max`, the answer is checked as "limited": exactly
 * `max` results, every one satisfying the predicate (checked on its returned tags), no duplicates.
 */
import type { Criteria, QueryOrder, TagValue, TimeRange } from '../client/types.js';
import { AbortedError } from '../errors.js';
import type { Model } from '../results.js';
import { type QueryAnswer, type ReturnedSpan, tagNumber, tagString, toTimestamp, type WorkloadSpan } from './model.js';

/** Name and meaning of a query pattern. */
export interface QueryPatternInfo {
  name: string;
  description: string;
}

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

/** A concrete pattern: predicate and per-model query parts (or why a model cannot answer it). */
export interface ConcretePattern extends QueryPatternInfo {
  /** Trace-by-id patterns: the trace's index in the generator's stream, so its spans can be regenerated whole. */
  traceIndex?: number;
  predicate(s: SpanFacts): boolean;
  timeRange: { beginMs: number; endMs: number };
  criteria: Criteria | undefined;
  /** Trace model: the order_by it needs (undefined for trace-id lookups), or `na` with the reason. */
  trace: { orderBy: QueryOrder | undefined } | { na: string };
}

export const PATTERN_INFO: readonly QueryPatternInfo[] = [
  { name: 'time-last-1m', description: 'All spans that started in the last minute of the data' },
  { name: 'time-last-1h', description: 'All spans that started in the last hour of the data' },
  { name: 'time-whole', description: 'All spans of the whole time range' },
  { name: 'trace-id-small', description: 'One trace by id: a trace of the smallest size written' },
  { name: 'trace-id-medium', description: 'One trace by id: a trace of median size' },
  { name: 'trace-id-large', description: 'One trace by id: a trace of the largest size written' },
  { name: 'service-instance', description: 'Spans of one service instance (serviceId = S AND serviceInstanceId = I), whole range' },
  { name: 'error-spans', description: 'Error spans (isError = 1), whole range' },
  { name: 'latency-range', description: 'Slow spans (latency >= the ~99th percentile latency), whole range' },
  { name: 'complex', description: 'Error spans of one service in the last hour (time + serviceId = S + isError = 1)' },
];

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** Index rules of testdata/schema the trace patterns order by (TYPE_TREE). */
export const TRACE_TIME_INDEX = 'time_based_index';
export const TRACE_LATENCY_INDEX = 'latency_based_index';

const cond = (name: string, op: 'BINARY_OP_EQ' | 'BINARY_OP_GE', value: TagValue): Criteria => ({ condition: { name, op, value } });
const and = (left: Criteria, right: Criteria): Criteria => ({ le: { op: 'LOGICAL_OP_AND', left, right } });
const str = (value: string): TagValue => ({ str: { value } });
const int = (value: number): TagValue => ({ int: { value } });

/** Builds the concrete patterns from the data facts. */
export function buildPatterns(f: DataFacts): ConcretePattern[] {
  const hi = f.maxStartMs + 1;
  const whole = { beginMs: f.minStartMs, endMs: hi };
  const last = (ms: number) => ({ beginMs: Math.max(f.minStartMs, hi - ms), endMs: hi });
  const inRange = (r: { beginMs: number; endMs: number }) => (s: SpanFacts) => s.startTimeMs >= r.beginMs && s.startTimeMs < r.endMs;
  const byTime = { orderBy: { indexRuleName: TRACE_TIME_INDEX, sort: 'SORT_DESC' as const } };
  const info = (name: string): QueryPatternInfo => {
    const i = PATTERN_INFO.find((p) => p.name === name);
    if (!i) throw new Error(`unknown pattern ${name}`);
    return { ...i };
  };
  const out: ConcretePattern[] = [];
  for (const [name, ms] of [
    ['time-last-1m', MINUTE_MS],
    ['time-last-1h', HOUR_MS],
  ] as const) {
    const r = last(ms);
    out.push({ ...info(name), predicate: inRange(r), timeRange: r, criteria: undefined, trace: byTime });
  }
  out.push({ ...info('time-whole'), predicate: inRange(whole), timeRange: whole, criteria: undefined, trace: byTime });
  for (const size of ['small', 'medium', 'large'] as const) {
    const id = f.traceIds[size];
    out.push({
      ...info(`trace-id-${size}`),
      description: `${info(`trace-id-${size}`).description} (${f.traceSizes[size]} spans)`,
      predicate: (s) => s.traceId === id,
      traceIndex: f.traceIndexes[size],
      timeRange: whole,
      criteria: cond('traceId', 'BINARY_OP_EQ', str(id)),
      trace: { orderBy: undefined },
    });
  }
  const { serviceId, serviceInstanceId } = f.busiestInstance;
  out.push({
    ...info('service-instance'),
    predicate: (s) => s.serviceId === serviceId && s.serviceInstanceId === serviceInstanceId,
    timeRange: whole,
    criteria: and(cond('serviceId', 'BINARY_OP_EQ', str(serviceId)), cond('serviceInstanceId', 'BINARY_OP_EQ', str(serviceInstanceId))),
    trace: byTime,
  });
  out.push({
    ...info('error-spans'),
    predicate: (s) => s.isError === 1,
    timeRange: whole,
    criteria: cond('isError', 'BINARY_OP_EQ', int(1)),
    trace: byTime,
  });
  const threshold = f.latencyThresholdMs;
  out.push({
    ...info('latency-range'),
    description: `Slow spans (latency >= ${threshold} ms, about the 99th percentile), whole range`,
    predicate: (s) => s.latencyMs >= threshold,
    timeRange: whole,
    criteria: cond('latency', 'BINARY_OP_GE', int(threshold)),
    trace: { orderBy: { indexRuleName: TRACE_LATENCY_INDEX, sort: 'SORT_DESC' } },
  });
  const hour = last(HOUR_MS);
  const svc = f.errorService;
  const inHour = inRange(hour);
  out.push({
    ...info('complex'),
    predicate: (s) => inHour(s) && s.serviceId === svc && s.isError === 1,
    timeRange: hour,
    criteria: and(cond('serviceId', 'BINARY_OP_EQ', str(svc)), cond('isError', 'BINARY_OP_EQ', int(1))),
    trace: byTime,
  });
  return out;
}

/** The ground-truth passes give the event loop a turn (and check the abort signal) this often. */
export const YIELD_EVERY_SPANS = 20_000;

async function yieldToEventLoop(signal: AbortSignal | undefined): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (signal?.aborted) throw new AbortedError('aborted while computing the query ground truth', { cause: signal.reason });
}

/** First pass over the written prefix: the facts the patterns are built from. */
export async function collectFacts(spans: Iterable<WorkloadSpan>, signal?: AbortSignal): Promise<DataFacts> {
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
    if (s.isError === 1) errorsByService.set(s.serviceId, (errorsByService.get(s.serviceId) ?? 0) + 1);
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
}

/** Second pass: ground truth of every pattern. */
export async function computeGroundTruth(
  spans: Iterable<WorkloadSpan>,
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
    });
  });
  return out;
}

/** Reads a returned span's projected tags back into predicate facts (undefined fields when not projected). */
export function factsOf(s: ReturnedSpan): SpanFacts {
  const t = s.tags;
  return {
    traceId: s.traceId,
    serviceId: tagString(t.get('serviceId')) ?? '',
    serviceInstanceId: tagString(t.get('serviceInstanceId')) ?? '',
    startTimeMs: tagNumber(t.get('startTime')) ?? Number.NaN,
    latencyMs: tagNumber(t.get('latency')) ?? Number.NaN,
    isError: tagNumber(t.get('isError')) ?? Number.NaN,
  };
}

export function toTimeRange(r: { beginMs: number; endMs: number }): TimeRange {
  return { begin: toTimestamp(r.beginMs), end: toTimestamp(r.endMs) };
}

/** A query limit for a ground truth: one more than expected (so over-answers show), at most `max`. */
export function limitFor(expected: number, max: number): number {
  return Math.max(1, Math.min(expected + 1, max));
}

/** One correctness finding. */
export interface Finding {
  what: string;
  expected: string;
  actual: string;
}

const sample = (ids: Iterable<string>, n = 5): string => {
  const out: string[] = [];
  for (const id of ids) {
    if (out.length === n) {
      out.push('…');
      break;
    }
    out.push(id);
  }
  return out.join(', ');
};

/** Checks one answer of `model` against the pattern's ground truth. */
export function checkAnswer(
  model: Model,
  p: ConcretePattern,
  truth: GroundTruth,
  answer: QueryAnswer,
  limit: number,
  traceWritten: Map<string, number>,
): Finding[] {
  const f: Finding[] = [];
  if (model === 'stream') {
    const expectedCount = Math.min(truth.spanCount, limit);
    if (answer.spans.length !== expectedCount) {
      f.push({
        what: 'span count',
        expected: `${expectedCount}${truth.spanCount > limit ? ` (limit ${limit} of ${truth.spanCount})` : ''}`,
        actual: String(answer.spans.length),
      });
    }
    const ids = new Set<string>();
    const dups: string[] = [];
    for (const s of answer.spans) {
      if (ids.has(s.spanId)) dups.push(s.spanId);
      ids.add(s.spanId);
    }
    if (dups.length > 0) f.push({ what: 'duplicate span ids', expected: 'none', actual: sample(dups) });
    if (truth.spanIds && truth.spanCount < limit) {
      const missing = [...truth.spanIds].filter((id) => !ids.has(id));
      const extra = [...ids].filter((id) => !truth.spanIds?.has(id));
      if (missing.length > 0 || extra.length > 0) {
        f.push({
          what: 'span ids',
          expected: `${truth.spanCount} ids; missing: ${missing.length ? sample(missing) : 'none'}`,
          actual: `${ids.size} ids; unexpected: ${extra.length ? sample(extra) : 'none'}`,
        });
      }
    } else {
      const bad = answer.spans.filter((s) => !p.predicate(factsOf(s) as SpanFacts)).map((s) => s.spanId);
      if (bad.length > 0) f.push({ what: 'spans matching the predicate', expected: 'all', actual: `${bad.length} not: ${sample(bad)}` });
    }
    return f;
  }
  // trace model
  const expectedTraces = Math.min(truth.traceCount, limit);
  if (answer.traceIds.length !== expectedTraces) {
    f.push({
      what: 'trace count',
      expected: `${expectedTraces}${truth.traceCount > limit ? ` (limit ${limit} of ${truth.traceCount})` : ''}`,
      actual: String(answer.traceIds.length),
    });
  }
  const got = new Set(answer.traceIds);
  if (got.size !== answer.traceIds.length)
    f.push({ what: 'duplicate trace ids', expected: 'none', actual: `${answer.traceIds.length - got.size}` });
  if (truth.traceIds && truth.traceCount < limit) {
    const missing = [...truth.traceIds].filter((id) => !got.has(id));
    const extra = [...got].filter((id) => !truth.traceIds?.has(id));
    if (missing.length > 0 || extra.length > 0) {
      f.push({
        what: 'trace ids',
        expected: `${truth.traceCount} ids; missing: ${missing.length ? sample(missing) : 'none'}`,
        actual: `${got.size} ids; unexpected: ${extra.length ? sample(extra) : 'none'}`,
      });
    }
    if (answer.spans.length !== truth.traceSpanCount && missing.length === 0 && extra.length === 0) {
      f.push({
        what: 'span count (all spans of the matching traces)',
        expected: String(truth.traceSpanCount),
        actual: String(answer.spans.length),
      });
    }
  } else {
    const byTrace = new Map<string, ReturnedSpan[]>();
    for (const s of answer.spans) {
      const list = byTrace.get(s.traceId);
      if (list) list.push(s);
      else byTrace.set(s.traceId, [s]);
    }
    const bad: string[] = [];
    const partial: string[] = [];
    for (const id of got) {
      const spans = byTrace.get(id) ?? [];
      if (!spans.some((s) => p.predicate(factsOf(s)))) bad.push(id);
      if (spans.length !== (traceWritten.get(id) ?? -1)) partial.push(`${id} (${spans.length}/${traceWritten.get(id) ?? 0})`);
    }
    if (bad.length > 0)
      f.push({ what: 'traces with a span matching the predicate', expected: 'all', actual: `${bad.length} not: ${sample(bad)}` });
    if (partial.length > 0) f.push({ what: 'spans per returned trace', expected: 'all written spans', actual: sample(partial) });
  }
  return f;
}

/**
 * Reads back what was written: every returned span of a regenerated trace must carry the tag values and
 * payload bytes the generator produced (BanyanDB may acknowledge a malformed write and store empty values,
 * so acknowledgements alone prove nothing). Spans the answer lacks are reported by the id checks.
 */
export function checkValues(answer: QueryAnswer, expected: ReadonlyMap<string, WorkloadSpan>, wantPayload: boolean): Finding[] {
  const wrongTags: string[] = [];
  const wrongPayload: string[] = [];
  for (const s of answer.spans) {
    const e = expected.get(s.spanId);
    if (!e) continue;
    const got = factsOf(s);
    const fields: (keyof SpanFacts)[] = ['traceId', 'serviceId', 'serviceInstanceId', 'startTimeMs', 'latencyMs', 'isError'];
    const bad = fields.filter((k) => got[k] !== (e as unknown as SpanFacts)[k]);
    if (bad.length > 0) wrongTags.push(`${s.spanId} (${bad.map((k) => `${k} ${String(got[k])} != ${String(e[k])}`).join(', ')})`);
    if (wantPayload) {
      const p = s.payload;
      if (!p || p.byteLength !== e.dataBinary.byteLength || !Buffer.from(p.buffer, p.byteOffset, p.byteLength).equals(e.dataBinary)) {
        wrongPayload.push(`${s.spanId} (${p ? p.byteLength : 0} bytes, expected ${e.dataBinary.byteLength})`);
      }
    }
  }
  const f: Finding[] = [];
  if (wrongTags.length > 0)
    f.push({ what: 'tag values read back', expected: 'as written', actual: `${wrongTags.length} differ: ${sample(wrongTags)}` });
  if (wrongPayload.length > 0) {
    f.push({ what: 'payload bytes read back', expected: 'as written', actual: `${wrongPayload.length} differ: ${sample(wrongPayload)}` });
  }
  return f;
}
