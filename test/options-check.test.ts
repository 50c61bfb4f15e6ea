/**
 * Options are checked at run time: an unknown key given to a public constructor or function is an OptionsError
 * naming the key and the closest known one (TypeScript catches it only in typed code), and a bound that cannot be
 * met is an error or is said in the result, never silent. Against the emulator over real gRPC.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BanyanDBClient } from '../src/client/client.js';
import { Cluster } from '../src/cluster/cluster.js';
import { type Emulator, startEmulator } from '../src/emulator/index.js';
import { OptionsError } from '../src/errors.js';
import { SpanGenerator } from '../src/generator/generator.js';
import { runMixedInNamespace } from '../src/mixed/in-namespace.js';
import { runMixed } from '../src/mixed/mixed.js';
import { closestKey } from '../src/options-check.js';
import { formatConsoleReport } from '../src/report/console.js';
import type { BenchmarkResult } from '../src/results.js';
import { SchemaLoader } from '../src/schema/loader.js';
import { ServerMetricsSampler } from '../src/server-metrics/sampler.js';
import { openTarget } from '../src/targets/target.js';
import { compareResults } from '../src/verdict/runs.js';
import { runComparison } from '../src/workload/compare.js';
import type { WorkloadOptions } from '../src/workload/options.js';
import { createProgressRenderer } from '../src/workload/progress.js';
import { StreamWorkload, TraceWorkload } from '../src/workload/workload.js';

const SCALE = { name: 'tiny', spans: 600, traces: 300, services: 3, instances: 6, timeRangeMs: 600_000 };
const END = Date.UTC(2026, 0, 1);
const FIXTURE = fileURLToPath(new URL('../testdata/results/sample-result.json', import.meta.url));

let emulator: Emulator;
let client: BanyanDBClient;
before(async () => {
  emulator = await startEmulator();
  client = await BanyanDBClient.connect(emulator.grpcAddress);
  await new SchemaLoader(client).load();
});
after(async () => {
  await client?.close();
  await emulator?.close();
});

/** Asserts `f` throws an OptionsError for `option` whose message includes `text`. */
function rejects(f: () => unknown, option: string, text: string): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof OptionsError, `expected an OptionsError, got ${String(e)}`);
    assert.equal(e.option, option);
    assert.ok(e.message.includes(text), `message:\n${e.message}\nexpected to include:\n${text}`);
    return true;
  });
}

