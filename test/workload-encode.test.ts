import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { messageType } from '../src/client/proto.js';
import type { StreamWriteRequest, TraceWriteRequest } from '../src/client/types.js';
import { SpanGenerator } from '../src/generator/generator.js';
import { streamFrameEncoder, traceFrameEncoder } from '../src/wire/spans.js';
import { streamAdapter, traceAdapter, type WorkloadClient, type WorkloadSpan } from '../src/workload/model.js';

const TRACE = messageType('banyandb.trace.v1.WriteRequest');
const STREAM = messageType('banyandb.stream.v1.WriteRequest');

/** What the client sent before: the adapter's request, encoded by protobufjs with the id set. */
function protoTrace(r: TraceWriteRequest, version: number): Buffer {
  return Buffer.from(TRACE.encode({ metadata: r.metadata, tags: r.tags, span: r.span, version }).finish());
}
function protoStream(r: StreamWriteRequest, messageId: number): Buffer {
  return Buffer.from(STREAM.encode({ metadata: r.metadata, element: r.element, messageId }).finish());
}

function generated(n: number): WorkloadSpan[] {
  const out: WorkloadSpan[] = [];
  const gen = new SpanGenerator({
    seed: 11,
    scale: { name: 't', spans: n * 2, traces: n, services: 30, instances: 90, timeRangeMs: 3_600_000 },
    endTimeMs: 1_764_000_000_000,
  });
  for (const s of gen.spans()) {
    out.push(s as WorkloadSpan);
    if (out.length >= n) break;
  }
  return out;
}

const base = generated(1)[0]!;
/** Spans with the awkward values: empty, non-ASCII and long strings, big and odd numbers, empty and large payloads. */
const EDGE: WorkloadSpan[] = [
  { ...base, parentSpanId: '', component: '', dataBinary: new Uint8Array(0) },
  { ...base, serviceId: 'sérvice-ü', operationName: `GET /api/${'ä'.repeat(30)}/{id}`, traceId: 'x'.repeat(39) },
  { ...base, serviceInstanceId: 'y'.repeat(40), spanId: `${'z'.repeat(100)}𝄞`, dataBinary: new Uint8Array(70_000).fill(3) },
  { ...base, startTimeMs: 0, latencyMs: 0, isError: 1 },
  { ...base, startTimeMs: 1_764_000_000_999, latencyMs: 268_435_456, isError: 0 },
  { ...base, startTimeMs: 1_764_000_000_000.5, latencyMs: -3 },
  { ...base, startTimeMs: 1_764_000_000_000.123, latencyMs: 1.5 },
  { ...base, startTimeMs: -1_500, latencyMs: 2 ** 40 },
];

describe('span frame encoder (wire/spans.ts)', () => {
  it('encodes generated spans to the bytes of the adapter requests encoded by protobufjs (trace)', () => {
    const adapter = traceAdapter('trace_performance_test', 'segment_trace');
    const encode = traceFrameEncoder('trace_performance_test', 'segment_trace');
    const spans = [...generated(3_000), ...EDGE];
    const ids = spans.map((_, i) => 1 + i * 104_729);
    for (let i = 0; i < spans.length; i += 100) {
      const batch = spans.slice(i, i + 100);
      const frames = encode(batch, ids.slice(i, i + 100));
      frames.forEach((f, k) => {
        assert.deepEqual(f, protoTrace(adapter.toWriteRequest(batch[k]!), ids[i + k]!), `span ${i + k}`);
      });
    }
  });

  it('encodes generated spans to the bytes of the adapter requests encoded by protobufjs (stream)', () => {
    const adapter = streamAdapter('stream_performance_test', 'segment_stream');
    const encode = streamFrameEncoder('stream_performance_test', 'segment_stream');
    const spans = [...generated(3_000), ...EDGE];
    const ids = spans.map((_, i) => 2 ** 33 + i);
    for (let i = 0; i < spans.length; i += 100) {
      const batch = spans.slice(i, i + 100);
      const frames = encode(batch, ids.slice(i, i + 100));
      frames.forEach((f, k) => {
        assert.deepEqual(f, protoStream(adapter.toWriteRequest(batch[k]!), ids[i + k]!), `span ${i + k}`);
      });
    }
  });

  it('strings past the tag cache bound, and repeated ones after them, still encode to their own bytes', () => {
    // The encoder keeps the tags of repeating strings (services, instances, operations, components, the last trace
    // id) up to a bound; past it strings are encoded each time. 9,000 distinct services cross the bound.
    const adapter = streamAdapter('g', 'n');
    const encode = streamFrameEncoder('g', 'n');
    const spans = Array.from({ length: 9_000 }, (_, i) => ({
      ...base,
      serviceId: `svc-${i}-${'é'.repeat(i % 3)}`,
      operationName: i % 2 ? base.operationName : `op-${i}`,
      traceId: i % 5 ? base.traceId : `t${i}`,
    }));
    spans.push({ ...base }, { ...base, serviceId: 'svc-1-é' });
    const ids = spans.map((_, i) => i + 1);
    for (let i = 0; i < spans.length; i += 500) {
      const frames = encode(spans.slice(i, i + 500), ids.slice(i, i + 500));
      frames.forEach((f, k) => {
        assert.deepEqual(f, protoStream(adapter.toWriteRequest(spans[i + k]!), ids[i + k]!), `span ${i + k}`);
      });
    }
  });

  it('handles non-ASCII group and resource names', () => {
    const span = generated(1)[0]!;
    const frames = traceFrameEncoder('grüppe', 'ñame')([span], [5]);
    assert.deepEqual(frames[0], protoTrace(traceAdapter('grüppe', 'ñame').toWriteRequest(span), 5));
  });

  it('the adapters write spans pre-encoded only when the client takes frames, with ids it reserved', async () => {
    const spans = generated(3);
    const seen: { frames: readonly Uint8Array[]; ids: readonly number[] }[] = [];
    const result = { sent: 3, acknowledged: 3, rejected: [], statusCounts: { STATUS_SUCCEED: 3 }, retries: 0 };
    const plain = {} as WorkloadClient;
    assert.equal(traceAdapter('g', 'n').writeSpans?.(plain, spans, {}), undefined);
    assert.equal(streamAdapter('g', 'n').writeSpans?.(plain, spans, {}), undefined);
    let next = 100;
    const encoded = {
      reserveIds: (count: number) => Array.from({ length: count }, () => next++),
      writeTraceEncoded: async (frames: readonly Uint8Array[], ids: readonly number[]) => {
        seen.push({ frames, ids });
        return result;
      },
    } as unknown as WorkloadClient;
    assert.equal(await traceAdapter('g', 'n').writeSpans?.(encoded, spans, {}), result);
    assert.deepEqual(seen[0]!.ids, [100, 101, 102]);
    assert.deepEqual(seen[0]!.frames[1], protoTrace(traceAdapter('g', 'n').toWriteRequest(spans[1]!), 101));
  });
});
