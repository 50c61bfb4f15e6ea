import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ServiceError, status } from '@grpc/grpc-js';
import { type Emulator, startEmulator } from '../src/emulator/index.js';
import { xxhash64Hex } from '../src/emulator/xxhash64.js';
import {
  type ElementSpec,
  loadSchemas,
  type SpanSpec,
  STREAM_GROUP,
  scalar,
  str,
  streamWrite,
  T0,
  TestClient,
  TRACE_GROUP,
  traceWrite,
  ts,
} from './emulator-helpers.js';

async function rejectsWith(p: Promise<unknown>, code: status, pattern?: RegExp): Promise<void> {
  await assert.rejects(p, (err: ServiceError) => {
    assert.equal(err.code, code, `expected gRPC code ${status[code]}, got ${status[err.code]}: ${err.details}`);
    if (pattern) assert.match(err.details, pattern);
    return true;
  });
}

const ELEMENTS: ElementSpec[] = [
  { id: 'a', ms: T0, service: 's1', latency: 50 },
  { id: 'b', ms: T0 + 1000, service: 's1', latency: 10, isError: 1 },
  { id: 'c', ms: T0 + 2000, service: 's2', latency: 30 },
  { id: 'd', ms: T0 + 3000, service: 's2', latency: 70, isError: 1 },
  { id: 'e', ms: T0 + 4000, service: 's3', latency: 20 },
];
const FILLER: ElementSpec[] = Array.from({ length: 25 }, (_, i) => ({
  id: `f${String(i).padStart(2, '0')}`,
  ms: T0 + 10_000 + i,
  service: 's9',
  latency: 100 + i,
}));

const SPANS: SpanSpec[] = [
  { traceId: 'A', spanId: 'a1', ms: T0, service: 's1', latency: 100 },
  { traceId: 'A', spanId: 'a2', ms: T0 + 10, service: 's2', latency: 5 },
  { traceId: 'B', spanId: 'b1', ms: T0 + 1000, service: 's1', latency: 50 },
  { traceId: 'C', spanId: 'c1', ms: T0 + 2000, service: 's3', latency: 300 },
  { traceId: 'C', spanId: 'c2', ms: T0 + 2001, service: 's3', latency: 1, isError: 1 },
  { traceId: 'C', spanId: 'c3', ms: T0 + 2002, service: 's1', latency: 7 },
  { traceId: 'D', spanId: 'd1', ms: T0 + 5000, service: 's2', latency: 20 },
];

const base = {
  groups: [STREAM_GROUP],
  name: 'segment',
  projection: { tagFamilies: [{ name: 'primary', tags: ['serviceId', 'latency'] }] },
};
/** The five base elements only. */
const baseRange = { begin: ts(T0), end: ts(T0 + 4000) };

/**
 * BanyanDB 0.10.3 answers a stream element's id as xxHash64 of `group|name|written id` (FACTS 24); these tests
 * name elements by their written ids, so answered ids are mapped back.
 */
const WRITTEN = new Map([...ELEMENTS, ...FILLER].map((e) => [xxhash64Hex(`${STREAM_GROUP}|segment|${e.id}`), e.id]));
const written = (answered: string): string => WRITTEN.get(answered) ?? answered;

type Elements = {
  elements?: { elementId: string; timestamp: object; tagFamilies: { name: string; tags: { key: string; value: unknown }[] }[] }[];
};
type Traces = { traces?: { traceId: string; spans: { spanId: string; span: Uint8Array; tags?: { key: string; value: unknown }[] }[] }[] };

