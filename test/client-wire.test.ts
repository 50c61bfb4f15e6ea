import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, messageType } from '../src/client/proto.js';
import type { Metadata, StreamWriteRequest, TagValue, TraceWriteRequest } from '../src/client/types.js';
import { ACK_DECODERS } from '../src/client/write.js';
import { SpanGenerator } from '../src/generator/generator.js';
import { encodeStreamRequests, encodeStreamWrite, encodeTraceRequests, encodeTraceWrite } from '../src/wire/requests.js';
import { streamAdapter, traceAdapter } from '../src/workload/model.js';

const TRACE = messageType('banyandb.trace.v1.WriteRequest');
const STREAM = messageType('banyandb.stream.v1.WriteRequest');

/** The client's previous encoding: protobufjs raw encode, non-numeric `null` tags sent as `{ null: 0 }`. */
const fixNulls = (tags: TagValue[] | undefined): TagValue[] | undefined =>
  tags?.map((t) => {
    const v = (t as { null?: unknown }).null;
    return v !== undefined && typeof v !== 'number' ? { null: 0 } : t;
  });

function protoTrace(metadata: Metadata | undefined, req: TraceWriteRequest, version: number): Buffer {
  return Buffer.from(TRACE.encode({ metadata, tags: fixNulls(req.tags), span: req.span, version, tagSpec: req.tagSpec }).finish());
}

function protoStream(metadata: Metadata | undefined, req: StreamWriteRequest, messageId: number): Buffer {
  const e = req.element;
  const element = e?.tagFamilies ? { ...e, tagFamilies: e.tagFamilies.map((f) => ({ tags: fixNulls(f.tags) })) } : e;
  return Buffer.from(STREAM.encode({ metadata, element, messageId, tagFamilySpec: req.tagFamilySpec }).finish());
}

const MD = { group: 'trace_performance_test', name: 'segment_trace' };

/** Tag values covering every TagValue case and the awkward numbers. */
const EDGE_TAGS: TagValue[] = [
  { str: { value: '' } },
  { str: {} },
  { str: { value: 'ascii' } },
  { str: { value: 'héllo wörld, ünïcödé ✓ 𝄞' } },
  { str: { value: 'x'.repeat(39) } },
  { str: { value: `${'é'.repeat(45)}𝄞` } },
  { str: { value: 'lone \ud800 surrogate' } },
  { str: { value: 'a lone surrogate \ud800 in the middle' } },
  { str: { value: `long lone ${'y'.repeat(50)}\udc00` } },
  { int: { value: 0 } },
  { int: {} },
  { int: { value: 127 } },
  { int: { value: 128 } },
  { int: { value: 268_435_455 } },
  { int: { value: 268_435_456 } },
  { int: { value: 2 ** 32 } },
  { int: { value: Number.MAX_SAFE_INTEGER } },
  { int: { value: -1 } },
  { int: { value: -(2 ** 40) } },
  { int: { value: 1.75 } },
  { int: { value: -0 } },
  { int: { value: 1_764_000_000_123 } },
  { strArray: { value: ['a', '', 'ü'] } },
  { strArray: { value: [] } },
  { strArray: {} },
  { intArray: { value: [0, 1, -1, 300, 2 ** 35] } },
  { intArray: { value: [] } },
  { binaryData: new Uint8Array([1, 2, 3]) },
  { binaryData: new Uint8Array(0) },
  { binaryData: Buffer.alloc(20_000, 7) },
  { timestamp: { seconds: 1_764_000_000, nanos: 123_000_000 } },
  { timestamp: { seconds: 0, nanos: 0 } },
  { timestamp: {} },
  { timestamp: { seconds: -5, nanos: -1 } },
  { timestamp: { seconds: 1, nanos: 3e9 } },
  { null: 0 },
  { null: 'NULL_VALUE' },
  { null: null } as unknown as TagValue,
];

function generated(n: number): ReturnType<SpanGenerator['spans']> extends Iterable<infer S> ? S[] : never {
  const out = [];
  const gen = new SpanGenerator({
    seed: 3,
    scale: { name: 't', spans: n * 2, traces: n, services: 20, instances: 60, timeRangeMs: 3_600_000 },
    endTimeMs: 1_764_000_000_000,
  });
  for (const s of gen.spans()) {
    out.push(s);
    if (out.length >= n) break;
  }
  return out as never;
}

