/**
 * One test per BanyanDB 0.10.3 behaviour the emulator reproduces on the registry, write, health and HTTP paths,
 * named by its number in the conformance corpus's FACTS.md (../shared/conformance/FACTS.md). The fixtures are
 * derived from the facts, not copied from the recording. Query-side facts (24-39) are tested elsewhere.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { credentials, makeGenericClientConstructor, type ServiceError, status } from '@grpc/grpc-js';
import { type ApiVersion, apiVersionServiceDefinition } from '../src/emulator/grpc-defs.js';
import { type Emulator, startEmulator } from '../src/emulator/index.js';
import { toolVersion } from '../src/workload/version.js';
import {
  int,
  loadSchemas,
  STREAM_GROUP,
  segmentStream,
  segmentTrace,
  str,
  streamGroup,
  streamWrite,
  T0,
  TestClient,
  TRACE_GROUP,
  traceWrite,
  ts,
} from './emulator-helpers.js';

async function rejectsWith(p: Promise<unknown>, code: status, details?: string | RegExp): Promise<void> {
  await assert.rejects(p, (err: ServiceError) => {
    assert.equal(err.code, code, `expected gRPC code ${status[code]}, got ${status[err.code]}: ${err.details}`);
    if (typeof details === 'string') assert.equal(err.details, details);
    else if (details) assert.match(err.details, details);
    return true;
  });
}

const truthy = (o: object): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => Boolean(v)));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls Group Get until NOT_FOUND; the milliseconds it took. */
async function waitGone(c: TestClient, group: string, timeoutMs = 5_000): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    try {
      await c.call('group', 'Get', { group });
    } catch (err) {
      if ((err as ServiceError).code === status.NOT_FOUND) return Date.now() - t0;
      throw err;
    }
    await sleep(20);
  }
  throw new Error(`group ${group} still there after ${timeoutMs} ms`);
}

/** The spanId tag values of every stream element of the fixture stream (all time). */
async function streamSpanIds(c: TestClient, tags: string[] = ['traceId']): Promise<Record<string, unknown>[]> {
  const res = await c.call<{ elements?: { tagFamilies?: { tags?: { key: string; value: unknown }[] }[] }[] }>('streamData', 'Query', {
    groups: [STREAM_GROUP],
    name: 'segment',
    limit: 100,
    projection: { tagFamilies: [{ name: 'primary', tags }] },
  });
  return (res.elements ?? []).map((e) => Object.fromEntries((e.tagFamilies?.[0]?.tags ?? []).map((t) => [t.key, t.value])));
}

/** The spans of one trace of the fixture trace. */
async function traceSpans(c: TestClient, traceId: string, tags: string[]): Promise<Record<string, unknown>[]> {
  const res = await c.call<{ traces?: { spans?: { tags?: { key: string; value: unknown }[] }[] }[] }>('traceData', 'Query', {
    groups: [TRACE_GROUP],
    name: 'segment',
    limit: 10,
    criteria: { condition: { name: 'traceId', op: 'BINARY_OP_EQ', value: str(traceId) } },
    tagProjection: tags,
  });
  return (res.traces?.[0]?.spans ?? []).map((s) => Object.fromEntries((s.tags ?? []).map((t) => [t.key, t.value])));
}

const NULL = { null: 'NULL_VALUE' };

