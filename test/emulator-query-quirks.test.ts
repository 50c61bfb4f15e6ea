/**
 * One test per query-side behaviour of BanyanDB 0.10.3 the emulator reproduces, named by its number in
 * ../shared/conformance/FACTS.md (24-39), over real gRPC with a small data set of our own. Where a test pins
 * a mechanism derived from 0.10.3's code rather than seen in the recording, it says so.
 *
 * Expected xxHash64 values were computed independently (libxxhash's XXH64, seed 0).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ServiceError, status } from '@grpc/grpc-js';
import type { TagValue } from '../src/client/types.js';
import { type Emulator, startEmulator } from '../src/emulator/index.js';
import { xxhash64Hex } from '../src/emulator/xxhash64.js';
import { int, str, TestClient, ts, tsv } from './emulator-helpers.js';

const SG = 'qq_stream';
const TG = 'qq_trace';
/** The start of the hour two hours ago: recent (inside the 7-day TTL) and the data never crosses a day. */
const BASE = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000;
const at = (ms: number) => ts(BASE + ms);

const group = (name: string, catalog: string) => ({
  metadata: { name },
  catalog,
  resourceOpts: { shardNum: 2, segmentInterval: { unit: 'UNIT_DAY', num: 1 }, ttl: { unit: 'UNIT_DAY', num: 7 } },
});
const window = { beginAt: { seconds: 1_704_067_200 }, expireAt: { seconds: 1_893_456_000 } };
const STREAM_TAGS = ['serviceId', 'serviceInstanceId', 'traceId', 'latency', 'isError', 'spanId', 'operationName'];
const streamSchema = (name: string) => ({
  metadata: { group: SG, name },
  tagFamilies: [
    {
      name: 'primary',
      tags: STREAM_TAGS.map((t) => ({ name: t, type: t === 'latency' || t === 'isError' ? 'TAG_TYPE_INT' : 'TAG_TYPE_STRING' })),
    },
    { name: 'data_binary', tags: [{ name: 'dataBinary', type: 'TAG_TYPE_DATA_BINARY' }] },
  ],
  entity: { tagNames: ['serviceId', 'serviceInstanceId'] },
});
const TRACE_TAGS: [string, string][] = [
  ['serviceId', 'TAG_TYPE_STRING'],
  ['serviceInstanceId', 'TAG_TYPE_STRING'],
  ['traceId', 'TAG_TYPE_STRING'],
  ['startTime', 'TAG_TYPE_TIMESTAMP'],
  ['latency', 'TAG_TYPE_INT'],
  ['isError', 'TAG_TYPE_INT'],
  ['spanId', 'TAG_TYPE_STRING'],
  ['operationName', 'TAG_TYPE_STRING'],
];
const traceSchema = (name: string) => ({
  metadata: { group: TG, name },
  tags: TRACE_TAGS.map(([n, type]) => ({ name: n, type })),
  traceIdTagName: 'traceId',
  timestampTagName: 'startTime',
  spanIdTagName: 'spanId',
});

interface El {
  id: string;
  svc: string;
  ms: number;
  latency: number;
  isError?: number;
}
/** Service a is on shard 0, b on shard 1 (xxHash64("segment" + service + instance) % 2). */
const ELEMENTS: El[] = [
  { id: 'e1', svc: 'a', ms: 1000, latency: 7 },
  { id: 'e2', svc: 'a', ms: 2000, latency: 7 },
  { id: 'e3', svc: 'b', ms: 3000, latency: 7 },
  { id: 'e4', svc: 'b', ms: 4000, latency: 7 },
  { id: 'e5', svc: 'a', ms: 5000, latency: 3, isError: 1 },
];
const streamWrite = (name: string, e: El, i: number) => ({
  metadata: { group: SG, name },
  messageId: i + 1,
  element: {
    elementId: e.id,
    timestamp: at(e.ms),
    tagFamilies: [
      {
        tags: [str(e.svc), str(`${e.svc}-i0`), str(`t-${e.id}`), int(e.latency), int(e.isError ?? 0), str(e.id), str('op-x')],
      },
      { tags: [{ binaryData: Buffer.from(`payload-${e.id}`) }] },
    ],
  },
});

