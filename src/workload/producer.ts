/**
 * Span generation and encoding in a worker thread, beside the transport instead of on its event loop.
 *
 * Generating a ~9.6 KB span and encoding it into a WriteRequest frame costs about as much CPU as grpc-js spends
 * sending it; on the event loop the two add up and the harness, not the server, limits the write rate. The producer
 * thread (producer-worker.ts) runs the same generator (same options, so the same spans in the same order) and
 * encodes each batch with ids reserved here from the client, then transfers the frames' memory back. The main
 * thread only hands ready frames to the client. A few batches are kept ready ahead (`depth`); they stay in order
 * across phases, and a batch taken but not sent (abort) is put back, so the written prefix of the span stream is
 * exactly what was handed to the client.
 *
 * Internal: the workloads use it when their client takes pre-encoded frames (BanyanDBClient does) and the
 * `generatorThread` option is on.
 */
import { Worker } from 'node:worker_threads';
import { BanyanDBPerfError } from '../errors.js';
import type { GeneratorOptions } from '../generator/generator.js';
import type { Model } from '../results.js';
import { SlabReturns } from './frame-slabs.js';

/** `workerData` of the producer thread. */
export interface ProducerInit {
  generator: GeneratorOptions;
  model: Model;
  group: string;
  name: string;
  /** Stop after this many spans (null: at the end of the generator's stream). */
  maxSpans: number | null;
}

/** Main -> producer: produce the next `ids.length` spans with these ids, or take back slabs (frame-slabs.ts). */
export interface ProduceRequest {
  ids?: Float64Array;
  recycle?: ArrayBuffer[];
}

/** Producer -> main: one produced batch; frame i is at [layout[3i+1], +layout[3i+2]) of slabs[layout[3i]]. */
export interface ProducedMessage {
  /** Batch sequence number (0, 1, 2, ... in production order). */
  seq: number;
  count: number;
  /** No more spans will come after this batch. */
  done: boolean;
  slabs: ArrayBuffer[];
  layout: Int32Array;
  /** 1 where the span starts a new trace in the stream (its trace id differs from the previous span's). */
  newTrace: Uint8Array;
  payloadSizes: Int32Array;
}

/** Spans handed out by {@link BatchProducer.take}: frames ready for writeStreamEncoded / writeTraceEncoded. */
export interface ProducedBatch {
  frames: Buffer[];
  ids: number[];
  newTrace: Uint8Array;
  payloadSizes: Int32Array;
  /** Which produced batches the spans come from: [sequence number, spans] (several after a split). */
  parts: [number, number][];
}

interface Waiter {
  n: number;
  resolve(b: ProducedBatch | undefined): void;
  reject(err: unknown): void;
}

export interface BatchProducerOptions extends ProducerInit {
  /** Spans asked of the producer per request. */
  batchSize: number;
  /** Batches kept ready (or being produced) ahead of the takes. */
  depth: number;
  reserveIds(count: number): number[];
}

const batchLength = (b: ProducedBatch): number => b.frames.length;

/** What to do when the producer thread cannot run. */
const NO_THREAD_ADVICE = ' (workload option generatorThread: false generates the spans on the main thread instead)';

const isInputType = (a: string): boolean => a === '--input-type' || a.startsWith('--input-type=');

/**
 * The `execArgv` to start the thread with, or undefined to let it inherit the parent's flags. Inheriting is what
 * works for nearly every command line: a worker given no `execArgv` inherits the parent's Node flags and quietly
 * leaves out the V8 ones (`--max-old-space-size`, `--expose-gc`, `--stack-size`, ...), which apply process-wide
 * anyway, whereas the same V8 flags in an explicit list make `new Worker()` throw ERR_WORKER_INVALID_EXEC_ARGV.
 * The one inherited flag that breaks the thread is `--input-type` (set by `node --input-type=module -e`): it makes
 * the worker fail to load its entry. Only then is a list given: the parent's flags without it.
 */
function workerExecArgv(): string[] | undefined {
  const args = process.execArgv;
  if (!args.some(isInputType)) return undefined;
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--input-type') i++;
    else if (!isInputType(a)) out.push(a);
  }
  return out;
}

/** The flags `new Worker()` names in its ERR_WORKER_INVALID_EXEC_ARGV message ("...flags: --a, --b=1"). */
function rejectedFlags(err: unknown): string[] {
  if ((err as { code?: unknown } | null)?.code !== 'ERR_WORKER_INVALID_EXEC_ARGV') return [];
  const message = err instanceof Error ? err.message : '';
  const at = message.lastIndexOf(': ');
  return at < 0
    ? []
    : message
        .slice(at + 2)
        .split(', ')
        .map((f) => f.trim())
        .filter(Boolean);
}

