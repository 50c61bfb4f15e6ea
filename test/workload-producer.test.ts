/**
 * The producer thread (generatorThread: true, the default with a client that takes pre-encoded frames) against the
 * same workload generating on the main thread: byte-identical frames in the same order with the same ids, the same
 * figures, exact accounting of spans taken but not sent after an abort, and a thread that never outlives its use.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BanyanDBPerfError, ClosedError } from '../src/errors.js';
import { SpanGenerator } from '../src/generator/generator.js';
import { streamFrameEncoder } from '../src/wire/spans.js';
import { RECYCLED_SLAB_BYTES, SlabPool, SlabReturns } from '../src/workload/frame-slabs.js';
import type { WorkloadClient, WorkloadWriteOptions } from '../src/workload/model.js';
import { BatchProducer, type ProducedBatch } from '../src/workload/producer.js';
import { StreamWorkload, TraceWorkload } from '../src/workload/workload.js';

const SCALE = { name: 'tiny', spans: 6_000, traces: 600, services: 5, instances: 12, timeRangeMs: 600_000 };
const END = Date.UTC(2026, 0, 1);

/** A client taking pre-encoded frames: records each batch's frames and ids, acknowledges everything. */
function encodedClient(opts: { delayMs?: number; onWrite?: (batch: number) => void } = {}) {
  const frames: Buffer[] = [];
  const ids: number[] = [];
  let next = 1;
  let batches = 0;
  const write = async (f: readonly Uint8Array[], i: readonly number[], o?: WorkloadWriteOptions) => {
    opts.onWrite?.(++batches);
    if (opts.delayMs) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          clearTimeout(t);
          reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
        };
        const t = setTimeout(() => {
          o?.signal?.removeEventListener('abort', onAbort);
          resolve();
        }, opts.delayMs);
        o?.signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    for (const x of f) frames.push(Buffer.from(x));
    ids.push(...i);
    return { sent: f.length, acknowledged: f.length, rejected: [], statusCounts: { STATUS_SUCCEED: f.length }, retries: 0 };
  };
  const unused = () => Promise.reject(new Error('request objects are not expected here'));
  const client: WorkloadClient = {
    writeStream: unused,
    writeTrace: unused,
    writeStreamEncoded: write,
    writeTraceEncoded: write,
    reserveIds(count: number) {
      return Array.from({ length: count }, () => next++);
    },
    queryStream: async () => ({ elements: [] }),
    queryTrace: async () => ({ traces: [] }),
  };
  const digest = () => createHash('sha256').update(Buffer.concat(frames)).digest('hex');
  return { client, frames, ids, digest, batches: () => batches };
}

const figures = (runs: Awaited<ReturnType<TraceWorkload['write']>>) =>
  runs.map((r) => ({ sent: r.spansSent, acked: r.spansAcknowledged, traces: r.tracesSent, bytes: r.payloadBytes, batches: r.batches }));

