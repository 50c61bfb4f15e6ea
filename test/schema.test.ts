import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SchemaError } from '../src/errors.js';
import { defaultSchemaDir, SchemaLoader } from '../src/schema/loader.js';
import { readSchemaDir, type SchemaSet } from '../src/schema/set.js';

const SCHEMA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'testdata', 'schema');
const temps: string[] = [];
after(async () => {
  for (const t of temps) await rm(t, { recursive: true, force: true });
});

/** A fresh copy of testdata/schema in a temp dir. */
async function copySchema(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bdbp-schema-'));
  temps.push(dir);
  await cp(SCHEMA_DIR, dir, { recursive: true });
  return dir;
}

async function readJson(dir: string, rel: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(dir, rel), 'utf8')) as Record<string, unknown>;
}

async function writeJson(dir: string, rel: string, value: unknown): Promise<void> {
  await mkdir(dirname(join(dir, rel)), { recursive: true });
  await writeFile(join(dir, rel), `${JSON.stringify(value, null, 2)}\n`);
}

/** Edits one file of a fresh copy, then expects read() to fail with exactly this error. */
async function expectInvalid(
  edit: (dir: string) => Promise<void>,
  expected: (dir: string) => { rel: string; jsonPath: string; message: string },
): Promise<void> {
  const dir = await copySchema();
  await edit(dir);
  const want = expected(dir);
  const file = join(dir, want.rel);
  await assert.rejects(SchemaLoader.read(dir), (err: unknown) => {
    assert.ok(err instanceof SchemaError, `expected a SchemaError, got ${String(err)}`);
    assert.equal(err.code, 'SCHEMA_INVALID');
    assert.equal(err.message, `${file}: ${want.message}`);
    assert.equal(err.file, file);
    assert.equal(err.jsonPath, want.jsonPath);
    return true;
  });
}

function keysToSnake(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keysToSnake);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), keysToSnake(v)]));
  }
  return value;
}

function summary(set: SchemaSet): string[] {
  return set.resources.map((r) => `${r.kind} ${r.group}/${r.name} ${r.model}`);
}

const TAG_TYPES =
  'TAG_TYPE_UNSPECIFIED, TAG_TYPE_STRING, TAG_TYPE_INT, TAG_TYPE_STRING_ARRAY, TAG_TYPE_INT_ARRAY, TAG_TYPE_DATA_BINARY, TAG_TYPE_TIMESTAMP';
const STREAM_TAGS =
  'serviceId, serviceInstanceId, traceId, startTime, latency, isError, spanId, parentSpanId, operationName, component, dataBinary';

