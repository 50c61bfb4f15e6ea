/**
 * StreamWorkload and TraceWorkload: write the generated spans to one model (warm-up, then `repeats` measured runs
 * over consecutive slices of the span stream) and run the query patterns against it, checking every answer against
 * the generator's ground truth.
 */

import type { IndexRuleBinding, StreamWriteRequest, TraceWriteRequest } from '../client/types.js';
import { AbortedError, BanyanDBPerfError, OptionsError } from '../errors.js';
import { SpanGenerator } from '../generator/index.js';
import { LatencyRecorder } from '../metrics/index.js';
import type { Model, QueryMismatch, QueryPatternResult, WriteRunResult } from '../results.js';
import {
  type ModelAdapter,
  QUERY_PROJECTION,
  type QueryAnswer,
  readStreamAnswer,
  readTraceAnswer,
  streamAdapter,
  traceAdapter,
  type WorkloadClient,
  type WorkloadSpan,
} from './model.js';
import {
  DEFAULT_STREAM_GROUP,
  DEFAULT_STREAM_NAME,
  DEFAULT_TRACE_GROUP,
  DEFAULT_TRACE_NAME,
  type ResolvedWorkloadOptions,
  resolveWorkloadOptions,
  WARMUP_MAX_SPAN_FRACTION,
  type WorkloadOptions,
} from './options.js';
import {
  buildPatterns,
  type ConcretePattern,
  checkAnswer,
  checkValues,
  collectFacts,
  computeGroundTruth,
  type DataFacts,
  type GroundTruth,
  limitFor,
  PATTERN_INFO,
  type QueryPatternInfo,
  toTimeRange,
} from './patterns.js';
import { BatchProducer } from './producer.js';
import { createProgress } from './progress.js';
import { cursorSource, type PhaseOutcome, producerSource, runPhase, SpanCursor, type SpanSource } from './write-runner.js';

/** 1 MB = 10^6 bytes in `payloadMBPerSec`. */
const BYTES_PER_MB = 1_000_000;

/** What the warm-up wrote (not part of any figure, but part of the data set). */
export interface WarmupSummary {
  spansSent: number;
  spansAcknowledged: number;
  errorsByStatus: Record<string, number>;
  retries: number;
  wallClockMs: number;
}

/** Answer of one pattern kept for the cross-model comparison. */
export interface PatternAnswerRecord {
  /** Trace ids answered (stream: distinct trace ids of the returned spans). */
  traceIds: Set<string>;
  /** True when the ground truth exceeded the query limit, so the answer is a subset. */
  truncated: boolean;
}

type TruthEntry = { written: number; facts: DataFacts; patterns: ConcretePattern[]; truth: Map<string, GroundTruth> };

/**
 * Ground truths shared between workloads with the same data (runComparison's two models): keyed by everything the
 * spans and the truth depend on. Holds the two most recent.
 */
const truthCache = new Map<string, TruthEntry>();
/** Most write batches the producer thread keeps ready ahead (about 1 MB each with default batches). */
const PRODUCER_MAX_DEPTH = 32;
const TRUTH_CACHE_ENTRIES = 2;

/** Index rule binding access, when the client has it (BanyanDBClient does): finds trace patterns a schema cannot serve. */
interface RuleRegistries {
  indexRuleBindings?: { list(group: string): Promise<IndexRuleBinding[]> };
}

function prefix<T>(it: Iterable<T>, n: number): Iterable<T> {
  return {
    *[Symbol.iterator]() {
      if (n <= 0) return;
      let i = 0;
      for (const x of it) {
        yield x;
        if (++i >= n) return;
      }
    },
  };
}

/** Shared behaviour of the two workloads. */
abstract class Workload<Req> {
  readonly model: Model;
  /** The resolved options. */
  readonly options: ResolvedWorkloadOptions;
  /** The query patterns (same list on both models; a model that cannot answer one reports it as `n/a`). */
  readonly patterns: QueryPatternInfo[] = PATTERN_INFO.map((p) => ({ ...p }));
  readonly #client: WorkloadClient;
  readonly #adapter: ModelAdapter<Req>;
  #source: SpanSource | undefined;
  #closed = false;
  #producer: BatchProducer | undefined;
  #warmup: WarmupSummary | undefined;
  #truth: TruthEntry | undefined;
  /** Trace model: index rules bound to the trace (undefined: not looked up yet; null: unknown). */
  #treeRules: Set<string> | null | undefined;
  readonly #answers = new Map<string, PatternAnswerRecord>();
  /** Regenerated traces (with payloads) that trace-by-id answers are read back against, by trace index. */
  readonly #writtenTraces = new Map<number, Map<string, WorkloadSpan>>();
  #payloadGenerator: SpanGenerator | undefined;

