/**
 * What differs between the stream and the trace model on the write side: how a span becomes a write request and
 * which client call writes a batch. (The query side's differences are in src/oracle: stream-model.ts, trace-model.ts.)
 */

import type { WriteOptions } from '../client/options.js';
import { toTimestamp } from '../client/timestamp.js';
import type { StreamWriteRequest, TagValue, TraceWriteRequest } from '../client/types.js';
import type { WriteBatchResult } from '../client/write.js';
import type { Span } from '../generator/generator.js';
import type { QueryClient } from '../oracle/types.js';
import type { Model } from '../results.js';
import { streamFrameEncoder, traceFrameEncoder } from '../wire/spans.js';

/**
 * The part of `BanyanDBClient` the workloads use (structural, so tests can pass a stand-in that stalls or fails).
 * `BanyanDBClient` satisfies it.
 */
export interface WorkloadClient extends QueryClient {
  writeStream(batch: StreamWriteRequest[], opts?: WorkloadWriteOptions): Promise<WorkloadWriteResult>;
  writeTrace(batch: TraceWriteRequest[], opts?: WorkloadWriteOptions): Promise<WorkloadWriteResult>;
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
  /** True when the client takes this model's pre-encoded frames (and reserves ids for them). */
  takesEncoded(client: WorkloadClient): boolean;
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
    takesEncoded: (client) => client.writeStreamEncoded !== undefined && client.reserveIds !== undefined,
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
    takesEncoded: (client) => client.writeTraceEncoded !== undefined && client.reserveIds !== undefined,
    writeSpans(client, spans, opts) {
      if (!client.writeTraceEncoded || !client.reserveIds) return undefined;
      const ids = client.reserveIds(spans.length);
      return client.writeTraceEncoded(encodeFrames(spans, ids), ids, opts);
    },
  };
}