describe('SchemaLoader.read (testdata/schema)', () => {
  test('the default directory is the package testdata/schema', () => {
    assert.equal(defaultSchemaDir(), SCHEMA_DIR);
  });

  test('reads every resource, in creation order, tagged by model', async () => {
    const set = await SchemaLoader.read();
    assert.equal(set.dir, SCHEMA_DIR);
    assert.deepEqual(summary(set), [
      'group stream_performance_test/stream_performance_test stream',
      'group trace_performance_test/trace_performance_test trace',
      'stream stream_performance_test/segment_stream stream',
      'trace trace_performance_test/segment_trace trace',
      'indexRule stream_performance_test/component_index stream',
      'indexRule stream_performance_test/is_error_index stream',
      'indexRule trace_performance_test/latency_based_index trace',
      'indexRule stream_performance_test/latency_index stream',
      'indexRule stream_performance_test/operation_name_index stream',
      'indexRule stream_performance_test/parent_span_id_index stream',
      'indexRule stream_performance_test/span_id_index stream',
      'indexRule trace_performance_test/time_based_index trace',
      'indexRule stream_performance_test/trace_id_index stream',
      'indexRuleBinding stream_performance_test/segment_stream_binding stream',
      'indexRuleBinding trace_performance_test/segment_trace_binding trace',
    ]);
    assert.equal(set.select(['stream']).length, 10);
    assert.equal(set.select(['trace']).length, 5);
  });

  test('groups, stream, trace, rules and bindings have the expected content', async () => {
    const set = await SchemaLoader.read(SCHEMA_DIR);
    const interval = { shardNum: 2, segmentInterval: { unit: 'UNIT_DAY', num: 1 }, ttl: { unit: 'UNIT_DAY', num: 7 } };
    assert.deepEqual(set.find('group', 'stream_performance_test', 'stream_performance_test')?.resource, {
      metadata: { name: 'stream_performance_test' },
      catalog: 'CATALOG_STREAM',
      resourceOpts: interval,
    });
    assert.deepEqual(set.find('group', 'trace_performance_test', 'trace_performance_test')?.resource.catalog, 'CATALOG_TRACE');
    const stream = set.find('stream', 'stream_performance_test', 'segment_stream')?.resource;
    assert.deepEqual(stream?.entity, { tagNames: ['serviceId', 'serviceInstanceId'] });
    assert.deepEqual(
      stream?.tagFamilies?.map((f) => [f.name, (f.tags ?? []).map((t) => `${t.name}:${t.type}`)]),
      [
        [
          'primary',
          [
            'serviceId:TAG_TYPE_STRING',
            'serviceInstanceId:TAG_TYPE_STRING',
            'traceId:TAG_TYPE_STRING',
            'startTime:TAG_TYPE_INT',
            'latency:TAG_TYPE_INT',
            'isError:TAG_TYPE_INT',
            'spanId:TAG_TYPE_STRING',
            'parentSpanId:TAG_TYPE_STRING',
            'operationName:TAG_TYPE_STRING',
            'component:TAG_TYPE_STRING',
          ],
        ],
        ['data_binary', ['dataBinary:TAG_TYPE_DATA_BINARY']],
      ],
    );
    const trace = set.find('trace', 'trace_performance_test', 'segment_trace')?.resource;
    assert.equal(trace?.tags?.find((t) => t.name === 'startTime')?.type, 'TAG_TYPE_TIMESTAMP');
    assert.deepEqual([trace?.traceIdTagName, trace?.spanIdTagName, trace?.timestampTagName], ['traceId', 'spanId', 'startTime']);
    for (const r of set.ofKind('indexRule')) {
      assert.equal(r.resource.type, r.model === 'trace' ? 'TYPE_TREE' : 'TYPE_INVERTED', r.name);
    }
    assert.deepEqual(set.find('indexRule', 'trace_performance_test', 'time_based_index')?.resource.tags, [
      'serviceId',
      'serviceInstanceId',
      'startTime',
    ]);
    const sb = set.find('indexRuleBinding', 'stream_performance_test', 'segment_stream_binding')?.resource;
    assert.deepEqual(sb?.subject, { catalog: 'CATALOG_STREAM', name: 'segment_stream' });
    assert.equal(sb?.rules?.length, 7);
    assert.deepEqual(sb?.beginAt, { seconds: Date.UTC(2024, 0, 1) / 1000 });
    assert.deepEqual(sb?.expireAt, { seconds: Date.UTC(2030, 0, 1) / 1000 });
    const tb = set.find('indexRuleBinding', 'trace_performance_test', 'segment_trace_binding')?.resource;
    assert.deepEqual(tb?.rules, ['time_based_index', 'latency_based_index']);
    assert.deepEqual(tb?.subject, { catalog: 'CATALOG_TRACE', name: 'segment_trace' });
  });

  test('snake_case field names give the same resources as lowerCamel', async () => {
    const dir = await copySchema();
    const camel = await readSchemaDir(dir);
    for (const r of camel.resources) {
      const rel = r.file.slice(dir.length + 1);
      await writeJson(dir, rel, keysToSnake(await readJson(dir, rel)));
    }
    const snakeText = await readFile(join(dir, 'index_rule_bindings', 'segment_stream_binding.json'), 'utf8');
    assert.match(snakeText, /"begin_at"/);
    const snake = await readSchemaDir(dir);
    assert.deepEqual(
      snake.resources.map((r) => r.resource),
      camel.resources.map((r) => r.resource),
    );
  });

  test('enum values may be numbers and int64/uint32 values decimal strings', async () => {
    const dir = await copySchema();
    const g = await readJson(dir, 'groups/stream_performance_test.json');
    g.catalog = 1;
    g.resourceOpts = { shardNum: '2', segmentInterval: { unit: 2, num: 1 }, ttl: { unit: 'UNIT_DAY', num: '7' } };
    await writeJson(dir, 'groups/stream_performance_test.json', g);
    const set = await readSchemaDir(dir);
    assert.deepEqual(set.find('group', 'stream_performance_test', 'stream_performance_test')?.resource, {
      metadata: { name: 'stream_performance_test' },
      catalog: 'CATALOG_STREAM',
      resourceOpts: { shardNum: 2, segmentInterval: { unit: 'UNIT_DAY', num: 1 }, ttl: { unit: 'UNIT_DAY', num: 7 } },
    });
  });

  test('RFC 3339 variants of the binding window', async () => {
    const dir = await copySchema();
    const rel = 'index_rule_bindings/segment_stream_binding.json';
    const b = await readJson(dir, rel);
    b.beginAt = '2024-01-01T08:00:00+08:00';
    b.expireAt = '2029-12-31t19:00:00.123456789-05:00';
    b.updatedAt = '2024-06-01T12:00:00.5Z';
    await writeJson(dir, rel, b);
    const set = await readSchemaDir(dir);
    const r = set.find('indexRuleBinding', 'stream_performance_test', 'segment_stream_binding')?.resource;
    assert.deepEqual(r?.beginAt, { seconds: Date.UTC(2024, 0, 1) / 1000 });
    assert.deepEqual(r?.expireAt, { seconds: Date.UTC(2030, 0, 1) / 1000, nanos: 123_456_789 });
    assert.deepEqual(r?.updatedAt, { seconds: Date.UTC(2024, 5, 1, 12) / 1000, nanos: 500_000_000 });
  });
});

