/**
 * Runs that cannot contaminate each other: each run writes into groups of its own (`<group>_<run id>`), created at
 * the start and deleted at the end unless kept, so a second run on the same servers passes and nothing else stored
 * there is touched, counted or deleted. Over real gRPC against the emulator, in-process and as a separate
 * `banyandb-perf emulator` process reached with `--target external`.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXIT, runCli } from '../src/cli/index.js';
import { BanyanDBClient } from '../src/client/client.js';
import { type Emulator, startEmulator } from '../src/emulator/index.js';
import type { BenchmarkResult, Model } from '../src/results.js';
import { SchemaLoader } from '../src/schema/loader.js';
import { namespacedGroup, namespaceSchema, newRunId } from '../src/schema/namespace.js';
import { openTarget } from '../src/targets/target.js';
import { runComparison } from '../src/workload/compare.js';
import { StreamWorkload } from '../src/workload/workload.js';
import { type EmulatorProcess, emulatorProcess } from './helpers/emulator-process.js';

const SCALE = { name: 'test', spans: 3_000, traces: 1_500, services: 4, instances: 8, timeRangeMs: 2 * 3_600_000 };
const END = Math.floor(Date.now() / 1000) * 1000;
const RUN = {
  scale: SCALE,
  endTimeMs: END,
  payloadBytes: 1024,
  spans: 1_200,
  repeats: 2,
  batchSize: 50,
  queryIterations: 2,
  progress: false as const,
};

function problems(r: BenchmarkResult): string[] {
  const out: string[] = [];
  for (const m of ['stream', 'trace'] as Model[]) {
    for (const w of r.write[m]) for (const [s, n] of Object.entries(w.errorsByStatus)) out.push(`${m} write ${s} x${n}`);
    for (const q of r.queries[m].flat()) {
      if (q.status === 'error') out.push(`${m} ${q.pattern}: ${q.reason}`);
      for (const x of q.mismatches) out.push(`${m} ${q.pattern}: ${x.what} expected ${x.expected}, got ${x.actual}`);
    }
  }
  return out;
}

/**
 * The user groups a server lists once the deletions in progress are done (BanyanDB deletes groups asynchronously and
 * lists its internal `_deletion_task` group too).
 */
async function settledGroups(client: BanyanDBClient, gone: (name: string) => boolean): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const names = (await client.groups.list()).map((g) => g.metadata?.name ?? '').filter((n) => !n.startsWith('_'));
    if (!names.some(gone) || Date.now() > deadline) return names.sort();
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('schema namespaces', () => {
  it('rename every group and move every resource into the renamed group', async () => {
    const set = await SchemaLoader.read();
    const ns = newRunId();
    assert.match(ns, /^r[0-9a-f]{10}$/);
    assert.notEqual(ns, newRunId());
    const renamed = namespaceSchema(set, ns);
    assert.equal(renamed.resources.length, set.resources.length);
    for (const [i, r] of renamed.resources.entries()) {
      const before = set.resources[i]!;
      assert.equal(r.group, namespacedGroup(before.group, ns));
      assert.equal(r.resource.metadata?.group ?? r.resource.metadata?.name, r.group, `${r.kind} ${r.name}`);
      if (r.kind === 'group') assert.equal(r.resource.metadata?.name, `${before.name}_${ns}`);
      else assert.equal(r.name, before.name);
    }
    // The set read from the files is left as it was.
    assert.ok(set.resources.every((r) => !r.group.endsWith(ns)));
    assert.throws(() => namespaceSchema(set, 'Bad-Name'), /namespace must be 1 to 24 lower-case letters or digits/);
  });
});