describe('emulator: stream queries', () => {
  let emu: Emulator;
  let c: TestClient;
  const ids = async (req: object): Promise<string[]> =>
    ((await c.call<Elements>('streamData', 'Query', { ...base, timeRange: baseRange, limit: 100, ...req })).elements ?? []).map((e) =>
      written(e.elementId),
    );
  const cond = (name: string, op: string, value: object) => ({ condition: { name, op, value } });

  before(async () => {
    emu = await startEmulator();
    c = new TestClient(emu.grpcAddress);
    await loadSchemas(c);
    const r = await c.write(
      'streamData',
      [...ELEMENTS, ...FILLER].map((e, i) => streamWrite(e, i + 1, i === 0)),
      0,
    );
    assert.ok(r.responses.every((x) => x.status === 'STATUS_SUCCEED'));
  });
  after(async () => {
    c.close();
    await emu.close();
  });

  it('validates like BanyanDB: projection / groups / name required (INVALID_ARGUMENT), unknown stream (UNKNOWN)', async () => {
    await rejectsWith(c.call('streamData', 'Query', { ...base, projection: undefined }), status.INVALID_ARGUMENT, /Projection/);
    await rejectsWith(c.call('streamData', 'Query', { ...base, groups: [] }), status.INVALID_ARGUMENT);
    await rejectsWith(c.call('streamData', 'Query', { ...base, name: '' }), status.INVALID_ARGUMENT);
    await rejectsWith(c.call('streamData', 'Query', { ...base, name: 'nope' }), status.UNKNOWN, /nope/);
    await rejectsWith(c.call('streamData', 'Query', { ...base, groups: ['nope'] }), status.UNKNOWN);
    await rejectsWith(
      c.call('streamData', 'Query', { ...base, projection: { tagFamilies: [{ name: 'primary', tags: ['ghost'] }] } }),
      status.UNKNOWN,
      /ghost/,
    );
    await rejectsWith(
      c.call('streamData', 'Query', { ...base, criteria: cond('ghost', 'BINARY_OP_EQ', str('x')) }),
      status.UNKNOWN,
      /ghost/,
    );
  });

  it('defaults: no time range = all time, limit 0 = 20, ascending by timestamp; offset pages', async () => {
    const all = await c.call<Elements>('streamData', 'Query', base);
    const got = (all.elements ?? []).map((e) => written(e.elementId));
    assert.equal(got.length, 20);
    assert.deepEqual(got.slice(0, 6), ['a', 'b', 'c', 'd', 'e', 'f00']);
    const page = await c.call<Elements>('streamData', 'Query', { ...base, offset: 3, limit: 4 });
    assert.deepEqual(
      (page.elements ?? []).map((e) => written(e.elementId)),
      ['d', 'e', 'f00', 'f01'],
    );
    const desc = await c.call<Elements>('streamData', 'Query', { ...base, orderBy: { sort: 'SORT_DESC' }, limit: 2 });
    assert.deepEqual(
      (desc.elements ?? []).map((e) => written(e.elementId)),
      ['f24', 'f23'],
    );
  });

  it('time ranges are inclusive and must be whole milliseconds', async () => {
    assert.deepEqual(await ids({ timeRange: { begin: ts(T0 + 1000), end: ts(T0 + 3000) } }), ['b', 'c', 'd']);
    await rejectsWith(
      c.call('streamData', 'Query', { ...base, timeRange: { begin: { seconds: T0 / 1000, nanos: 5 }, end: ts(T0) } }),
      status.INVALID_ARGUMENT,
      /millisecond/,
    );
  });

  it('orders by an index rule tag ascending or descending', async () => {
    assert.deepEqual(await ids({ orderBy: { indexRuleName: 'latency_index', sort: 'SORT_ASC' } }), ['b', 'e', 'c', 'a', 'd']);
    assert.deepEqual(await ids({ orderBy: { indexRuleName: 'latency_index', sort: 'SORT_DESC' } }), ['d', 'a', 'c', 'e', 'b']);
    await rejectsWith(c.call('streamData', 'Query', { ...base, orderBy: { indexRuleName: 'nope' } }), status.UNKNOWN, /nope/);
  });

  it('filters with every comparison operator on str and int tags', async () => {
    const lat = (op: string, v: number) => ids({ criteria: cond('latency', op, { int: { value: v } }) });
    assert.deepEqual(await lat('BINARY_OP_EQ', 30), ['c']);
    assert.deepEqual(await lat('BINARY_OP_NE', 30), ['a', 'b', 'd', 'e']);
    assert.deepEqual(await lat('BINARY_OP_LT', 30), ['b', 'e']);
    assert.deepEqual(await lat('BINARY_OP_LE', 30), ['b', 'c', 'e']);
    assert.deepEqual(await lat('BINARY_OP_GT', 30), ['a', 'd']);
    assert.deepEqual(await lat('BINARY_OP_GE', 30), ['a', 'c', 'd']);
    assert.deepEqual(await ids({ criteria: cond('serviceId', 'BINARY_OP_EQ', str('s2')) }), ['c', 'd']);
    assert.deepEqual(await ids({ criteria: cond('serviceId', 'BINARY_OP_IN', { strArray: { value: ['s1', 's3'] } }) }), ['a', 'b', 'e']);
    assert.deepEqual(await ids({ criteria: cond('serviceId', 'BINARY_OP_NOT_IN', { strArray: { value: ['s1', 's3'] } }) }), ['c', 'd']);
    assert.deepEqual(await ids({ criteria: cond('latency', 'BINARY_OP_IN', { intArray: { value: [10, 70] } }) }), ['b', 'd']);
  });

  it('combines conditions with AND / OR trees', async () => {
    const and = {
      le: {
        op: 'LOGICAL_OP_AND',
        left: cond('serviceId', 'BINARY_OP_EQ', str('s1')),
        right: cond('isError', 'BINARY_OP_EQ', { int: { value: 1 } }),
      },
    };
    assert.deepEqual(await ids({ criteria: and }), ['b']);
    const or = {
      le: {
        op: 'LOGICAL_OP_OR',
        left: cond('serviceId', 'BINARY_OP_EQ', str('s3')),
        right: {
          le: {
            op: 'LOGICAL_OP_AND',
            left: cond('latency', 'BINARY_OP_GT', { int: { value: 40 } }),
            right: cond('serviceId', 'BINARY_OP_EQ', str('s2')),
          },
        },
      },
    };
    assert.deepEqual(await ids({ criteria: or }), ['d', 'e']);
  });

  it('returns only projected families and tags, in projection order, with element id and timestamp', async () => {
    const res = await c.call<Elements>('streamData', 'Query', {
      ...base,
      timeRange: { begin: ts(T0), end: ts(T0) },
      projection: {
        tagFamilies: [
          { name: 'data_binary', tags: ['dataBinary'] },
          { name: 'primary', tags: ['latency', 'serviceId'] },
        ],
      },
    });
    const e = res.elements?.[0];
    assert.equal(res.elements?.length, 1);
    assert.equal(written(e?.elementId ?? ''), 'a');
    assert.deepEqual(e?.timestamp, ts(T0));
    assert.deepEqual(
      e?.tagFamilies.map((f) => [f.name, f.tags.map((t) => t.key)]),
      [
        ['data_binary', ['dataBinary']],
        ['primary', ['latency', 'serviceId']],
      ],
    );
    assert.deepEqual(
      e?.tagFamilies[1]?.tags.map((t) => scalar(t.value)),
      [50, 's1'],
    );
  });
});