function startWorker(init: ProducerInit): Worker {
  // From the package this module is bundled into dist/index.js, dist/index.cjs or dist/cli.js, beside
  // dist/producer-worker.js. From the TypeScript sources (tsx: tests, examples, benches), the thread starts from
  // producer-worker-from-sources.mjs, which registers tsx in the thread first (a file of the sources only).
  const here = import.meta.url;
  const entry = new URL(here.endsWith('.ts') ? './producer-worker-from-sources.mjs' : './producer-worker.js', here);
  let execArgv = workerExecArgv();
  for (;;) {
    try {
      return new Worker(entry, execArgv === undefined ? { workerData: init } : { workerData: init, execArgv });
    } catch (err) {
      // With an explicit list (the `--input-type` case), V8 flags in it are rejected: leave out the ones named and
      // try again (they still apply, process-wide). Anything else, or nothing left to leave out, is a real failure.
      const rejected = new Set(rejectedFlags(err));
      const kept: string[] | undefined = execArgv?.filter((a) => !rejected.has(a));
      if (execArgv === undefined || kept === undefined || kept.length === execArgv.length) {
        throw new BanyanDBPerfError(
          'UNKNOWN',
          `the span producer thread could not start: ${err instanceof Error ? err.message : String(err)}${NO_THREAD_ADVICE}`,
          { cause: err },
        );
      }
      execArgv = kept;
    }
  }
}

/** A worker thread producing encoded batches in generator order. Not re-entrant across workloads. */
export class BatchProducer {
  readonly #worker: Worker;
  readonly #opts: BatchProducerOptions;
  readonly #returns: SlabReturns;
  readonly #ready: ProducedBatch[] = [];
  readonly #waiters: Waiter[] = [];
  #readySpans = 0;
  /** Produce requests sent and not answered yet. */
  #outstanding = 0;
  #requestedSpans = 0;
  /** Ids of the requests not answered yet, in request order (the thread answers in order). */
  readonly #requestIds: number[][] = [];
  #done = false;
  #closed = false;
  #closing: Promise<void> | undefined;
  #failure: BanyanDBPerfError | undefined;
  #taken = 0;
  #primed: Promise<void> | undefined;
  #onFirst: (() => void) | undefined;

