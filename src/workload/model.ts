/**
 * What differs between the stream and the trace model: how a span becomes a write request, which client call writes
 * a batch, and how a query response is read back into span and trace ids.
 */

import type { WriteOptions } from '../client/options.js';
import type {
  StreamQueryRequest,
  StreamQueryResponse,
  StreamWriteRequest,
  Tag,
  TagValue,
  Timestamp,
  TraceQueryRequest,
  TraceQueryResponse,
  TraceWriteRequest,
} from '../client/types.js';
import type { WriteBatchResult } from '../client/write.js';
import type { Span } from '../generator/generator.js';
import type { Model } from '../results.js';
import { streamFrameEncoder, traceFrameEncoder } from './encode.js';

/**
 * The part of `BanyanDBClient` the workloads use (structural, so tests can pass a stand-in that stalls or fails).
 * `BanyanDBClient` satisfies it.
 */
export interface WorkloadClient {
  writeStream(batch: StreamWriteRequest[], opts?: WorkloadWriteOptions): Promise<WorkloadWriteResult>;
  writeTrace(batch: TraceWriteRequest[], opts?: WorkloadWriteOptions): Promise<WorkloadWriteResult>;
  queryStream(req: StreamQueryRequest, opts?: { timeoutMs?: number; signal?: AbortSignal }): Promise<StreamQueryResponse>;
  queryTrace(req: TraceQueryRequest, opts?: { timeoutMs?: number; signal?: AbortSignal }): Promise<TraceQueryResponse>;
  /**
   * Optional pre-encoded writes (`BanyanDBClient` has them): with these three, the workload encodes spans straight
   * into WriteRequest frames (the same bytes its requests encode to) instead of building request objects.
   */
  writeStreamEncoded?(frames: readonly Uint8Array[], ids: readonly number[], opts?: WorkloadWriteOptions): Promise<WorkloadWriteResult>;
  /** See {@link WorkloadClient.writeStreamEncoded}. */
  writeTraceEncoded?(frames: readonly Uint8Array[], ids: readonly number[], opts?: WorkloadWriteOptions): Promise<WorkloadWriteResult>;
  /** Reserves `count` write ids from the client's counter (for pre-encoded writes). */
  reserveIds?(count: number): number[];
}

/** The part of the client's `WriteOptions` the workloads set. */
export type WorkloadWriteOptions = Pick<WriteOptions, 'timeoutMs' | 'signal' | 'throwOnReject'>;

/** The client's `WriteBatchResult`; `durationMs` may be left out by a stand-in client (the workload times the batch itself then). */
export type WorkloadWriteResult = Omit<WriteBatchResult, 'durationMs'> & Partial<Pick<WriteBatchResult, 'durationMs'>>;

/** A generated span, as the workload needs it: the generator's `Span`. */
export type WorkloadSpan = Span;

/** Tag names of the `primary` family (stream) and of the trace, in schema order. */
export const SPAN_TAGS = [
  'serviceId',
  'serviceInstanceId',
  'traceId',
  'startTime',
  'latency',
  'isError',
  'spanId',
  'parentSpanId',
  'operationName',
  'component',
] as const;

/** Tags the query patterns read back (the payload is never projected on the stream side). */
export const QUERY_PROJECTION = ['traceId', 'spanId', 'serviceId', 'serviceInstanceId', 'startTime', 'latency', 'isError'];

/** A span returned by a query, reduced to what correctness checks need. */
export interface ReturnedSpan {
  spanId: string;
  traceId: string;
  tags: Map<string, TagValue>;
  /** The span's payload when the answer carries it (stream: projected dataBinary; trace: the span bytes). */
  payload?: Uint8Array;
}

/** One query's answer. */
export interface QueryAnswer {
  spans: ReturnedSpan[];
  /** Trace model: number of traces returned; stream: distinct trace ids among the spans. */
  traceIds: string[];
}