describe('emulator quirks of BanyanDB 0.10.3: health and version', () => {
  let emu: Emulator;
  let c: TestClient;
  before(async () => {
    emu = await startEmulator();
    c = new TestClient(emu.grpcAddress);
  });
  after(async () => {
    c.close();
    await emu.close();
  });

  it('FACT 1: health Check is SERVING only for service "", NOT_FOUND "unknown service" for any name', async () => {
    assert.deepEqual(await c.call('health', 'Check', {}), { status: 'SERVING' });
    for (const service of ['banyandb.stream.v1.StreamService', 'no.such.Service']) {
      await rejectsWith(c.call('health', 'Check', { service }), status.NOT_FOUND, 'unknown service');
    }
  });

  it("FACT 2: GetAPIVersion answers version 0.10 over gRPC and HTTP, with the emulator's own revision", async () => {
    const Ctor = makeGenericClientConstructor(apiVersionServiceDefinition(), 'Service');
    const client = new Ctor(emu.grpcAddress, credentials.createInsecure()) as unknown as {
      GetAPIVersion(req: Buffer, cb: (err: ServiceError | null, res: ApiVersion) => void): void;
      close(): void;
    };
    const v = await new Promise<ApiVersion>((resolve, reject) =>
      client.GetAPIVersion(Buffer.alloc(0), (err, res) => (err ? reject(err) : resolve(res))),
    );
    client.close();
    assert.deepEqual(v, { version: '0.10', revision: `emulator-${toolVersion()}` });
    const res = await fetch(`${emu.httpAddress}/api/v1/common/api/version`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(await res.text(), JSON.stringify({ version: { version: '0.10', revision: `emulator-${toolVersion()}` } }));
  });

  it('FACT 3: /api/healthz is text/plain; charset=utf-8 SERVING; an unknown path is a JSON 404', async () => {
    const ok = await fetch(`${emu.httpAddress}/api/healthz`);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await ok.text(), 'SERVING');
    const missing = await fetch(`${emu.httpAddress}/api/no-such-path`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('content-type'), 'application/json');
    assert.equal(await missing.text(), '{"code":5,"message":"Not Found","details":[]}');
  });
});