  constructor(opts: BatchProducerOptions) {
    this.#opts = opts;
    this.#returns = new SlabReturns((slabs) => {
      if (!this.#closed) this.#worker.postMessage({ recycle: slabs } satisfies ProduceRequest, slabs);
    });
    const init: ProducerInit = {
      generator: opts.generator,
      model: opts.model,
      group: opts.group,
      name: opts.name,
      maxSpans: opts.maxSpans,
    };
    this.#worker = startWorker(init);
    this.#worker.unref();
    this.#worker.on('message', (m: ProducedMessage) => this.#onBatch(m));
    this.#worker.on('error', (err) => this.#fail(err));
    this.#worker.on('exit', (code) => {
      if (!this.#closed) this.#fail(new Error(`the span producer thread exited with code ${code}`));
    });
    this.#pump();
  }

  /** Spans handed out by `take` and not put back: the written prefix of the span stream. */
  get taken(): number {
    return this.#taken;
  }

  /** Resolves once the first batch is ready (the thread has started and the generator is warm). */
  primed(): Promise<void> {
    this.#primed ??=
      this.#readySpans > 0 || this.#done || this.#failure
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            this.#worker.ref();
            this.#onFirst = () => {
              this.#onFirst = undefined;
              this.#refresh();
              resolve();
            };
          });
    return this.#primed;
  }

  /** The next up to `n` spans in stream order (fewer only at the end of the stream); undefined when none are left. */
  take(n: number): Promise<ProducedBatch | undefined> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      this.#waiters.push({ n, resolve, reject });
      this.#serve();
    });
  }

  /**
   * The batch's write settled: its frames are not read any more, so their memory goes back to the producer (the
   * frames' Buffers are empty afterwards).
   */
  settled(batch: ProducedBatch): void {
    for (const [seq, n] of batch.parts) this.#returns.settled(seq, n);
  }

  /** Returns a batch taken but not sent: it goes back to the head of the stream. */
  putBack(batch: ProducedBatch): void {
    const n = batchLength(batch);
    if (n === 0) return;
    this.#taken -= n;
    this.#ready.unshift(batch);
    this.#readySpans += n;
    this.#serve();
  }

  /** Stops the thread; pending and later takes get undefined. Concurrent callers share one teardown. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    for (const w of this.#waiters.splice(0)) w.resolve(undefined);
    this.#onFirst?.();
    this.#ready.length = 0;
    this.#readySpans = 0;
    await this.#worker.terminate();
  }

  #refresh(): void {
    // Keep the process alive only while someone waits for spans.
    if (this.#waiters.length > 0 || this.#onFirst) this.#worker.ref();
    else this.#worker.unref();
  }

  #pump(): void {
    const { batchSize, depth, maxSpans } = this.#opts;
    const limit = maxSpans ?? Number.POSITIVE_INFINITY;
    while (
      !this.#done &&
      !this.#closed &&
      !this.#failure &&
      this.#requestedSpans < limit &&
      this.#readySpans + this.#outstanding * batchSize < depth * batchSize
    ) {
      const n = Math.min(batchSize, limit - this.#requestedSpans);
      const reserved = this.#opts.reserveIds(n);
      const ids = Float64Array.from(reserved);
      this.#requestIds.push(reserved);
      this.#requestedSpans += n;
      this.#outstanding++;
      this.#worker.postMessage({ ids } satisfies ProduceRequest, [ids.buffer]);
    }
  }

  #onBatch(m: ProducedMessage): void {
    this.#outstanding--;
    const ids = this.#requestIds.shift() ?? [];
    if (this.#closed) return;
    this.#returns.produced(m.seq, m.count, m.slabs);
    if (m.count > 0) {
      const frames = new Array<Buffer>(m.count);
      const slabs = m.slabs.map((ab) => Buffer.from(ab));
      const L = m.layout;
      for (let i = 0; i < m.count; i++) frames[i] = slabs[L[i * 3]!]!.subarray(L[i * 3 + 1]!, L[i * 3 + 1]! + L[i * 3 + 2]!);
      this.#ready.push({
        frames,
        ids: ids.length === m.count ? ids : ids.slice(0, m.count),
        newTrace: m.newTrace,
        payloadSizes: m.payloadSizes,
        parts: [[m.seq, m.count]],
      });
      this.#readySpans += m.count;
    }
    if (m.done) this.#done = true;
    this.#onFirst?.();
    this.#serve();
    this.#pump();
  }

  /** Hands ready spans to waiters in arrival order. */
  #serve(): void {
    while (this.#waiters.length > 0) {
      const w = this.#waiters[0]!;
      if (this.#readySpans < w.n && !this.#done) break;
      this.#waiters.shift();
      w.resolve(this.#cut(w.n));
    }
    this.#refresh();
    this.#pump();
  }

  /** Takes up to `n` spans off the ready queue. */
  #cut(n: number): ProducedBatch | undefined {
    if (this.#readySpans === 0) return undefined;
    const parts: ProducedBatch[] = [];
    let got = 0;
    while (got < n && this.#ready.length > 0) {
      const head = this.#ready[0]!;
      const len = batchLength(head);
      if (len <= n - got) {
        parts.push(head);
        this.#ready.shift();
        got += len;
      } else {
        const k = n - got;
        parts.push(slice(head, 0, k));
        this.#ready[0] = slice(head, k, len);
        got += k;
      }
    }
    this.#readySpans -= got;
    this.#taken += got;
    return parts.length === 1 ? parts[0] : concat(parts);
  }

  #fail(err: unknown): void {
    if (this.#failure || this.#closed) return;
    this.#failure = new BanyanDBPerfError(
      'UNKNOWN',
      `the span producer thread failed: ${err instanceof Error ? err.message : String(err)}${NO_THREAD_ADVICE}`,
      {
        cause: err,
      },
    );
    for (const w of this.#waiters.splice(0)) w.reject(this.#failure);
    this.#onFirst?.();
    this.#refresh();
  }
}

function slice(b: ProducedBatch, from: number, to: number): ProducedBatch {
  const parts: [number, number][] = [];
  let at = 0;
  for (const [seq, n] of b.parts) {
    const start = Math.max(from, at);
    const end = Math.min(to, at + n);
    if (end > start) parts.push([seq, end - start]);
    at += n;
  }
  return {
    parts,
    frames: b.frames.slice(from, to),
    ids: b.ids.slice(from, to),
    newTrace: b.newTrace.subarray(from, to),
    payloadSizes: b.payloadSizes.subarray(from, to),
  };
}

function concat(parts: ProducedBatch[]): ProducedBatch {
  const n = parts.reduce((a, p) => a + batchLength(p), 0);
  const newTrace = new Uint8Array(n);
  const payloadSizes = new Int32Array(n);
  let at = 0;
  for (const p of parts) {
    newTrace.set(p.newTrace, at);
    payloadSizes.set(p.payloadSizes, at);
    at += batchLength(p);
  }
  return {
    frames: parts.flatMap((p) => p.frames),
    ids: parts.flatMap((p) => p.ids),
    newTrace,
    payloadSizes,
    parts: parts.flatMap((p) => p.parts),
  };
}
