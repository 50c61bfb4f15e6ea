import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, encode } from '../src/client/proto.js';
import type { StreamQueryResponse, TraceQueryResponse } from '../src/client/types.js';
import { encodeStreamQueryResponse, encodeTraceQueryResponse, encodeWriteResponse } from '../src/wire/responses.js';

const STREAM = 'banyandb.stream.v1.QueryResponse';
const TRACE = 'banyandb.trace.v1.QueryResponse';

/** What the emulator sent before: protobufjs' fromObject + encode of the plain answer. */
const proto = (type: string, v: object): Buffer => Buffer.from(encode(type, v));

const values = [
  { null: 'NULL_VALUE' },
  { null: 0 },
  { str: { value: '' } },
  { str: { value: 'svc-1' } },
  { str: { value: `sérvice-ü-${'ä'.repeat(30)}` } },
  { str: { value: `${'z'.repeat(100)}𝄞` } },
  { str: {} },
  { int: { value: 0 } },
  { int: { value: 127 } },
  { int: { value: 268_435_456 } },
  { int: { value: -1 } },
  { int: { value: 1_764_000_000_123 } },
  { int: { value: Number.MAX_SAFE_INTEGER } },
  { int: { value: Number.MIN_SAFE_INTEGER } },
  { int: {} },
  { binaryData: new Uint8Array(0) },
  { binaryData: new Uint8Array(70_000).fill(7) },
  { timestamp: { seconds: 1_764_000_000, nanos: 123_000_000 } },
  { timestamp: { seconds: 0 } },
  { timestamp: { nanos: -5 } },
  { timestamp: {} },
  {},
];

const tags = (vs: object[]) => vs.map((value, i) => ({ key: `tag${i}`, value }));

describe('the emulator query answers encoded by src/wire', () => {
  it('stream answers: the same bytes as protobufjs for every value kind and edge value', () => {
    const answers: StreamQueryResponse[] = [
      {},
      { elements: [] },
      { elements: [{}] },
      { elements: [{ elementId: '', timestamp: {}, tagFamilies: [] }] },
      {
        elements: [
          {
            elementId: 'a1b2c3',
            timestamp: { seconds: 1_764_000_000, nanos: 5 },
            tagFamilies: [
              { name: 'searchable', tags: tags(values) as never },
              { name: 'data', tags: [] },
              { tags: [{ key: 'k' }, { value: { str: { value: 'v' } } }] as never },
            ],
          },
          { elementId: 'ü'.repeat(50), tagFamilies: [{ name: 'searchable', tags: tags(values.slice(3, 9)) as never }] },
        ],
      },
    ];
    for (const a of answers) {
      const mine = encodeStreamQueryResponse(a);
      assert.ok(mine, `handled: ${JSON.stringify(a).slice(0, 80)}`);
      assert.deepEqual(mine, proto(STREAM, a));
    }
  });

  it('trace answers: the same bytes as protobufjs (payloads, tags, empty traces)', () => {
    const answers: TraceQueryResponse[] = [
      {},
      { traces: [] },
      { traces: [{}] },
      { traces: [{ traceId: '', spans: [] }] },
      {
        traces: [
          {
            traceId: 't'.repeat(32),
            spans: [
              { span: new Uint8Array(9_600).fill(1), spanId: 's1', tags: tags(values) as never },
              { span: new Uint8Array(0), spanId: '' },
              { tags: [] },
            ],
          },
          {
            traceId: 'trace-ü',
            spans: [{ span: new Uint8Array([1, 2, 3]), spanId: 'x'.repeat(40), tags: tags(values.slice(0, 4)) as never }],
          },
        ],
      },
    ];
    for (const a of answers) {
      const mine = encodeTraceQueryResponse(a);
      assert.ok(mine, `handled: ${JSON.stringify(a).slice(0, 80)}`);
      assert.deepEqual(mine, proto(TRACE, a));
      // And it reads back as the same answer.
      assert.deepEqual(decode(TRACE, mine), decode(TRACE, proto(TRACE, a)));
    }
  });

  it('leaves the shapes it does not handle to protobufjs (undefined), so nothing is encoded wrongly', () => {
    const odd: object[] = [
      { strArray: { value: ['a', 'b'] } },
      { intArray: { value: [1, 2] } },
      { int: { value: '12' } },
      { int: { value: 1.5 } },
      { int: { value: 2 ** 60 } },
      { null: 'SOMETHING_ELSE' },
      { str: { value: 5 } },
      { binaryData: 'AAEC' },
      { timestamp: { seconds: 1, nanos: 2 ** 40 } },
    ];
    for (const v of odd) {
      assert.equal(
        encodeStreamQueryResponse({
          elements: [{ elementId: 'e', tagFamilies: [{ name: 'f', tags: [{ key: 'k', value: v as never }] }] }],
        }),
        undefined,
      );
      assert.equal(
        encodeTraceQueryResponse({ traces: [{ traceId: 't', spans: [{ spanId: 's', tags: [{ key: 'k', value: v as never }] }] }] }),
        undefined,
      );
    }
    assert.equal(encodeStreamQueryResponse({ trace: { traceId: 'x' } } as never), undefined);
    assert.equal(encodeTraceQueryResponse({ traceQueryResult: { traceId: 'x' } } as never), undefined);
    assert.equal(encodeTraceQueryResponse({ traces: [{ spans: [{ span: [1, 2] }] }] } as never), undefined);
  });
});

describe('the emulator write acknowledgements encoded by src/wire', () => {
  const acks: object[] = [
    {},
    { status: '' },
    { messageId: 0, status: 'STATUS_SUCCEED' },
    { messageId: 1, status: 'STATUS_SUCCEED', metadata: { group: 'g', name: 'n' } },
    {
      messageId: 2 ** 40 + 3,
      status: 'STATUS_INVALID_TIMESTAMP',
      metadata: { group: 'grüppe', name: 'x'.repeat(60), id: 7, createRevision: 5, modRevision: 1_764_000_000_000 },
    },
    { messageId: 9, status: 'STATUS_NOT_FOUND', metadata: {} },
  ];
  it('stream and trace WriteResponse: the same bytes as protobufjs', () => {
    for (const a of acks) {
      const stream = { ...a };
      const { messageId, ...rest } = a as { messageId?: number };
      const trace = messageId === undefined ? rest : { ...rest, version: messageId };
      assert.deepEqual(encodeWriteResponse('stream', stream), proto('banyandb.stream.v1.WriteResponse', stream));
      assert.deepEqual(encodeWriteResponse('trace', trace), proto('banyandb.trace.v1.WriteResponse', trace));
    }
  });
  it('leaves odd shapes to protobufjs', () => {
    assert.equal(encodeWriteResponse('stream', { messageId: '5', status: 'S' }), undefined);
    assert.equal(encodeWriteResponse('trace', { version: 1.5 }), undefined);
    assert.equal(encodeWriteResponse('stream', { messageId: -1 }), undefined);
    assert.equal(encodeWriteResponse('stream', { metadata: { id: -1 } }), undefined);
    assert.equal(encodeWriteResponse('trace', { metadata: { modRevision: 2 ** 60 } }), undefined);
  });
});