interface Sp {
  trace: string;
  span: string;
  svc: string;
  ms: number;
  latency: number;
  isError?: number;
  op: string;
}
/**
 * Traces q-1, q-2, q-4, q-5, q-6 are on shard 0 and q-3 on shard 1 (xxHash64(trace id) % 2). Series are
 * (service, service-i0).
 */
const SPANS: Sp[] = [
  { trace: 'q-1', span: 'q-1.0', svc: 'a', ms: 1000, latency: 10, op: 'op-y' },
  { trace: 'q-1', span: 'q-1.1', svc: 'b', ms: 2000, latency: 20, op: 'op-y' },
  { trace: 'q-4', span: 'q-4.0', svc: 'c', ms: 3000, latency: 40, op: 'op-y' },
  { trace: 'q-3', span: 'q-3.0', svc: 'd', ms: 4000, latency: 50, op: 'op-x' },
  { trace: 'q-5', span: 'q-5.0', svc: 'a', ms: 10_000, latency: 5, isError: 1, op: 'op-x' },
  { trace: 'q-5', span: 'q-5.1', svc: 'b', ms: 11_000, latency: 300, op: 'op-y' },
  { trace: 'q-6', span: 'q-6.0', svc: 'c', ms: 20_000, latency: 1, isError: 1, op: 'op-y' },
  { trace: 'q-2', span: 'q-2.0', svc: 'a', ms: 50_000, latency: 30, op: 'op-y' },
];
const traceWrite = (name: string, s: Sp, i: number) => ({
  metadata: { group: TG, name },
  version: i + 1,
  tags: [str(s.svc), str(`${s.svc}-i0`), str(s.trace), tsv(BASE + s.ms), int(s.latency), int(s.isError ?? 0), str(s.span), str(s.op)],
  span: Buffer.from(`span-${s.span}`),
});

type Elements = {
  elements?: { elementId: string; timestamp: object; tagFamilies?: { name: string; tags: { key: string; value: TagValue }[] }[] }[];
};
type Traces = { traces?: { traceId: string; spans: { spanId: string; span?: Uint8Array; tags?: { key: string; value: TagValue }[] }[] }[] };

const cond = (name: string, op: string, value: object) => ({ condition: { name, op, value } });
const and = (left: object, right: object) => ({ le: { op: 'LOGICAL_OP_AND', left, right } });
const or = (left: object, right: object) => ({ le: { op: 'LOGICAL_OP_OR', left, right } });

async function rejects(p: Promise<unknown>, code: status, details: string | RegExp): Promise<void> {
  await assert.rejects(p, (err: ServiceError) => {
    assert.equal(err.code, code, `expected ${status[code]}, got ${status[err.code]}: ${err.details}`);
    if (typeof details === 'string') assert.equal(err.details, details);
    else assert.match(err.details, details);
    return true;
  });
}

