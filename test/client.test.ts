import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import { BanyanDBClient } from '../src/client/client.js';
import type { StreamWriteRequest, TraceWriteRequest } from '../src/client/types.js';
import {
  AbortedError,
  AlreadyExistsError,
  ClosedError,
  DeadlineExceededError,
  GrpcError,
  InvalidArgumentError,
  NotFoundError,
  OptionsError,
  UnavailableError,
  WriteRejectedError,
} from '../src/errors.js';
import { encodeStreamRequests, encodeTraceRequests } from '../src/wire/requests.js';
import { FakeBanyanDB, type FakeOptions } from './helpers/fake-banyandb.js';
import { freePort } from './helpers/net.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});
after(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(options: FakeOptions = {}, clientOptions = {}): Promise<{ fake: FakeBanyanDB; client: BanyanDBClient }> {
  const fake = await FakeBanyanDB.start(options);
  cleanups.push(() => fake.close());
  const client = await BanyanDBClient.connect(fake.address, { connectTimeoutMs: 5_000, ...clientOptions });
  cleanups.push(() => client.close());
  return { fake, client };
}

const MD = { group: 'g', name: 'segment' };

function streamBatch(n: number, payloadBytes = 16): StreamWriteRequest[] {
  return Array.from({ length: n }, (_, i) => ({
    metadata: MD,
    element: {
      elementId: `e${i}`,
      timestamp: { seconds: 1_700_000_000 + i, nanos: 1000 },
      tagFamilies: [
        { tags: [{ binaryData: new Uint8Array(payloadBytes).fill(i % 251) }] },
        { tags: [{ str: { value: `trace-${i}` } }, { int: { value: i } }, { null: 'NULL_VALUE' }] },
      ],
    },
  }));
}

function traceBatch(n: number): TraceWriteRequest[] {
  return Array.from({ length: n }, (_, i) => ({
    metadata: { group: 'tg', name: 'segment' },
    tags: [{ str: { value: `trace-${i}` } }, { timestamp: { seconds: 1_700_000_000, nanos: i } }, { null: 'NULL_VALUE' }],
    span: new Uint8Array([i % 256, 1, 2]),
  }));
}

describe('connect and health', () => {
  test('connects, health answers SERVING', async () => {
    const { client, fake } = await setup();
    assert.equal(await client.health(), 'SERVING');
    assert.ok(fake.healthChecks >= 2);
    assert.equal(client.address, fake.address);
  });

  test('retries the health check until a late server serves', async () => {
    const port = await freePort();
    const connecting = BanyanDBClient.connect(`127.0.0.1:${port}`, { connectTimeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 600));
    const fake = await FakeBanyanDB.start({ port, health: 'NOT_SERVING' });
    cleanups.push(() => fake.close());
    await new Promise((r) => setTimeout(r, 300));
    fake.options.health = 'SERVING';
    const client = await connecting;
    cleanups.push(() => client.close());
    assert.equal(await client.health(), 'SERVING');
    assert.ok(fake.healthChecks >= 2, `expected several health checks, got ${fake.healthChecks}`);
  });

  test('connect timeout against nothing raises UnavailableError naming the address', async () => {
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    await assert.rejects(BanyanDBClient.connect(address, { connectTimeoutMs: 700 }), (err: unknown) => {
      assert.ok(err instanceof UnavailableError, String(err));
      assert.match(err.message, new RegExp(address));
      assert.equal(err.method, '/grpc.health.v1.Health/Check');
      return true;
    });
  });

  test('a server that never serves raises DeadlineExceededError', async () => {
    const fake = await FakeBanyanDB.start({ health: 'NOT_SERVING' });
    cleanups.push(() => fake.close());
    await assert.rejects(BanyanDBClient.connect(fake.address, { connectTimeoutMs: 600 }), (err: unknown) => {
      assert.ok(err instanceof DeadlineExceededError, String(err));
      assert.match(err.message, /NOT_SERVING/);
      assert.match(err.message, new RegExp(fake.address));
      return true;
    });
  });

  test('connect aborted through its signal', async () => {
    const port = await freePort();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    await assert.rejects(BanyanDBClient.connect(`127.0.0.1:${port}`, { connectTimeoutMs: 10_000, signal: ac.signal }), AbortedError);
  });

  test('bad address and options are rejected up front', async () => {
    await assert.rejects(BanyanDBClient.connect('nohost'), OptionsError);
    await assert.rejects(BanyanDBClient.connect('127.0.0.1:1', { callTimeoutMs: -5 }), (err: unknown) => {
      assert.ok(err instanceof OptionsError);
      assert.equal(err.option, 'callTimeoutMs');
      return true;
    });
  });
});

describe('unary calls', () => {
  test('a slow answer hits the call deadline', async () => {
    const { client, fake } = await setup();
    fake.options.unaryDelayMs = 1_000;
    await assert.rejects(client.groups.list({ timeoutMs: 150 }), (err: unknown) => {
      assert.ok(err instanceof DeadlineExceededError, String(err));
      assert.equal(err.method, '/banyandb.database.v1.GroupRegistryService/List');
      return true;
    });
  });

  test('default callTimeoutMs applies to every unary call', async () => {
    const { client, fake } = await setup({}, { callTimeoutMs: 150 });
    fake.options.unaryDelayMs = 1_000;
    await assert.rejects(client.queryStream({ name: 'x', groups: ['g'] }), DeadlineExceededError);
  });

  test('abort cancels a unary call', async () => {
    const { client, fake } = await setup();
    fake.options.unaryDelayMs = 1_000;
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(client.groups.list({ signal: ac.signal }), AbortedError);
  });

  test('maps NOT_FOUND, ALREADY_EXISTS, INVALID_ARGUMENT with method, details and cause', async () => {
    const { client } = await setup();
    await assert.rejects(client.groups.get('nope'), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.equal(err.code, 'NOT_FOUND');
      assert.equal(err.grpcCode, 5);
      assert.match(err.message, /GroupRegistryService\/Get/);
      assert.match(err.message, /group nope not found/);
      assert.ok(err.cause && typeof (err.cause as { code?: number }).code === 'number');
      return true;
    });
    await client.groups.create({ metadata: { name: 'g' }, catalog: 'CATALOG_STREAM' });
    await assert.rejects(client.groups.create({ metadata: { name: 'g' }, catalog: 'CATALOG_STREAM' }), AlreadyExistsError);
    await assert.rejects(client.groups.create({ catalog: 'CATALOG_STREAM' }), (err: unknown) => {
      assert.ok(err instanceof InvalidArgumentError);
      assert.match(err.message, /metadata.name is required/);
      return true;
    });
  });

  test('UNAVAILABLE maps to UnavailableError; other statuses to GrpcError with the code', async () => {
    const { client, fake } = await setup();
    fake.options.health = 'DOWN';
    await assert.rejects(client.health(), UnavailableError);
    fake.options.failUnary = { code: 12, details: 'method not here' };
    await assert.rejects(client.queryTrace({ name: 't' }), (err: unknown) => {
      assert.ok(err instanceof GrpcError);
      assert.ok(!(err instanceof UnavailableError));
      assert.equal(err.code, 'UNIMPLEMENTED');
      assert.equal(err.grpcCode, 12);
      assert.match(err.message, /TraceService\/Query .*UNIMPLEMENTED: method not here/);
      return true;
    });
    fake.options.failUnary = { code: 8, details: 'too big' };
    await assert.rejects(client.queryTrace({ name: 't' }), (err: unknown) => {
      assert.ok(err instanceof GrpcError);
      assert.equal(err.code, 'UNKNOWN');
      assert.equal(err.grpcCode, 8);
      assert.match(err.message, /RESOURCE_EXHAUSTED: too big/);
      return true;
    });
  });
});