describe('unknown option keys', () => {
  it('new TraceWorkload(client, { rate: 2000 }) names the key and ratePerSec', () => {
    const options = { rate: 2000 } as unknown as WorkloadOptions;
    rejects(() => new TraceWorkload(client, options), 'rate', 'unknown option `rate` (did you mean `ratePerSec`?)');
    rejects(() => new TraceWorkload(client, options), 'rate', 'new TraceWorkload()');
    rejects(
      () => new StreamWorkload(client, { duration: 5_000 } as unknown as WorkloadOptions),
      'duration',
      'unknown option `duration` (did you mean `durationMs`?) in the options of new StreamWorkload()',
    );
  });

  it('nested keys are checked too', () => {
    rejects(
      () => new StreamWorkload(client, { maxQueryResults: { span: 10 } } as unknown as WorkloadOptions),
      'maxQueryResults.span',
      'unknown option `maxQueryResults.span` (did you mean `maxQueryResults.spans`?)',
    );
  });

  it('runComparison() rejects an unknown key before anything is written', async () => {
    const options = { stream: client, trace: client, target: emulator, rate: 2000 } as unknown as Parameters<typeof runComparison>[0];
    await assert.rejects(runComparison(options), (e: unknown) => {
      assert.ok(e instanceof OptionsError);
      assert.equal(e.option, 'rate');
      assert.match(e.message, /unknown option `rate` \(did you mean `ratePerSec`\?\) in the options of runComparison\(\)/);
      return true;
    });
    const groups = await client.streams.list('stream_performance_test');
    assert.ok(groups.length > 0, 'the schema is there');
  });

  it('BanyanDBClient.connect(), openTarget(), new SchemaLoader() and the generator check their keys', async () => {
    await assert.rejects(
      BanyanDBClient.connect(emulator.grpcAddress, { connectTimeout: 100 } as never),
      (e: unknown) => e instanceof OptionsError && /unknown option `connectTimeout` \(did you mean `connectTimeoutMs`\?\)/.test(e.message),
    );
    await assert.rejects(
      openTarget({ kind: 'emulator', schemaDirectory: '/nowhere' } as never),
      (e: unknown) =>
        e instanceof OptionsError &&
        /unknown option `schemaDirectory` \(did you mean `schemaDir`\?\) in the options of openTarget\(\)/.test(e.message),
    );
    rejects(() => new SchemaLoader(client, { directory: '/x' } as never), 'directory', 'unknown option `directory` (did you mean `dir`?)');
    rejects(() => new SpanGenerator({ seeds: 1 } as never), 'seeds', 'unknown option `seeds` (did you mean `seed`?)');
  });

  it('Cluster.* check their keys, nested ones too, before touching Docker', async () => {
    // A project nobody uses: should a check regress, the call acts on nothing that exists.
    const SAFE = 'banyandb-perf-ux-options-never-started';
    const check = async (p: Promise<unknown>, option: string, text: string) =>
      assert.rejects(p, (e: unknown) => {
        assert.ok(e instanceof OptionsError, `expected an OptionsError, got ${String(e)}`);
        assert.equal(e.option, option);
        assert.ok(e.message.includes(text), `message:\n${e.message}\nexpected to include:\n${text}`);
        return true;
      });
    await check(
      Cluster.start({ projectName: SAFE, imge: 'emulator' } as never),
      'imge',
      'unknown option `imge` (did you mean `image`?) in the options of Cluster.start()',
    );
    await check(
      Cluster.build({ projectName: SAFE, project: 'x' } as never),
      'project',
      '(did you mean `projectName`?) in the options of Cluster.build()',
    );
    await check(Cluster.attach({ projectName: SAFE, timeoutMs: 1 } as never), 'timeoutMs', '(did you mean `startTimeoutMs`?)');
    await check(Cluster.down({ projectName: SAFE, keepVolumes: true } as never), 'keepVolumes', 'in the options of Cluster.down()');
    await check(
      Cluster.clean({ projectName: SAFE, signl: undefined } as never),
      'signl',
      '(did you mean `signal`?) in the options of Cluster.clean()',
    );
    await check(
      Cluster.ps({ projectName: SAFE, portoffset: 1 } as never),
      'portoffset',
      '(did you mean `portOffset`?) in the options of Cluster.ps()',
    );
    await check(Cluster.detect({ env: {} } as never), 'env', 'in the options of Cluster.detect()');
    rejects(
      () => Cluster.renderCompose({ ports: { stream: { grcp: 1 } } } as never),
      'ports.stream.grcp',
      'unknown option `ports.stream.grcp` (did you mean `ports.stream.grpc`?) in the options of Cluster.renderCompose()',
    );
    rejects(() => Cluster.renderCompose({ limits: { memory: 1 } } as never), 'limits.memory', '(did you mean `limits.memoryBytes`?)');
    rejects(() => Cluster.renderCompose({ healthcheck: { interval: 1 } } as never), 'healthcheck.interval', '`healthcheck.intervalMs`');
    rejects(() => Cluster.renderCompose({ image: { nme: 'x' } } as never), 'image.nme', '(did you mean `image.name`?)');
  });

  it('startEmulator(), the progress renderer, the reports and SchemaLoader.load() check their keys', async () => {
    await assert.rejects(
      startEmulator({ behavior: 'strict' } as never),
      (e: unknown) =>
        e instanceof OptionsError &&
        e.option === 'behavior' &&
        e.message.includes('unknown option `behavior` (did you mean `behaviour`?) in the options of startEmulator()'),
    );
    rejects(() => createProgressRenderer({ write: () => {} }, { interval: 5 } as never), 'interval', '(did you mean `intervalMs`?)');
    const result = JSON.parse(await readFile(FIXTURE, 'utf8')) as BenchmarkResult;
    rejects(
      () => formatConsoleReport(result, { colour: true } as never),
      'colour',
      '(did you mean `color`?) in the options of formatConsoleReport()',
    );
    rejects(() => compareResults(result, result, { label: ['a', 'b'] } as never), 'label', '(did you mean `labels`?)');
    await assert.rejects(
      new SchemaLoader(client).load({ model: ['stream'] } as never),
      (e: unknown) =>
        e instanceof OptionsError &&
        /unknown option `model` \(did you mean `models`\?\) in the options of SchemaLoader\.load\(\)/.test(e.message),
    );
  });

  it('runMixed(), runMixedInNamespace() and ServerMetricsSampler.start() check their keys before any work', async () => {
    const target = { client, group: 'g', name: 'n' };
    await assert.rejects(
      runMixed({ stream: target, trace: target }, { duration: 1_000 } as never),
      (e: unknown) =>
        e instanceof OptionsError &&
        e.option === 'duration' &&
        e.message.includes('unknown option `duration` (did you mean `durationMs`?) in the options of the mixed phase'),
    );
    await assert.rejects(
      runMixedInNamespace({ stream: client, trace: client, keep: true } as never),
      (e: unknown) => e instanceof OptionsError && e.option === 'keep' && e.message.includes('(did you mean `keepData`?)'),
    );
    rejects(
      () => ServerMetricsSampler.start({ url: 'http://127.0.0.1:1/metrics', model: 'stream', groups: [], interval: 5 } as never),
      'interval',
      '(did you mean `intervalMs`?) in the options of ServerMetricsSampler.start()',
    );
    rejects(() => ServerMetricsSampler.start({ model: 'stream', groups: [] } as never), 'url', '`url` is required');
  });

  it('a key far from every known one gets no suggestion but the list of known keys', () => {
    rejects(
      () => new StreamWorkload(client, { zzzzzzzz: 1 } as unknown as WorkloadOptions),
      'zzzzzzzz',
      'unknown option `zzzzzzzz` in the options of new StreamWorkload(); expected one of: scale, seed,',
    );
  });

  it('closestKey: case, prefixes, typos', () => {
    const known = ['ratePerSec', 'durationMs', 'name', 'spans', 'warmupSpans'];
    assert.equal(closestKey('rate', known), 'ratePerSec');
    assert.equal(closestKey('RatePerSec', known), 'ratePerSec');
    assert.equal(closestKey('warmup', known), 'warmupSpans');
    assert.equal(closestKey('durationMsec', known), 'durationMs');
    assert.equal(closestKey('spnas', known), 'spans');
    assert.equal(closestKey('colour', known), undefined);
  });
});