describe('SchemaLoader.read rejects malformed schemas with the file, JSON path and expectation', () => {
  test('unreadable file', () =>
    expectInvalid(
      (dir) => mkdir(join(dir, 'streams', 'broken.json')),
      () => ({ rel: 'streams/broken.json', jsonPath: '$', message: 'cannot read the file (EISDIR); expected a readable JSON file' }),
    ));

  test('invalid JSON, with line and column', () =>
    expectInvalid(
      (dir) =>
        writeFile(
          join(dir, 'groups', 'stream_performance_test.json'),
          '{\n  "metadata": { "name": "x" }\n  "catalog": "CATALOG_STREAM"\n}\n',
        ),
      () => ({
        rel: 'groups/stream_performance_test.json',
        jsonPath: '$.metadata',
        message: `invalid JSON at line 3, column 3: expected ',' or '}' after the value of "metadata", found '"'`,
      }),
    ));

  test('a member named twice', () =>
    expectInvalid(
      (dir) =>
        writeFile(join(dir, 'traces', 'segment_trace.json'), '{"metadata": {"group": "trace_performance_test", "name": "a", "name": "b"}}'),
      () => ({
        rel: 'traces/segment_trace.json',
        jsonPath: '$.metadata',
        message: 'invalid JSON at line 1, column 63: duplicate member name "name"',
      }),
    ));

  test('unknown field', () =>
    expectInvalid(
      async (dir) => {
        const g = await readJson(dir, 'groups/trace_performance_test.json');
        (g.resourceOpts as Record<string, unknown>).shardNumber = 2;
        await writeJson(dir, 'groups/trace_performance_test.json', g);
      },
      () => ({
        rel: 'groups/trace_performance_test.json',
        jsonPath: '$.resourceOpts.shardNumber',
        message:
          'unknown field $.resourceOpts.shardNumber; expected one of the fields of banyandb.common.v1.ResourceOpts: shardNum, segmentInterval, ttl, stages, defaultStages, replicas',
      }),
    ));

  test('unknown enum name', () =>
    expectInvalid(
      async (dir) => {
        const s = await readJson(dir, 'streams/segment_stream.json');
        const fams = s.tagFamilies as { tags: { type: string }[] }[];
        fams[0]!.tags[2]!.type = 'TAG_TYPE_STRNG';
        await writeJson(dir, 'streams/segment_stream.json', s);
      },
      () => ({
        rel: 'streams/segment_stream.json',
        jsonPath: '$.tagFamilies[0].tags[2].type',
        message: `unknown value "TAG_TYPE_STRNG" for $.tagFamilies[0].tags[2].type (enum banyandb.database.v1.TagType); expected one of: ${TAG_TYPES}`,
      }),
    ));

  test('wrong value type', () =>
    expectInvalid(
      async (dir) => {
        const r = await readJson(dir, 'index_rules/latency_index.json');
        (r.metadata as Record<string, unknown>).name = 42;
        await writeJson(dir, 'index_rules/latency_index.json', r);
      },
      () => ({
        rel: 'index_rules/latency_index.json',
        jsonPath: '$.metadata.name',
        message: 'expected a string for $.metadata.name, got number',
      }),
    ));

  test('repeated field given a single value', () =>
    expectInvalid(
      async (dir) => {
        const r = await readJson(dir, 'index_rules/latency_index.json');
        r.tags = 'latency';
        await writeJson(dir, 'index_rules/latency_index.json', r);
      },
      () => ({ rel: 'index_rules/latency_index.json', jsonPath: '$.tags', message: 'expected an array for $.tags, got string' }),
    ));

  test('null where an object is required', () =>
    expectInvalid(
      async (dir) => {
        const r = await readJson(dir, 'streams/segment_stream.json');
        r.entity = null;
        await writeJson(dir, 'streams/segment_stream.json', r);
      },
      () => ({
        rel: 'streams/segment_stream.json',
        jsonPath: '$.entity',
        message: 'expected an object (banyandb.database.v1.Entity) for $.entity, got null',
      }),
    ));

  test('several resources in one file', () =>
    expectInvalid(
      async (dir) => {
        const a = await readJson(dir, 'groups/stream_performance_test.json');
        await writeJson(dir, 'groups/stream_performance_test.json', [a]);
      },
      () => ({
        rel: 'groups/stream_performance_test.json',
        jsonPath: '$',
        message: 'expected an object (one banyandb.common.v1.Group per file) for $, got array',
      }),
    ));

  test('invalid timestamp', () =>
    expectInvalid(
      async (dir) => {
        const b = await readJson(dir, 'index_rule_bindings/segment_trace_binding.json');
        b.expireAt = '2030-02-30T00:00:00Z';
        await writeJson(dir, 'index_rule_bindings/segment_trace_binding.json', b);
      },
      () => ({
        rel: 'index_rule_bindings/segment_trace_binding.json',
        jsonPath: '$.expireAt',
        message:
          'invalid timestamp "2030-02-30T00:00:00Z" for $.expireAt (day 30 does not exist in 2030-02); expected RFC 3339 such as 2024-01-01T00:00:00Z',
      }),
    ));

  test('missing metadata name', () =>
    expectInvalid(
      async (dir) => {
        const g = await readJson(dir, 'groups/trace_performance_test.json');
        g.metadata = {};
        await writeJson(dir, 'groups/trace_performance_test.json', g);
      },
      () => ({
        rel: 'groups/trace_performance_test.json',
        jsonPath: '$.metadata.name',
        message: 'missing required field $.metadata.name; expected a non-empty string',
      }),
    ));

  test('missing metadata group', () =>
    expectInvalid(
      async (dir) => {
        const s = await readJson(dir, 'streams/segment_stream.json');
        s.metadata = { name: 'segment_stream' };
        await writeJson(dir, 'streams/segment_stream.json', s);
      },
      () => ({
        rel: 'streams/segment_stream.json',
        jsonPath: '$.metadata.group',
        message: 'missing required field $.metadata.group; expected a non-empty string',
      }),
    ));

  test('a stream without tags', () =>
    expectInvalid(
      async (dir) => {
        const s = await readJson(dir, 'streams/segment_stream.json');
        s.tagFamilies = [];
        await writeJson(dir, 'streams/segment_stream.json', s);
      },
      () => ({
        rel: 'streams/segment_stream.json',
        jsonPath: '$.tagFamilies',
        message: 'missing required field $.tagFamilies; expected at least one tag family with tags',
      }),
    ));

  test('a trace without tags', () =>
    expectInvalid(
      async (dir) => {
        const t = await readJson(dir, 'traces/segment_trace.json');
        delete t.tags;
        await writeJson(dir, 'traces/segment_trace.json', t);
      },
      () => ({ rel: 'traces/segment_trace.json', jsonPath: '$.tags', message: 'missing required field $.tags; expected at least one tag' }),
    ));

  test('a trace whose timestamp tag is not a timestamp', () =>
    expectInvalid(
      async (dir) => {
        const t = await readJson(dir, 'traces/segment_trace.json');
        t.timestampTagName = 'latency';
        await writeJson(dir, 'traces/segment_trace.json', t);
      },
      () => ({
        rel: 'traces/segment_trace.json',
        jsonPath: '$.timestampTagName',
        message: 'tag "latency" named by $.timestampTagName has type TAG_TYPE_INT; expected a tag of type TAG_TYPE_TIMESTAMP',
      }),
    ));

  test('a stream entity naming an unknown tag', () =>
    expectInvalid(
      async (dir) => {
        const s = await readJson(dir, 'streams/segment_stream.json');
        s.entity = { tagNames: ['serviceId', 'service_instance_id'] };
        await writeJson(dir, 'streams/segment_stream.json', s);
      },
      () => ({
        rel: 'streams/segment_stream.json',
        jsonPath: '$.entity.tagNames[1]',
        message: `unknown tag "service_instance_id" for $.entity.tagNames[1]; expected one of the stream's tags: ${STREAM_TAGS}`,
      }),
    ));

  test('a binding naming an unknown rule', () =>
    expectInvalid(
      async (dir) => {
        const b = await readJson(dir, 'index_rule_bindings/segment_trace_binding.json');
        b.rules = ['time_based_index', 'duration_index'];
        await writeJson(dir, 'index_rule_bindings/segment_trace_binding.json', b);
      },
      () => ({
        rel: 'index_rule_bindings/segment_trace_binding.json',
        jsonPath: '$.rules[1]',
        message:
          'unknown index rule "duration_index" for $.rules[1]; expected one of the index rules of group "trace_performance_test": latency_based_index, time_based_index',
      }),
    ));

  test('a binding naming an unknown subject', () =>
    expectInvalid(
      async (dir) => {
        const b = await readJson(dir, 'index_rule_bindings/segment_stream_binding.json');
        b.subject = { catalog: 'CATALOG_STREAM', name: 'segments' };
        await writeJson(dir, 'index_rule_bindings/segment_stream_binding.json', b);
      },
      () => ({
        rel: 'index_rule_bindings/segment_stream_binding.json',
        jsonPath: '$.subject.name',
        message:
          'unknown stream "segments" for $.subject.name; expected one of the streams of group "stream_performance_test": segment_stream',
      }),
    ));

  test('a binding whose subject catalog does not match its group', () =>
    expectInvalid(
      async (dir) => {
        const b = await readJson(dir, 'index_rule_bindings/segment_stream_binding.json');
        b.subject = { catalog: 'CATALOG_TRACE', name: 'segment_stream' };
        await writeJson(dir, 'index_rule_bindings/segment_stream_binding.json', b);
      },
      () => ({
        rel: 'index_rule_bindings/segment_stream_binding.json',
        jsonPath: '$.subject.catalog',
        message:
          '$.subject.catalog is CATALOG_TRACE but group "stream_performance_test" has catalog CATALOG_STREAM; expected CATALOG_STREAM',
      }),
    ));

  test('an index rule naming a tag its bound subject lacks', () =>
    expectInvalid(
      async (dir) => {
        const r = await readJson(dir, 'index_rules/latency_based_index.json');
        r.tags = ['serviceId', 'endpointId'];
        await writeJson(dir, 'index_rules/latency_based_index.json', r);
      },
      (dir) => ({
        rel: 'index_rules/latency_based_index.json',
        jsonPath: '$.tags[1]',
        message: `unknown tag "endpointId" for $.tags[1]: trace "segment_trace", to which binding "segment_trace_binding" (${join(dir, 'index_rule_bindings', 'segment_trace_binding.json')}) binds this rule, has no such tag; expected one of: serviceId, serviceInstanceId, traceId, startTime, latency, isError, spanId, parentSpanId, operationName, component`,
      }),
    ));

  test('a resource whose group is not defined', () =>
    expectInvalid(
      async (dir) => {
        const r = await readJson(dir, 'index_rules/component_index.json');
        r.metadata = { group: 'stream-performance-test', name: 'component_index' };
        await writeJson(dir, 'index_rules/component_index.json', r);
      },
      () => ({
        rel: 'index_rules/component_index.json',
        jsonPath: '$.metadata.group',
        message:
          'unknown group "stream-performance-test" for $.metadata.group; expected one of the groups defined under groups/: stream_performance_test, trace_performance_test',
      }),
    ));

  test('a stream in a trace group', () =>
    expectInvalid(
      async (dir) => {
        const s = await readJson(dir, 'streams/segment_stream.json');
        s.metadata = { group: 'trace_performance_test', name: 'segment_stream' };
        await writeJson(dir, 'streams/segment_stream.json', s);
      },
      () => ({
        rel: 'streams/segment_stream.json',
        jsonPath: '$.metadata.group',
        message:
          'stream "segment_stream" is in group "trace_performance_test" whose catalog is CATALOG_TRACE; expected a group with catalog CATALOG_STREAM',
      }),
    ));

  test('an unsupported group catalog', () =>
    expectInvalid(
      async (dir) => {
        const g = await readJson(dir, 'groups/trace_performance_test.json');
        g.catalog = 'CATALOG_MEASURE';
        await writeJson(dir, 'groups/trace_performance_test.json', g);
      },
      () => ({
        rel: 'groups/trace_performance_test.json',
        jsonPath: '$.catalog',
        message: 'unsupported catalog CATALOG_MEASURE for $.catalog; expected CATALOG_STREAM or CATALOG_TRACE',
      }),
    ));

  test('duplicate names', () =>
    expectInvalid(
      async (dir) => {
        await writeJson(dir, 'index_rules/zz_copy.json', await readJson(dir, 'index_rules/span_id_index.json'));
      },
      (dir) => ({
        rel: 'index_rules/zz_copy.json',
        jsonPath: '$.metadata.name',
        message: `duplicate index rule "span_id_index" in group "stream_performance_test"; already defined in ${join(dir, 'index_rules', 'span_id_index.json')}`,
      }),
    ));

  test('an index rule without a type', () =>
    expectInvalid(
      async (dir) => {
        const r = await readJson(dir, 'index_rules/trace_id_index.json');
        delete r.type;
        await writeJson(dir, 'index_rules/trace_id_index.json', r);
      },
      () => ({
        rel: 'index_rules/trace_id_index.json',
        jsonPath: '$.type',
        message: 'missing required field $.type; expected one of: TYPE_INVERTED, TYPE_SKIPPING, TYPE_TREE',
      }),
    ));

  test('a binding window that ends before it begins', () =>
    expectInvalid(
      async (dir) => {
        const b = await readJson(dir, 'index_rule_bindings/segment_stream_binding.json');
        b.expireAt = '2023-12-31T23:59:59Z';
        await writeJson(dir, 'index_rule_bindings/segment_stream_binding.json', b);
      },
      () => ({
        rel: 'index_rule_bindings/segment_stream_binding.json',
        jsonPath: '$.expireAt',
        message: '$.expireAt is not after $.beginAt; expected a later timestamp',
      }),
    ));

  test('a field given under both of its names', () =>
    expectInvalid(
      async (dir) => {
        const t = await readJson(dir, 'traces/segment_trace.json');
        t.trace_id_tag_name = 'traceId';
        await writeJson(dir, 'traces/segment_trace.json', t);
      },
      () => ({
        rel: 'traces/segment_trace.json',
        jsonPath: '$.trace_id_tag_name',
        message: 'field $.trace_id_tag_name repeats $.traceIdTagName (both name the field traceIdTagName); expected it once',
      }),
    ));

  test('an unexpected directory', () =>
    expectInvalid(
      (dir) => mkdir(join(dir, 'index_rule_binding')),
      () => ({
        rel: 'index_rule_binding',
        jsonPath: '$',
        message:
          'unexpected directory in the schema directory; expected only: groups/, streams/, traces/, index_rules/, index_rule_bindings/',
      }),
    ));

  test('a directory without groups', () =>
    expectInvalid(
      async (dir) => {
        await unlink(join(dir, 'groups', 'stream_performance_test.json'));
        await unlink(join(dir, 'groups', 'trace_performance_test.json'));
        await rm(join(dir, 'streams'), { recursive: true });
        await rm(join(dir, 'traces'), { recursive: true });
        await rm(join(dir, 'index_rules'), { recursive: true });
        await rm(join(dir, 'index_rule_bindings'), { recursive: true });
      },
      () => ({
        rel: '',
        jsonPath: '$',
        message:
          'no group found in the schema directory; expected at least one file under groups/ (and the others under groups/, streams/, traces/, index_rules/, index_rule_bindings/)',
      }),
    ));

  test('a directory that does not exist', async () => {
    const dir = join(await copySchema(), 'nope');
    await assert.rejects(SchemaLoader.read(dir), {
      name: 'SchemaError',
      file: dir,
      message: `${dir}: cannot read the schema directory (ENOENT); expected a directory with groups/, streams/, traces/, index_rules/ and index_rule_bindings/`,
    });
  });
});