describe('emulator quirks of BanyanDB 0.10.3: registry', () => {
  let emu: Emulator;
  let c: TestClient;
  before(async () => {
    emu = await startEmulator();
    c = new TestClient(emu.grpcAddress);
    await loadSchemas(c);
  });
  after(async () => {
    c.close();
    await emu.close();
  });

  it('FACT 4: creates answer empty (modRevision for streams/traces); Get has nanosecond modRevision, no createRevision, updatedAt', async () => {
    const created = await c.call<{ modRevision: number }>('stream', 'Create', {
      stream: { ...segmentStream, metadata: { group: STREAM_GROUP, name: 'f4' } },
    });
    assert.ok(created.modRevision > 1e18, `revision ${created.modRevision} is not nanosecond-scale`);
    assert.deepEqual(truthy(await c.call('group', 'Create', { group: { ...streamGroup, metadata: { name: 'f4_group' } } })), {});
    const got = await c.call<{ stream: { metadata: Record<string, unknown>; updatedAt?: object } }>('stream', 'Get', {
      metadata: { group: STREAM_GROUP, name: 'f4' },
    });
    assert.equal(got.stream.metadata.modRevision, created.modRevision);
    assert.ok(!got.stream.metadata.createRevision);
    assert.ok(got.stream.updatedAt);
    const rule = await c.call<{ indexRule: { metadata: { id: number } } }>('indexRule', 'Get', {
      metadata: { group: STREAM_GROUP, name: 'latency_index' },
    });
    assert.ok(rule.indexRule.metadata.id > 0);
  });

  it('FACT 5: a duplicate create of any kind is ALREADY_EXISTS "banyandb: resource already exists"', async () => {
    const text = 'banyandb: resource already exists';
    await rejectsWith(c.call('group', 'Create', { group: streamGroup }), status.ALREADY_EXISTS, text);
    await rejectsWith(c.call('stream', 'Create', { stream: segmentStream }), status.ALREADY_EXISTS, text);
    await rejectsWith(c.call('trace', 'Create', { trace: segmentTrace }), status.ALREADY_EXISTS, text);
  });

  it('FACT 6: missing resources are NOT_FOUND on Get; Delete of a missing stream is OK, of a missing group NOT_FOUND', async () => {
    const text = 'banyandb: resource not found';
    await rejectsWith(c.call('group', 'Get', { group: 'nope' }), status.NOT_FOUND, text);
    await rejectsWith(c.call('stream', 'Get', { metadata: { group: 'nope', name: 'segment' } }), status.NOT_FOUND, text);
    await rejectsWith(c.call('indexRuleBinding', 'Get', { metadata: { group: STREAM_GROUP, name: 'nope' } }), status.NOT_FOUND, text);
    assert.deepEqual(truthy(await c.call('stream', 'Delete', { metadata: { group: STREAM_GROUP, name: 'nope' } })), {});
    assert.deepEqual(truthy(await c.call('indexRule', 'Delete', { metadata: { group: STREAM_GROUP, name: 'nope' } })), {});
    await rejectsWith(c.call('group', 'Delete', { group: 'nope' }), status.NOT_FOUND, text);
  });

  it('FACT 7: Exist of a missing group is {}; of a missing stream in an existing group {hasGroup: true}', async () => {
    assert.deepEqual(truthy(await c.call('group', 'Exist', { group: 'nope' })), {});
    assert.deepEqual(truthy(await c.call('stream', 'Exist', { metadata: { group: STREAM_GROUP, name: 'nope' } })), { hasGroup: true });
    assert.deepEqual(truthy(await c.call('stream', 'Exist', { metadata: { group: 'nope', name: 'segment' } })), {});
  });

  it('FACT 8: listing a missing group is empty; an empty group name is INVALID_ARGUMENT "banyandb: input is invalid"', async () => {
    assert.deepEqual((await c.call<{ stream?: unknown[] }>('stream', 'List', { group: 'nope' })).stream ?? [], []);
    await rejectsWith(c.call('stream', 'List', { group: '' }), status.INVALID_ARGUMENT, 'banyandb: input is invalid');
  });

  it('FACT 9: Group List includes the internal _deletion_task group (CATALOG_PROPERTY, 1 shard)', async () => {
    const list = await c.call<{ group: { metadata: { name: string }; catalog: string; resourceOpts: { shardNum: number } }[] }>(
      'group',
      'List',
      {},
    );
    const internal = list.group.find((g) => g.metadata.name === '_deletion_task');
    assert.ok(internal);
    assert.equal(internal.catalog, 'CATALOG_PROPERTY');
    assert.equal(internal.resourceOpts.shardNum, 1);
  });

  it("FACT 10: validator failures are INVALID_ARGUMENT with a chained text; the registry's own checks UNKNOWN with short texts", async () => {
    await rejectsWith(
      c.call('group', 'Create', { group: { catalog: 'CATALOG_STREAM' } }),
      status.INVALID_ARGUMENT,
      'invalid GroupRegistryServiceCreateRequest.Group: embedded message failed validation | caused by: invalid Group.Metadata: value is required',
    );
    await rejectsWith(
      c.call('group', 'Create', { group: { ...streamGroup, metadata: { name: 'g' }, resourceOpts: { shardNum: 0 } } }),
      status.INVALID_ARGUMENT,
      'invalid GroupRegistryServiceCreateRequest.Group: embedded message failed validation | caused by: invalid Group.ResourceOpts: ' +
        'embedded message failed validation | caused by: invalid ResourceOpts.ShardNum: value must be greater than 0',
    );
    await rejectsWith(
      c.call('stream', 'Create', { stream: { ...segmentStream, entity: undefined } }),
      status.INVALID_ARGUMENT,
      'invalid StreamRegistryServiceCreateRequest.Stream: embedded message failed validation | caused by: invalid Stream.Entity: value is required',
    );
    await rejectsWith(
      c.call('trace', 'Create', { trace: { ...segmentTrace, traceIdTagName: '' } }),
      status.INVALID_ARGUMENT,
      'invalid TraceRegistryServiceCreateRequest.Trace: embedded message failed validation | caused by: invalid Trace.TraceIdTagName: value length must be at least 1 runes',
    );
    await rejectsWith(
      c.call('indexRuleBinding', 'Create', { indexRuleBinding: { metadata: { group: STREAM_GROUP, name: 'b' }, rules: [] } }),
      status.INVALID_ARGUMENT,
      'invalid IndexRuleBindingRegistryServiceCreateRequest.IndexRuleBinding: embedded message failed validation | caused by: invalid IndexRuleBinding.Rules: value must contain at least 1 item(s)',
    );
    await rejectsWith(c.call('group', 'Create', { group: { ...streamGroup, metadata: {} } }), status.UNKNOWN, 'metadata.name is required');
    await rejectsWith(c.call('group', 'Create', { group: { metadata: { name: 'g' } } }), status.UNKNOWN, 'catalog is unspecified');
    await rejectsWith(
      c.call('group', 'Create', { group: { metadata: { name: 'g' }, catalog: 'CATALOG_STREAM' } }),
      status.UNKNOWN,
      'group resourceOpts is nil',
    );
    await rejectsWith(
      c.call('stream', 'Create', { stream: { ...segmentStream, metadata: { group: STREAM_GROUP } } }),
      status.UNKNOWN,
      'stream name is empty',
    );
    await rejectsWith(
      c.call('indexRule', 'Create', { indexRule: { metadata: { group: STREAM_GROUP, name: 'r' }, tags: ['latency'] } }),
      status.UNKNOWN,
      'indexRule type is unspecified',
    );
  });

  it('FACT 11: inconsistent schemas are accepted and listed afterwards', async () => {
    await c.call('stream', 'Create', { stream: { ...segmentStream, metadata: { group: TRACE_GROUP, name: 'stream_in_trace_group' } } });
    await c.call('stream', 'Create', {
      stream: { ...segmentStream, metadata: { group: STREAM_GROUP, name: 'bad_entity' }, entity: { tagNames: ['nope'] } },
    });
    await c.call('trace', 'Create', {
      trace: { ...segmentTrace, metadata: { group: TRACE_GROUP, name: 'bad_ids' }, traceIdTagName: 'nope' },
    });
    await c.call('trace', 'Create', {
      trace: { ...segmentTrace, metadata: { group: TRACE_GROUP, name: 'str_ts' }, timestampTagName: 'serviceId' },
    });
    await c.call('indexRule', 'Create', {
      indexRule: { metadata: { group: 'nope', name: 'r' }, tags: ['latency'], type: 'TYPE_INVERTED' },
    });
    const binding = {
      metadata: { group: STREAM_GROUP, name: 'dangling' },
      rules: ['nope_rule'],
      subject: { catalog: 'CATALOG_STREAM', name: 'nope' },
      beginAt: ts(Date.UTC(2030, 0, 1)),
      expireAt: ts(Date.UTC(2024, 0, 1)),
    };
    await c.call('indexRuleBinding', 'Create', { indexRuleBinding: binding });
    const names = async (service: 'stream' | 'trace' | 'indexRuleBinding', group: string, field: string): Promise<string[]> =>
      ((await c.call<Record<string, { metadata: { name: string } }[]>>(service, 'List', { group }))[field] ?? []).map(
        (x) => x.metadata.name,
      );
    assert.ok((await names('stream', TRACE_GROUP, 'stream')).includes('stream_in_trace_group'));
    assert.ok((await names('stream', STREAM_GROUP, 'stream')).includes('bad_entity'));
    assert.deepEqual((await names('trace', TRACE_GROUP, 'trace')).sort(), ['bad_ids', 'segment', 'str_ts']);
    assert.ok((await names('indexRuleBinding', STREAM_GROUP, 'indexRuleBinding')).includes('dangling'));
  });

  it('FACT 12: Update of a missing stream is UNKNOWN "schema <group>/<name> not exist"', async () => {
    await rejectsWith(
      c.call('stream', 'Update', { stream: { ...segmentStream, metadata: { group: STREAM_GROUP, name: 'nope' } } }),
      status.UNKNOWN,
      `schema ${STREAM_GROUP}/nope not exist`,
    );
  });

  it('FACT 13: group deletion is asynchronous: OK at once, still there, a second Delete refused, then NOT_FOUND', async () => {
    await c.call('group', 'Create', { group: { ...streamGroup, metadata: { name: 'f13_group' } } });
    assert.deepEqual(truthy(await c.call('group', 'Delete', { group: 'f13_group' })), {});
    const still = await c.call<{ group: { metadata: { name: string } } }>('group', 'Get', { group: 'f13_group' });
    assert.equal(still.group.metadata.name, 'f13_group');
    await rejectsWith(
      c.call('group', 'Delete', { group: 'f13_group', force: true }),
      status.UNKNOWN,
      'deletion task for group f13_group is already in progress (last updated 0s ago)',
    );
    const ms = await waitGone(c, 'f13_group');
    assert.ok(ms > 0 && ms < 2_000, `deletion took ${ms} ms`);
  });

  it('FACT 14: a re-created group name is unusable: creates and writes succeed, queries and Delete fail', async () => {
    const g = 'f14_group';
    const schema = async (): Promise<void> => {
      await c.call('group', 'Create', { group: { ...streamGroup, metadata: { name: g } } });
      await c.call('stream', 'Create', { stream: { ...segmentStream, metadata: { group: g, name: 'segment' } } });
    };
    const write = (id: string, n: number): object => ({
      ...streamWrite({ id, ms: T0, service: 's', latency: 1 }, n),
      metadata: { group: g, name: 'segment' },
    });
    const query = { groups: [g], name: 'segment', limit: 10, projection: { tagFamilies: [{ name: 'primary', tags: ['traceId'] }] } };
    await schema();
    assert.equal((await c.write('streamData', [write('a', 1)])).responses[0]?.status, 'STATUS_SUCCEED');
    assert.equal((await c.call<{ elements: unknown[] }>('streamData', 'Query', query)).elements.length, 1);
    await c.call('group', 'Delete', { group: g, force: true });
    await waitGone(c, g);
    await schema();
    assert.equal((await c.write('streamData', [write('b', 2)])).responses[0]?.status, 'STATUS_SUCCEED');
    await rejectsWith(
      c.call('streamData', 'Query', query),
      status.UNKNOWN,
      `code: STATUS_INTERNAL_ERROR, msg: execute the query plan for stream segment: group ${g} not found: invalid query message`,
    );
    assert.ok(await c.call('group', 'Get', { group: g }));
    await rejectsWith(
      c.call('group', 'Delete', { group: g, force: true }),
      status.UNKNOWN,
      `failed to collect data info for group ${g}: group ${g} not found`,
    );
  });
});

