import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BanyanDBClient } from '../src/client/client.js';
import { type Emulator, startEmulator } from '../src/emulator/index.js';
import { type SchemaClient, SchemaLoader } from '../src/schema/loader.js';

// BanyanDBClient must satisfy the loader's narrow client interface (checked at compile time).
const _structural: (c: BanyanDBClient) => SchemaClient = (c) => c;
void _structural;

describe('SchemaLoader against the emulator over gRPC', { timeout: 60_000 }, () => {
  const emulators: Emulator[] = [];
  const clients: BanyanDBClient[] = [];

  async function server(): Promise<BanyanDBClient> {
    const emu = await startEmulator({ host: '127.0.0.1', grpcPort: 0, httpPort: 0 });
    emulators.push(emu);
    const client = await BanyanDBClient.connect(emu.grpcAddress, { connectTimeoutMs: 10_000, callTimeoutMs: 5_000 });
    clients.push(client);
    return client;
  }

  after(async () => {
    for (const c of clients) await c.close();
    for (const e of emulators) await e.close();
  });

  let both: BanyanDBClient;
  before(async () => {
    both = await server();
  });

  test('loads both models, verifies, and a reload skips everything', async () => {
    const loader = new SchemaLoader(both);
    const before = await loader.verify();
    assert.equal(before.ok, false);
    assert.equal(before.missing.length, 15);

    const first = await loader.load();
    assert.equal(first.created, 15);
    assert.equal(first.skipped, 0);

    const verified = await loader.verify();
    assert.equal(verified.ok, true, JSON.stringify(verified.missing));
    assert.equal(verified.resources.length, 15);

    const again = await loader.load();
    assert.equal(again.created, 0);
    assert.equal(again.skipped, 15);
    assert.ok(again.resources.every((r) => r.outcome === 'skipped'));

    const stream = await both.streams.get({ group: 'stream_performance_test', name: 'segment_stream' });
    assert.deepEqual(
      stream.tagFamilies?.map((f) => f.name),
      ['primary', 'data_binary'],
    );
    const binding = await both.indexRuleBindings.get({ group: 'trace_performance_test', name: 'segment_trace_binding' });
    assert.deepEqual(binding.rules, ['time_based_index', 'latency_based_index']);
    assert.equal(binding.beginAt?.seconds, Date.UTC(2024, 0, 1) / 1000);
    const rule = await both.indexRules.get({ group: 'trace_performance_test', name: 'time_based_index' });
    assert.equal(rule.type, 'TYPE_TREE');
  });

  test('stream side into one server, trace side into another', async () => {
    const streamServer = await server();
    const traceServer = await server();
    const s = await new SchemaLoader(streamServer, { models: ['stream'] }).load();
    const t = await new SchemaLoader(traceServer, { models: ['trace'] }).load();
    assert.equal(s.created, 10);
    assert.equal(t.created, 5);

    assert.equal((await new SchemaLoader(streamServer).verify({ models: ['stream'] })).ok, true);
    assert.equal((await new SchemaLoader(traceServer).verify({ models: ['trace'] })).ok, true);
    // Neither server holds the other side.
    const streamHasTrace = await new SchemaLoader(streamServer).verify({ models: ['trace'] });
    assert.ok(streamHasTrace.resources.every((r) => !r.exists));
    const traceHasStream = await new SchemaLoader(traceServer).verify({ models: ['stream'] });
    assert.ok(traceHasStream.resources.every((r) => !r.exists));
    assert.equal(await streamServer.groups.exist('trace_performance_test'), false);
    assert.equal(await traceServer.groups.exist('stream_performance_test'), false);
  });
});