describe('producer thread', () => {
  for (const Kind of [TraceWorkload, StreamWorkload]) {
    const model = Kind === TraceWorkload ? 'trace' : 'stream';
    it(`${model}: writes byte-identical frames with the same ids and the same figures as the main-thread generator`, async () => {
      const options = {
        scale: SCALE,
        endTimeMs: END,
        seed: 9,
        spans: 2_345,
        repeats: 3,
        batchSize: 64,
        concurrency: 3,
        warmupSpans: 0,
        progress: false,
      };
      const a = encodedClient();
      const b = encodedClient();
      const threaded = new Kind(a.client, { ...options, generatorThread: true });
      const inline = new Kind(b.client, { ...options, generatorThread: false });
      const ra = await threaded.write();
      const rb = await inline.write();
      // Three equal repeats of 781 spans: the remainder of the even split (2 spans) is not written.
      assert.equal(a.frames.length, 2_343);
      assert.deepEqual(a.ids, b.ids);
      assert.equal(a.digest(), b.digest());
      assert.deepEqual(figures(ra), figures(rb));
      assert.deepEqual(
        ra.map((r) => r.spansSent),
        [781, 781, 781],
      );
      assert.equal(threaded.writtenSpans, 2_343);
      assert.equal(inline.writtenSpans, 2_343);
    });
  }

  it('a warm-up that ends inside a batch leaves prefetched spans to the next phase: the stream stays whole and in order', async () => {
    const options = { scale: SCALE, endTimeMs: END, seed: 3, spans: 3_000, repeats: 2, batchSize: 25, concurrency: 2, progress: false };
    const a = encodedClient({ delayMs: 10 });
    const b = encodedClient();
    const threaded = new TraceWorkload(a.client, { ...options, warmupSpans: 130, generatorThread: true });
    const inline = new TraceWorkload(b.client, { ...options, warmupSpans: 0, generatorThread: false });
    await threaded.write();
    await inline.write();
    assert.equal(threaded.warmup?.spansSent, 130);
    assert.equal(a.frames.length, 3_000);
    assert.equal(a.digest(), b.digest());
  });

  for (const abortAt of [1, 10]) {
    it(`abort during write ${abortAt}: batches taken but not sent go back, so writtenSpans is exactly what was sent`, async () => {
      const ac = new AbortController();
      const a = encodedClient({ delayMs: 5, onWrite: (n) => n === abortAt && ac.abort() });
      const w = new TraceWorkload(a.client, {
        scale: SCALE,
        endTimeMs: END,
        spans: 5_000,
        repeats: 2,
        batchSize: 20,
        concurrency: 4,
        warmupSpans: 0,
        progress: false,
        signal: ac.signal,
      });
      const runs = await w.write();
      assert.equal(runs.at(-1)?.partial, true);
      const sent = runs.reduce((x, r) => x + r.spansSent, 0);
      assert.ok(sent >= 20 && sent < 5_000, `sent ${sent}`);
      assert.equal(w.writtenSpans, sent);
      // Every span sent reached the client (the stand-in drops batches only when aborted mid-write).
      assert.ok(a.frames.length <= sent);
      await w.close();
      await w.close();
    });
  }

  it('a closed workload says so when written to or queried (ClosedError), and an unused workload holds nothing open', async () => {
    const a = encodedClient();
    const w = new StreamWorkload(a.client, { scale: SCALE, endTimeMs: END, spans: 400, repeats: 2, warmupSpans: 0, progress: false });
    const first = await w.writeRepeat(0);
    assert.equal(first.spansSent, 200);
    await w.close();
    assert.equal(w.closed, true);
    await assert.rejects(w.writeRepeat(1), ClosedError);
    await assert.rejects(w.write(), ClosedError);
    await assert.rejects(w.query(), ClosedError);
    assert.equal(a.frames.length, 200, 'nothing written after close()');
    // A workload never written with is just an object: nothing to close (the test runner would hang otherwise).
    new TraceWorkload(a.client, { scale: SCALE, endTimeMs: END, progress: false });
    // Closed before any write: writes nothing either.
    const early = new TraceWorkload(a.client, { scale: SCALE, endTimeMs: END, spans: 400, repeats: 1, warmupSpans: 0, progress: false });
    await Promise.all([early.close(), early.close()]);
    await assert.rejects(early.write(), ClosedError);
    assert.equal(a.frames.length, 200);
  });

  it('does not close itself after its last repeat: the producer thread stops, the workload stays usable', async () => {
    const a = encodedClient();
    const w = new TraceWorkload(a.client, { scale: SCALE, endTimeMs: END, spans: 400, repeats: 2, warmupSpans: 0, progress: false });
    await w.writeRepeat(0);
    await w.writeRepeat(1);
    assert.equal(w.closed, false);
    assert.equal(w.writer.closed, false, 'the last repeat closed the writer');
    // The data set is written: another pass writes nothing more, and says so by its count, not by an error.
    const again = await w.writeRepeat(1);
    assert.equal(again.spansSent, 0);
    assert.equal(a.frames.length, 400);
    await w.close();
  });

  it('a failing producer thread rejects the waiting takes with a typed error naming it (no hang)', async () => {
    let next = 1;
    const p = new BatchProducer({
      generator: { seed: 1.5 },
      model: 'trace',
      group: 'g',
      name: 'n',
      maxSpans: null,
      batchSize: 10,
      depth: 2,
      reserveIds: (n) => Array.from({ length: n }, () => next++),
    });
    await assert.rejects(p.take(10), (err: unknown) => {
      assert.ok(err instanceof BanyanDBPerfError);
      assert.match(err.message, /^the span producer thread failed: .*seed/);
      assert.match(err.message, /generatorThread: false/, 'says what to do');
      assert.ok(err.cause instanceof Error);
      return true;
    });
    await p.close();
  });
});

describe('producer thread under the command lines users run', () => {
  // A run started with V8 flags (a bigger heap for a large scale, --expose-gc) used to fail at its first write:
  // the thread was started with the parent's flags as an explicit list, which new Worker() rejects when it holds a
  // V8 flag (ERR_WORKER_INVALID_EXEC_ARGV). The child writes 300 spans through the producer thread and prints the
  // figures.
  const workload = JSON.stringify(fileURLToPath(new URL('../src/workload/workload.ts', import.meta.url)));
  const body = `
    const { TraceWorkload } = await import(${workload});
    let next = 1;
    const write = async (f) => ({ sent: f.length, acknowledged: f.length, rejected: [], statusCounts: { STATUS_SUCCEED: f.length }, retries: 0 });
    const client = { writeStreamEncoded: write, writeTraceEncoded: write, reserveIds: (n) => Array.from({ length: n }, () => next++),
      writeStream: write, writeTrace: write, queryStream: async () => ({ elements: [] }), queryTrace: async () => ({ traces: [] }) };
    const w = new TraceWorkload(client, { scale: ${JSON.stringify(SCALE)}, endTimeMs: ${END}, spans: 300, repeats: 1, warmupSpans: 0,
      batchSize: 50, progress: false, generatorThread: true });
    const [run] = await w.write();
    await w.close();
    console.log(JSON.stringify({ acked: run.spansAcknowledged }));`;
  const cases: [string, string[]][] = [
    ['V8 flags (inherited by the thread)', ['--max-old-space-size=2048', '--expose-gc', '--stack-size=2000']],
    [
      'V8 flags with --input-type=module (an explicit list, V8 flags left out)',
      ['--max-old-space-size=2048', '--expose-gc', '--input-type=module'],
    ],
  ];
  for (const [name, flags] of cases) {
    it(`starts and writes with ${name}`, async () => {
      const esm = flags.includes('--input-type=module');
      const script = esm ? body : `(async () => { ${body} })().catch((e) => { console.error(e); process.exit(1); });`;
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', ...flags, '-e', script], { timeout: 60_000 });
      assert.deepEqual(JSON.parse(stdout.trim().split('\n').at(-1)!), { acked: 300 });
    });
  }
});