export function toTimestamp(ms: number): Timestamp {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

export function timestampToMs(t: Timestamp | undefined): number {
  if (!t) return 0;
  return (t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

const str = (value: string): TagValue => ({ str: { value } });
const int = (value: number): TagValue => ({ int: { value } });

/** Tag values of a span in schema order; `startTime` as an INT (stream) or TIMESTAMP (trace). */
function spanTagValues(s: WorkloadSpan, startTimeAs: 'int' | 'timestamp'): TagValue[] {
  return [
    str(s.serviceId),
    str(s.serviceInstanceId),
    str(s.traceId),
    startTimeAs === 'int' ? int(s.startTimeMs) : { timestamp: toTimestamp(s.startTimeMs) },
    int(s.latencyMs),
    int(s.isError),
    str(s.spanId),
    str(s.parentSpanId),
    str(s.operationName),
    str(s.component),
  ];
}

/** Model-specific behaviour. */
export interface ModelAdapter<Req> {
  readonly model: Model;
  readonly group: string;
  readonly name: string;
  toWriteRequest(span: WorkloadSpan): Req;
  write(client: WorkloadClient, batch: Req[], opts: WorkloadWriteOptions): Promise<WorkloadWriteResult>;
  /**
   * Writes spans encoded directly into frames (no request objects) when the client takes pre-encoded frames;
   * returns undefined when it does not (then use `toWriteRequest` + `write`).
   */
  writeSpans?(client: WorkloadClient, spans: readonly WorkloadSpan[], opts: WorkloadWriteOptions): Promise<WorkloadWriteResult> | undefined;
}

export function streamAdapter(group: string, name: string): ModelAdapter<StreamWriteRequest> {
  const metadata = { group, name };
  const encodeFrames = streamFrameEncoder(group, name);
  return {
    model: 'stream',
    group,
    name,
    toWriteRequest(s) {
      return {
        metadata,
        element: {
          elementId: s.spanId,
          timestamp: toTimestamp(s.startTimeMs),
          tagFamilies: [{ tags: spanTagValues(s, 'int') }, { tags: [{ binaryData: s.dataBinary }] }],
        },
      };
    },
    write: (client, batch, opts) => client.writeStream(batch, opts),
    writeSpans(client, spans, opts) {
      if (!client.writeStreamEncoded || !client.reserveIds) return undefined;
      const ids = client.reserveIds(spans.length);
      return client.writeStreamEncoded(encodeFrames(spans, ids), ids, opts);
    },
  };
}

export function traceAdapter(group: string, name: string): ModelAdapter<TraceWriteRequest> {
  const metadata = { group, name };
  const encodeFrames = traceFrameEncoder(group, name);
  return {
    model: 'trace',
    group,
    name,
    toWriteRequest(s) {
      return { metadata, tags: spanTagValues(s, 'timestamp'), span: s.dataBinary };
    },
    write: (client, batch, opts) => client.writeTrace(batch, opts),
    writeSpans(client, spans, opts) {
      if (!client.writeTraceEncoded || !client.reserveIds) return undefined;
      const ids = client.reserveIds(spans.length);
      return client.writeTraceEncoded(encodeFrames(spans, ids), ids, opts);
    },
  };
}

function tagMap(tags: Tag[] | undefined): Map<string, TagValue> {
  const m = new Map<string, TagValue>();
  for (const t of tags ?? []) if (t.key !== undefined && t.value !== undefined) m.set(t.key, t.value);
  return m;
}

export function tagString(v: TagValue | undefined): string | undefined {
  return v && 'str' in v ? (v.str.value ?? '') : undefined;
}

export function tagNumber(v: TagValue | undefined): number | undefined {
  if (!v) return undefined;
  if ('int' in v) return v.int.value ?? 0;
  if ('timestamp' in v) return timestampToMs(v.timestamp);
  return undefined;
}

export function readStreamAnswer(res: StreamQueryResponse): QueryAnswer {
  const spans: ReturnedSpan[] = [];
  const traces = new Set<string>();
  for (const e of res.elements ?? []) {
    const tags = new Map<string, TagValue>();
    for (const f of e.tagFamilies ?? []) for (const [k, v] of tagMap(f.tags)) tags.set(k, v);
    const traceId = tagString(tags.get('traceId')) ?? '';
    const data = tags.get('dataBinary');
    const payload = data && 'binaryData' in data ? data.binaryData : undefined;
    spans.push({ spanId: e.elementId ?? tagString(tags.get('spanId')) ?? '', traceId, tags, ...(payload ? { payload } : {}) });
    traces.add(traceId);
  }
  return { spans, traceIds: [...traces] };
}

export function readTraceAnswer(res: TraceQueryResponse): QueryAnswer {
  const spans: ReturnedSpan[] = [];
  const traceIds: string[] = [];
  for (const t of res.traces ?? []) {
    const tags0 = t.spans?.[0] ? tagMap(t.spans[0].tags) : undefined;
    const traceId = t.traceId || tagString(tags0?.get('traceId')) || '';
    traceIds.push(traceId);
    for (const s of t.spans ?? []) {
      const tags = tagMap(s.tags);
      spans.push({ spanId: s.spanId || tagString(tags.get('spanId')) || '', traceId, tags, ...(s.span ? { payload: s.span } : {}) });
    }
  }
  return { spans, traceIds };
}
