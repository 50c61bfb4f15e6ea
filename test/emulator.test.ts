import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ServiceError, status } from '@grpc/grpc-js';
import { type Emulator, startEmulator } from '../src/emulator/index.js';
import {
  loadSchemas,
  STREAM_GROUP,
  segmentStream,
  segmentTrace,
  streamGroup,
  streamWrite,
  T0,
  TestClient,
  TRACE_GROUP,
  traceGroup,
  traceWrite,
} from './emulator-helpers.js';

/** Drops false/0 members: protobufjs writes explicit proto3 defaults that a Go server would omit. */
function truthy(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => Boolean(v)));
}

async function rejectsWith(p: Promise<unknown>, code: status, pattern?: RegExp): Promise<void> {
  await assert.rejects(p, (err: ServiceError) => {
    assert.equal(err.code, code, `expected gRPC code ${status[code]}, got ${status[err.code]}: ${err.details}`);
    if (pattern) assert.match(err.details, pattern);
    return true;
  });
}

describe('emulator: health', () => {
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

  it('answers grpc.health Check SERVING for the server and NOT_FOUND for an unknown service', async () => {
    assert.deepEqual(await c.call('health', 'Check', {}), { status: 'SERVING' });
    await rejectsWith(c.call('health', 'Check', { service: 'nope' }), status.NOT_FOUND);
  });

  it('serves GET /api/healthz with SERVING and 404 elsewhere', async () => {
    const ok = await fetch(`${emu.httpAddress}/api/healthz`);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), 'SERVING');
    assert.equal((await fetch(`${emu.httpAddress}/api/other`)).status, 404);
    assert.match(emu.grpcAddress, /^127\.0\.0\.1:\d+$/);
    assert.ok(emu.grpcPort > 0 && emu.httpPort > 0);
  });
});