describe('direct write-request encoder (wire/requests.ts)', () => {
  it('encodes generated trace write requests byte for byte like protobufjs', () => {
    const adapter = traceAdapter(MD.group, MD.name);
    let version = 1;
    for (const s of generated(2_000)) {
      const req = adapter.toWriteRequest(s);
      const v = version++ * 7919;
      assert.deepEqual(encodeTraceWrite(req.metadata, req, v), protoTrace(req.metadata, req, v));
    }
  });

  it('encodes generated stream write requests byte for byte like protobufjs', () => {
    const adapter = streamAdapter('stream_performance_test', 'segment_stream');
    let id = 1;
    for (const s of generated(2_000)) {
      const req = adapter.toWriteRequest(s);
      const v = id++ * 104_729;
      assert.deepEqual(encodeStreamWrite(req.metadata, req, v), protoStream(req.metadata, req, v));
    }
  });

  it('matches protobufjs on every tag value case, one at a time and all together', () => {
    const span = new Uint8Array([9, 8, 7]);
    for (const [k, tag] of [...EDGE_TAGS.map((t, i) => [i, [t]] as const), [-1, EDGE_TAGS] as const]) {
      const tags = tag as TagValue[];
      const tr: TraceWriteRequest = { metadata: MD, tags, span };
      assert.deepEqual(encodeTraceWrite(MD, tr, 42), protoTrace(MD, tr, 42), `trace, tag case ${k}`);
      const sr: StreamWriteRequest = {
        metadata: MD,
        element: { elementId: 'e', timestamp: { seconds: 1, nanos: 2 }, tagFamilies: [{ tags }, { tags: [] }, {}] },
      };
      assert.deepEqual(encodeStreamWrite(MD, sr, 42), protoStream(MD, sr, 42), `stream, tag case ${k}`);
    }
  });

  it('matches protobufjs on optional parts: metadata fields, specs, empty and missing fields, big ids', () => {
    const metas: (Metadata | undefined)[] = [
      undefined,
      {},
      { group: 'g' },
      { group: '', name: '' },
      { group: 'g', name: 'n', id: 7, createRevision: 2 ** 40, modRevision: -3 },
    ];
    const ids = [0, 1, 300, 2 ** 31, 2 ** 53 - 1];
    for (const md of metas) {
      for (const id of ids) {
        const traces: TraceWriteRequest[] = [
          {},
          { tags: [] },
          { span: new Uint8Array(0) },
          { tagSpec: {} },
          { tagSpec: { tagNames: ['a', 'bb', ''] } },
          { tags: [{ str: { value: 's' } }], span: new Uint8Array(5), tagSpec: { tagNames: [] } },
        ];
        for (const r of traces) assert.deepEqual(encodeTraceWrite(md, r, id), protoTrace(md, r, id), JSON.stringify({ md, id, r }));
        const streams: StreamWriteRequest[] = [
          {},
          { element: {} },
          { element: { elementId: '', tagFamilies: [] } },
          { tagFamilySpec: [] },
          { tagFamilySpec: [{ name: 'primary', tagNames: ['a', 'b'] }, {}, { tagNames: [] }] },
        ];
        for (const r of streams) assert.deepEqual(encodeStreamWrite(md, r, id), protoStream(md, r, id), JSON.stringify({ md, id, r }));
      }
    }
  });

  it('returns undefined for shapes it does not handle, and the client still encodes them through protobufjs', () => {
    const odd: TraceWriteRequest[] = [
      { metadata: MD, tags: [{ int: { value: '12' as unknown as number } }] },
      { metadata: MD, span: 'AQID' as unknown as Uint8Array },
      { metadata: MD, tags: [{ str: { value: 5 as unknown as string } }] },
      { metadata: MD, tags: { length: 1 } as unknown as TagValue[] },
      { metadata: MD, tags: [{ int: 5 } as unknown as TagValue] },
      { metadata: MD, tags: [{ timestamp: { seconds: 1, nanos: '2' as unknown as number } }] },
    ];
    for (const r of odd) {
      assert.equal(encodeTraceWrite(MD, r, 1), undefined, JSON.stringify(r));
      let expected: Buffer | undefined;
      let expectedError: unknown;
      try {
        expected = protoTrace(MD, r, 1);
      } catch (err) {
        expectedError = err;
      }
      if (expectedError) assert.throws(() => encodeTraceRequests([r], [1]));
      else assert.deepEqual(encodeTraceRequests([r], [1])[0], expected);
    }
    const s: StreamWriteRequest = { metadata: MD, element: { timestamp: { seconds: 1n as unknown as number } } };
    assert.equal(encodeStreamWrite(MD, s, 1), undefined);
  });

  it('is used by encodeTraceRequests / encodeStreamRequests, metadata carried over from the previous request', () => {
    const spans = generated(50);
    const t = traceAdapter(MD.group, MD.name);
    const traceBatch = spans.map((x, i) => {
      const r = t.toWriteRequest(x);
      return i === 0 ? r : { ...r, metadata: undefined };
    });
    const ids = spans.map((_, i) => i + 1);
    const frames = encodeTraceRequests(traceBatch, ids);
    frames.forEach((f, i) => {
      assert.deepEqual(f, protoTrace(MD, traceBatch[i]!, i + 1));
    });
    const st = streamAdapter('sg', 'sn');
    const streamBatch = spans.map((x, i) => {
      const r = st.toWriteRequest(x);
      return i === 0 ? r : { ...r, metadata: undefined };
    });
    const sframes = encodeStreamRequests(streamBatch, ids);
    sframes.forEach((f, i) => {
      assert.deepEqual(f, protoStream({ group: 'sg', name: 'sn' }, streamBatch[i]!, i + 1));
    });
  });

  it('never mutates the caller objects', () => {
    const req: TraceWriteRequest = { metadata: MD, tags: [{ null: 'NULL_VALUE' }, { str: { value: 'a' } }], span: new Uint8Array(2) };
    const before = JSON.stringify(req);
    encodeTraceWrite(MD, req, 1);
    assert.equal(JSON.stringify(req), before);
  });
});

