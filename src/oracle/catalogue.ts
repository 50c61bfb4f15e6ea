/**
 * The query pattern catalogue: ten patterns with the same meaning on both models, made concrete from the data facts.
 *
 * Semantics. A stream query returns matching SPANS; a trace query (BanyanDB v0.10.3) returns whole TRACES that
 * contain at least one matching span, with every span of each such trace, and its `limit` counts traces. So each
 * pattern has one span predicate, and:
 * - stream ground truth: the written spans that satisfy it;
 * - trace ground truth: the written traces with at least one span that satisfies it, each with all its written spans;
 * - across models: the set of trace ids (stream: distinct trace ids of the returned spans) must be equal.
 */
import { toTimestamp } from '../client/timestamp.js';
import type { Criteria, QueryOrder, TagValue, TimeRange } from '../client/types.js';
import type { DataFacts, SpanFacts } from './facts.js';

/** Name and meaning of a query pattern. */
export interface QueryPatternInfo {
  name: string;
  description: string;
}

/** A concrete pattern: predicate and per-model query parts (or why a model cannot answer it). */
export interface ConcretePattern extends QueryPatternInfo {
  /** Trace-by-id patterns: the trace's index in the generator's stream, so its spans can be regenerated whole. */
  traceIndex?: number;
  predicate(s: SpanFacts): boolean;
  timeRange: { beginMs: number; endMs: number };
  criteria: Criteria | undefined;
  /** Tags the predicate reads (projected on the stream side, so capped answers can be checked on what came back). */
  reads: readonly string[];
  /**
   * Trace model: the order_by it needs (undefined for trace-id lookups), or `na` with the reason (which starts
   * "not answerable by BanyanDB 0.10.3's trace model: ").
   */
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
  { name: 'error-spans', description: 'Error spans (isError != 0), whole range' },
  { name: 'latency-range', description: 'Slow spans (latency >= the ~99th percentile latency), whole range' },
  { name: 'complex', description: 'Error spans of one service in the last hour (time + serviceId = S + isError != 0)' },
];

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** Index rules of testdata/schema the trace patterns order by (TYPE_TREE). */
export const TRACE_TIME_INDEX = 'time_based_index';
export const TRACE_LATENCY_INDEX = 'latency_based_index';

const cond = (name: string, op: 'BINARY_OP_EQ' | 'BINARY_OP_NE' | 'BINARY_OP_GE', value: TagValue): Criteria => ({
  condition: { name, op, value },
});
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
    out.push({ ...info(name), predicate: inRange(r), timeRange: r, criteria: undefined, reads: ['startTime'], trace: byTime });
  }
  out.push({
    ...info('time-whole'),
    predicate: inRange(whole),
    timeRange: whole,
    criteria: undefined,
    reads: ['startTime'],
    trace: byTime,
  });
  for (const size of ['small', 'medium', 'large'] as const) {
    const id = f.traceIds[size];
    out.push({
      ...info(`trace-id-${size}`),
      description: `${info(`trace-id-${size}`).description} (${f.traceSizes[size]} spans)`,
      predicate: (s) => s.traceId === id,
      traceIndex: f.traceIndexes[size],
      timeRange: whole,
      criteria: cond('traceId', 'BINARY_OP_EQ', str(id)),
      reads: ['traceId'],
      trace: { orderBy: undefined },
    });
  }
  const { serviceId, serviceInstanceId } = f.busiestInstance;
  out.push({
    ...info('service-instance'),
    predicate: (s) => s.serviceId === serviceId && s.serviceInstanceId === serviceInstanceId,
    timeRange: whole,
    criteria: and(cond('serviceId', 'BINARY_OP_EQ', str(serviceId)), cond('serviceInstanceId', 'BINARY_OP_EQ', str(serviceInstanceId))),
    reads: ['serviceId', 'serviceInstanceId'],
    trace: byTime,
  });
  out.push({
    ...info('error-spans'),
    // isError != 0, not = 1: INT equality never matches in BanyanDB 0.10.3's trace order_by path (FACT 35); the
    // generator writes only 0 and 1, so both say the same, and both models are asked the same.
    predicate: (s) => s.isError !== 0,
    timeRange: whole,
    criteria: cond('isError', 'BINARY_OP_NE', int(0)),
    reads: ['isError'],
    trace: byTime,
  });
  const threshold = f.latencyThresholdMs;
  out.push({
    ...info('latency-range'),
    description: `Slow spans (latency >= ${threshold} ms, about the 99th percentile), whole range`,
    predicate: (s) => s.latencyMs >= threshold,
    timeRange: whole,
    criteria: cond('latency', 'BINARY_OP_GE', int(threshold)),
    reads: ['latency'],
    // time_based_index, not latency_based_index: with the latency rule, conditions on latency itself fail and the
    // time range is not applied (FACTS 35, 37); with the time rule, latency ranges are correct (FACT 35).
    trace: byTime,
  });
  const hour = last(HOUR_MS);
  const svc = f.errorService;
  const inHour = inRange(hour);
  out.push({
    ...info('complex'),
    predicate: (s) => inHour(s) && s.serviceId === svc && s.isError !== 0,
    timeRange: hour,
    criteria: and(cond('serviceId', 'BINARY_OP_EQ', str(svc)), cond('isError', 'BINARY_OP_NE', int(0))),
    reads: ['startTime', 'serviceId', 'isError'],
    trace: byTime,
  });
  return out;
}

/** Tags the query patterns read back (the payload is never projected on the stream side). */
export const QUERY_PROJECTION = ['traceId', 'spanId', 'serviceId', 'serviceInstanceId', 'startTime', 'latency', 'isError'];

/** A pattern that fetches whole traces by id (no order rule needed on the trace model). */
export function isTraceLookup(p: ConcretePattern): boolean {
  return !('na' in p.trace) && p.trace.orderBy === undefined;
}

export function toTimeRange(r: { beginMs: number; endMs: number }): TimeRange {
  return { begin: toTimestamp(r.beginMs), end: toTimestamp(r.endMs) };
}
