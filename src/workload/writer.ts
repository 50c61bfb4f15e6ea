/**
 * SpanWriter: writes the generated spans to one model: warm-up, then `repeats` measured runs over consecutive slices
 * of the span stream (generated and encoded in a producer thread when the client takes pre-encoded frames).
 */

import { ClosedError, OptionsError, type PhaseFailedError } from '../errors.js';
import { SpanGenerator } from '../generator/generator.js';
import { LatencyRecorder } from '../metrics/latency.js';
import type { Model, WriteRunResult } from '../results.js';
import type { ModelAdapter, WorkloadClient, WorkloadSpan } from './model.js';
import type { ResolvedWorkloadOptions } from './options.js';
import { BatchProducer } from './producer.js';
import { createProgress } from './progress.js';
import {
  cursorSource,
  type PhaseConfig,
  type PhaseOutcome,
  producerSource,
  runPhase,
  SpanCursor,
  type SpanSource,
} from './write-runner.js';

/** 1 MB = 10^6 bytes in `payloadMBPerSec`. */
const BYTES_PER_MB = 1_000_000;

/** What the warm-up wrote (not part of any figure, but part of the data set). */
export interface WarmupSummary {
  spansSent: number;
  spansAcknowledged: number;
  errorsByStatus: Record<string, number>;
  retries: number;
  wallClockMs: number;
  /** The warm-up's size (`warmupSpans`): the same for both models. */
  spans: number;
  /** Set when the warm-up gave up on the server (then the model's repeats and queries are skipped). */
  failure?: NonNullable<WriteRunResult['failure']>;
}

/** The `failure` of a result: the typed error as plain data. */
function failureOf(e: PhaseFailedError): NonNullable<WriteRunResult['failure']> {
  return { code: e.code, message: e.message, ...(e.lastStatus !== undefined ? { lastStatus: e.lastStatus } : {}) };
}

/**
 * Batches the producer thread keeps ready (or being produced) ahead, per write worker (`concurrency`): four, so a
 * burst of acknowledgements or a moment the producer thread is not scheduled does not leave the event loop waiting
 * (with `concurrency + 2` the full write path fell further behind the same client sending pre-encoded frames,
 * measured alternately on two busy cores).
 */
const PRODUCER_DEPTH_PER_WORKER = 4;
/** Most write batches the producer thread keeps ready ahead (about 1 MB each with default batches). */
const PRODUCER_MAX_DEPTH = 32;

/** Batches the producer thread keeps ready ahead for `concurrency` write workers. Internal (the write bench uses it). */
export const producerDepth = (concurrency: number): number => Math.min(concurrency * PRODUCER_DEPTH_PER_WORKER, PRODUCER_MAX_DEPTH);

/** Writes the span stream to one model. */
export class SpanWriter<Req> {
  readonly model: Model;
  /** The resolved options. */
  readonly options: ResolvedWorkloadOptions;
  readonly #client: WorkloadClient;
  readonly #adapter: ModelAdapter<Req>;
  #source: SpanSource | undefined;
  #closed = false;
  /** The one close() (memoised: concurrent callers share it). */
  #closing: Promise<void> | undefined;
  #producer: BatchProducer | undefined;
  #warmup: WarmupSummary | undefined;
  #failure: PhaseFailedError | undefined;
  readonly #serverFailed: AbortSignal | undefined;

  /**
   * `serverFailed`: aborts when this model's server is known to have failed (e.g. `OpenTarget.failures[model]`): the
   * running phase gives up at once (`SERVER_FAILED`) and the remaining repeats are skipped.
   */
  constructor(client: WorkloadClient, adapter: ModelAdapter<Req>, options: ResolvedWorkloadOptions, serverFailed?: AbortSignal) {
    this.options = options;
    this.#serverFailed = serverFailed;
    this.model = adapter.model;
    this.#client = client;
    this.#adapter = adapter;
  }