describe('frame slabs', () => {
  it("a batch's slabs go back once, when all its parts settled, in any order", () => {
    const back: ArrayBuffer[][] = [];
    const r = new SlabReturns((slabs) => back.push(slabs));
    const a = [new ArrayBuffer(8)];
    const b = [new ArrayBuffer(8), new ArrayBuffer(8)];
    r.produced(0, 5, a);
    r.produced(1, 5, b);
    r.produced(2, 0, []);
    r.settled(1, 2);
    assert.equal(back.length, 0);
    r.settled(0, 5);
    assert.deepEqual(back, [a]);
    r.settled(1, 3);
    assert.deepEqual(back, [a, b]);
    r.settled(1, 3);
    r.settled(7, 1);
    assert.equal(back.length, 2);
    assert.equal(r.pending, 0);
  });

  it('reuses returned slabs and never pools memory of another size', () => {
    const pool = new SlabPool();
    const s1 = pool.alloc(10_000);
    assert.equal(s1.byteLength, RECYCLED_SLAB_BYTES);
    const big = pool.alloc(RECYCLED_SLAB_BYTES + 1);
    assert.equal(big.byteLength, RECYCLED_SLAB_BYTES + 1);
    pool.recycle([s1.buffer as ArrayBuffer, big.buffer as ArrayBuffer]);
    const s2 = pool.alloc(5);
    assert.equal(s2.buffer, s1.buffer);
    assert.equal(pool.alloc(5).buffer === big.buffer, false);
    assert.deepEqual({ allocated: pool.allocated, reused: pool.reused }, { allocated: 2, reused: 1 });
  });

  it('recycled memory never changes frames still held, and settled frames are handed back (empty)', async () => {
    let next = 1;
    const generator = { seed: 5, scale: SCALE, endTimeMs: END };
    const p = new BatchProducer({
      generator,
      model: 'stream',
      group: 'g',
      name: 'n',
      maxSpans: 3_000,
      batchSize: 200,
      depth: 4,
      reserveIds: (n) => Array.from({ length: n }, () => next++),
    });
    const got: Buffer[] = [];
    const held: { batch: ProducedBatch; copies: Buffer[] }[] = [];
    for (;;) {
      const b = await p.take(150);
      if (!b) break;
      held.push({ batch: b, copies: b.frames.map((f) => Buffer.from(f)) });
      if (held.length > 3) {
        const { batch, copies } = held.shift()!;
        // Held frames are unchanged by the memory recycled meanwhile.
        for (let i = 0; i < copies.length; i++) assert.ok(batch.frames[i]!.equals(copies[i]!));
        got.push(...copies);
        p.settled(batch);
      }
    }
    for (const { batch, copies } of held) {
      got.push(...copies);
      p.settled(batch);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(
      held.every(({ batch }) => batch.frames.every((f) => f.byteLength === 0)),
      'settled frames were handed back',
    );
    await p.close();
    const spans = [...new SpanGenerator(generator).spans()].slice(0, 3_000);
    const want = streamFrameEncoder('g', 'n')(
      spans,
      spans.map((_, i) => i + 1),
    );
    assert.equal(got.length, 3_000);
    assert.ok(Buffer.concat(got).equals(Buffer.concat(want)));
  });

  it('frames larger than a slab get memory of their own', async () => {
    const a = encodedClient();
    const b = encodedClient();
    const options = {
      scale: SCALE,
      endTimeMs: END,
      payloadBytes: 200_000,
      spans: 60,
      repeats: 1,
      batchSize: 7,
      warmupSpans: 0,
      progress: false,
    };
    await new TraceWorkload(a.client, options).write();
    await new TraceWorkload(b.client, { ...options, generatorThread: false }).write();
    assert.equal(a.frames.length, 60);
    assert.ok(a.frames.every((f) => f.byteLength > 0));
    assert.equal(a.digest(), b.digest());
  });
});