describe('write acknowledgements', () => {
  const cases: [string, 'stream' | 'trace', string, (id: number, status: string) => object][] = [
    ['stream', 'stream', 'banyandb.stream.v1.WriteResponse', (id, status) => ({ messageId: id, status, metadata: MD })],
    ['trace', 'trace', 'banyandb.trace.v1.WriteResponse', (id, status) => ({ version: id, status, metadata: MD })],
  ];
  const ids = [0, 1, 127, 128, 300, 16_383, 16_384, 2 ** 31, 2 ** 32 + 7, Number.MAX_SAFE_INTEGER];
  const statuses = ['STATUS_SUCCEED', 'STATUS_INTERNAL_ERROR', 'STATUS_NOT_FOUND', 'STATUS_SUCCEEX', '', 'statüs ✓'];
  for (const [label, kind, type, build] of cases) {
    it(`${label}: the hand-written reader agrees with protobufjs on ids, statuses, metadata and truncation`, () => {
      const t = messageType(type);
      const decodeAck = ACK_DECODERS[kind];
      for (const id of ids) {
        for (const status of statuses) {
          const bytes = Buffer.from(t.encode(t.fromObject(build(id, status))).finish());
          const want = decode<{ messageId?: number; version?: number; status?: string }>(type, bytes);
          assert.deepEqual(decodeAck(bytes), { id: want.messageId ?? want.version ?? 0, status: want.status ?? '' }, `${id} ${status}`);
        }
      }
      // A field the reader does not know (fixed64, wire type 1) makes it defer to protobufjs, which skips it.
      const withUnknown = Buffer.concat([
        Buffer.from(t.encode(t.fromObject(build(42, 'STATUS_SUCCEED'))).finish()),
        Buffer.from([0x49, 1, 2, 3, 4, 5, 6, 7, 8]),
      ]);
      assert.deepEqual(decodeAck(withUnknown), { id: 42, status: 'STATUS_SUCCEED' });
      // Truncated input reads exactly as protobufjs reads it (or throws where it throws).
      const whole = Buffer.from(t.encode(t.fromObject(build(42, 'STATUS_SUCCEED'))).finish());
      const attempt = <T>(f: () => T): T | 'throws' => {
        try {
          return f();
        } catch {
          return 'throws';
        }
      };
      for (let cut = 1; cut < whole.length; cut++) {
        const bytes = whole.subarray(0, whole.length - cut);
        const want = attempt(() => {
          const w = decode<{ messageId?: number; version?: number; status?: string }>(type, bytes);
          return { id: w.messageId ?? w.version ?? 0, status: w.status ?? '' };
        });
        assert.deepEqual(
          attempt(() => decodeAck(bytes)),
          want,
          `cut ${cut}`,
        );
      }
    });
  }
});