describe('registry', () => {
  test('groups: create, get, list, update, exist, delete', async () => {
    const { client } = await setup();
    const group = {
      metadata: { name: 'sw' },
      catalog: 'CATALOG_TRACE' as const,
      resourceOpts: { shardNum: 2, ttl: { unit: 'UNIT_DAY' as const, num: 3 } },
    };
    await client.groups.create(group);
    assert.equal(await client.groups.exist('sw'), true);
    assert.equal(await client.groups.exist('other'), false);
    const got = await client.groups.get('sw');
    assert.equal(got.catalog, 'CATALOG_TRACE');
    assert.deepEqual(got.resourceOpts?.ttl, { unit: 'UNIT_DAY', num: 3 });
    await client.groups.update({ ...group, resourceOpts: { shardNum: 4 } });
    assert.equal((await client.groups.get('sw')).resourceOpts?.shardNum, 4);
    assert.deepEqual(
      (await client.groups.list()).map((g) => g.metadata?.name),
      ['sw'],
    );
    await client.groups.delete('sw');
    assert.equal(await client.groups.exist('sw'), false);
  });

  test('streams, traces, index rules and bindings', async () => {
    const { client } = await setup();
    await client.groups.create({ metadata: { name: 'g' }, catalog: 'CATALOG_STREAM' });
    const stream = {
      metadata: MD,
      tagFamilies: [{ name: 'searchable', tags: [{ name: 'trace_id', type: 'TAG_TYPE_STRING' as const }] }],
      entity: { tagNames: ['trace_id'] },
    };
    assert.equal(await client.streams.create(stream), 7);
    assert.deepEqual(await client.streams.exist(MD), { hasGroup: true, hasResource: true });
    assert.deepEqual(await client.streams.exist({ group: 'x', name: 'y' }), { hasGroup: false, hasResource: false });
    const got = await client.streams.get(MD);
    assert.equal(got.tagFamilies?.[0]?.tags?.[0]?.type, 'TAG_TYPE_STRING');
    assert.equal((await client.streams.list('g')).length, 1);
    assert.equal(await client.streams.update(stream), 8);
    await assert.rejects(client.streams.create(stream), AlreadyExistsError);

    await client.traces.create({
      metadata: { group: 'g', name: 't' },
      traceIdTagName: 'trace_id',
      tags: [{ name: 'trace_id', type: 'TAG_TYPE_STRING' }],
    });
    assert.equal((await client.traces.get({ group: 'g', name: 't' })).traceIdTagName, 'trace_id');

    assert.equal(await client.indexRules.create({ metadata: { group: 'g', name: 'r' }, tags: ['trace_id'], type: 'TYPE_INVERTED' }), 0);
    assert.equal((await client.indexRules.get({ group: 'g', name: 'r' })).type, 'TYPE_INVERTED');
    await client.indexRuleBindings.create({
      metadata: { group: 'g', name: 'b' },
      rules: ['r'],
      subject: { catalog: 'CATALOG_STREAM', name: 'segment' },
      beginAt: { seconds: 1 },
      expireAt: { seconds: 2_000_000_000 },
    });
    assert.deepEqual(await client.indexRuleBindings.exist({ group: 'g', name: 'b' }), { hasGroup: true, hasResource: true });
    assert.equal((await client.indexRuleBindings.list('g'))[0]?.subject?.name, 'segment');
    assert.equal(await client.indexRuleBindings.delete({ group: 'g', name: 'b' }), true);
    assert.equal(await client.indexRuleBindings.delete({ group: 'g', name: 'b' }), false);
    await assert.rejects(client.traces.get({ group: 'g', name: 'missing' }), NotFoundError);
  });
});