describe('emulator: BanyanDB 0.10.3 query quirks (FACTS 24-39)', () => {
  let emu: Emulator;
  let c: TestClient;
  const elQ = { groups: [SG], name: 'segment', projection: { tagFamilies: [{ name: 'primary', tags: ['spanId'] }] } };
  const elements = async (req: object): Promise<string[]> =>
    ((await c.call<Elements>('streamData', 'Query', { ...elQ, ...req })).elements ?? []).map(
      (e) => (e.tagFamilies?.[0]?.tags[0]?.value as { str?: { value?: string } })?.str?.value ?? '?',
    );
  const trQ = { groups: [TG], name: 'segment' };
  const traces = async (req: object): Promise<string[]> =>
    ((await c.call<Traces>('traceData', 'Query', { ...trQ, ...req })).traces ?? []).map((t) => t.traceId);
  const time = (sort?: string) => ({ orderBy: { indexRuleName: 'time_idx', ...(sort ? { sort } : {}) } });
  const lat = (sort?: string) => ({ orderBy: { indexRuleName: 'latency_idx', ...(sort ? { sort } : {}) } });

  before(async () => {
    emu = await startEmulator();
    c = new TestClient(emu.grpcAddress);
    await c.call('group', 'Create', { group: group(SG, 'CATALOG_STREAM') });
    await c.call('group', 'Create', { group: group(TG, 'CATALOG_TRACE') });
    for (const n of ['segment', 'filler']) await c.call('stream', 'Create', { stream: streamSchema(n) });
    for (const n of ['segment', 'filler']) await c.call('trace', 'Create', { trace: traceSchema(n) });
    for (const [name, tags] of [
      ['latency_index', ['latency']],
      ['trace_id_index', ['traceId']],
    ] as const)
      await c.call('indexRule', 'Create', { indexRule: { metadata: { group: SG, name }, tags, type: 'TYPE_INVERTED' } });
    for (const [name, tags] of [
      ['time_idx', ['serviceId', 'serviceInstanceId', 'startTime']],
      ['latency_idx', ['serviceId', 'serviceInstanceId', 'latency']],
    ] as const)
      await c.call('indexRule', 'Create', { indexRule: { metadata: { group: TG, name }, tags, type: 'TYPE_TREE' } });
    for (const n of ['segment', 'filler']) {
      await c.call('indexRuleBinding', 'Create', {
        indexRuleBinding: {
          metadata: { group: SG, name: `${n}_binding` },
          rules: ['latency_index', 'trace_id_index'],
          subject: { catalog: 'CATALOG_STREAM', name: n },
          ...window,
        },
      });
      await c.call('indexRuleBinding', 'Create', {
        indexRuleBinding: {
          metadata: { group: TG, name: `${n}_binding` },
          rules: ['time_idx', 'latency_idx'],
          subject: { catalog: 'CATALOG_TRACE', name: n },
          ...window,
        },
      });
    }
    const filler = Array.from({ length: 25 }, (_, i) => ({
      id: `f${String(i).padStart(2, '0')}`,
      svc: 'a',
      ms: 100_000 + i,
      latency: 100 + i,
    }));
    for (const r of [
      await c.write(
        'streamData',
        ELEMENTS.map((e, i) => streamWrite('segment', e, i)),
      ),
      await c.write(
        'streamData',
        filler.map((e, i) => streamWrite('filler', e, i)),
      ),
      await c.write(
        'traceData',
        SPANS.map((s, i) => traceWrite('segment', s, i)),
      ),
      await c.write(
        'traceData',
        filler.map((e, i) =>
          traceWrite('filler', { trace: `t-${e.id}`, span: e.id, svc: 'a', ms: e.ms, latency: e.latency, op: 'op-y' }, i),
        ),
      ),
    ]) {
      assert.equal(r.error, undefined);
      assert.ok(r.responses.every((x) => x.status === 'STATUS_SUCCEED'));
    }
  });

  after(async () => {
    c.close();
    await emu.close();
  });

  it('xxHash64 matches independent vectors (lengths across the 4/8/32-byte steps)', () => {
    const vectors: [string, string][] = [
      ['', 'ef46db3751d8e999'],
      ['a', 'd24ec4f1a98c6e5b'],
      ['abc', '44bc2cf5ad770999'],
      ['abcd', 'de0327b0d25d92cc'],
      ['abcdefgh', '3ad351775b4634b7'],
      ['abcdefghijklm', '934adbc0ebc51325'],
      ['a'.repeat(31), 'fe47067cda802916'],
      ['b'.repeat(32), '52f8a81967c87ae4'],
      ['c'.repeat(33), '6b5ae379150a1f87'],
      [`${'x'.repeat(100)}yz12345`, '9909308e4294afed'],
    ];
    for (const [input, hex] of vectors) assert.equal(xxhash64Hex(input), hex, JSON.stringify(input));
  });

  it('FACT 24: element_id is xxHash64("<group>|<stream>|<written id>") in 16 lowercase hex digits', async () => {
    const res = await c.call<Elements>('streamData', 'Query', { ...elQ, limit: 2 });
    assert.deepEqual(
      res.elements?.map((e) => e.elementId),
      ['c4faae69ef3768f6', '353b74f0d6da195c'],
    );
  });

  it('FACT 25: ascending time without order_by; index orders alternate equal keys between the shards', async () => {
    assert.deepEqual(await elements({}), ['e1', 'e2', 'e3', 'e4', 'e5']);
    assert.deepEqual(await elements({ orderBy: { sort: 'SORT_DESC' } }), ['e5', 'e4', 'e3', 'e2', 'e1']);
    // latency 7 is shared by e1, e2 (shard 0) and e3, e4 (shard 1): Go's heap alternates the shards.
    assert.deepEqual(await elements({ orderBy: { indexRuleName: 'latency_index', sort: 'SORT_ASC' } }), ['e5', 'e3', 'e1', 'e4', 'e2']);
    assert.deepEqual(await elements({ orderBy: { indexRuleName: 'latency_index' } }), ['e5', 'e3', 'e1', 'e4', 'e2']);
    assert.deepEqual(await elements({ orderBy: { indexRuleName: 'latency_index', sort: 'SORT_DESC' } }), ['e1', 'e3', 'e2', 'e4', 'e5']);
  });

  it('FACT 26: both bounds inclusive; end before begin empty; texts of bad ranges', async () => {
    assert.deepEqual(await elements({ timeRange: { begin: at(2000), end: at(4000) } }), ['e2', 'e3', 'e4']);
    assert.deepEqual(await elements({ timeRange: { begin: at(3000), end: at(3000) } }), ['e3']);
    assert.deepEqual(await elements({ timeRange: { begin: at(4000), end: at(2000) } }), []);
    const b = at(1000);
    await rejects(
      c.call('streamData', 'Query', { ...elQ, timeRange: { begin: { ...b, nanos: 7 }, end: at(2000) } }),
      status.INVALID_ARGUMENT,
      `begin:{seconds:${b.seconds} nanos:7} end:{seconds:${at(2000).seconds}} is invalid :time is not millisecond precision`,
    );
    await rejects(
      c.call('streamData', 'Query', { ...elQ, timeRange: { begin: at(1500) } }),
      status.INVALID_ARGUMENT,
      `begin:{seconds:${at(1500).seconds} nanos:500000000} is invalid :time is empty`,
    );
    await rejects(c.call('streamData', 'Query', { ...elQ, timeRange: {} }), status.INVALID_ARGUMENT, '');
  });

  it('FACT 27: limit 0 or absent means 20; offset skips; offset past the end is empty', async () => {
    const filler = { ...elQ, name: 'filler' };
    assert.equal((await c.call<Elements>('streamData', 'Query', filler)).elements?.length, 20);
    assert.equal((await c.call<Elements>('streamData', 'Query', { ...filler, limit: 0 })).elements?.length, 20);
    assert.deepEqual(await elements({ offset: 3, limit: 10 }), ['e4', 'e5']);
    assert.deepEqual(await elements({ offset: 10 }), []);
  });

  it('FACT 28: conditions on entity, indexed and plain tags; a str value on an INT tag and MATCH give nothing', async () => {
    assert.deepEqual(await elements({ criteria: cond('serviceId', 'BINARY_OP_EQ', str('b')) }), ['e3', 'e4']);
    assert.deepEqual(await elements({ criteria: cond('isError', 'BINARY_OP_EQ', int(1)) }), ['e5']);
    assert.deepEqual(await elements({ criteria: cond('latency', 'BINARY_OP_LT', int(7)) }), ['e5']);
    assert.deepEqual(await elements({ criteria: cond('spanId', 'BINARY_OP_IN', { strArray: { value: ['e2', 'e4'] } }) }), ['e2', 'e4']);
    assert.deepEqual(
      await elements({
        criteria: or(
          cond('spanId', 'BINARY_OP_EQ', str('e1')),
          and(cond('serviceId', 'BINARY_OP_EQ', str('b')), cond('spanId', 'BINARY_OP_NE', str('e3'))),
        ),
      }),
      ['e1', 'e4'],
    );
    assert.deepEqual(await elements({ criteria: cond('latency', 'BINARY_OP_EQ', str('7')) }), []);
    assert.deepEqual(await elements({ criteria: cond('operationName', 'BINARY_OP_MATCH', str('op-x')) }), []);
  });

  it('FACT 29: projection rules and texts', async () => {
    await rejects(
      c.call('streamData', 'Query', { groups: [SG], name: 'segment' }),
      status.INVALID_ARGUMENT,
      'invalid QueryRequest.Projection: value is required',
    );
    const bare = await c.call<Elements>('streamData', 'Query', { ...elQ, limit: 1, projection: { tagFamilies: [{ name: 'primary' }] } });
    assert.ok(bare.elements?.[0]?.elementId);
    assert.deepEqual(bare.elements?.[0]?.tagFamilies ?? [], []);
    const wrong = await c.call<Elements>('streamData', 'Query', {
      ...elQ,
      limit: 1,
      projection: { tagFamilies: [{ name: 'nope', tags: ['spanId'] }] },
    });
    assert.deepEqual(wrong.elements?.[0]?.tagFamilies, [{ name: 'nope', tags: [{ key: 'spanId', value: { null: 'NULL_VALUE' } }] }]);
    await rejects(
      c.call('streamData', 'Query', { ...elQ, projection: { tagFamilies: [{ name: 'primary', tags: ['nope'] }] } }),
      status.UNKNOWN,
      'code: STATUS_INTERNAL_ERROR, msg: fail to analyze the query request for stream segment: nope: tag is not defined: invalid query message',
    );
  });

  it('FACT 30: query error texts', async () => {
    const msg = (m: string) => `code: STATUS_INTERNAL_ERROR, msg: ${m}: invalid query message`;
    await rejects(
      c.call('streamData', 'Query', { ...elQ, orderBy: { indexRuleName: 'nope_index' } }),
      status.UNKNOWN,
      msg('fail to analyze the query request for stream segment: nope_index: index is not define for the tag'),
    );
    await rejects(
      c.call('streamData', 'Query', { ...elQ, criteria: cond('nope', 'BINARY_OP_EQ', str('x')) }),
      status.UNKNOWN,
      msg('fail to analyze the query request for stream segment: tag "nope" does not exist in the current schema: tag is not defined'),
    );
    await rejects(
      c.call('streamData', 'Query', { ...elQ, name: 'nope' }),
      status.UNKNOWN,
      msg("fail to get execution context for stream nope: stream doesn't exist"),
    );
    await rejects(
      c.call('streamData', 'Query', { ...elQ, groups: [] }),
      status.INVALID_ARGUMENT,
      'invalid QueryRequest.Groups: value must contain at least 1 item(s)',
    );
    await rejects(
      c.call('streamData', 'Query', { ...elQ, name: '' }),
      status.INVALID_ARGUMENT,
      'invalid QueryRequest.Name: value length must be at least 1 runes',
    );
  });

  it('FACT 31: a trace query needs trace ids or an order rule; a sort alone finds nothing', async () => {
    const neither =
      'code: STATUS_INTERNAL_ERROR, msg: execute the query plan for trace segment: invalid query options: either traceIDs or order must be specified: invalid query message';
    await rejects(c.call('traceData', 'Query', trQ), status.UNKNOWN, neither);
    await rejects(c.call('traceData', 'Query', { ...trQ, criteria: cond('traceId', 'BINARY_OP_NE', str('q-1')) }), status.UNKNOWN, neither);
    await rejects(
      c.call('traceData', 'Query', { ...trQ, criteria: cond('spanId', 'BINARY_OP_EQ', str('q-1.0')) }),
      status.UNKNOWN,
      neither,
    );
    assert.deepEqual(await traces({ orderBy: { sort: 'SORT_DESC' } }), []);
    await rejects(
      c.call('traceData', 'Query', { ...trQ, orderBy: { indexRuleName: 'nope_index' } }),
      status.UNKNOWN,
      'code: STATUS_INTERNAL_ERROR, msg: fail to analyze the query request for trace segment: index rule nope_index not found: invalid query message',
    );
  });

  it('FACT 32: trace ids come back ascending, order_by ignored, limit/offset count traces, extra conditions filter', async () => {
    const ids = cond('traceId', 'BINARY_OP_IN', { strArray: { value: ['q-3', 'q-1', 'nope'] } });
    assert.deepEqual(await traces({ criteria: ids }), ['q-1', 'q-3']);
    assert.deepEqual(await traces({ criteria: ids, ...lat('SORT_DESC') }), ['q-1', 'q-3']);
    const known = cond('traceId', 'BINARY_OP_IN', { strArray: { value: ['q-3', 'q-1'] } });
    assert.deepEqual(await traces({ criteria: known, limit: 1 }), ['q-1']);
    // From 0.10.3's code: the sorted ids are cut to limit+offset before they are looked up, so a missing id
    // that sorts first ("nope" < "q-1") takes the only place.
    assert.deepEqual(await traces({ criteria: ids, limit: 1 }), []);
    assert.deepEqual(await traces({ criteria: ids, offset: 1 }), ['q-3']);
    assert.deepEqual(
      await traces({ criteria: or(cond('traceId', 'BINARY_OP_EQ', str('q-4')), cond('traceId', 'BINARY_OP_EQ', str('q-2'))) }),
      ['q-2', 'q-4'],
    );
    const errorsOnly = and(
      cond('traceId', 'BINARY_OP_IN', { strArray: { value: ['q-1', 'q-5'] } }),
      cond('isError', 'BINARY_OP_EQ', int(1)),
    );
    assert.deepEqual(await traces({ criteria: errorsOnly }), ['q-5']);
    // From 0.10.3's code: the sorted ids are cut to limit+offset before the row filter runs.
    assert.deepEqual(await traces({ criteria: errorsOnly, limit: 1 }), []);
  });

  it('FACT 33: whole traces; without tag_projection spans carry only span and spanId', async () => {
    const res = await c.call<Traces>('traceData', 'Query', { ...trQ, criteria: cond('traceId', 'BINARY_OP_EQ', str('q-5')) });
    const spans = res.traces?.[0]?.spans ?? [];
    assert.deepEqual(spans.map((s) => s.spanId).sort(), ['q-5.0', 'q-5.1']);
    for (const s of spans) {
      assert.deepEqual(s.tags ?? [], []);
      assert.equal(Buffer.from(s.span ?? []).toString(), `span-${s.spanId}`);
    }
    // The order_by path returns the whole trace too, although only q-5.0 matches.
    const ordered = await c.call<Traces>('traceData', 'Query', {
      ...trQ,
      ...time('SORT_DESC'),
      criteria: cond('isError', 'BINARY_OP_NE', int(0)),
    });
    assert.deepEqual(ordered.traces?.find((t) => t.traceId === 'q-5')?.spans.length, 2);
  });

  it('FACT 34: limit 0 or absent returns 20 traces', async () => {
    assert.equal((await c.call<Traces>('traceData', 'Query', { ...trQ, name: 'filler', ...time('SORT_DESC') })).traces?.length, 20);
    assert.equal(
      (await c.call<Traces>('traceData', 'Query', { ...trQ, name: 'filler', ...time('SORT_DESC'), limit: 0 })).traces?.length,
      20,
    );
  });

  it('FACT 35: order_by-path filters: INT EQ never matches; other tags are read by position, so the projection decides', async () => {
    const isError1 = cond('isError', 'BINARY_OP_EQ', int(1));
    for (const tagProjection of [undefined, ['isError'], ['spanId', 'latency', 'isError']]) {
      assert.deepEqual(await traces({ ...time('SORT_DESC'), criteria: isError1, tagProjection }), [], String(tagProjection));
      assert.deepEqual(await traces({ ...lat('SORT_DESC'), criteria: isError1, tagProjection }), [], String(tagProjection));
    }
    // The time rule stores latency, isError, operationName: with latency projected first, "isError IN [1]" reads latency.
    const in1 = cond('isError', 'BINARY_OP_IN', { intArray: { value: [1] } });
    assert.deepEqual(await traces({ ...time('SORT_DESC'), criteria: in1 }), ['q-6', 'q-5']);
    assert.deepEqual(await traces({ ...time('SORT_DESC'), criteria: in1, tagProjection: ['latency', 'isError'] }), ['q-6']);
    const opX = cond('operationName', 'BINARY_OP_EQ', str('op-x'));
    assert.deepEqual(await traces({ ...time('SORT_DESC'), criteria: opX }), ['q-5', 'q-3']);
    assert.deepEqual(await traces({ ...time('SORT_DESC'), criteria: opX, tagProjection: ['latency'] }), []);
    // The latency rule stores startTime first: reading that TIMESTAMP drops every block.
    const ne0 = cond('isError', 'BINARY_OP_NE', int(0));
    assert.deepEqual(await traces({ ...lat('SORT_DESC'), criteria: ne0, tagProjection: ['startTime', 'isError'] }), []);
    assert.deepEqual(await traces({ ...lat('SORT_DESC'), criteria: ne0, tagProjection: ['isError'] }), ['q-5', 'q-6']);
    // Entity-tag equality is correct (series routing); an OR with a failing branch returns nothing.
    assert.deepEqual(await traces({ ...time('SORT_DESC'), criteria: cond('serviceId', 'BINARY_OP_EQ', str('c')) }), ['q-6', 'q-4']);
    assert.deepEqual(await traces({ ...time('SORT_DESC'), criteria: or(isError1, cond('serviceId', 'BINARY_OP_EQ', str('c'))) }), []);
  });

  it('FACT 36: a timestamp-valued condition is refused at planning; an int on the TIMESTAMP tag finds nothing', async () => {
    const t = at(3500);
    await rejects(
      c.call('traceData', 'Query', { ...trQ, ...time('SORT_DESC'), criteria: cond('startTime', 'BINARY_OP_GE', { timestamp: t }) }),
      status.UNKNOWN,
      `code: STATUS_INTERNAL_ERROR, msg: fail to analyze the query request for trace segment: tag filter parses timestamp:{seconds:${t.seconds} nanos:500000000}: unsupported condition value type: invalid query message`,
    );
    assert.deepEqual(await traces({ ...time('SORT_DESC'), criteria: cond('startTime', 'BINARY_OP_GE', int(BASE)) }), []);
  });

  it('FACT 37: the time range bounds the time rule exactly, and the latency rule only by segment', async () => {
    const timeRange = { begin: at(1000), end: at(2000) };
    assert.deepEqual(await traces({ ...time('SORT_ASC'), timeRange }), ['q-1']);
    assert.equal((await traces({ ...lat('SORT_DESC'), timeRange })).length, 6);
  });

  it('FACT 38: traces sorted by their best span; a small limit is sorted but not the top N', async () => {
    assert.deepEqual(await traces({ ...time('SORT_ASC') }), ['q-1', 'q-4', 'q-3', 'q-5', 'q-6', 'q-2']);
    assert.deepEqual(await traces({ ...time() }), ['q-1', 'q-4', 'q-3', 'q-5', 'q-6', 'q-2']);
    // limit 2: shard 0's first batch of 2 blocks (series a, b) is drained before its block c (q-4 at 3 s), so
    // q-3 (shard 1, 4 s) comes second instead of q-4.
    assert.deepEqual(await traces({ ...time('SORT_ASC'), limit: 2 }), ['q-1', 'q-3']);
    assert.deepEqual(await traces({ ...time('SORT_DESC') }), ['q-2', 'q-6', 'q-5', 'q-3', 'q-4', 'q-1']);
    // From 0.10.3's code: a block keeps one element per trace (its smallest key), so under DESC q-5 is keyed by
    // its span in series b (300 ms); q-1 and q-5 both have a span in series a too.
    assert.deepEqual(await traces({ ...lat('SORT_DESC') }), ['q-5', 'q-3', 'q-4', 'q-2', 'q-1', 'q-6']);
  });

  it('FACT 39: span tags in projection order (trace and span id last); an unknown tag is refused', async () => {
    const res = await c.call<Traces>('traceData', 'Query', {
      ...trQ,
      criteria: cond('traceId', 'BINARY_OP_EQ', str('q-3')),
      tagProjection: ['spanId', 'latency', 'traceId', 'serviceId'],
    });
    assert.deepEqual(
      res.traces?.[0]?.spans[0]?.tags?.map((t) => t.key),
      ['latency', 'serviceId', 'traceId', 'spanId'],
    );
    await rejects(
      c.call('traceData', 'Query', { ...trQ, criteria: cond('traceId', 'BINARY_OP_EQ', str('q-3')), tagProjection: ['spanId', 'nope'] }),
      status.UNKNOWN,
      'code: STATUS_INTERNAL_ERROR, msg: fail to analyze the query request for trace segment: nope: tag is not defined: invalid query message',
    );
  });
});