  protected constructor(
    client: WorkloadClient,
    adapter: (group: string, name: string) => ModelAdapter<Req>,
    model: Model,
    options: WorkloadOptions,
    defaults: { group: string; name: string },
  ) {
    this.options = resolveWorkloadOptions(options);
    this.model = model;
    this.#client = client;
    this.#adapter = adapter(this.options.group ?? defaults.group, this.options.name ?? defaults.name);
  }

  /** Group and name written to and queried. */
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
    return this.options.spansFromScale ? Number.POSITIVE_INFINITY : this.options.spans;
  }

  /** Cross-model record of each pattern's first checked answer. */
  get answers(): ReadonlyMap<string, PatternAnswerRecord> {
    return this.#answers;
  }

  /** The spans of trace `index` as the generator wrote them, payloads included (copied: they outlive the generator's slabs). */
  #writtenTrace(index: number): ReadonlyMap<string, WorkloadSpan> {
    let spans = this.#writtenTraces.get(index);
    if (!spans) {
      this.#payloadGenerator ??= this.#generator(true);
      spans = new Map();
      for (const sp of this.#payloadGenerator.traceAt(index) as WorkloadSpan[]) {
        spans.set(sp.spanId, { ...sp, dataBinary: Uint8Array.from(sp.dataBinary) });
      }
      this.#writtenTraces.set(index, spans);
    }
    return spans;
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
    if (this.#closed) {
      this.#source = cursorSource(new SpanCursor([]), c, this.#adapter);
      return this.#source;
    }
    const encoded = this.model === 'trace' ? c.writeTraceEncoded : c.writeStreamEncoded;
    if (o.generatorThread && encoded && c.reserveIds) {
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
        maxSpans: o.spansFromScale ? null : o.spans,
        batchSize: o.batchSize,
        depth: Math.min(o.concurrency + 2, PRODUCER_MAX_DEPTH),
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
   * `write()`). Write calls after `close()` write nothing more; queries keep working. Idempotent.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const p = this.#producer;
    this.#producer = undefined;
    await p?.close();
  }

  /** Same as {@link close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #progress() {
    return createProgress(this.model, this.options.repeats, this.options.progress, this.options.onProgress);
  }

  /** Writes the warm-up (once; later calls return the same summary). Skipped when `warmupMs` is 0. */
  async writeWarmup(): Promise<WarmupSummary> {
    if (this.#warmup) return this.#warmup;
    const o = this.options;
    const source = this.#ensureSource();
    if (o.warmupMs === 0 || o.signal?.aborted) {
      this.#warmup = { spansSent: 0, spansAcknowledged: 0, errorsByStatus: {}, retries: 0, wallClockMs: 0 };
      return this.#warmup;
    }
    const progress = this.#progress();
    try {
      await source.primed?.();
      const r = await runPhase(source, {
        phase: 'warmup',
        repeat: -1,
        spanLimit: Math.max(0, Math.floor(o.spans * WARMUP_MAX_SPAN_FRACTION) - source.taken),
        durationMs: o.warmupMs,
        ratePerSec: o.ratePerSec,
        concurrency: o.concurrency,
        batchSize: o.batchSize,
        signal: o.signal,
        progress,
      });
      this.#warmup = {
        spansSent: r.spansSent,
        spansAcknowledged: r.spansAcknowledged,
        errorsByStatus: r.errorsByStatus,
        retries: r.retries,
        wallClockMs: r.wallClockMs,
      };
    } finally {
      progress.end();
    }
    return this.#warmup;
  }

  /**
   * Writes measured repeat `index` (0-based): the next slice of the span stream, `(spans - written) / repeats left`
   * spans (the last repeat takes the rest; with the scale's default bound, through to the generator's end), or fewer
   * when `durationMs` ends it first. Runs the warm-up first if it has not run.
   */
  async writeRepeat(index: number): Promise<WriteRunResult> {
    const o = this.options;
    if (!Number.isInteger(index) || index < 0 || index >= o.repeats) {
      throw new OptionsError('repeat', `repeat index must be an integer in [0, ${o.repeats}), got ${index}`);
    }
    await this.writeWarmup();
    const source = this.#ensureSource();
    const left = o.repeats - index;
    const last = left === 1;
    const remaining = Math.max(0, o.spans - source.taken);
    const spanLimit = last ? (o.spansFromScale ? Number.POSITIVE_INFINITY : remaining) : Math.floor(remaining / left);
    const progress = this.#progress();
    let r: PhaseOutcome;
    try {
      await source.primed?.();
      r = await runPhase(source, {
        phase: 'measure',
        repeat: index,
        spanLimit,
        durationMs: o.durationMs,
        ratePerSec: o.ratePerSec,
        concurrency: o.concurrency,
        batchSize: o.batchSize,
        signal: o.signal,
        progress,
      });
    } finally {
      progress.end();
      // The last repeat wrote the rest of the data set: the producer thread has nothing left to do.
      if (last) await this.close();
    }
    return this.#toRunResult(r);
  }

  /** Warm-up, then every measured repeat; stops early (last result `partial: true`) when the signal aborts. */
  async write(): Promise<WriteRunResult[]> {
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
    await this.close();
    return runs;
  }

  #toRunResult(r: PhaseOutcome | undefined): WriteRunResult {
    const o = this.options;
    const sec = r ? r.wallClockMs / 1000 : 0;
    const ackRatio = r && r.spansSent > 0 ? r.spansAcknowledged / r.spansSent : 0;
    const per = (x: number) => (sec > 0 ? x / sec : 0);
    return {
      model: this.model,
      partial: r ? r.aborted : true,
      mode: o.ratePerSec === undefined ? 'closed-loop' : 'open-loop',
      ...(o.ratePerSec !== undefined ? { targetSpansPerSec: o.ratePerSec } : {}),
      concurrency: o.concurrency,
      batchSize: o.batchSize,
      warmupMs: o.warmupMs,
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
    };
  }

  /**
   * Ground truth of the written prefix (two passes over the generator without payloads, yielding to the event loop
   * and honouring the abort signal), computed once per written length and shared with same-data workloads.
   */
  async #ensureTruth(): Promise<TruthEntry> {
    const written = this.writtenSpans;
    if (this.#truth && this.#truth.written === written) return this.#truth;
    const o = this.options;
    const cacheKey = JSON.stringify([o.seed, o.scale, o.endTimeMs, written, o.maxQuerySpans, o.maxQueryTraces]);
    const cached = truthCache.get(cacheKey);
    if (cached) {
      this.#truth = cached;
      return cached;
    }
    const spans = () => prefix(this.#generator(false).spans() as Iterable<WorkloadSpan>, written);
    const facts = await collectFacts(spans(), o.signal);
    const patterns = buildPatterns(facts);
    const truth = await computeGroundTruth(spans(), patterns, facts, o.maxQuerySpans, o.maxQueryTraces, o.signal);
    this.#truth = { written, facts, patterns, truth };
    truthCache.set(cacheKey, this.#truth);
    while (truthCache.size > TRUTH_CACHE_ENTRIES) truthCache.delete(truthCache.keys().next().value as string);
    return this.#truth;
  }

  #groundTruth(): TruthEntry {
    if (!this.#truth) throw new Error('internal: ground truth used before it was computed');
    return this.#truth;
  }

  #selected(names: string[] | undefined): ConcretePattern[] {
    const { patterns } = this.#groundTruth();
    if (!names) return patterns;
    return names.map((n) => {
      const p = patterns.find((x) => x.name === n);
      if (!p) {
        throw new OptionsError(
          'patterns',
          `unknown query pattern ${JSON.stringify(n)}; expected one of ${patterns.map((x) => x.name).join(', ')}`,
        );
      }
      return p;
    });
  }

  /**
   * Trace model: which index rules are bound to the trace, read once through the client's registries when
   * it has them. When they cannot be read, every order rule is assumed present (and a missing one shows as an error).
   */
  async #lookUpTreeRules(): Promise<void> {
    if (this.model !== 'trace' || this.#treeRules !== undefined) return;
    const reg = this.#client as WorkloadClient & RuleRegistries;
    const { group, name } = this.#adapter;
    if (!reg.indexRuleBindings?.list) {
      this.#treeRules = null;
      return;
    }
    try {
      // BanyanDB v0.10.3 checks only that the order rule is bound to the trace (not its type), so only that is checked.
      const bindings = await reg.indexRuleBindings.list(group);
      const bound = new Set<string>();
      for (const b of bindings) {
        if (b.subject?.name === name && b.subject.catalog === 'CATALOG_TRACE') for (const r of b.rules ?? []) bound.add(r);
      }
      this.#treeRules = bound;
    } catch {
      this.#treeRules = null;
    }
  }

  /** The concrete request of a pattern for this model, and its limit; `na` when the model cannot answer it. */
  #request(p: ConcretePattern): { run: (signal?: AbortSignal) => Promise<QueryAnswer>; limit: number } | { na: string } {
    const { truth } = this.#groundTruth();
    const t = truth.get(p.name) as GroundTruth;
    const { group, name } = this.#adapter;
    const timeRange = toTimeRange(p.timeRange);
    const client = this.#client;
    if (this.model === 'stream') {
      const limit = limitFor(t.spanCount, this.options.maxQuerySpans);
      const req = {
        groups: [group],
        name,
        timeRange,
        limit,
        ...(p.criteria ? { criteria: p.criteria } : {}),
        projection: {
          // A trace-by-id lookup serves a trace's detail view, which needs the segments: fetch them, as the
          // trace model always does. List patterns fetch span metadata only (the trace model cannot leave the
          // span bytes out; that cost is its own and shows in its figures).
          tagFamilies: isTraceLookup(p)
            ? [
                { name: 'primary', tags: QUERY_PROJECTION },
                { name: 'data_binary', tags: ['dataBinary'] },
              ]
            : [{ name: 'primary', tags: QUERY_PROJECTION }],
        },
      };
      return { limit, run: async (signal) => readStreamAnswer(await client.queryStream(req, signal ? { signal } : {})) };
    }
    if ('na' in p.trace) return { na: p.trace.na };
    const rule = p.trace.orderBy?.indexRuleName;
    if (rule && this.#treeRules && !this.#treeRules.has(rule)) {
      return {
        na: `a trace query without a trace id needs an order_by naming an index rule (TYPE_TREE) bound to ${group}/${name}; "${rule}" is not bound to it (bound: ${[...this.#treeRules].join(', ') || 'none'})`,
      };
    }
    const limit = limitFor(t.traceCount, this.options.maxQueryTraces);
    const req = {
      groups: [group],
      name,
      timeRange,
      limit,
      ...(p.criteria ? { criteria: p.criteria } : {}),
      ...(p.trace.orderBy ? { orderBy: p.trace.orderBy } : {}),
      tagProjection: QUERY_PROJECTION,
    };
    return { limit, run: async (signal) => readTraceAnswer(await client.queryTrace(req, signal ? { signal } : {})) };
  }

  /**
   * Runs one pattern once and returns the number of spans returned (for external timing, e.g. mitata).
   * @throws {@link BanyanDBPerfError} when the pattern is unknown or the model cannot answer it (`n/a`).
   */
  async queryOnce(pattern: string): Promise<number> {
    await this.#lookUpTreeRules();
    await this.#ensureTruth();
    const [p] = this.#selected([pattern]);
    const r = this.#request(p as ConcretePattern);
    if ('na' in r) throw new BanyanDBPerfError('FAILED_PRECONDITION', `${this.model} model cannot answer ${pattern}: ${r.na}`);
    return (await r.run(this.options.signal)).spans.length;
  }

  /** Runs every selected pattern `queryIterations` times, for each of the `repeats` repeats. */
  async query(patterns?: string[]): Promise<QueryPatternResult[][]> {
    const out: QueryPatternResult[][] = [];
    for (let i = 0; i < this.options.repeats; i++) {
      if (this.options.signal?.aborted) break;
      const rep = await this.queryRepeat(i, patterns);
      if (rep.length === 0 && this.options.signal?.aborted) break;
      out.push(rep);
    }
    return out;
  }

  /** One query repeat: every selected pattern, `queryIterations` timed executions each, answers checked. */
  async queryRepeat(index: number, patterns?: string[]): Promise<QueryPatternResult[]> {
    await this.#lookUpTreeRules();
    try {
      await this.#ensureTruth();
    } catch (err) {
      if (err instanceof AbortedError) return [];
      throw err;
    }
    const selected = this.#selected(patterns);
    const { truth, facts } = this.#groundTruth();
    const results: QueryPatternResult[] = [];
    const signal = this.options.signal;
    for (const p of selected) {
      if (signal?.aborted) break;
      const base = { pattern: p.name, description: p.description, model: this.model };
      const r = this.#request(p);
      if ('na' in r) {
        results.push({ ...base, status: 'n/a', reason: r.na, iterations: 0, mismatches: [] });
        continue;
      }
      const latency = new LatencyRecorder();
      const mismatches: QueryMismatch[] = [];
      let spansTotal = 0;
      let done = 0;
      let firstSize: number | undefined;
      let error: string | undefined;
      const t0 = performance.now();
      for (let it = 0; it < this.options.queryIterations; it++) {
        if (signal?.aborted) break;
        const s = performance.now();
        let answer: QueryAnswer;
        try {
          answer = await r.run(signal);
        } catch (err) {
          if (err instanceof AbortedError || signal?.aborted) break;
          error = err instanceof Error ? err.message : String(err);
          break;
        }
        latency.record(performance.now() - s);
        done++;
        spansTotal += answer.spans.length;
        if (firstSize === undefined) {
          firstSize = answer.spans.length;
          const t = truth.get(p.name) as GroundTruth;
          const findings = checkAnswer(this.model, p, t, answer, r.limit, facts.traceWritten);
          if (p.traceIndex !== undefined && p.traceIndex >= 0) {
            findings.push(...checkValues(answer, this.#writtenTrace(p.traceIndex), true));
          }
          for (const f of findings) mismatches.push({ pattern: p.name, model: this.model, against: 'ground-truth', ...f });
          if (index === 0 || !this.#answers.has(p.name)) {
            const truncated = this.model === 'stream' ? t.spanCount >= r.limit : t.traceCount >= r.limit;
            this.#answers.set(p.name, { traceIds: new Set(answer.traceIds), truncated });
          }
        } else if (answer.spans.length !== firstSize) {
          mismatches.push({
            pattern: p.name,
            model: this.model,
            against: 'ground-truth',
            what: `spans returned by iteration ${it + 1} vs iteration 1`,
            expected: String(firstSize),
            actual: String(answer.spans.length),
          });
        }
      }
      const wallSec = (performance.now() - t0) / 1000;
      if (done === 0 && error === undefined) break; // aborted before any answer: no figures to report
      if (error !== undefined) {
        results.push({
          ...base,
          status: 'error',
          reason: error,
          iterations: done,
          ...(done > 0 ? { latency: latency.summary(), meanResultSpans: spansTotal / done } : {}),
          mismatches,
        });
        continue;
      }
      results.push({
        ...base,
        status: 'ok',
        iterations: done,
        latency: latency.summary(),
        queriesPerSec: wallSec > 0 ? done / wallSec : 0,
        meanResultSpans: done > 0 ? spansTotal / done : 0,
        mismatches,
      });
    }
    return results;
  }
}

/** Writes spans to and queries a BanyanDB stream (default `segment_stream` in `stream_performance_test`). */
export class StreamWorkload extends Workload<StreamWriteRequest> {
  constructor(client: WorkloadClient, options: WorkloadOptions = {}) {
    super(client, streamAdapter, 'stream', options, { group: DEFAULT_STREAM_GROUP, name: DEFAULT_STREAM_NAME });
  }
}

/** Writes spans to and queries a BanyanDB trace (default `segment_trace` in `trace_performance_test`). */
export class TraceWorkload extends Workload<TraceWriteRequest> {
  constructor(client: WorkloadClient, options: WorkloadOptions = {}) {
    super(client, traceAdapter, 'trace', options, { group: DEFAULT_TRACE_GROUP, name: DEFAULT_TRACE_NAME });
  }
}

/** A pattern that fetches whole traces by id (no order rule needed on the trace model). */
function isTraceLookup(p: ConcretePattern): boolean {
  return !('na' in p.trace) && p.trace.orderBy === undefined;
}