/** The strict behaviour's registry checks (BanyanDB 0.10.3's own answers: test/emulator-quirks.test.ts, FACTS 4-14). */
describe('emulator: registry (strict behaviour)', () => {
  let emu: Emulator;
  let c: TestClient;
  before(async () => {
    emu = await startEmulator({ behaviour: 'strict' });
    c = new TestClient(emu.grpcAddress);
  });
  after(async () => {
    c.close();
    await emu.close();
  });

  it('creates, reads, lists and checks groups; duplicates are ALREADY_EXISTS, missing ones NOT_FOUND', async () => {
    await c.call('group', 'Create', { group: streamGroup });
    await rejectsWith(c.call('group', 'Create', { group: streamGroup }), status.ALREADY_EXISTS);
    const got = await c.call<{ group: { metadata: { name: string; modRevision: number; createRevision: number }; updatedAt: object } }>(
      'group',
      'Get',
      { group: STREAM_GROUP },
    );
    assert.equal(got.group.metadata.name, STREAM_GROUP);
    assert.ok(got.group.metadata.modRevision > 0);
    assert.ok(!got.group.metadata.createRevision, 'BanyanDB answers no createRevision (FACT 4)');
    assert.ok(got.group.updatedAt);
    await rejectsWith(c.call('group', 'Get', { group: 'missing' }), status.NOT_FOUND);
    assert.deepEqual(truthy(await c.call('group', 'Exist', { group: STREAM_GROUP })), { hasGroup: true });
    assert.deepEqual(truthy(await c.call('group', 'Exist', { group: 'missing' })), {});
    const list = await c.call<{ group: { metadata: { name: string } }[] }>('group', 'List', {});
    assert.deepEqual(list.group.map((g) => g.metadata.name).sort(), ['_deletion_task', STREAM_GROUP]);
  });

  it('validates groups like BanyanDB: metadata required (INVALID_ARGUMENT), empty name / catalog (UNKNOWN)', async () => {
    await rejectsWith(c.call('group', 'Create', { group: { catalog: 'CATALOG_STREAM' } }), status.INVALID_ARGUMENT);
    await rejectsWith(c.call('group', 'Create', { group: { metadata: {}, catalog: 'CATALOG_STREAM' } }), status.UNKNOWN, /name/);
    await rejectsWith(c.call('group', 'Create', { group: { metadata: { name: 'g' } } }), status.UNKNOWN, /catalog/);
    await rejectsWith(
      c.call('group', 'Create', { group: { metadata: { name: 'g' }, catalog: 'CATALOG_STREAM' } }),
      status.UNKNOWN,
      /resourceOpts/,
    );
  });

  it('updates bump modRevision (and answer no createRevision)', async () => {
    const before = await c.call<{ group: { metadata: { modRevision: number; createRevision: number } } }>('group', 'Get', {
      group: STREAM_GROUP,
    });
    await c.call('group', 'Update', { group: { ...streamGroup, resourceOpts: { ...streamGroup.resourceOpts, shardNum: 4 } } });
    const afterUpdate = await c.call<{
      group: { metadata: { modRevision: number; createRevision: number }; resourceOpts: { shardNum: number } };
    }>('group', 'Get', { group: STREAM_GROUP });
    assert.equal(afterUpdate.group.resourceOpts.shardNum, 4);
    assert.ok(afterUpdate.group.metadata.modRevision > before.group.metadata.modRevision);
    assert.ok(!afterUpdate.group.metadata.createRevision);
  });

  it('streams: group must exist (NOT_FOUND) and be a stream group; CRUD with BanyanDB codes', async () => {
    await rejectsWith(
      c.call('stream', 'Create', { stream: { ...segmentStream, metadata: { group: 'nope', name: 'segment' } } }),
      status.NOT_FOUND,
    );
    await c.call('group', 'Create', { group: traceGroup });
    await rejectsWith(
      c.call('stream', 'Create', { stream: { ...segmentStream, metadata: { group: TRACE_GROUP, name: 'segment' } } }),
      status.INVALID_ARGUMENT,
      /CATALOG_STREAM/,
    );
    const created = await c.call<{ modRevision: number }>('stream', 'Create', { stream: segmentStream });
    assert.ok(created.modRevision > 0);
    await rejectsWith(c.call('stream', 'Create', { stream: segmentStream }), status.ALREADY_EXISTS);
    const md = { group: STREAM_GROUP, name: 'segment' };
    const got = await c.call<{ stream: { metadata: { modRevision: number } } }>('stream', 'Get', { metadata: md });
    assert.equal(got.stream.metadata.modRevision, created.modRevision);
    assert.deepEqual(truthy(await c.call('stream', 'Exist', { metadata: md })), { hasGroup: true, hasStream: true });
    assert.deepEqual(truthy(await c.call('stream', 'Exist', { metadata: { group: STREAM_GROUP, name: 'x' } })), { hasGroup: true });
    assert.deepEqual(truthy(await c.call('stream', 'Exist', { metadata: { group: 'nope', name: 'x' } })), {});
    assert.equal((await c.call<{ stream: unknown[] }>('stream', 'List', { group: STREAM_GROUP })).stream.length, 1);
    await rejectsWith(c.call('stream', 'List', { group: '' }), status.INVALID_ARGUMENT);
    await rejectsWith(c.call('stream', 'Get', { metadata: { group: STREAM_GROUP, name: 'x' } }), status.NOT_FOUND);
    assert.deepEqual(truthy(await c.call('stream', 'Delete', { metadata: { group: STREAM_GROUP, name: 'x' } })), {});
    await rejectsWith(
      c.call('stream', 'Update', { stream: { ...segmentStream, metadata: { group: STREAM_GROUP, name: 'x' } } }),
      status.UNKNOWN,
      /not exist/,
    );
  });

  it('streams: validation (metadata/entity INVALID_ARGUMENT, empty name UNKNOWN, undeclared entity tag INVALID_ARGUMENT)', async () => {
    await rejectsWith(c.call('stream', 'Create', { stream: { ...segmentStream, metadata: undefined } }), status.INVALID_ARGUMENT);
    await rejectsWith(c.call('stream', 'Create', { stream: { ...segmentStream, entity: undefined } }), status.INVALID_ARGUMENT);
    await rejectsWith(
      c.call('stream', 'Create', { stream: { ...segmentStream, metadata: { group: STREAM_GROUP } } }),
      status.UNKNOWN,
      /name/,
    );
    await rejectsWith(
      c.call('stream', 'Create', {
        stream: { ...segmentStream, metadata: { group: STREAM_GROUP, name: 's2' }, entity: { tagNames: ['nope'] } },
      }),
      status.INVALID_ARGUMENT,
      /entity tag "nope"/,
    );
  });

  it('traces: identity tags must be declared, timestamp tag must be TIMESTAMP, group must be a trace group', async () => {
    const md = { group: TRACE_GROUP, name: 'segment' };
    await rejectsWith(
      c.call('trace', 'Create', { trace: { ...segmentTrace, traceIdTagName: 'nope' } }),
      status.INVALID_ARGUMENT,
      /trace_id_tag_name/,
    );
    await rejectsWith(
      c.call('trace', 'Create', { trace: { ...segmentTrace, timestampTagName: 'latency' } }),
      status.INVALID_ARGUMENT,
      /TIMESTAMP/,
    );
    await rejectsWith(c.call('trace', 'Create', { trace: { ...segmentTrace, spanIdTagName: '' } }), status.INVALID_ARGUMENT);
    await rejectsWith(
      c.call('trace', 'Create', { trace: { ...segmentTrace, metadata: { group: STREAM_GROUP, name: 'segment' } } }),
      status.INVALID_ARGUMENT,
      /CATALOG_TRACE/,
    );
    await c.call('trace', 'Create', { trace: segmentTrace });
    await rejectsWith(c.call('trace', 'Create', { trace: segmentTrace }), status.ALREADY_EXISTS);
    assert.deepEqual(truthy(await c.call('trace', 'Exist', { metadata: md })), { hasGroup: true, hasTrace: true });
    assert.deepEqual(truthy(await c.call('trace', 'Delete', { metadata: md })), { deleted: true });
    await rejectsWith(c.call('trace', 'Get', { metadata: md }), status.NOT_FOUND);
    await c.call('trace', 'Create', { trace: segmentTrace });
  });

  it('index rules and bindings: ids generated, group / subject / rules / tags checked', async () => {
    const rule = { metadata: { group: TRACE_GROUP, name: 'latency_tree' }, tags: ['serviceId', 'latency'], type: 'TYPE_TREE' };
    await rejectsWith(c.call('indexRule', 'Create', { indexRule: { ...rule, metadata: { group: 'nope', name: 'r' } } }), status.NOT_FOUND);
    await rejectsWith(c.call('indexRule', 'Create', { indexRule: { ...rule, type: undefined } }), status.UNKNOWN, /type/);
    await c.call('indexRule', 'Create', { indexRule: rule });
    await rejectsWith(c.call('indexRule', 'Create', { indexRule: rule }), status.ALREADY_EXISTS);
    const got = await c.call<{ indexRule: { metadata: { id: number } } }>('indexRule', 'Get', { metadata: rule.metadata });
    assert.ok(got.indexRule.metadata.id > 0);
    await c.call('indexRule', 'Create', {
      indexRule: { metadata: { group: TRACE_GROUP, name: 'by_service' }, tags: ['serviceId'], type: 'TYPE_TREE' },
    });
    await c.call('indexRule', 'Create', {
      indexRule: { metadata: { group: TRACE_GROUP, name: 'ghost' }, tags: ['ghostTag'], type: 'TYPE_TREE' },
    });
    const binding = {
      metadata: { group: TRACE_GROUP, name: 'b' },
      rules: ['latency_tree'],
      subject: { catalog: 'CATALOG_TRACE', name: 'segment' },
      beginAt: { seconds: 1 },
      expireAt: { seconds: 2_000_000_000 },
    };
    await rejectsWith(
      c.call('indexRuleBinding', 'Create', { indexRuleBinding: { ...binding, beginAt: undefined } }),
      status.INVALID_ARGUMENT,
    );
    await rejectsWith(c.call('indexRuleBinding', 'Create', { indexRuleBinding: { ...binding, rules: ['missing'] } }), status.NOT_FOUND);
    await rejectsWith(
      c.call('indexRuleBinding', 'Create', { indexRuleBinding: { ...binding, subject: { catalog: 'CATALOG_TRACE', name: 'nope' } } }),
      status.NOT_FOUND,
    );
    await rejectsWith(
      c.call('indexRuleBinding', 'Create', { indexRuleBinding: { ...binding, rules: ['ghost'] } }),
      status.INVALID_ARGUMENT,
      /ghostTag/,
    );
    await rejectsWith(
      c.call('indexRuleBinding', 'Create', { indexRuleBinding: { ...binding, rules: ['by_service'] } }),
      status.INVALID_ARGUMENT,
      /INT or TIMESTAMP/,
    );
    await c.call('indexRuleBinding', 'Create', { indexRuleBinding: binding });
    await rejectsWith(c.call('indexRuleBinding', 'Create', { indexRuleBinding: binding }), status.ALREADY_EXISTS);
    assert.equal(
      (await c.call<{ indexRuleBinding: unknown[] }>('indexRuleBinding', 'List', { group: TRACE_GROUP })).indexRuleBinding.length,
      1,
    );
    assert.deepEqual(truthy(await c.call('indexRuleBinding', 'Exist', { metadata: binding.metadata })), {
      hasGroup: true,
      hasIndexRuleBinding: true,
    });
  });

  it('deleting a missing group is NOT_FOUND; deleting a group removes its resources (once the deletion completed)', async () => {
    await rejectsWith(c.call('group', 'Delete', { group: 'missing' }), status.NOT_FOUND);
    await c.call('group', 'Delete', { group: TRACE_GROUP });
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline && truthy(await c.call('group', 'Exist', { group: TRACE_GROUP })).hasGroup) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(truthy(await c.call('trace', 'Exist', { metadata: { group: TRACE_GROUP, name: 'segment' } })), {});
  });
});