describe('queries', () => {
  test('queryStream encodes enum names and decodes the plain shape', async () => {
    const { client, fake } = await setup();
    const res = await client.queryStream({
      groups: ['g'],
      name: 'segment',
      timeRange: { begin: { seconds: 1 }, end: { seconds: 2 } },
      criteria: { condition: { name: 'trace_id', op: 'BINARY_OP_EQ', value: { str: { value: 't1' } } } },
      orderBy: { indexRuleName: 'duration', sort: 'SORT_DESC' },
      projection: { tagFamilies: [{ name: 'searchable', tags: ['trace_id'] }] },
      limit: 10,
    });
    assert.equal(res.elements?.[0]?.elementId, 'e1');
    assert.deepEqual(res.elements?.[0]?.timestamp, { seconds: 1_700_000_000, nanos: 5 });
    const sent = fake.queries[0]?.request as { criteria?: { condition?: { op?: string } }; orderBy?: { sort?: string }; limit?: number };
    assert.equal(sent.criteria?.condition?.op, 'BINARY_OP_EQ');
    assert.equal(sent.orderBy?.sort, 'SORT_DESC');
    assert.equal(sent.limit, 10);
  });

  test('queryTrace decodes spans as bytes', async () => {
    const { client } = await setup();
    const res = await client.queryTrace({ groups: ['g'], name: 't', tagProjection: ['trace_id'] });
    assert.equal(res.traces?.[0]?.traceId, 't1');
    assert.deepEqual([...(res.traces?.[0]?.spans?.[0]?.span ?? [])], [1, 2, 3]);
  });
});

