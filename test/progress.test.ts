/**
 * Progress for every long phase: the renderer (a redrawn line on a terminal, plain lines every few seconds elsewhere,
 * no escape codes off a terminal), a stable total and ETA through the last repeat, query-phase events, and the
 * health wait of a server that answers late. Against the emulator over real gRPC.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BanyanDBClient } from '../src/client/client.js';
import { type Emulator, startEmulator } from '../src/emulator/index.js';
import { SchemaLoader } from '../src/schema/loader.js';
import { openTarget } from '../src/targets/target.js';
import {
  createProgressRenderer,
  formatProgress,
  PROGRESS_INTERVAL_MS,
  type ProgressEvent,
  type QueryProgress,
  type StepProgress,
  type WorkloadProgress,
  type WriteProgress,
} from '../src/workload/progress.js';
import { StreamWorkload, TraceWorkload } from '../src/workload/workload.js';
import { freePort } from './helpers/net.js';

const SCALE = { name: 'tiny', spans: 1_500, traces: 600, services: 3, instances: 6, timeRangeMs: 600_000 };
const END = Date.UTC(2026, 0, 1);
const BASE = { scale: SCALE, endTimeMs: END, payloadBytes: 1024, warmupSpans: 0, progress: false as const };

const write = (over: Partial<WriteProgress> = {}): WriteProgress => ({
  kind: 'write',
  model: 'stream',
  phase: 'measure',
  repeat: 0,
  repeats: 3,
  spansSent: 50,
  spansAcknowledged: 40,
  errors: 0,
  spansTarget: 100,
  spansPerSec: 400,
  etaMs: 1500,
  elapsedMs: 100,
  ...over,
});

function capture(isTTY: boolean) {
  const out: string[] = [];
  return { out, output: { isTTY, write: (s: string) => out.push(s) } };
}

describe('progress renderer', () => {
  it('off a terminal: plain lines, no escape codes, the first of each phase at once, then one per interval', () => {
    let now = 0;
    const { out, output } = capture(false);
    const r = createProgressRenderer(output, { intervalMs: 5_000, now: () => now });
    r.update(write());
    now = 1_000;
    r.update(write({ spansAcknowledged: 50 })); // same phase, within the interval: not written
    now = 5_500;
    r.update(write({ spansAcknowledged: 60 }));
    now = 5_600;
    r.update(write({ repeat: 1, spansAcknowledged: 1 })); // a new phase: written at once
    now = 5_700;
    r.update(write({ repeat: 1, spansAcknowledged: 100 })); // its last event (the total reached): written
    r.end();
    assert.deepEqual(out, [
      'stream writes, repeat 1/3: 40/100 spans (40%), 400 spans/s, 0 errors, ETA 2s\n',
      'stream writes, repeat 1/3: 60/100 spans (60%), 400 spans/s, 0 errors, ETA 2s\n',
      'stream writes, repeat 2/3: 1/100 spans (1%), 400 spans/s, 0 errors, ETA 2s\n',
      'stream writes, repeat 2/3: 100/100 spans (100%), 400 spans/s, 0 errors, ETA 2s\n',
    ]);
    assert.ok(!out.join('').includes('\x1b'));
  });

  it('on a terminal: one line redrawn in place; other text printed above it', () => {
    const { out, output } = capture(true);
    const r = createProgressRenderer(output, { tty: true });
    r.update(write());
    r.print('loading the schema\n');
    r.end();
    assert.deepEqual(out, [
      '\r\x1b[2Kstream writes, repeat 1/3: 40/100 spans (40%), 400 spans/s, 0 errors, ETA 2s',
      '\r\x1b[2Kloading the schema\nstream writes, repeat 1/3: 40/100 spans (40%), 400 spans/s, 0 errors, ETA 2s',
      '\n',
    ]);
  });

  it('formats query and step events', () => {
    const q: QueryProgress = {
      kind: 'query',
      model: 'trace',
      repeat: 0,
      repeats: 3,
      pattern: 'error-spans',
      patternsDone: 3,
      patterns: 10,
      iterationsDone: 5,
      iterations: 20,
      elapsedMs: 12_000,
      etaMs: 30_000,
    };
    assert.equal(formatProgress(q), 'trace queries, repeat 1/3: 3/10 patterns done, now error-spans (5/20 runs), 12s elapsed, ETA 30s');
    const s: StepProgress = {
      kind: 'step',
      what: 'waiting for the stream server 127.0.0.1:1 to answer SERVING',
      elapsedMs: 4_200,
      timeoutMs: 30_000,
      done: false,
    };
    assert.equal(formatProgress(s), 'waiting for the stream server 127.0.0.1:1 to answer SERVING: 5s of at most 30s');
    assert.equal(formatProgress({ ...s, done: true }), 'waiting for the stream server 127.0.0.1:1 to answer SERVING: done after 5s');
  });
});

describe('workload progress against the emulator', () => {
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

  it('the last repeat (the rest of the data set) keeps a stable total and an ETA', async () => {
    const events: WorkloadProgress[] = [];
    // Events are throttled to one per PROGRESS_INTERVAL_MS, so on a fast machine the repeat's ~38 batches could all
    // land within two intervals (seen in CI: 2 events). Each write waits half an interval first, so the repeat spans
    // many intervals on any machine.
    const slow = new Proxy(client, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (typeof v !== 'function') return v;
        if (prop !== 'writeStream' && prop !== 'writeStreamEncoded') return v.bind(target);
        return async (...args: unknown[]) => {
          await new Promise((resolve) => setTimeout(resolve, PROGRESS_INTERVAL_MS / 2));
          return v.apply(target, args);
        };
      },
    });
    // No `spans`: the last repeat writes through to the end of the generator's output.
    const w = new StreamWorkload(slow, { ...BASE, repeats: 2, batchSize: 20, concurrency: 1, onProgress: (e) => events.push(e) });
    const runs = await w.write();
    const last = events.filter((e): e is WriteProgress => e.kind === 'write' && e.repeat === 1);
    assert.ok(last.length >= 3, `${last.length} events in the last repeat`);
    const totals = new Set(last.map((e) => e.spansTarget));
    assert.equal(totals.size, 1, `one total through the last repeat, got ${[...totals].join(', ')}`);
    assert.equal([...totals][0], runs[1]?.spansSent, 'the total is what the repeat wrote');
    assert.ok(
      last.slice(1).every((e) => e.etaMs !== undefined),
      'an ETA once spans are acknowledged',
    );
  });

  it('the query phase sends events pattern by pattern', async () => {
    const events: WorkloadProgress[] = [];
    const w = new TraceWorkload(client, { ...BASE, spans: 600, repeats: 1, queryIterations: 2, onProgress: (e) => events.push(e) });
    await w.write();
    const [results] = await w.query();
    const queries = events.filter((e): e is QueryProgress => e.kind === 'query');
    assert.equal(queries[0]?.pattern, 'ground truth');
    const patterns = queries.map((e) => e.pattern).filter((p, i, a) => p !== 'ground truth' && a.indexOf(p) === i);
    assert.deepEqual(
      patterns,
      (results ?? []).map((r) => r.pattern),
    );
    const done = queries.map((e) => e.patternsDone);
    assert.ok(
      done.every((d, i) => i === 0 || d >= (done[i - 1] ?? 0)),
      'patternsDone never goes back',
    );
    assert.equal(queries.at(-1)?.patterns, results?.length);
  });
});

describe('health wait', () => {
  it('openTarget shows the wait for a server that answers late, then that it is done', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const events: ProgressEvent[] = [];
    let late: Emulator[] = [];
    const starting = new Promise<void>((resolve) =>
      setTimeout(async () => {
        late = [await startEmulator({ grpcPort: a }), await startEmulator({ grpcPort: b })];
        resolve();
      }, 2_500),
    );
    try {
      const target = await openTarget({
        kind: 'external',
        addresses: { stream: `127.0.0.1:${a}`, trace: `127.0.0.1:${b}` },
        onProgress: (e) => events.push(e),
      });
      await target.close();
    } finally {
      await starting;
      for (const e of late) await e.close();
    }
    const steps = events.filter((e): e is StepProgress => e.kind === 'step');
    const waiting = steps.filter((e) => e.what === `waiting for the stream server 127.0.0.1:${a} to answer SERVING`);
    assert.ok(waiting.length >= 2, steps.map(formatProgress).join('\n'));
    assert.equal(waiting[0]?.timeoutMs, 30_000);
    assert.equal(waiting.at(-1)?.done, true);
    assert.ok((waiting.at(-1)?.elapsedMs ?? 0) >= 2_000);
  });
});
