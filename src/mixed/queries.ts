/**
 * The mixed phase's query mix: what SkyWalking's UI asks of a trace store while data keeps arriving. List the recent
 * traces of a service, or the recent error traces, or the recent slow ones; then open one trace by id. Each kind has
 * one predicate and one request shape per model, chosen from what BanyanDB 0.10.3 answers correctly
 * (../shared/conformance/FACTS.md):
 * - stream: entity-tag and int conditions work on streams (FACT 28), `order_by` with only a sort orders by time
 *   (25), both time bounds are inclusive (26); spans are identified by the projected `spanId` tag, never by
 *   `element_id` (24).
 * - trace: list kinds go through the `time_based_index` order_by path, with only conditions that path evaluates
 *   correctly there: serviceId EQ (an entity tag), `isError != 0`, `latency >= x` (35), no `tag_projection` (35: the
 *   filter reads tags by projection position), time bounds inclusive with that rule (37), top-20 exact (38). The
 *   by-id kind goes through the trace-id path (32). Without a projection spans carry `spanId` (33).
 */
import { toTimestamp } from '../client/timestamp.js';
import type { Criteria, StreamQueryRequest, TraceQueryRequest } from '../client/types.js';
import type { Model } from '../results.js';
import type { IngestTruth } from './ingest-truth.js';

/** The kinds of query in the mix. */
export const MIXED_QUERY_KINDS = ['recent-service', 'recent-errors', 'recent-slow', 'trace-by-id'] as const;
export type MixedQueryKind = (typeof MIXED_QUERY_KINDS)[number];

export const MIXED_QUERY_INFO: Readonly<Record<MixedQueryKind, string>> = {
  'recent-service': 'Recent traces of one service (time window, newest first, 20)',
  'recent-errors': 'Recent error traces (isError = 1, time window, newest first, 20)',
  'recent-slow': 'Recent slow traces (latency >= the slow threshold, time window, newest first, 20)',
  'trace-by-id': 'Open one recently acknowledged trace by id',
};

/** Rows a list query asks for (spans on streams, traces on traces), as SkyWalking's UI pages them. */
export const LIST_LIMIT = 20;
/** Spans a by-id stream query asks for: more than any generated trace holds (< 100). */
const TRACE_SPANS_LIMIT = 200;

/** One scheduled query, the same for both models. */
export interface ScheduledQuery {
  /** ms after the measured phase's start. */
  atMs: number;
  kind: MixedQueryKind;
  /** recent-service: which service (index into the data's services, by popularity). */
  serviceRank: number;
  /** trace-by-id: a number in [0, 1) that picks the trace among those acknowledged. */
  pick: number;
}

/** The parts of a query that do not depend on the model. */
export interface MixedQuery {
  kind: MixedQueryKind;
  windowBeginMs: number;
  windowEndMs: number;
  serviceId?: string;
  traceId?: string;
  slowThresholdMs: number;
}

const str = (value: string) => ({ str: { value } });
const int = (value: number) => ({ int: { value } });
const cond = (
  name: string,
  op: 'BINARY_OP_EQ' | 'BINARY_OP_NE' | 'BINARY_OP_GE',
  value: ReturnType<typeof str> | ReturnType<typeof int>,
): Criteria => ({
  condition: { name, op, value },
});

/** Whether a span satisfies the query's predicate (what both models are asked). */
export function matches(
  q: MixedQuery,
  s: { traceId: string; serviceId: string; startTimeMs: number; latencyMs: number; isError: number },
): boolean {
  if (q.kind === 'trace-by-id') return s.traceId === q.traceId;
  if (s.startTimeMs < q.windowBeginMs || s.startTimeMs > q.windowEndMs) return false;
  if (q.kind === 'recent-service') return s.serviceId === q.serviceId;
  if (q.kind === 'recent-errors') return s.isError !== 0;
  return s.latencyMs >= q.slowThresholdMs;
}

function listCriteria(q: MixedQuery, model: Model): Criteria {
  if (q.kind === 'recent-service') return cond('serviceId', 'BINARY_OP_EQ', str(q.serviceId ?? ''));
  if (q.kind === 'recent-errors') {
    // isError is 0 or 1: `= 1` on streams; `!= 0` on traces, the form 0.10.3's order_by path gets right (FACT 35).
    return model === 'stream' ? cond('isError', 'BINARY_OP_EQ', int(1)) : cond('isError', 'BINARY_OP_NE', int(0));
  }
  return cond('latency', 'BINARY_OP_GE', int(q.slowThresholdMs));
}