describe('emulator quirks of BanyanDB 0.10.3: writes', () => {
  let emu: Emulator;
  let c: TestClient;
  before(async () => {
    emu = await startEmulator();
    c = new TestClient(emu.grpcAddress);
    await loadSchemas(c);
  });
  after(async () => {
    c.close();
    await emu.close();
  });

  it('FACT 15: success acks are held until half-close; a rejection is acknowledged at once', async () => {
    const ok = await c.write(
      'streamData',
      Array.from({ length: 10 }, (_, i) => streamWrite({ id: `f15-${i}`, ms: T0 + i, service: 's', latency: i }, i + 1)),
      300,
    );
    assert.equal(ok.beforeEnd.length, 0);
    assert.equal(ok.responses.length, 10);
    const bad = streamWrite({ id: 'f15-bad', ms: T0, service: 's', latency: 1 }, 99) as { element: { timestamp: { nanos: number } } };
    bad.element.timestamp.nanos = 1;
    const mixed = await c.write('streamData', [bad, streamWrite({ id: 'f15-ok', ms: T0, service: 's', latency: 1 }, 100)], 300);
    assert.deepEqual(
      mixed.beforeEnd.map((r) => r.status),
      ['STATUS_INVALID_TIMESTAMP'],
    );
    const spans = await c.write('traceData', [traceWrite({ traceId: 'f15', spanId: 'a', ms: T0, service: 's', latency: 1 }, 1)], 300);
    assert.equal(spans.beforeEnd.length, 0);
    assert.equal(spans.responses[0]?.status, 'STATUS_SUCCEED');
  });

  it('FACT 16: acks echo the metadata (with a client modRevision; the previous one for a message without metadata)', async () => {
    const rev = (await c.call<{ stream: { metadata: { modRevision: number } } }>('stream', 'Get', { metadata: segmentStream.metadata }))
      .stream.metadata.modRevision;
    const first = {
      ...streamWrite({ id: 'f16-a', ms: T0, service: 's', latency: 1 }, 1),
      metadata: { ...segmentStream.metadata, modRevision: rev },
    };
    const r = await c.write('streamData', [first, streamWrite({ id: 'f16-b', ms: T0, service: 's', latency: 1 }, 2, false)]);
    assert.deepEqual(
      r.responses.map((x) => [x.messageId, x.status, x.metadata]),
      [
        [1, 'STATUS_SUCCEED', { group: STREAM_GROUP, name: 'segment', modRevision: rev }],
        [2, 'STATUS_SUCCEED', { group: STREAM_GROUP, name: 'segment', modRevision: rev }],
      ],
    );
    const t = await c.write('traceData', [traceWrite({ traceId: 'f16', spanId: 'a', ms: T0, service: 's', latency: 1 }, 7)]);
    assert.deepEqual(Object.keys(t.responses[0] ?? {}).sort(), ['metadata', 'status', 'version']);
    assert.equal(t.responses[0]?.version, 7);
  });

  it('FACT 17: unknown group or name: stream STATUS_INTERNAL_ERROR, trace STATUS_NOT_FOUND; modRevision 1 STATUS_EXPIRED_SCHEMA', async () => {
    const el = { ...streamWrite({ id: 'f17', ms: T0, service: 's', latency: 1 }, 1), metadata: { group: 'nope', name: 'segment' } };
    const stale = {
      ...streamWrite({ id: 'f17b', ms: T0, service: 's', latency: 1 }, 2),
      metadata: { ...segmentStream.metadata, modRevision: 1 },
    };
    const s = await c.write('streamData', [el, stale, streamWrite({ id: 'f17c', ms: T0, service: 's', latency: 1 }, 3)]);
    assert.equal(s.error, undefined, 'the call goes on');
    assert.deepEqual(
      s.responses.map((x) => [x.messageId, x.status]),
      [
        [1, 'STATUS_INTERNAL_ERROR'],
        [2, 'STATUS_EXPIRED_SCHEMA'],
        [3, 'STATUS_SUCCEED'],
      ],
    );
    const span = {
      ...traceWrite({ traceId: 'f17', spanId: 'a', ms: T0, service: 's', latency: 1 }, 1),
      metadata: { group: TRACE_GROUP, name: 'nope' },
    };
    assert.equal((await c.write('traceData', [span])).responses[0]?.status, 'STATUS_NOT_FOUND');
  });

  it('FACT 18: call-ending errors send no acks at all and store nothing of the call', async () => {
    const before = (await streamSpanIds(c)).length;
    const cases: [object[], status, string][] = [
      [
        [
          streamWrite({ id: 'f18-a', ms: T0, service: 's', latency: 1 }, 1),
          streamWrite({ id: 'f18-b', ms: T0, service: 's', latency: 1 }, 0),
        ],
        status.INVALID_ARGUMENT,
        'invalid WriteRequest.MessageId: value must be greater than 0',
      ],
      [
        [streamWrite({ id: 'f18-c', ms: T0, service: 's', latency: 1 }, 2), { metadata: segmentStream.metadata, messageId: 3 }],
        status.INVALID_ARGUMENT,
        'invalid WriteRequest.Element: value is required',
      ],
      [
        [streamWrite({ id: 'f18-d', ms: T0, service: 's', latency: 1 }, 4, false)],
        status.UNKNOWN,
        'metadata is required for the first request of gRPC stream',
      ],
    ];
    for (const [messages, code, details] of cases) {
      const r = await c.write('streamData', messages);
      assert.equal(r.error?.code, code);
      assert.equal(r.error?.details, details);
      assert.deepEqual(r.responses, []);
    }
    assert.equal((await streamSpanIds(c)).length, before, 'nothing of those calls was stored');
    const v0 = await c.write('traceData', [traceWrite({ traceId: 'f18', spanId: 'a', ms: T0, service: 's', latency: 1 }, 0)]);
    assert.equal(v0.error?.details, 'invalid WriteRequest.Version: value must be greater than 0');
    const noTags = await c.write('traceData', [{ metadata: segmentTrace.metadata, version: 1, span: Buffer.from('x') }]);
    assert.equal(noTags.error?.details, 'invalid WriteRequest.Tags: value must contain at least 1 item(s)');
    const overlong = traceWrite({ traceId: 'f18', spanId: 'b', ms: T0, service: 's', latency: 1 }, 1) as { tags: object[] };
    overlong.tags.push(str('extra'));
    const tooMany = await c.write('traceData', [
      overlong,
      traceWrite({ traceId: 'f18', spanId: 'c', ms: T0, service: 's', latency: 1 }, 1),
    ]);
    assert.equal(tooMany.error?.code, status.INTERNAL);
    assert.equal(tooMany.error?.details, 'the number of spans 2 must match the number of tags 1');
    assert.deepEqual(tooMany.responses, []);
    assert.deepEqual(await traceSpans(c, 'f18', ['spanId']), []);
  });

  it('FACT 19: timestamps: absent or sub-millisecond, a trace timestamp as INT or null -> STATUS_INVALID_TIMESTAMP; trace id as INT -> STATUS_INTERNAL_ERROR', async () => {
    const noTs = streamWrite({ id: 'f19-a', ms: T0, service: 's', latency: 1 }, 1) as { element: { timestamp?: object } };
    delete noTs.element.timestamp;
    const subMs = streamWrite({ id: 'f19-b', ms: T0, service: 's', latency: 1 }, 2) as { element: { timestamp: { nanos: number } } };
    subMs.element.timestamp.nanos = 1_500_001;
    const s = await c.write('streamData', [noTs, subMs]);
    assert.deepEqual(
      s.responses.map((x) => x.status),
      ['STATUS_INVALID_TIMESTAMP', 'STATUS_INVALID_TIMESTAMP'],
    );
    const span = (mutate: (tags: object[]) => void, v: number): object => {
      const w = traceWrite({ traceId: 'f19', spanId: `s${v}`, ms: T0, service: 's', latency: 1 }, v) as { tags: object[] };
      mutate(w.tags);
      return w;
    };
    const t = await c.write('traceData', [
      span((tags) => {
        tags[3] = int(T0);
      }, 1),
      span((tags) => {
        tags[3] = NULL;
      }, 2),
      span((tags) => {
        tags[3] = { timestamp: { seconds: T0 / 1000, nanos: 1_500_001 } };
      }, 3),
      span((tags) => {
        tags[1] = int(7);
      }, 4),
    ]);
    assert.deepEqual(
      t.responses.map((x) => [x.version, x.status]),
      [
        [1, 'STATUS_INVALID_TIMESTAMP'],
        [2, 'STATUS_INVALID_TIMESTAMP'],
        [3, 'STATUS_INVALID_TIMESTAMP'],
        [4, 'STATUS_INTERNAL_ERROR'],
      ],
    );
  });

  it('FACT 20: malformed writes are acknowledged STATUS_SUCCEED and stored, wrong-typed or missing values as null', async () => {
    const write = (id: string, n: number, mutate: (families: { tags: object[] }[]) => void): object => {
      const w = streamWrite({ id, ms: T0 + 20_000, service: 'f20', latency: 5, traceId: 'f20' }, n) as {
        element: { tagFamilies: { tags: object[] }[] };
      };
      mutate(w.element.tagFamilies);
      return w;
    };
    const r = await c.write('streamData', [
      write('few', 1, (f) => {
        f[0]!.tags.pop(); // isError missing
      }),
      write('many', 2, (f) => {
        f[0]!.tags.push(str('extra'));
      }),
      write('one-family', 3, (f) => {
        f.pop();
      }),
      write('wrong-int', 4, (f) => {
        f[0]!.tags[3] = str('12');
      }),
      write('wrong-entity', 5, (f) => {
        f[0]!.tags[0] = int(5);
      }),
      write('', 6, () => {}),
    ]);
    assert.deepEqual(
      r.responses.map((x) => x.status),
      Array(6).fill('STATUS_SUCCEED'),
    );
    const rows = (await streamSpanIds(c, ['traceId', 'serviceId', 'latency', 'isError'])).filter(
      (row) => JSON.stringify(row.traceId) === JSON.stringify(str('f20')),
    );
    assert.equal(rows.length, 6);
    const nulls = rows.map((row) =>
      Object.keys(row)
        .filter((k) => JSON.stringify(row[k]) === JSON.stringify(NULL))
        .join(','),
    );
    assert.deepEqual(nulls.sort(), ['', '', '', 'isError', 'latency', 'serviceId']);
    const bytes = await c.call<{ elements: { tagFamilies?: { tags?: { value: unknown }[] }[] }[] }>('streamData', 'Query', {
      groups: [STREAM_GROUP],
      name: 'segment',
      limit: 100,
      criteria: { condition: { name: 'traceId', op: 'BINARY_OP_EQ', value: str('f20') } },
      projection: { tagFamilies: [{ name: 'data_binary', tags: ['dataBinary'] }] },
    });
    assert.equal(bytes.elements.filter((e) => JSON.stringify(e.tagFamilies?.[0]?.tags?.[0]?.value) === JSON.stringify(NULL)).length, 1);
    const spanWrite = (id: string, mutate: (w: { tags: object[]; span?: unknown }) => void): object => {
      const w = traceWrite({ traceId: 'f20', spanId: id, ms: T0, service: 's', latency: 3 }, 1) as { tags: object[]; span?: unknown };
      mutate(w);
      return w;
    };
    const t = await c.write('traceData', [
      spanWrite('few', (w) => {
        w.tags.pop();
      }),
      spanWrite('wrong', (w) => {
        w.tags[4] = str('slow');
      }),
      spanWrite('no-bytes', (w) => {
        delete w.span;
      }),
      spanWrite('', () => {}),
    ]);
    assert.deepEqual(
      t.responses.map((x) => x.status),
      Array(4).fill('STATUS_SUCCEED'),
    );
    const spans = await traceSpans(c, 'f20', ['spanId', 'latency', 'isError']);
    assert.equal(spans.length, 4);
    const few = spans.find((s) => JSON.stringify(s.spanId) === JSON.stringify(str('few')));
    assert.deepEqual(few?.isError, NULL);
    const wrong = spans.find((s) => JSON.stringify(s.spanId) === JSON.stringify(str('wrong')));
    assert.deepEqual(wrong?.latency, NULL);
  });

  it('FACT 21: writes older than the TTL are acknowledged and dropped; writes a day in the future are stored', async () => {
    const day = 86_400_000;
    const old = Date.now() - 8 * day;
    const future = Date.now() + day;
    const s = await c.write('streamData', [
      streamWrite({ id: 'f21-old', ms: old, service: 's', latency: 1, traceId: 'f21' }, 1),
      streamWrite({ id: 'f21-future', ms: future, service: 's', latency: 2, traceId: 'f21' }, 2),
    ]);
    assert.deepEqual(
      s.responses.map((x) => x.status),
      ['STATUS_SUCCEED', 'STATUS_SUCCEED'],
    );
    const rows = (await streamSpanIds(c, ['traceId', 'latency'])).filter((r) => JSON.stringify(r.traceId) === JSON.stringify(str('f21')));
    assert.deepEqual(
      rows.map((r) => r.latency),
      [int(2)],
    );
    const t = await c.write('traceData', [
      traceWrite({ traceId: 'f21', spanId: 'old', ms: old, service: 's', latency: 1 }, 1),
      traceWrite({ traceId: 'f21', spanId: 'future', ms: future, service: 's', latency: 2 }, 2),
    ]);
    assert.deepEqual(
      t.responses.map((x) => x.status),
      ['STATUS_SUCCEED', 'STATUS_SUCCEED'],
    );
    assert.deepEqual(await traceSpans(c, 'f21', ['spanId']), [{ spanId: str('future') }]);
  });

  it('FACT 22: the same stream element written twice is stored once; the same span twice is kept twice', async () => {
    const el = streamWrite({ id: 'f22', ms: T0 + 22, service: 's', latency: 22, traceId: 'f22' }, 1);
    await c.write('streamData', [el]);
    await c.write('streamData', [el, streamWrite({ id: 'f22', ms: T0 + 23, service: 's', latency: 23, traceId: 'f22' }, 2)]);
    const rows = (await streamSpanIds(c, ['traceId', 'latency'])).filter((r) => JSON.stringify(r.traceId) === JSON.stringify(str('f22')));
    assert.deepEqual(
      rows.map((r) => r.latency).sort(),
      [int(22), int(23)],
      'same id + series + time once; another time is another element',
    );
    const span = traceWrite({ traceId: 'f22', spanId: 'dup', ms: T0, service: 's', latency: 1 }, 1);
    await c.write('traceData', [span]);
    await c.write('traceData', [span]);
    assert.equal((await traceSpans(c, 'f22', ['spanId'])).length, 2);
  });
});
