/**
 * Options are checked at run time: an unknown key given to a public constructor or function is an OptionsError
 * naming the key and the closest known one (TypeScript catches it only in typed code), and a bound that cannot be
 * met is an error or is said in the result, never silent. Against the emulator over real gRPC.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BanyanDBClient } from '../src/client/client.js';
import { type Emulator, startEmulator } from '../src/emulator/index.js';
import { OptionsError } from '../src/errors.js';
import { SpanGenerator } from '../src/generator/generator.js';
import { closestKey } from '../src/options-check.js';
import { SchemaLoader } from '../src/schema/loader.js';
import { openTarget } from '../src/targets/target.js';
import { runComparison } from '../src/workload/compare.js';
import type { WorkloadOptions } from '../src/workload/options.js';
import { StreamWorkload, TraceWorkload } from '../src/workload/workload.js';

const SCALE = { name: 'tiny', spans: 600, traces: 300, services: 3, instances: 6, timeRangeMs: 600_000 };
const END = Date.UTC(2026, 0, 1);

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