describe('bounds that cannot be met', () => {
  it('an open-loop time bound the span count cannot fill is an OptionsError with the figures', () => {
    rejects(
      () => new TraceWorkload(client, { scale: SCALE, endTimeMs: END, repeats: 2, warmupSpans: 0, ratePerSec: 1_000, durationMs: 5_000 }),
      'durationMs',
      "durationMs (5000 ms) at ratePerSec (1000 spans/s) needs 5000 spans per repeat, but spans (600, the tiny scale's count) leaves 300 per repeat",
    );
  });

  it('a closed-loop time bound cut short by the span count is said in the result', async () => {
    const w = new StreamWorkload(client, {
      scale: SCALE,
      endTimeMs: END,
      payloadBytes: 1024,
      repeats: 1,
      warmupSpans: 0,
      durationMs: 60_000,
      progress: false,
    });
    const [run] = await w.write();
    assert.ok(run);
    assert.ok(run.wallClockMs < 30_000, `the 600 spans took ${run.wallClockMs} ms`);
    assert.match(
      run.boundNote ?? '',
      /^ended after \d+\.\d s of the 60\.0 s time bound: its share of the spans \(600\) ran out first \(600 spans sent\)/,
    );
    // A run that used its time bound carries no note.
    const bounded = new StreamWorkload(client, {
      scale: { ...SCALE, name: 'tiny-2', spans: 200_000, traces: 100_000 },
      endTimeMs: END,
      payloadBytes: 1024,
      repeats: 1,
      warmupSpans: 0,
      durationMs: 500,
      progress: false,
    });
    const [r2] = await bounded.write();
    assert.equal(r2?.boundNote, undefined);
  });
});