/** The stream request of a mixed query. */
export function streamRequest(q: MixedQuery, group: string, name: string): StreamQueryRequest {
  const projection = { tagFamilies: [{ name: 'primary', tags: ['spanId', 'traceId'] }] };
  if (q.kind === 'trace-by-id') {
    return { groups: [group], name, limit: TRACE_SPANS_LIMIT, criteria: cond('traceId', 'BINARY_OP_EQ', str(q.traceId ?? '')), projection };
  }
  return {
    groups: [group],
    name,
    timeRange: { begin: toTimestamp(q.windowBeginMs), end: toTimestamp(q.windowEndMs) },
    limit: LIST_LIMIT,
    orderBy: { sort: 'SORT_DESC' },
    criteria: listCriteria(q, 'stream'),
    projection,
  };
}

/** The trace request of a mixed query. */
export function traceRequest(q: MixedQuery, group: string, name: string, timeRule: string): TraceQueryRequest {
  if (q.kind === 'trace-by-id') {
    return { groups: [group], name, limit: 1, criteria: cond('traceId', 'BINARY_OP_EQ', str(q.traceId ?? '')) };
  }
  return {
    groups: [group],
    name,
    timeRange: { begin: toTimestamp(q.windowBeginMs), end: toTimestamp(q.windowEndMs) },
    limit: LIST_LIMIT,
    orderBy: { indexRuleName: timeRule, sort: 'SORT_DESC' },
    criteria: listCriteria(q, 'trace'),
  };
}

/** What a mixed answer is reduced to: the span ids per returned row (a span on streams, a trace on traces). */
export interface MixedAnswer {
  rows: { traceId: string; spanIds: string[] }[];
  spans: number;
  bytes: number;
}

/**
 * Checks one answer under ingest. It must hold every row that the spans acknowledged before the query was sent
 * prove (up to the limit), and nothing that had not been sent when the answer came.
 * @returns a description of the first problem, or undefined when the answer is right
 */
export function checkMixedAnswer(
  q: MixedQuery,
  model: Model,
  answer: MixedAnswer,
  truth: IngestTruth,
  sentAtMs: number,
  answeredAtMs: number,
): string | undefined {
  const seen = new Set<string>();
  for (const row of answer.rows) {
    const key = model === 'stream' ? (row.spanIds[0] ?? '') : row.traceId;
    if (seen.has(key)) return `${key} returned twice`;
    seen.add(key);
    let satisfied = false;
    for (const spanId of row.spanIds) {
      const i = truth.indexOf(spanId);
      if (i === undefined) return `span ${spanId} was never written`;
      if (!truth.sentBefore(i, answeredAtMs)) return `span ${spanId} was not sent yet when the answer came`;
      const s = truth.spans[i];
      if (s !== undefined && s.traceId !== row.traceId && model === 'trace')
        return `span ${spanId} belongs to ${s.traceId}, returned in ${row.traceId}`;
      if (s !== undefined && matches(q, s)) satisfied = true;
    }
    if (!satisfied) return `${model === 'stream' ? 'span' : 'trace'} ${key} does not satisfy the query`;
  }
  if (q.kind === 'trace-by-id') {
    const returned = new Set(answer.rows.flatMap((r) => r.spanIds));
    for (const i of truth.spansOfTrace(q.traceId ?? '')) {
      const s = truth.spans[i];
      if (s !== undefined && truth.ackedBefore(i, sentAtMs) && !returned.has(s.spanId)) {
        return `span ${s.spanId} of trace ${q.traceId} was acknowledged before the query but not returned`;
      }
    }
    return undefined;
  }
  // A list query must be full when the data acknowledged before it holds at least a full page.
  const proven = new Set<string>();
  for (let i = 0; i < truth.size && proven.size < LIST_LIMIT; i++) {
    const s = truth.spans[i];
    if (s !== undefined && truth.ackedBefore(i, sentAtMs) && matches(q, s)) proven.add(model === 'stream' ? s.spanId : s.traceId);
  }
  if (answer.rows.length < proven.size) {
    return `${answer.rows.length} ${model === 'stream' ? 'spans' : 'traces'} returned, at least ${proven.size} were acknowledged before the query`;
  }
  return undefined;
}
