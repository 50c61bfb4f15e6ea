import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Group } from '../src/client/types.js';
import { AlreadyExistsError, OptionsError, SchemaError, UnavailableError } from '../src/errors.js';
import {
  type SchemaCallOptions,
  type SchemaClient,
  SchemaLoadError,
  SchemaLoader,
  type SchemaResourceRegistry,
} from '../src/schema/loader.js';

type Kind = 'group' | 'stream' | 'trace' | 'indexRule' | 'indexRuleBinding';

/** An in-memory schema registry with BanyanDB's create/exist semantics, recording every call. */
class FakeSchemaClient implements SchemaClient {
  readonly stored = new Map<string, unknown>();
  readonly calls: string[] = [];
  /** key `${kind} ${group}/${name}` -> error to throw once from create. */
  readonly failures = new Map<string, Error>();

  readonly groups = {
    create: async (g: Group, _opts?: SchemaCallOptions) => this.create('group', g.metadata?.name ?? '', g.metadata?.name ?? '', g),
    exist: async (name: string) => {
      this.calls.push(`exist group ${name}`);
      return this.stored.has(`group ${name}/${name}`);
    },
  };
  readonly streams = this.registry('stream');
  readonly traces = this.registry('trace');
  readonly indexRules = this.registry('indexRule');
  readonly indexRuleBindings = this.registry('indexRuleBinding');

  private registry<T extends { metadata?: { group?: string; name?: string } }>(kind: Kind): SchemaResourceRegistry<T> {
    return {
      create: async (x: T) => this.create(kind, x.metadata?.group ?? '', x.metadata?.name ?? '', x),
      exist: async (key: { group: string; name: string }) => {
        this.calls.push(`exist ${kind} ${key.group}/${key.name}`);
        return {
          hasGroup: this.stored.has(`group ${key.group}/${key.group}`),
          hasResource: this.stored.has(`${kind} ${key.group}/${key.name}`),
        };
      },
    };
  }

  private async create(kind: Kind, group: string, name: string, value: unknown): Promise<void> {
    const key = `${kind} ${group}/${name}`;
    this.calls.push(`create ${key}`);
    await Promise.resolve();
    const failure = this.failures.get(key);
    if (failure) {
      this.failures.delete(key);
      throw failure;
    }
    if (kind !== 'group' && !this.stored.has(`group ${group}/${group}`)) throw new Error(`group ${group} not found`);
    if (this.stored.has(key)) throw new AlreadyExistsError('ALREADY_EXISTS', 6, '/fake/Create', `${key} already exists`);
    this.stored.set(key, value);
  }
}

const STREAM_SIDE = [
  'group stream_performance_test/stream_performance_test',
  'stream stream_performance_test/segment_stream',
  'indexRule stream_performance_test/component_index',
  'indexRule stream_performance_test/is_error_index',
  'indexRule stream_performance_test/latency_index',
  'indexRule stream_performance_test/operation_name_index',
  'indexRule stream_performance_test/parent_span_id_index',
  'indexRule stream_performance_test/span_id_index',
  'indexRule stream_performance_test/trace_id_index',
  'indexRuleBinding stream_performance_test/segment_stream_binding',
];
const TRACE_SIDE = [
  'group trace_performance_test/trace_performance_test',
  'trace trace_performance_test/segment_trace',
  'indexRule trace_performance_test/latency_based_index',
  'indexRule trace_performance_test/time_based_index',
  'indexRuleBinding trace_performance_test/segment_trace_binding',
];
const BOTH_IN_ORDER = [
  'group stream_performance_test/stream_performance_test',
  'group trace_performance_test/trace_performance_test',
  'stream stream_performance_test/segment_stream',
  'trace trace_performance_test/segment_trace',
  'indexRule stream_performance_test/component_index',
  'indexRule stream_performance_test/is_error_index',
  'indexRule trace_performance_test/latency_based_index',
  'indexRule stream_performance_test/latency_index',
  'indexRule stream_performance_test/operation_name_index',
  'indexRule stream_performance_test/parent_span_id_index',
  'indexRule stream_performance_test/span_id_index',
  'indexRule trace_performance_test/time_based_index',
  'indexRule stream_performance_test/trace_id_index',
  'indexRuleBinding stream_performance_test/segment_stream_binding',
  'indexRuleBinding trace_performance_test/segment_trace_binding',
];

