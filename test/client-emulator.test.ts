import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BanyanDBClient } from '../src/client/client.js';
import type { Stream, StreamWriteRequest, Trace, TraceWriteRequest } from '../src/client/types.js';
import { type Emulator, startEmulator } from '../src/emulator/index.js';
import { AlreadyExistsError, NotFoundError, WriteRejectedError } from '../src/errors.js';

const SG = 'client_it_stream';
const TG = 'client_it_trace';
/** Noon of yesterday (UTC): inside the groups' 7-day TTL, which BanyanDB 0.10.3 enforces by dropping older writes (FACT 21). */
const BASE_MS = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 43_200_000;
const RESOURCE_OPTS = { shardNum: 1, segmentInterval: { unit: 'UNIT_DAY' as const, num: 1 }, ttl: { unit: 'UNIT_DAY' as const, num: 7 } };

const STREAM: Stream = {
  metadata: { group: SG, name: 'segment' },
  tagFamilies: [
    {
      name: 'primary',
      tags: [
        { name: 'serviceId', type: 'TAG_TYPE_STRING' },
        { name: 'traceId', type: 'TAG_TYPE_STRING' },
        { name: 'latency', type: 'TAG_TYPE_INT' },
      ],
    },
    { name: 'data', tags: [{ name: 'dataBinary', type: 'TAG_TYPE_DATA_BINARY' }] },
  ],
  entity: { tagNames: ['serviceId'] },
};

const TRACE: Trace = {
  metadata: { group: TG, name: 'segment' },
  tags: [
    { name: 'serviceId', type: 'TAG_TYPE_STRING' },
    { name: 'traceId', type: 'TAG_TYPE_STRING' },
    { name: 'spanId', type: 'TAG_TYPE_STRING' },
    { name: 'startTime', type: 'TAG_TYPE_TIMESTAMP' },
    { name: 'latency', type: 'TAG_TYPE_INT' },
  ],
  traceIdTagName: 'traceId',
  spanIdTagName: 'spanId',
  timestampTagName: 'startTime',
};

const ts = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 });

function streamWrites(n: number): StreamWriteRequest[] {
  return Array.from({ length: n }, (_, i) => ({
    metadata: STREAM.metadata,
    element: {
      elementId: `el-${i}`,
      timestamp: ts(BASE_MS + i),
      tagFamilies: [
        { tags: [{ str: { value: `svc-${i % 3}` } }, { str: { value: `trace-${i % 5}` } }, { int: { value: i * 10 } }] },
        { tags: [{ binaryData: new Uint8Array(256).fill(i) }] },
      ],
    },
  }));
}

function traceWrites(traces: number, spansPerTrace: number): TraceWriteRequest[] {
  const out: TraceWriteRequest[] = [];
  for (let t = 0; t < traces; t++) {
    for (let s = 0; s < spansPerTrace; s++) {
      const i = t * spansPerTrace + s;
      out.push({
        metadata: TRACE.metadata,
        tags: [
          { str: { value: `svc-${t % 2}` } },
          { str: { value: `trace-${t}` } },
          { str: { value: `span-${i}` } },
          { timestamp: ts(BASE_MS + i) },
          { int: { value: i } },
        ],
        span: new Uint8Array([t, s, 7]),
      });
    }
  }
  return out;
}

async function createSchema(client: BanyanDBClient): Promise<void> {
  await client.groups.create({ metadata: { name: SG }, catalog: 'CATALOG_STREAM', resourceOpts: RESOURCE_OPTS });
  await client.groups.create({ metadata: { name: TG }, catalog: 'CATALOG_TRACE', resourceOpts: RESOURCE_OPTS });
  await client.streams.create(STREAM);
  await client.traces.create(TRACE);
  await client.indexRules.create({ metadata: { group: TG, name: 'latency_index' }, tags: ['serviceId', 'latency'], type: 'TYPE_TREE' });
  await client.indexRuleBindings.create({
    metadata: { group: TG, name: 'segment_binding' },
    rules: ['latency_index'],
    subject: { catalog: 'CATALOG_TRACE', name: 'segment' },
    beginAt: ts(Date.UTC(2024, 0, 1)),
    expireAt: ts(Date.UTC(2030, 0, 1)),
  });
}