describe('emulator: trace queries', () => {
  let emu: Emulator;
  let c: TestClient;
  const q = { groups: [TRACE_GROUP], name: 'segment' };
  const traces = async (req: object): Promise<string[]> =>
    ((await c.call<Traces>('traceData', 'Query', { ...q, ...req })).traces ?? []).map((t) => t.traceId);
  const byLatency = (sort: string) => ({ orderBy: { indexRuleName: 'latency_tree', sort } });
  const cond = (name: string, op: string, value: object) => ({ condition: { name, op, value } });

  before(async () => {
    emu = await startEmulator();
    c = new TestClient(emu.grpcAddress);
    await loadSchemas(c);
    const r = await c.write(
      'traceData',
      SPANS.map((s, i) => traceWrite(s, i + 1, i === 0)),
      0,
    );
    assert.ok(r.responses.every((x) => x.status === 'STATUS_SUCCEED'));
  });
  after(async () => {
    c.close();
    await emu.close();
  });

  it('needs a trace id condition or an order by index rule (UNKNOWN otherwise, like BanyanDB)', async () => {
    await rejectsWith(c.call('traceData', 'Query', q), status.UNKNOWN, /either traceIDs or order must be specified/);
    await rejectsWith(
      c.call('traceData', 'Query', { ...q, criteria: cond('serviceId', 'BINARY_OP_EQ', str('s1')) }),
      status.UNKNOWN,
      /either traceIDs/,
    );
    await rejectsWith(
      c.call('traceData', 'Query', { ...q, orderBy: { indexRuleName: 'nope' } }),
      status.UNKNOWN,
      /index rule nope not found/,
    );
    await rejectsWith(c.call('traceData', 'Query', { ...q, groups: [] }), status.INVALID_ARGUMENT);
    await rejectsWith(c.call('traceData', 'Query', { ...q, name: 'nope', ...byLatency('SORT_ASC') }), status.UNKNOWN);
    await rejectsWith(c.call('traceData', 'Query', { ...q, ...byLatency('SORT_ASC'), tagProjection: ['ghost'] }), status.UNKNOWN, /ghost/);
    await rejectsWith(
      c.call('traceData', 'Query', { ...q, ...byLatency('SORT_ASC'), criteria: cond('ghost', 'BINARY_OP_EQ', str('x')) }),
      status.UNKNOWN,
    );
    // an order without an index rule finds no secondary index: empty, not an error
    assert.deepEqual(await traces({ orderBy: { sort: 'SORT_DESC' } }), []);
  });

  it('time range: optional (all time) but must be whole milliseconds when given', async () => {
    assert.equal((await traces(byLatency('SORT_ASC'))).length, 4);
    await rejectsWith(
      c.call('traceData', 'Query', { ...q, ...byLatency('SORT_ASC'), timeRange: { begin: { seconds: 1, nanos: 7 }, end: ts(T0) } }),
      status.INVALID_ARGUMENT,
    );
    assert.deepEqual(await traces({ orderBy: { indexRuleName: 'time_tree' }, timeRange: { begin: ts(T0 + 500), end: ts(T0 + 5000) } }), [
      'B',
      'C',
      'D',
    ]);
  });

  it('orders traces by the rule tag (best matching span per trace), ascending by default', async () => {
    // BanyanDB 0.10.3 keeps one element per trace per series block (the smallest key), so under DESC trace C is
    // keyed by 7 (c3, series s1; c1's 300 shares series s3 with c2's 1 and is dropped), not by 300.
    assert.deepEqual(await traces(byLatency('SORT_DESC')), ['A', 'B', 'D', 'C']);
    assert.deepEqual(await traces(byLatency('SORT_ASC')), ['C', 'A', 'D', 'B']);
    assert.deepEqual(await traces(byLatency('SORT_UNSPECIFIED')), ['C', 'A', 'D', 'B']);
    assert.deepEqual(await traces({ orderBy: { indexRuleName: 'time_tree', sort: 'SORT_DESC' } }), ['D', 'C', 'B', 'A']);
  });

  it('limit and offset count traces, and each trace comes back whole', async () => {
    const res = await c.call<Traces>('traceData', 'Query', { ...q, ...byLatency('SORT_DESC'), limit: 2 });
    assert.deepEqual(
      res.traces?.map((t) => [t.traceId, t.spans.map((s) => s.spanId)]),
      [
        ['A', ['a1', 'a2']],
        ['B', ['b1']],
      ],
    );
    assert.deepEqual(Buffer.from(res.traces?.[0]?.spans[0]?.span ?? []).toString(), 'span-a1');
    assert.deepEqual(await traces({ ...byLatency('SORT_DESC'), offset: 1, limit: 2 }), ['B', 'D']);
  });

  it('finds traces by id with EQ or IN (sorted by id), filters by any span tag, returns whole traces', async () => {
    assert.deepEqual(await traces({ criteria: cond('traceId', 'BINARY_OP_IN', { strArray: { value: ['D', 'A', 'X'] } }) }), ['A', 'D']);
    assert.deepEqual(await traces({ criteria: cond('traceId', 'BINARY_OP_EQ', str('B')) }), ['B']);
    const filtered = await c.call<Traces>('traceData', 'Query', {
      ...q,
      ...byLatency('SORT_DESC'),
      criteria: cond('serviceId', 'BINARY_OP_EQ', str('s2')),
    });
    assert.deepEqual(
      filtered.traces?.map((t) => [t.traceId, t.spans.length]),
      [
        ['D', 1],
        ['A', 2],
      ],
    );
    // BanyanDB 0.10.3: EQ on an INT tag never matches in the order_by path (FACTS 35).
    assert.deepEqual(
      await traces({ orderBy: { indexRuleName: 'time_tree' }, criteria: cond('isError', 'BINARY_OP_EQ', { int: { value: 1 } }) }),
      [],
    );
    assert.deepEqual(
      await traces({ orderBy: { indexRuleName: 'time_tree' }, criteria: cond('isError', 'BINARY_OP_NE', { int: { value: 0 } }) }),
      ['C'],
    );
    const and = {
      le: {
        op: 'LOGICAL_OP_AND',
        left: cond('traceId', 'BINARY_OP_IN', { strArray: { value: ['A', 'B', 'C'] } }),
        right: cond('serviceId', 'BINARY_OP_EQ', str('s3')),
      },
    };
    assert.deepEqual(await traces({ criteria: and }), ['C']);
    // ... and a condition on the latency rule's own key tag reads another tag (here: none), FACTS 35.
    assert.deepEqual(await traces({ ...byLatency('SORT_ASC'), criteria: cond('latency', 'BINARY_OP_GE', { int: { value: 50 } }) }), []);
    assert.deepEqual(
      await traces({
        orderBy: { indexRuleName: 'time_tree', sort: 'SORT_ASC' },
        criteria: cond('latency', 'BINARY_OP_GE', { int: { value: 50 } }),
      }),
      ['A', 'B', 'C'],
    );
  });

  it('projects span tags by name; identity tags come last; no projection means no tags', async () => {
    const res = await c.call<Traces>('traceData', 'Query', {
      ...q,
      criteria: cond('traceId', 'BINARY_OP_EQ', str('B')),
      tagProjection: ['spanId', 'latency', 'traceId', 'serviceId'],
    });
    const span = res.traces?.[0]?.spans[0];
    assert.deepEqual(
      span?.tags?.map((t) => [t.key, scalar(t.value)]),
      [
        ['latency', 50],
        ['serviceId', 's1'],
        ['traceId', 'B'],
        ['spanId', 'b1'],
      ],
    );
    const bare = await c.call<Traces>('traceData', 'Query', { ...q, criteria: cond('traceId', 'BINARY_OP_EQ', str('B')) });
    assert.deepEqual(bare.traces?.[0]?.spans[0]?.tags ?? [], []);
    assert.equal(bare.traces?.[0]?.spans[0]?.spanId, 'b1');
  });
});