describe('writes', () => {
  test('stream batch: all acknowledged after half-close, ids assigned, metadata on every message', async () => {
    const { client, fake } = await setup();
    const batch = streamBatch(50);
    const res = await client.writeStream(batch);
    assert.equal(res.sent, 50);
    assert.equal(res.acknowledged, 50);
    assert.deepEqual(res.rejected, []);
    assert.deepEqual(res.statusCounts, { STATUS_SUCCEED: 50 });
    assert.equal(res.retries, 0);
    assert.ok(res.durationMs >= 0);
    assert.equal(fake.writeStreams, 1);
    const ids = fake.received.map((r) => r.id);
    assert.equal(new Set(ids).size, 50);
    assert.ok(ids.every((id) => id > 0));
    for (const r of fake.received) assert.deepEqual(r.request.metadata, MD);
    // null tag values were converted and the caller's objects untouched
    const fam = (fake.received[3]!.request.element as { tagFamilies: { tags: Record<string, unknown>[] }[] }).tagFamilies[1]!;
    assert.deepEqual(fam.tags[2], { null: 'NULL_VALUE' });
    assert.equal(fam.tags[1]?.int && (fam.tags[1].int as { value: number }).value, 3);
    assert.equal(batch[0]!.messageId, undefined);
    // a second batch gets fresh ids
    await client.writeStream(streamBatch(5));
    assert.equal(new Set(fake.received.map((r) => r.id)).size, 55);
  });

  test('trace batch: versions assigned, acknowledged by version; caller-set versions kept', async () => {
    const { client, fake } = await setup();
    const batch = traceBatch(20);
    batch[0]!.version = 9_000;
    const res = await client.writeTrace(batch);
    assert.equal(res.acknowledged, 20);
    assert.equal(fake.received[0]!.id, 9_000);
    assert.equal(fake.received[0]!.request.metadata && (fake.received[0]!.request.metadata as { name: string }).name, 'segment');
    assert.deepEqual([...(fake.received[1]!.request.span as Uint8Array)], [1, 1, 2]);
  });

  test('rejected ids are surfaced with their statuses; throwOnReject: false returns them', async () => {
    const reject = new Map<number, string>();
    const { client } = await setup({ write: { reject } }, { schemaRetryMs: 0 });
    const ids = client.reserveIds(0); // nothing reserved; ids come from the batch below
    assert.deepEqual(ids, []);
    const batch = streamBatch(10).map((r, i) => ({ ...r, messageId: 100 + i }));
    reject.set(103, 'STATUS_INVALID_TIMESTAMP');
    reject.set(107, 'STATUS_NOT_FOUND');
    const res = await client.writeStream(batch, { throwOnReject: false });
    assert.equal(res.acknowledged, 8);
    assert.deepEqual(
      res.rejected.sort((a, b) => a.id - b.id),
      [
        { id: 103, status: 'STATUS_INVALID_TIMESTAMP' },
        { id: 107, status: 'STATUS_NOT_FOUND' },
      ],
    );
    assert.deepEqual(res.statusCounts, { STATUS_SUCCEED: 8, STATUS_INVALID_TIMESTAMP: 1, STATUS_NOT_FOUND: 1 });
    await assert.rejects(client.writeStream(batch), (err: unknown) => {
      assert.ok(err instanceof WriteRejectedError);
      assert.equal(err.sent, 10);
      assert.equal(err.acknowledged, 8);
      assert.deepEqual(err.statusCounts, { STATUS_INVALID_TIMESTAMP: 1, STATUS_NOT_FOUND: 1 });
      assert.match(err.message, /2 of 10 writes rejected/);
      return true;
    });
  });

  test('caller-set duplicate ids (e.g. every span at version 1) are matched one ack each', async () => {
    const { client } = await setup({ write: { dropAcks: new Set([2]) } });
    const batch = traceBatch(6).map((r, i) => ({ ...r, version: i < 4 ? 1 : 2 }));
    const res = await client.writeTrace(batch, { throwOnReject: false });
    assert.equal(res.acknowledged, 4);
    assert.deepEqual(res.rejected, [
      { id: 2, status: 'MISSING_ACK' },
      { id: 2, status: 'MISSING_ACK' },
    ]);
  });

  test('requests without an ack by stream end are MISSING_ACK', async () => {
    const { client } = await setup({ write: { dropAcks: new Set([2, 4]) } });
    const res = await client.writeTrace(
      traceBatch(5).map((r, i) => ({ ...r, version: i + 1 })),
      { throwOnReject: false },
    );
    assert.equal(res.acknowledged, 3);
    assert.deepEqual(res.statusCounts, { STATUS_SUCCEED: 3, MISSING_ACK: 2 });
    assert.deepEqual(res.rejected.map((r) => r.id).sort(), [2, 4]);
  });

  test('STATUS_INTERNAL_ERROR is retried with backoff until success', async () => {
    const { client, fake } = await setup({ write: { internalErrorAttempts: 2 } });
    const res = await client.writeStream(streamBatch(10), { retryInternalErrorForMs: 5_000 });
    assert.equal(res.acknowledged, 10);
    assert.deepEqual(res.rejected, []);
    assert.equal(res.retries, 20);
    assert.equal(fake.writeStreams, 3);
  });

  test('STATUS_INTERNAL_ERROR retries can be disabled, and stop when other rejections are mixed in', async () => {
    const { client, fake } = await setup({ write: { internalErrorAttempts: 1 } }, { schemaRetryMs: 0 });
    const res = await client.writeStream(streamBatch(4), { throwOnReject: false });
    assert.equal(res.retries, 0);
    assert.deepEqual(res.statusCounts, { STATUS_INTERNAL_ERROR: 4 });
    assert.equal(fake.writeStreams, 1);

    fake.options.write = { internalErrorAttempts: 5, reject: new Map([[1_000, 'STATUS_NOT_FOUND']]) };
    const batch = streamBatch(3).map((r, i) => ({ ...r, messageId: 1_000 + i }));
    const mixed = await client.writeStream(batch, { throwOnReject: false, retryInternalErrorForMs: 5_000 });
    assert.equal(mixed.retries, 0);
    assert.deepEqual(mixed.statusCounts, { STATUS_NOT_FOUND: 1, STATUS_INTERNAL_ERROR: 2 });
  });

  test('span writes also retry STATUS_NOT_FOUND (unknown trace while the schema propagates); stream writes do not', async () => {
    const { client, fake } = await setup({ write: { internalErrorAttempts: 1, transientStatus: 'STATUS_NOT_FOUND' } });
    const res = await client.writeTrace(traceBatch(3), { retryInternalErrorForMs: 5_000 });
    assert.equal(res.acknowledged, 3);
    assert.equal(res.retries, 3);
    const streams = fake.writeStreams;
    const sres = await client.writeStream(streamBatch(2), { retryInternalErrorForMs: 5_000, throwOnReject: false });
    assert.deepEqual(sres.statusCounts, { STATUS_NOT_FOUND: 2 });
    assert.equal(fake.writeStreams, streams + 1);
    const custom = await client.writeStream(
      streamBatch(2).map((r, i) => ({ ...r, messageId: 50_000 + i })),
      { retryInternalErrorForMs: 5_000, retryStatuses: ['STATUS_NOT_FOUND'] },
    );
    assert.equal(custom.retries, 2);
    assert.equal(custom.acknowledged, 2);
  });

  test('STATUS_INTERNAL_ERROR retries are bounded in time', async () => {
    const { client } = await setup({ write: { internalErrorAttempts: 1_000 } });
    await assert.rejects(client.writeStream(streamBatch(2), { retryInternalErrorForMs: 300 }), (err: unknown) => {
      assert.ok(err instanceof WriteRejectedError);
      assert.deepEqual(err.statusCounts, { STATUS_INTERNAL_ERROR: 2 });
      return true;
    });
  });

  for (const breakMode of ['error', 'shutdown'] as const) {
    test(`server breaking the stream mid-way (${breakMode}) rejects with a typed error, no hang`, async () => {
      const { client } = await setup({ write: { breakAfter: 20, breakMode } });
      await assert.rejects(client.writeStream(streamBatch(200, 1_000)), (err: unknown) => {
        assert.ok(err instanceof UnavailableError, String(err));
        assert.equal(err.method, '/banyandb.stream.v1.StreamService/Write');
        assert.ok(err.cause);
        return true;
      });
    });
  }

  test('server ending the stream OK early leaves the rest MISSING_ACK', async () => {
    const { client } = await setup({ write: { breakAfter: 5, breakMode: 'end-ok' } });
    const res = await client.writeStream(streamBatch(50, 1_000), { throwOnReject: false });
    assert.equal(res.acknowledged, 0);
    assert.equal(res.statusCounts.MISSING_ACK, 50);
  });

  test('a server that never ends the stream hits writeTimeoutMs', async () => {
    const { client } = await setup({ write: { ignoreEnd: true } }, { writeTimeoutMs: 300 });
    await assert.rejects(client.writeTrace(traceBatch(3)), (err: unknown) => {
      assert.ok(err instanceof DeadlineExceededError, String(err));
      assert.equal(err.method, '/banyandb.trace.v1.TraceService/Write');
      return true;
    });
  });

  test('abort cancels a write batch', async () => {
    const { client } = await setup({ write: { ignoreEnd: true } });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(client.writeStream(streamBatch(3), { signal: ac.signal }), AbortedError);
    const pre = new AbortController();
    pre.abort();
    await assert.rejects(client.writeStream(streamBatch(3), { signal: pre.signal }), AbortedError);
  });

  test('backpressure: 2,000 x 10 KB in one batch, all acknowledged', async () => {
    const { client, fake } = await setup();
    const res = await client.writeStream(streamBatch(2_000, 10_240));
    assert.equal(res.acknowledged, 2_000);
    assert.equal(fake.received.length, 2_000);
    const payload = (fake.received[1_999]!.request.element as { tagFamilies: { tags: { binaryData: Uint8Array }[] }[] }).tagFamilies[0]!
      .tags[0]!.binaryData;
    assert.equal(payload.length, 10_240);
    assert.equal(payload[0], 1_999 % 251);
  });

  test('backpressure against a slow consumer', async () => {
    const { client } = await setup({ write: { perMessageDelayMs: 1 } });
    const res = await client.writeTrace(
      Array.from({ length: 300 }, (_, i) => ({ metadata: MD, span: new Uint8Array(20_000).fill(i % 7) })),
      { timeoutMs: 30_000 },
    );
    assert.equal(res.acknowledged, 300);
  });

  test('pre-encoded frames get the same ack accounting', async () => {
    const { client, fake } = await setup({ write: { reject: new Map([[3, 'STATUS_EXPIRED_SCHEMA']]) } });
    const ids = [1, 2, 3, 4];
    const frames = encodeStreamRequests(streamBatch(4), ids);
    const res = await client.writeStreamEncoded(frames, ids, { throwOnReject: false });
    assert.equal(res.acknowledged, 3);
    assert.deepEqual(res.rejected, [{ id: 3, status: 'STATUS_EXPIRED_SCHEMA' }]);
    assert.deepEqual(
      fake.received.map((r) => r.id),
      ids,
    );
    const tids = client.reserveIds(2);
    assert.equal(tids.length, 2);
    assert.ok(tids[1]! > tids[0]! && tids[0]! > 0);
    const tres = await client.writeTraceEncoded(encodeTraceRequests(traceBatch(2), tids), tids);
    assert.equal(tres.acknowledged, 2);
    await assert.rejects(client.writeTraceEncoded(frames, [1]), OptionsError);
  });

  test('a batch without metadata on its first message is refused', async () => {
    const { client } = await setup();
    await assert.rejects(client.writeTrace([{ span: new Uint8Array(1) }]), (err: unknown) => {
      assert.ok(err instanceof OptionsError);
      assert.equal(err.option, 'batch[0].metadata');
      return true;
    });
  });
});

describe('lifecycle', () => {
  test('close is idempotent; use after close throws ClosedError', async () => {
    const { client } = await setup();
    await client.close();
    await client.close();
    assert.equal(client.closed, true);
    await assert.rejects(client.health(), ClosedError);
    await assert.rejects(client.groups.list(), ClosedError);
    await assert.rejects(client.writeStream(streamBatch(1)), ClosedError);
  });

  test('close cancels in-flight calls with ClosedError', async () => {
    const { client } = await setup({ write: { ignoreEnd: true } });
    const pending = client.writeStream(streamBatch(2));
    await new Promise((r) => setTimeout(r, 50));
    await client.close();
    await assert.rejects(pending, ClosedError);
  });

  test('Symbol.asyncDispose closes', async () => {
    const fake = await FakeBanyanDB.start();
    cleanups.push(() => fake.close());
    let kept: BanyanDBClient | undefined;
    {
      await using client = await BanyanDBClient.connect(fake.address);
      kept = client;
    }
    assert.equal(kept.closed, true);
  });
});