  /** Group and name written to. */
  get resource(): { group: string; name: string } {
    return { group: this.#adapter.group, name: this.#adapter.name };
  }

  /** The warm-up's figures, once it ran. */
  get warmup(): WarmupSummary | undefined {
    return this.#warmup;
  }

  /**
   * Spans taken from the generator and sent so far (warm-up included): the written prefix of the span stream that
   * ground truth is computed from. Before any write, the whole data set the options describe (assumed written).
   */
  get writtenSpans(): number {
    if (this.#source) return this.#source.taken;
    return this.#dataSetSpans;
  }

  #generator(includePayload: boolean): SpanGenerator {
    const o = this.options;
    return new SpanGenerator({
      seed: o.seed,
      scale: o.scale,
      endTimeMs: o.endTimeMs,
      includePayload,
      ...(o.payloadBytes !== undefined ? { payloadBytes: o.payloadBytes } : {}),
    });
  }

  /**
   * The span stream shared by the warm-up and the repeats: generated and encoded in a producer thread when the client
   * takes pre-encoded frames and `generatorThread` is on, else generated here.
   */
  #ensureSource(): SpanSource {
    if (this.#source) return this.#source;
    const o = this.options;
    const c = this.#client;
    if (o.generatorThread && this.#adapter.takesEncoded(c) && c.reserveIds) {
      const reserveIds = c.reserveIds.bind(c);
      this.#producer = new BatchProducer({
        generator: {
          seed: o.seed,
          scale: { ...o.scale },
          endTimeMs: o.endTimeMs,
          ...(o.payloadBytes !== undefined ? { payloadBytes: o.payloadBytes } : {}),
        },
        model: this.model,
        group: this.#adapter.group,
        name: this.#adapter.name,
        maxSpans: this.#dataSetSpans,
        batchSize: o.batchSize,
        depth: producerDepth(o.concurrency),
        reserveIds,
      });
      this.#source = producerSource(this.#producer, c, this.model);
    } else {
      this.#source = cursorSource(new SpanCursor(this.#generator(true).spans() as Iterable<WorkloadSpan>), c, this.#adapter);
    }
    return this.#source;
  }

  /**
   * Stops the span producer thread, if one runs (it also stops by itself after the last repeat and at the end of
   * `write()`, without closing the writer). Write calls after `close()` throw ClosedError. Idempotent and safe to
   * call concurrently: every caller waits for the same teardown.
   */
  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= this.#stopProducer();
    return this.#closing;
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  async #stopProducer(): Promise<void> {
    const p = this.#producer;
    this.#producer = undefined;
    await p?.close();
  }

  #assertOpen(what: string): void {
    if (this.#closed) throw new ClosedError(`${this.model === 'stream' ? 'StreamWorkload' : 'TraceWorkload'} (${what})`);
  }

  /** Same as {@link close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #progress() {
    return createProgress(this.model, this.options.repeats, this.options.progress, this.options.onProgress);
  }

  /** The phase settings shared by the warm-up and the repeats. */
  #phaseConfig(progress: PhaseConfig['progress']) {
    const o = this.options;
    return {
      ratePerSec: o.ratePerSec,
      concurrency: o.concurrency,
      batchSize: o.batchSize,
      signal: o.signal,
      progress,
      batchTimeoutMs: o.batchTimeoutMs,
      stallMs: o.stallTimeoutMs,
      maxFailedBatches: o.maxFailedBatches,
      model: this.model,
      server: this.server,
      serverFailed: this.#serverFailed,
    };
  }

  /** The address of the server this writer writes to (`unknown` when the client does not say). */
  get server(): string {
    const a = (this.#client as { address?: unknown }).address;
    return typeof a === 'string' ? a : 'unknown';
  }

  /**
   * Why this model's writes stopped: the warm-up or a repeat gave up on the server (no acknowledged span for the stall
   * window, batches failing in a row, or the server known to have failed). Once set, the remaining repeats are skipped (and runComparison skips the
   * model's queries).
   */
  get failure(): PhaseFailedError | undefined {
    return this.#failure;
  }

  /** Spans of each measured repeat: `floor((spans - warmupSpans) / repeats)`, the same for every repeat and both models. */
  get spansPerRepeat(): number {
    const o = this.options;
    return Math.floor((o.spans - o.warmupSpans) / o.repeats);
  }

  /** Spans the warm-up and the repeats write in all (`spans` less the remainder of the even split). */
  get #dataSetSpans(): number {
    return this.options.warmupSpans + this.options.repeats * this.spansPerRepeat;
  }

  /**
   * Writes the warm-up (once; later calls return the same summary): the first `warmupSpans` spans of the stream, the
   * same count for both models. Skipped when `warmupSpans` is 0.
   */
  async writeWarmup(): Promise<WarmupSummary> {
    this.#assertOpen('writeWarmup');
    if (this.#warmup) return this.#warmup;
    const o = this.options;
    const source = this.#ensureSource();
    if (o.warmupSpans === 0 || o.signal?.aborted) {
      this.#warmup = { spans: 0, spansSent: 0, spansAcknowledged: 0, errorsByStatus: {}, retries: 0, wallClockMs: 0 };
      return this.#warmup;
    }
    const progress = this.#progress();
    try {
      await source.primed?.();
      const r = await runPhase(source, {
        ...this.#phaseConfig(progress),
        phase: 'warmup',
        repeat: -1,
        spanLimit: Math.max(0, o.warmupSpans - source.taken),
        durationMs: undefined,
      });
      this.#warmup = {
        spans: o.warmupSpans,
        spansSent: r.spansSent,
        spansAcknowledged: r.spansAcknowledged,
        errorsByStatus: r.errorsByStatus,
        retries: r.retries,
        wallClockMs: r.wallClockMs,
        ...(r.failure ? { failure: failureOf(r.failure) } : {}),
      };
      if (r.failure) this.#failure ??= r.failure;
    } finally {
      progress.end();
    }
    return this.#warmup;
  }

  /**
   * Writes measured repeat `index` (0-based): the next slice of the span stream, {@link spansPerRepeat} spans, or
   * fewer when `durationMs` ends it first (or the scale's trace bound ends the stream). Runs the warm-up first if it
   * has not run. After this model's writes gave up ({@link failure}), sends nothing and returns a `partial` result
   * whose `failure` (`SKIPPED`) says why.
   */
  async writeRepeat(index: number): Promise<WriteRunResult> {
    this.#assertOpen('writeRepeat');
    const o = this.options;
    if (!Number.isInteger(index) || index < 0 || index >= o.repeats) {
      throw new OptionsError('repeat', `repeat index must be an integer in [0, ${o.repeats}), got ${index}`);
    }
    await this.writeWarmup();
    if (this.#failure) return this.#skippedRun(index);
    const source = this.#ensureSource();
    const last = index === o.repeats - 1;
    // Consecutive slices of equal size: a repeat cut short by a time bound leaves its rest to the next one.
    const spanLimit = Math.min(this.spansPerRepeat, Math.max(0, this.#dataSetSpans - source.taken));
    const progress = this.#progress();
    let r: PhaseOutcome;
    try {
      await source.primed?.();
      r = await runPhase(source, {
        ...this.#phaseConfig(progress),
        phase: 'measure',
        repeat: index,
        spanLimit,
        ...(Number.isFinite(spanLimit) ? {} : { expectedSpans: Math.max(0, this.#generator(false).extentOf().spans - source.taken) }),
        durationMs: o.durationMs,
      });
    } finally {
      progress.end();
      // The last repeat wrote the rest of the data set: the producer thread has nothing left to do.
      if (last) await this.#stopProducer();
    }
    if (r.failure) this.#failure ??= r.failure;
    return this.#toRunResult(r, spanLimit);
  }

  #skippedRun(index: number): WriteRunResult {
    const f = this.#failure as PhaseFailedError;
    const run = this.#toRunResult(undefined);
    run.failure = {
      code: 'SKIPPED',
      message: `${this.model} write repeat ${index + 1} skipped: ${f.message}`,
      ...(f.lastStatus !== undefined ? { lastStatus: f.lastStatus } : {}),
    };
    return run;
  }

  /**
   * Warm-up, then every measured repeat; stops early (last result `partial: true`) when the signal aborts or the
   * writes give up on the server.
   */
  async write(): Promise<WriteRunResult[]> {
    this.#assertOpen('write');
    const runs: WriteRunResult[] = [];
    await this.writeWarmup();
    for (let i = 0; i < this.options.repeats; i++) {
      const run = await this.writeRepeat(i);
      runs.push(run);
      if (run.partial || this.options.signal?.aborted) {
        run.partial = true;
        break;
      }
    }
    if (this.options.signal?.aborted && runs.length === 0) {
      const run = this.#toRunResult(undefined);
      runs.push(run);
    }
    await this.#stopProducer();
    return runs;
  }

  #toRunResult(r: PhaseOutcome | undefined, spanLimit?: number): WriteRunResult {
    const o = this.options;
    const note = r && spanLimit !== undefined ? boundNote(o, r, spanLimit) : undefined;
    const sec = r ? r.wallClockMs / 1000 : 0;
    const ackRatio = r && r.spansSent > 0 ? r.spansAcknowledged / r.spansSent : 0;
    const per = (x: number) => (sec > 0 ? x / sec : 0);
    return {
      model: this.model,
      partial: r ? r.aborted || r.failure !== undefined : true,
      mode: o.ratePerSec === undefined ? 'closed-loop' : 'open-loop',
      ...(o.ratePerSec !== undefined ? { targetSpansPerSec: o.ratePerSec } : {}),
      concurrency: o.concurrency,
      batchSize: o.batchSize,
      warmupSpans: o.warmupSpans,
      wallClockMs: r?.wallClockMs ?? 0,
      spansSent: r?.spansSent ?? 0,
      spansAcknowledged: r?.spansAcknowledged ?? 0,
      tracesSent: r?.tracesSent ?? 0,
      payloadBytes: r?.payloadBytes ?? 0,
      batches: r?.batches ?? 0,
      spansPerSec: per(r?.spansAcknowledged ?? 0),
      tracesPerSec: per((r?.tracesSent ?? 0) * ackRatio),
      payloadMBPerSec: per(((r?.payloadBytes ?? 0) * ackRatio) / BYTES_PER_MB),
      batchesPerSec: per(r?.batches ?? 0),
      batchLatency: (r?.latency ?? new LatencyRecorder()).summary(),
      errorsByStatus: r?.errorsByStatus ?? {},
      retries: r?.retries ?? 0,
      timeSeries: r?.series.points() ?? [],
      ...(note ? { boundNote: note } : {}),
      ...(r?.failure ? { failure: failureOf(r.failure) } : {}),
    };
  }
}

/** A time bound ends a repeat "well before" it when less than this fraction of it was used. */
const BOUND_TOLERANCE = 0.95;

/** Why a time-bound repeat ended early (its span share ran out), or undefined when it ran its time. */
function boundNote(o: ResolvedWorkloadOptions, r: PhaseOutcome, spanLimit: number): string | undefined {
  if (o.durationMs === undefined || r.aborted || r.wallClockMs >= o.durationMs * BOUND_TOLERANCE) return undefined;
  const share = Number.isFinite(spanLimit) ? `its share of the spans (${spanLimit})` : 'the rest of the data set';
  return `ended after ${(r.wallClockMs / 1000).toFixed(1)} s of the ${(o.durationMs / 1000).toFixed(1)} s time bound: ${share} ran out first (${r.spansSent} spans sent); give more spans for a run bounded by time`;
}