describe('emulator: writes', () => {
  let emu: Emulator;
  let c: TestClient;
  let dataPath: string;
  before(async () => {
    dataPath = await mkdtemp(join(tmpdir(), 'emu-data-'));
    emu = await startEmulator({ dataPath });
    c = new TestClient(emu.grpcAddress);
    await loadSchemas(c);
  });
  after(async () => {
    c.close();
    await emu.close();
    await rm(dataPath, { recursive: true, force: true });
  });

  it('acknowledges stream successes only after half-close, then ends the call OK', async () => {
    const r = await c.write('streamData', [
      streamWrite({ id: 'a', ms: T0, service: 's1', latency: 10 }, 1),
      streamWrite({ id: 'b', ms: T0 + 1, service: 's1', latency: 20 }, 2, false),
    ]);
    assert.equal(r.error, undefined);
    assert.deepEqual(r.beforeEnd, [], 'no success ack before the client half-closes');
    assert.deepEqual(
      r.responses.map((x) => [x.messageId, x.status]),
      [
        [1, 'STATUS_SUCCEED'],
        [2, 'STATUS_SUCCEED'],
      ],
    );
    assert.deepEqual(r.responses[0]?.metadata, { group: STREAM_GROUP, name: 'segment' });
  });

  it('sends error statuses at once, before the client half-closes', async () => {
    const bad = streamWrite({ id: 'c', ms: T0, service: 's1', latency: 1 }, 7) as { element: { timestamp: { nanos: number } } };
    bad.element.timestamp.nanos = 1_500; // not whole milliseconds
    const r = await c.write('streamData', [streamWrite({ id: 'ok', ms: T0, service: 's1', latency: 1 }, 6), bad], 300);
    assert.deepEqual(
      r.beforeEnd.map((x) => [x.messageId, x.status]),
      [[7, 'STATUS_INVALID_TIMESTAMP']],
    );
    assert.deepEqual(
      r.responses.map((x) => [x.messageId, x.status]),
      [
        [7, 'STATUS_INVALID_TIMESTAMP'],
        [6, 'STATUS_SUCCEED'],
      ],
    );
  });

  it('message_id 0 ends the call with INVALID_ARGUMENT and no acknowledgement, not even for earlier successes (FACT 18)', async () => {
    const r = await c.write('streamData', [
      streamWrite({ id: 'd', ms: T0, service: 's1', latency: 1 }, 3),
      streamWrite({ id: 'e', ms: T0, service: 's1', latency: 1 }, 0),
    ]);
    assert.equal(r.error?.code, status.INVALID_ARGUMENT);
    assert.deepEqual(r.responses, []);
  });

  it('trace version 0 ends the call with INVALID_ARGUMENT', async () => {
    const r = await c.write('traceData', [traceWrite({ traceId: 't', spanId: 's', ms: T0, service: 'x', latency: 1 }, 0)]);
    assert.equal(r.error?.code, status.INVALID_ARGUMENT);
    assert.deepEqual(r.responses, []);
  });

  it('missing metadata on the first message fails the call like BanyanDB (UNKNOWN, no status message)', async () => {
    const s = await c.write('streamData', [streamWrite({ id: 'f', ms: T0, service: 's1', latency: 1 }, 4, false)]);
    assert.equal(s.error?.code, status.UNKNOWN);
    assert.match(s.error?.details ?? '', /metadata is required/);
    assert.deepEqual(s.responses, []);
    const t = await c.write('traceData', [traceWrite({ traceId: 't', spanId: 's', ms: T0, service: 'x', latency: 1 }, 1, false)]);
    assert.equal(t.error?.code, status.UNKNOWN);
  });

  it('unknown schema: span writes get STATUS_NOT_FOUND; stream writes STATUS_INTERNAL_ERROR (NOT_FOUND with a mod revision)', async () => {
    const span = traceWrite({ traceId: 't', spanId: 's', ms: T0, service: 'x', latency: 1 }, 9) as { metadata: object };
    span.metadata = { group: TRACE_GROUP, name: 'nope' };
    const t = await c.write('traceData', [span]);
    assert.deepEqual(
      t.responses.map((x) => [x.version, x.status]),
      [[9, 'STATUS_NOT_FOUND']],
    );
    assert.deepEqual(t.responses[0]?.metadata, { group: TRACE_GROUP, name: 'nope' });
    const el = streamWrite({ id: 'g', ms: T0, service: 's', latency: 1 }, 10) as { metadata: object };
    el.metadata = { group: 'nope', name: 'segment' };
    const el2 = streamWrite({ id: 'h', ms: T0, service: 's', latency: 1 }, 11) as { metadata: object };
    el2.metadata = { group: 'nope', name: 'segment', modRevision: 5 };
    const s = await c.write('streamData', [el, el2]);
    assert.deepEqual(
      s.responses.map((x) => [x.messageId, x.status]),
      [
        [10, 'STATUS_INTERNAL_ERROR'],
        [11, 'STATUS_NOT_FOUND'],
      ],
    );
  });

  it('a stale mod revision gets STATUS_EXPIRED_SCHEMA', async () => {
    const el = streamWrite({ id: 'i', ms: T0, service: 's', latency: 1 }, 12) as { metadata: object };
    el.metadata = { group: STREAM_GROUP, name: 'segment', modRevision: 1 };
    const s = await c.write('streamData', [el]);
    assert.equal(s.responses[0]?.status, 'STATUS_EXPIRED_SCHEMA');
  });

  it('strict behaviour: rejects a wrong tag count or type with STATUS_INTERNAL_ERROR (BanyanDB 0.10.3 stores nulls)', async () => {
    await using strict = await startEmulator({ behaviour: 'strict' });
    const c = new TestClient(strict.grpcAddress);
    await loadSchemas(c);
    const wrongType = streamWrite({ id: 'j', ms: T0, service: 's', latency: 1 }, 13) as { element: { tagFamilies: { tags: object[] }[] } };
    wrongType.element.tagFamilies[0]!.tags[3] = { str: { value: 'not-an-int' } };
    const wrongCount = streamWrite({ id: 'k', ms: T0, service: 's', latency: 1 }, 14, false) as {
      element: { tagFamilies: { tags: object[] }[] };
    };
    wrongCount.element.tagFamilies[0]!.tags.pop();
    const noEntity = streamWrite({ id: 'l', ms: T0, service: 's', latency: 1 }, 15, false) as {
      element: { tagFamilies: { tags: object[] }[] };
    };
    noEntity.element.tagFamilies[0]!.tags[0] = { null: 'NULL_VALUE' };
    const s = await c.write('streamData', [wrongType, wrongCount, noEntity]);
    assert.deepEqual(
      s.responses.map((x) => [x.messageId, x.status]),
      [
        [13, 'STATUS_INTERNAL_ERROR'],
        [14, 'STATUS_INTERNAL_ERROR'],
        [15, 'STATUS_INTERNAL_ERROR'],
      ],
    );
    const span = traceWrite({ traceId: 't', spanId: 's', ms: T0, service: 'x', latency: 1 }, 16) as { tags: object[] };
    span.tags[4] = { str: { value: 'slow' } };
    const t = await c.write('traceData', [span]);
    assert.equal(t.responses[0]?.status, 'STATUS_INTERNAL_ERROR');
    c.close();
  });

  it('span timestamps: not whole milliseconds or absent -> STATUS_INVALID_TIMESTAMP', async () => {
    const fine = traceWrite({ traceId: 't', spanId: 's', ms: T0, service: 'x', latency: 1 }, 17) as {
      tags: { timestamp?: { nanos: number } }[];
    };
    fine.tags[3]!.timestamp!.nanos = 999;
    const none = traceWrite({ traceId: 't', spanId: 's2', ms: T0, service: 'x', latency: 1 }, 18, false) as { tags: object[] };
    none.tags[3] = { null: 'NULL_VALUE' };
    const t = await c.write('traceData', [fine, none]);
    assert.deepEqual(
      t.responses.map((x) => [x.version, x.status]),
      [
        [17, 'STATUS_INVALID_TIMESTAMP'],
        [18, 'STATUS_INVALID_TIMESTAMP'],
      ],
    );
  });

  it('tag_spec switches span tags to matching by name', async () => {
    const t = await c.write('traceData', [
      {
        metadata: { group: TRACE_GROUP, name: 'segment' },
        version: 19,
        tagSpec: { tagNames: ['traceId', 'spanId', 'startTime', 'serviceId'] },
        tags: [
          { str: { value: 'spec-trace' } },
          { str: { value: 'spec-span' } },
          { timestamp: { seconds: T0 / 1000 } },
          { str: { value: 'svc' } },
        ],
      },
    ]);
    assert.deepEqual(
      t.responses.map((x) => [x.version, x.status]),
      [[19, 'STATUS_SUCCEED']],
    );
    const q = await c.call<{ traces: { traceId: string; spans: { tags: { key: string }[] }[] }[] }>('traceData', 'Query', {
      groups: [TRACE_GROUP],
      name: 'segment',
      criteria: { condition: { name: 'traceId', op: 'BINARY_OP_EQ', value: { str: { value: 'spec-trace' } } } },
      tagProjection: ['serviceId', 'latency'],
    });
    assert.equal(q.traces.length, 1);
    assert.deepEqual(q.traces[0]?.spans[0]?.tags, [
      { key: 'serviceId', value: { str: { value: 'svc' } } },
      { key: 'latency', value: { null: 'NULL_VALUE' } },
    ]);
  });

  it('appends accepted writes to a file per model under dataPath', async () => {
    const r = await c.write('traceData', [traceWrite({ traceId: 'disk', spanId: 'd1', ms: T0, service: 'x', latency: 1 }, 20)]);
    assert.equal(r.responses[0]?.status, 'STATUS_SUCCEED');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const streamFiles = await readdir(join(dataPath, 'stream', STREAM_GROUP));
    assert.deepEqual(streamFiles, ['segment.writes']);
    assert.ok((await stat(join(dataPath, 'stream', STREAM_GROUP, 'segment.writes'))).size > 0);
    assert.ok((await stat(join(dataPath, 'trace', TRACE_GROUP, 'segment.writes'))).size > 0);
  });
});