describe('client against the emulator', () => {
  let emu: Emulator;
  let client: BanyanDBClient;

  before(async () => {
    emu = await startEmulator();
    client = await BanyanDBClient.connect(emu.grpcAddress, { connectTimeoutMs: 10_000 });
  });
  after(async () => {
    await client?.close();
    await emu?.close();
  });

  test('health and registry round trip', async () => {
    assert.equal(await client.health(), 'SERVING');
    await createSchema(client);
    assert.equal(await client.groups.exist(SG), true);
    assert.equal((await client.groups.get(TG)).catalog, 'CATALOG_TRACE');
    assert.deepEqual(await client.streams.exist({ group: SG, name: 'segment' }), { hasGroup: true, hasResource: true });
    assert.deepEqual(await client.traces.exist({ group: TG, name: 'nope' }), { hasGroup: true, hasResource: false });
    const stream = await client.streams.get({ group: SG, name: 'segment' });
    assert.deepEqual(stream.entity, { tagNames: ['serviceId'] });
    assert.ok((stream.metadata?.modRevision ?? 0) > 0);
    assert.equal((await client.traces.get({ group: TG, name: 'segment' })).timestampTagName, 'startTime');
    assert.deepEqual(
      (await client.indexRules.list(TG)).map((r) => r.metadata?.name),
      ['latency_index'],
    );
    assert.equal((await client.indexRuleBindings.get({ group: TG, name: 'segment_binding' })).subject?.name, 'segment');
    await assert.rejects(client.streams.create(STREAM), AlreadyExistsError);
    await assert.rejects(client.streams.get({ group: SG, name: 'missing' }), NotFoundError);
  });

  test('stream writes are acknowledged and queryable', async () => {
    const res = await client.writeStream(streamWrites(50));
    assert.equal(res.acknowledged, 50);
    assert.deepEqual(res.statusCounts, { STATUS_SUCCEED: 50 });
    const q = await client.queryStream({
      groups: [SG],
      name: 'segment',
      timeRange: { begin: ts(BASE_MS), end: ts(BASE_MS + 3_600_000) },
      criteria: { condition: { name: 'traceId', op: 'BINARY_OP_EQ', value: { str: { value: 'trace-2' } } } },
      projection: { tagFamilies: [{ name: 'primary', tags: ['traceId', 'latency'] }] },
      limit: 100,
    });
    assert.equal(q.elements?.length, 10);
    for (const el of q.elements ?? []) {
      const tags = el.tagFamilies?.[0]?.tags ?? [];
      assert.deepEqual(tags[0], { key: 'traceId', value: { str: { value: 'trace-2' } } });
    }
  });

  test('trace writes are acknowledged and whole traces come back by id', async () => {
    const res = await client.writeTrace(traceWrites(4, 5));
    assert.equal(res.acknowledged, 20);
    const q = await client.queryTrace({
      groups: [TG],
      name: 'segment',
      criteria: { condition: { name: 'traceId', op: 'BINARY_OP_EQ', value: { str: { value: 'trace-3' } } } },
      tagProjection: ['latency', 'traceId'],
    });
    assert.equal(q.traces?.length, 1);
    const spans = q.traces?.[0]?.spans ?? [];
    assert.equal(spans.length, 5);
    assert.deepEqual([...(spans[0]?.span ?? [])], [3, 0, 7]);
    assert.equal(spans[0]?.spanId, 'span-15');
  });

  test('invalid timestamps are surfaced as rejections', async () => {
    const bad = streamWrites(3);
    bad[1] = { ...bad[1]!, element: { ...bad[1]!.element!, timestamp: { seconds: 1_767_268_800, nanos: 123 } } };
    await assert.rejects(client.writeStream(bad), (err: unknown) => {
      assert.ok(err instanceof WriteRejectedError);
      assert.deepEqual(err.statusCounts, { STATUS_INVALID_TIMESTAMP: 1 });
      assert.equal(err.acknowledged, 2);
      return true;
    });
  });

  test('writes right after schema creation are retried until the schema propagated', async () => {
    await using slow = await startEmulator({ schemaPropagationMs: 400 });
    await using c = await BanyanDBClient.connect(slow.grpcAddress);
    await createSchema(c);
    const s = await c.writeStream(streamWrites(10), { retryInternalErrorForMs: 5_000 });
    const t = await c.writeTrace(traceWrites(2, 3), { retryInternalErrorForMs: 5_000 });
    assert.equal(s.acknowledged, 10);
    assert.equal(t.acknowledged, 6);
    assert.ok(s.retries + t.retries > 0, 'expected at least one retry while the schema propagated');
  });
});