describe('consecutive runs on the same servers', { timeout: 300_000 }, () => {
  let servers: Record<Model, Emulator>;
  let addresses: Record<Model, string>;
  let own: BanyanDBClient;
  let existing: StreamWorkload;

  before(async () => {
    servers = { stream: await startEmulator(), trace: await startEmulator() };
    addresses = { stream: servers.stream.grpcAddress, trace: servers.trace.grpcAddress };
    // What a user already stored on the stream server: the default (un-namespaced) groups, with data.
    own = await BanyanDBClient.connect(addresses.stream);
    await new SchemaLoader(own, { models: ['stream'] }).load();
    existing = new StreamWorkload(own, { ...RUN, spans: 300, repeats: 1, generatorThread: false });
    await existing.write();
  });
  after(async () => {
    await existing?.close();
    await own?.close();
    await servers?.stream.close();
    await servers?.trace.close();
  });

  it('both pass with 0 mismatches, each measuring only its own group; the user data is untouched', async () => {
    const namespaces: string[] = [];
    for (let run = 1; run <= 2; run++) {
      await using target = await openTarget({ kind: 'external', addresses });
      assert.ok(target.namespace, 'a run id');
      namespaces.push(target.namespace);
      assert.equal(target.info.namespace, target.namespace);
      const result = await runComparison({ stream: target.stream, trace: target.trace, target: target.info, ...RUN });
      assert.deepEqual(problems(result), [], `run ${run}`);
      assert.equal(result.partial, false);
      assert.deepEqual(result.options.spansWritten, { stream: 1_200, trace: 1_200 });
      const groups = (await own.groups.list()).map((g) => g.metadata?.name);
      assert.ok(groups.includes(`stream_performance_test_${target.namespace}`), groups.join(', '));
    }
    assert.notEqual(namespaces[0], namespaces[1]);
    // Both runs' groups are gone; the user's group is still there and still answers exactly its own data.
    const left = await settledGroups(own, (g) => namespaces.some((ns) => g.endsWith(ns)));
    for (const ns of namespaces) assert.ok(!left.some((g) => g.endsWith(ns)), `run ${ns} left ${left.join(', ')}`);
    assert.ok(left.includes('stream_performance_test'), left.join(', '));
    const again = await existing.queryRepeat(0);
    assert.ok(again.length > 0);
    for (const q of again) assert.deepEqual(q.mismatches, [], `${q.pattern}`);
  });

  it('--keep-data leaves the run group; without it the group is deleted', async () => {
    let kept: string | undefined;
    {
      await using target = await openTarget({ kind: 'external', addresses, keepData: true, loadSchemas: true });
      kept = target.namespace;
      await runComparison({ stream: target.stream, trace: target.trace, target: target.info, ...RUN, spans: 200, patterns: [] });
    }
    const groups = (await own.groups.list()).map((g) => g.metadata?.name);
    assert.ok(groups.includes(`stream_performance_test_${kept}`), groups.join(', '));
    await own.groups.delete(`stream_performance_test_${kept}`, { force: true });
  });

  it('the disk footprint counts only the run group (emulator target)', async () => {
    await using target = await openTarget({ kind: 'emulator' });
    const result = await runComparison({ stream: target.stream, trace: target.trace, target: target.info, ...RUN, patterns: [] });
    await target.finish(result);
    for (const d of result.disk ?? []) {
      assert.equal(d.scope, `group ${namespacedGroup(`${d.model}_performance_test`, target.namespace)}`);
      assert.ok(d.bytes > 0 && d.bytesPerSpan > 0, JSON.stringify(d));
    }
    assert.equal(result.disk?.length, 2);
  });
});

describe('`test --target external` twice on one `banyandb-perf emulator` process', { timeout: 300_000 }, () => {
  let server: EmulatorProcess;
  let dir: string;
  before(async () => {
    server = await emulatorProcess();
    dir = await mkdtemp(join(tmpdir(), 'banyandb-perf-iso-'));
  });
  after(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('passes both times (exit 0, 0 mismatches) and leaves a pre-existing group untouched', async () => {
    const client = await BanyanDBClient.connect(server.address);
    try {
      await new SchemaLoader(client, { models: ['trace'] }).load();
      for (let run = 1; run <= 2; run++) {
        let stderr = '';
        const results = join(dir, `run${run}`);
        const code = await runCli(
          [
            'test',
            '--target',
            'external',
            '--stream-addr',
            server.address,
            '--trace-addr',
            server.address,
            '--spans',
            '800',
            '--repeats',
            '2',
            '--no-progress',
            '--results-dir',
            results,
          ],
          {
            stdout: () => {},
            stderr: (t) => {
              stderr += t;
            },
            env: {},
          },
        );
        assert.equal(code, EXIT.OK, stderr);
        const result = JSON.parse(await readFile(join(results, 'latest.json'), 'utf8')) as BenchmarkResult;
        assert.deepEqual(problems(result), []);
        assert.equal(result.partial, false);
        assert.match(stderr, /deleted this run's trace group trace_performance_test_r[0-9a-f]{10}/);
      }
      const groups = await settledGroups(client, (g) => g !== 'trace_performance_test');
      assert.deepEqual(groups, ['trace_performance_test']);
      assert.equal((await client.traces.exist({ group: 'trace_performance_test', name: 'segment_trace' })).hasResource, true);
    } finally {
      await client.close();
    }
  });
});