describe('emulator: schema propagation and close', () => {
  it('hides a new schema from writes for schemaPropagationMs', async () => {
    const emu = await startEmulator({ schemaPropagationMs: 400 });
    const c = new TestClient(emu.grpcAddress);
    try {
      await loadSchemas(c);
      const early = await c.write('streamData', [streamWrite({ id: 'p', ms: T0, service: 's', latency: 1 }, 1)]);
      assert.equal(early.responses[0]?.status, 'STATUS_INTERNAL_ERROR');
      const earlySpan = await c.write('traceData', [traceWrite({ traceId: 't', spanId: 's', ms: T0, service: 'x', latency: 1 }, 1)]);
      assert.equal(earlySpan.responses[0]?.status, 'STATUS_NOT_FOUND');
      await new Promise((resolve) => setTimeout(resolve, 450));
      const late = await c.write('streamData', [streamWrite({ id: 'p', ms: T0, service: 's', latency: 1 }, 2)]);
      assert.equal(late.responses[0]?.status, 'STATUS_SUCCEED');
      const lateSpan = await c.write('traceData', [traceWrite({ traceId: 't', spanId: 's', ms: T0, service: 'x', latency: 1 }, 2)]);
      assert.equal(lateSpan.responses[0]?.status, 'STATUS_SUCCEED');
    } finally {
      c.close();
      await emu.close();
    }
  });

  it('close() ends an open write call with an error instead of leaving it hanging, and is idempotent', async () => {
    const emu = await startEmulator();
    const c = new TestClient(emu.grpcAddress);
    await loadSchemas(c);
    const call = c.openWrite('streamData', 30_000);
    const ended = new Promise<ServiceError | undefined>((resolve) => {
      call.on('error', (e: ServiceError) => resolve(e));
      call.on('status', (s: { code: status }) => {
        if (s.code === status.OK) resolve(undefined);
      });
      call.on('data', () => {});
    });
    call.write(streamWrite({ id: 'z', ms: T0, service: 's', latency: 1 }, 1));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await Promise.all([emu.close(), emu.close()]);
    const err = await ended;
    assert.ok(err, 'the call must fail');
    assert.equal(err.code, status.UNAVAILABLE);
    await emu.close();
    c.close();
    await assert.rejects(fetch(`${emu.httpAddress}/api/healthz`));
  });
});