describe('SchemaLoader.load with an in-memory client', () => {
  test('creates groups, then streams/traces, then index rules, then bindings, and reports each', async () => {
    const client = new FakeSchemaClient();
    const report = await new SchemaLoader(client).load();
    assert.deepEqual(
      client.calls,
      BOTH_IN_ORDER.map((k) => `create ${k}`),
    );
    assert.deepEqual(report.models, ['stream', 'trace']);
    assert.equal(report.created, 15);
    assert.equal(report.skipped, 0);
    assert.deepEqual(
      report.resources.map((r) => `${r.kind} ${r.group}/${r.name}`),
      BOTH_IN_ORDER,
    );
    assert.ok(report.resources.every((r) => r.outcome === 'created'));
    assert.equal(report.resources.find((r) => r.name === 'segment_trace')?.model, 'trace');
    const set = await SchemaLoader.read();
    assert.deepEqual(
      client.stored.get('stream stream_performance_test/segment_stream'),
      set.find('stream', 'stream_performance_test', 'segment_stream')?.resource,
    );
  });

  test('a rerun reports every resource as skipped and creates nothing new', async () => {
    const client = new FakeSchemaClient();
    const loader = new SchemaLoader(client);
    await loader.load();
    const before = new Map(client.stored);
    const again = await loader.load();
    assert.equal(again.created, 0);
    assert.equal(again.skipped, 15);
    assert.ok(again.resources.every((r) => r.outcome === 'skipped'));
    assert.deepEqual(client.stored, before);
  });

  test('only the chosen model, each side into its own server', async () => {
    const streamServer = new FakeSchemaClient();
    const traceServer = new FakeSchemaClient();
    const s = await new SchemaLoader(streamServer, { models: ['stream'] }).load();
    const t = await new SchemaLoader(traceServer).load({ models: ['trace'] });
    assert.deepEqual([...streamServer.stored.keys()], STREAM_SIDE);
    assert.deepEqual([...traceServer.stored.keys()], TRACE_SIDE);
    assert.deepEqual(s.models, ['stream']);
    assert.deepEqual(t.models, ['trace']);
    assert.ok(s.resources.every((r) => r.model === 'stream'));
    assert.ok(t.resources.every((r) => r.model === 'trace'));
  });

  test('a failure part way says what was created, carries the partial report, and a rerun finishes', async () => {
    const client = new FakeSchemaClient();
    const loader = new SchemaLoader(client, { models: ['stream'] });
    await client.groups.create({ metadata: { name: 'stream_performance_test' }, catalog: 'CATALOG_STREAM' });
    const down = new UnavailableError('UNAVAILABLE', 14, '/banyandb.database.v1.IndexRuleRegistryService/Create', 'connection refused');
    client.failures.set('indexRule stream_performance_test/is_error_index', down);
    const set = await loader.schema();
    const file = set.find('indexRule', 'stream_performance_test', 'is_error_index')?.file;
    await assert.rejects(loader.load(), (err: unknown) => {
      assert.ok(err instanceof SchemaLoadError);
      assert.ok(err instanceof SchemaError);
      assert.equal(err.name, 'SchemaLoadError');
      assert.equal(err.code, 'UNAVAILABLE');
      assert.equal(err.cause, down);
      assert.equal(err.file, file);
      assert.deepEqual(err.resource, {
        kind: 'indexRule',
        group: 'stream_performance_test',
        name: 'is_error_index',
        model: 'stream',
        file,
      });
      assert.equal(
        err.message,
        `failed to create index rule "is_error_index" in group "stream_performance_test" from ${file}: connection refused; ` +
          'created before the failure: stream "segment_stream" in group "stream_performance_test", ' +
          'index rule "component_index" in group "stream_performance_test"; ' +
          'already present (skipped): group "stream_performance_test"',
      );
      assert.deepEqual(
        err.report.resources.map((r) => `${r.outcome} ${r.kind} ${r.name}`),
        ['skipped group stream_performance_test', 'created stream segment_stream', 'created indexRule component_index'],
      );
      assert.equal(err.report.created, 2);
      assert.equal(err.report.skipped, 1);
      return true;
    });
    const rerun = await loader.load();
    assert.equal(rerun.skipped, 3);
    assert.equal(rerun.created, 7);
    assert.deepEqual([...client.stored.keys()].sort(), [...STREAM_SIDE].sort());
  });

  test('an aborted signal stops before the next call', async () => {
    const client = new FakeSchemaClient();
    const ac = new AbortController();
    ac.abort(new Error('user stop'));
    await assert.rejects(new SchemaLoader(client).load({ signal: ac.signal }), (err: unknown) => {
      assert.ok(err instanceof SchemaLoadError);
      assert.equal(err.code, 'ABORTED');
      assert.equal(
        err.message,
        'aborted before creating group "stream_performance_test": schema loading aborted; created before the failure: nothing; already present (skipped): nothing',
      );
      assert.equal(err.report.resources.length, 0);
      return true;
    });
    assert.deepEqual(client.calls, []);
  });

  test('verify reports each resource and ok only when all exist', async () => {
    const client = new FakeSchemaClient();
    const loader = new SchemaLoader(client);
    const empty = await loader.verify();
    assert.equal(empty.ok, false);
    assert.equal(empty.missing.length, 15);
    await loader.load({ models: ['trace'] });
    const partial = await loader.verify();
    assert.equal(partial.ok, false);
    assert.deepEqual(
      partial.missing.map((r) => `${r.kind} ${r.group}/${r.name}`),
      BOTH_IN_ORDER.filter((k) => k.includes('stream_performance_test')),
    );
    const traceOnly = await loader.verify({ models: ['trace'] });
    assert.equal(traceOnly.ok, true);
    assert.deepEqual(
      traceOnly.resources.map((r) => `${r.kind} ${r.group}/${r.name} ${r.exists}`),
      TRACE_SIDE.map((k) => `${k} true`),
    );
  });

  test('invalid models are rejected before any call', async () => {
    const client = new FakeSchemaClient();
    assert.throws(() => new SchemaLoader(client, { models: [] }), {
      name: 'OptionsError',
      option: 'models',
      message: "models must be a non-empty array of 'stream' and/or 'trace'",
    });
    await assert.rejects(new SchemaLoader(client).load({ models: ['measure' as 'stream'] }), (err: unknown) => {
      assert.ok(err instanceof OptionsError);
      assert.equal(err.message, `load({ models }) contains "measure"; expected 'stream' or 'trace'`);
      return true;
    });
    assert.deepEqual(client.calls, []);
  });

  test('a schema directory that does not validate fails load() without touching the server', async () => {
    const client = new FakeSchemaClient();
    await assert.rejects(new SchemaLoader(client, { dir: '/nonexistent/schema' }).load(), {
      name: 'SchemaError',
      code: 'SCHEMA_INVALID',
      file: '/nonexistent/schema',
    });
    assert.deepEqual(client.calls, []);
  });
});
