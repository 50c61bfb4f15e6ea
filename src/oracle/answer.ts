/**
 * A query's answer, reduced to what the checks read: the returned spans (id, trace id, projected tags, payload) and
 * the trace ids, with readers for tag values.
 */
import { timestampToMs } from '../client/timestamp.js';
import type { Tag, TagValue } from '../client/types.js';
import type { SpanFacts } from './facts.js';

/** A span returned by a query, reduced to what correctness checks need. */
export interface ReturnedSpan {
  spanId: string;
  traceId: string;
  tags: Map<string, TagValue>;
  /** The span's payload when the answer carries it (stream: the projected dataBinary, not kept in `tags`; trace: the span bytes). */
  payload?: Uint8Array;
}

/** One query's answer. */
export interface QueryAnswer {
  spans: ReturnedSpan[];
  /** Trace model: number of traces returned; stream: distinct trace ids among the spans. */
  traceIds: string[];
}

export function tagMap(tags: Tag[] | undefined): Map<string, TagValue> {
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

/**
 * Bytes of what an answer carried: span payloads plus tag values (strings as UTF-8, numbers as 8 bytes). The wire
 * size is a little larger (field keys, lengths); this is what the server had to read and send.
 */
export function answerBytes(answer: QueryAnswer): number {
  let n = 0;
  for (const s of answer.spans) {
    n += s.payload?.byteLength ?? 0;
    for (const v of s.tags.values()) {
      if ('str' in v) n += Buffer.byteLength(v.str.value ?? '');
      else if ('binaryData' in v) n += v.binaryData?.byteLength ?? 0;
      else n += 8;
    }
  }
  return n;
}
