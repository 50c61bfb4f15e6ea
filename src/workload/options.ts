/**
 * Workload options: the public options object and the ONE function that resolves it against the named
 * defaults below. Every check happens here, before anything is sent to a server.
 */
import { OptionsError } from '../errors.js';
import { DEFAULT_SEED, resolveGeneratorOptions } from '../generator/generator.js';
import { resolveScale, type Scale, type ScaleName } from '../generator/scale.js';
import { checkOptionKeys, optionKeys } from '../options-check.js';
import { checkNamespace } from '../schema/namespace.js';
import type { WorkloadProgress } from './progress.js';

export type { WorkloadProgress } from './progress.js';

/** Default number of write batches in flight per model. */
export const DEFAULT_CONCURRENCY = 4;
/** Default number of spans per write batch (one batch = one gRPC write stream). */
export const DEFAULT_BATCH_SIZE = 100;
/** Default number of measured repeats per model. */
export const DEFAULT_REPEATS = 3;
/** Default warm-up before the first measured repeat, in spans (the same count for both models). */
export const DEFAULT_WARMUP_SPANS = 2_000;
/**
 * The default warm-up never takes more than this fraction of `spans`, so that small data sets still leave spans for
 * the measured repeats (an explicit `warmupSpans` is taken as given).
 */
export const WARMUP_MAX_SPAN_FRACTION = 0.1;
/** Default deadline of one write batch, ms: a server that stops answering fails the batch well within a minute. */
export const DEFAULT_BATCH_TIMEOUT_MS = 20_000;
/** Default stall window, ms: a write phase with no acknowledged span for this long gives up. */
export const DEFAULT_STALL_TIMEOUT_MS = 30_000;
/** Default number of write batches failing in a row after which a write phase gives up. */
export const DEFAULT_MAX_FAILED_BATCHES = 10;
/** Default deadline of one query, ms. */
export const DEFAULT_QUERY_TIMEOUT_MS = 20_000;
/** Default number of queries failing in a row after which a model's query phase gives up. */
export const DEFAULT_MAX_FAILED_QUERIES = 3;
/** Default number of timed executions of each query pattern per repeat. */
export const DEFAULT_QUERY_ITERATIONS = 20;
/** Spans are generated and encoded in a worker thread by default (when the client takes pre-encoded frames). */
export const DEFAULT_GENERATOR_THREAD = true;
/** Default generator seed (the generator's own default). */
/** Default scale. */
export const DEFAULT_SCALE = 'small';
/** Default stream group and name (testdata/schema). */
export const DEFAULT_STREAM_GROUP = 'stream_performance_test';
export const DEFAULT_STREAM_NAME = 'segment_stream';
/** Default trace group and name (testdata/schema). */
export const DEFAULT_TRACE_GROUP = 'trace_performance_test';
export const DEFAULT_TRACE_NAME = 'segment_trace';
/** Largest number of spans a stream query asks for (its `limit`); larger ground truths are checked as "limited". */
export const DEFAULT_MAX_QUERY_SPANS = 5_000;
/**
 * Largest number of traces a trace query asks for (its `limit`). Trace answers carry whole traces with every span's
 * payload whatever the projection (~9.6 KB per span, traces of up to 100 spans; FACT 33), and the server gathers
 * candidates from every shard before it cuts them (FACT 38), so this bounds both the answer (20 traces of 100 spans:
 * ~19 MB) and the server's working set. 20 is also the smallest limit at which BanyanDB 0.10.3's top-N was exact in
 * the recording (FACT 38: at 5 it was not).
 */
export const DEFAULT_MAX_QUERY_TRACES = 20;

/** Options of a {@link StreamWorkload} / {@link TraceWorkload} and of `runComparison()`. */
export interface WorkloadOptions {
  /**
   * Data-set scale: a built-in name or a custom scale object.
   * @default 'small'
   */
  scale?: ScaleName | Scale;
  /**
   * Generator seed: the same seed gives both models identical spans.
   * @default 42
   */
  seed?: number;
  /**
   * End of the generated data's time range, ms since the epoch. Fix it for reproducible data.
   * @default Date.now() floored to the second, taken once when the options are resolved
   */
  endTimeMs?: number;
  /**
   * Mean span payload (`dataBinary`) size in bytes.
   * @default the generator's default (about 9,600)
   */
  payloadBytes?: number;
  /**
   * Write batches in flight (closed loop: workers; open loop: the most batches outstanding at once).
   * @default 4
   */
  concurrency?: number;
  /**
   * Spans per write batch.
   * @default 100
   */
  batchSize?: number;
  /**
   * Time bound of each measured repeat, ms. A repeat ends at whichever comes first: this or its share of `spans`.
   * @default no time bound
   */
  durationMs?: number;
  /**
   * Total spans to write, warm-up included (the data set). After the warm-up, the rest is split into `repeats` equal
   * slices (`floor((spans - warmupSpans) / repeats)` spans each; a remainder of fewer than `repeats` spans is not
   * written), so every measured repeat of both models covers the same number of spans.
   * @default the scale's span count (the generator's whole stream)
   */
  spans?: number;
  /**
   * Warm-up before the first measured repeat, in spans: the same count for both models, written and acknowledged
   * like any others (part of the data set and of the ground truth) but in no figure. 0 skips the warm-up.
   * @default 2000, but at most 10% of `spans`
   */
  warmupSpans?: number;
  /**
   * Deadline of one write batch, ms. A batch the server has not fully acknowledged by then fails (`DEADLINE_EXCEEDED`).
   * @default 20000
   */
  batchTimeoutMs?: number;
  /**
   * Stall window, ms: a write phase in which no span was acknowledged for this long gives up (`WRITE_STALLED`), and
   * that model's remaining repeats and its queries are skipped; the other model's work still runs.
   * @default 30000
   */
  stallTimeoutMs?: number;
  /**
   * Write batches failing in a row (not fully acknowledged) after which a write phase gives up (`WRITE_FAILING`),
   * with the same consequences as a stall.
   * @default 10
   */
  maxFailedBatches?: number;
  /**
   * Deadline of one query, ms.
   * @default 20000
   */
  queryTimeoutMs?: number;
  /**
   * Queries failing in a row after which a model's query phase gives up (`QUERY_FAILING`): its remaining patterns
   * and repeats are skipped and reported as such.
   * @default 3
   */
  maxFailedQueries?: number;
  /**
   * Open loop: target rate in spans per second (batches start at scheduled times; latency is measured from each
   * batch's intended start). Requires `durationMs`. Without it the workload runs closed loop.
   * @default undefined (closed loop)
   */
  ratePerSec?: number;
  /**
   * Measured repeats per model, over consecutive slices of the span stream (no span is written twice).
   * @default 3
   */
  repeats?: number;
  /**
   * Timed executions of each query pattern per repeat.
   * @default 20
   */
  queryIterations?: number;
  /**
   * Largest stream query limit (spans) and trace query limit (traces) used by the query patterns.
   * @default { spans: 5000, traces: 20 }
   */
  maxQueryResults?: { spans?: number; traces?: number };
  /**
   * Progress on stderr: `'auto'` draws a live line only when stderr is a terminal; `true` always shows it (plain
   * lines every few seconds off a terminal); `false` never. Use `onProgress` with `createProgressRenderer()` to
   * render it elsewhere.
   * @default 'auto'
   */
  progress?: boolean | 'auto';
  /**
   * Typed progress events of the writes and the queries (independent of `progress`).
   * @default undefined
   */
  onProgress?: (event: WorkloadProgress) => void;
  /**
   * Aborts writes and queries: in-flight batches settle and results are marked `partial: true`.
   * @default undefined
   */
  signal?: AbortSignal;
  /**
   * Group of the stream/trace resource.
   * @default 'stream_performance_test' / 'trace_performance_test'
   */
  group?: string;
  /**
   * Name of the stream/trace resource.
   * @default 'segment_stream' / 'segment_trace'
   */
  name?: string;
  /**
   * The run's data namespace: the group written to and queried is `<group>_<namespace>`, as `SchemaLoader` (and
   * `openTarget()`, whose `namespace` this is) created it. 1 to 24 lower-case letters or digits.
   * @default undefined (the group as named)
   */
  namespace?: string;
  /**
   * Generate and encode the spans in a worker thread, beside the gRPC transport instead of on its event loop, so
   * the harness is not what limits the write rate. Applies when the client takes pre-encoded frames (BanyanDBClient
   * does); the spans, their order and the figures' meaning are the same either way.
   * @default true
   */
  generatorThread?: boolean;
}

/** Every key of {@link WorkloadOptions} (checked against the interface by the compiler). */
export const WORKLOAD_OPTION_KEYS = optionKeys<WorkloadOptions>({
  scale: true,
  seed: true,
  endTimeMs: true,
  payloadBytes: true,
  concurrency: true,
  batchSize: true,
  durationMs: true,
  spans: true,
  warmupSpans: true,
  batchTimeoutMs: true,
  stallTimeoutMs: true,
  maxFailedBatches: true,
  queryTimeoutMs: true,
  maxFailedQueries: true,
  ratePerSec: true,
  repeats: true,
  queryIterations: true,
  maxQueryResults: true,
  progress: true,
  onProgress: true,
  signal: true,
  group: true,
  name: true,
  namespace: true,
  generatorThread: true,
});
const MAX_QUERY_RESULTS_KEYS = optionKeys<NonNullable<WorkloadOptions['maxQueryResults']>>({ spans: true, traces: true });

/** Options after defaults are applied and every value is checked. */
export interface ResolvedWorkloadOptions {
  scale: Readonly<Scale>;
  /** True when `spans` was not given: the last repeat then writes through to the end of the generator's output. */
  spansFromScale: boolean;
  seed: number;
  endTimeMs: number;
  payloadBytes: number | undefined;
  concurrency: number;
  batchSize: number;
  durationMs: number | undefined;
  spans: number;
  warmupSpans: number;
  batchTimeoutMs: number;
  stallTimeoutMs: number;
  maxFailedBatches: number;
  queryTimeoutMs: number;
  maxFailedQueries: number;
  ratePerSec: number | undefined;
  repeats: number;
  queryIterations: number;
  maxQuerySpans: number;
  maxQueryTraces: number;
  generatorThread: boolean;
  progress: boolean | 'auto';
  onProgress: ((event: WorkloadProgress) => void) | undefined;
  signal: AbortSignal | undefined;
  group: string | undefined;
  name: string | undefined;
  namespace: string | undefined;
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

function checkPositiveInt(option: string, v: unknown): void {
  if (v !== undefined && !isPositiveInt(v)) {
    throw new OptionsError(option, `${option} must be a positive integer, got ${describe(v)}`);
  }
}

function checkPositive(option: string, v: unknown): void {
  if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0)) {
    throw new OptionsError(option, `${option} must be a finite number > 0, got ${describe(v)}`);
  }
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return typeof v;
}

/** Non-enumerable mark of an object made by {@link resolveWorkloadOptions}. */
const RESOLVED = Symbol('banyandb-perf.resolvedWorkloadOptions');

/** True when `o` was made by {@link resolveWorkloadOptions} (so every value in it was checked). */
export function isResolvedWorkloadOptions(o: unknown): o is ResolvedWorkloadOptions {
  return typeof o === 'object' && o !== null && (o as { [RESOLVED]?: boolean })[RESOLVED] === true;
}

/**
 * Resolves and checks every option; throws {@link OptionsError} naming the option at fault. `nowMs` is injectable for
 * tests (it only supplies the default `endTimeMs`); `where` names the caller in messages. The result can be handed
 * to `runComparison({ workload })` (and the workloads) as it is: options are resolved once, where they enter.
 */
export function resolveWorkloadOptions(
  options: WorkloadOptions = {},
  nowMs: () => number = Date.now,
  where = 'a workload',
): ResolvedWorkloadOptions {
  const o = options;
  checkOptionKeys(o, WORKLOAD_OPTION_KEYS, where);
  checkOptionKeys(o.maxQueryResults, MAX_QUERY_RESULTS_KEYS, where, 'maxQueryResults.');
  const scale = resolveScale(o.scale ?? DEFAULT_SCALE);
  const endTimeMs = o.endTimeMs ?? Math.floor(nowMs() / 1000) * 1000;
  // The generator's own checks (seed, endTimeMs within the timestamp range BanyanDB accepts, payloadBytes bounds).
  resolveGeneratorOptions({
    scale,
    endTimeMs,
    includePayload: false,
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.payloadBytes !== undefined ? { payloadBytes: o.payloadBytes } : {}),
  });
  checkPositiveInt('concurrency', o.concurrency);
  checkPositiveInt('batchSize', o.batchSize);
  checkPositive('durationMs', o.durationMs);
  checkPositiveInt('spans', o.spans);
  if (o.warmupSpans !== undefined && !(Number.isInteger(o.warmupSpans) && o.warmupSpans >= 0)) {
    throw new OptionsError('warmupSpans', `warmupSpans must be an integer >= 0, got ${describe(o.warmupSpans)}`);
  }
  checkPositive('batchTimeoutMs', o.batchTimeoutMs);
  checkPositive('stallTimeoutMs', o.stallTimeoutMs);
  checkPositiveInt('maxFailedBatches', o.maxFailedBatches);
  checkPositive('queryTimeoutMs', o.queryTimeoutMs);
  checkPositiveInt('maxFailedQueries', o.maxFailedQueries);
  checkPositive('ratePerSec', o.ratePerSec);
  checkPositiveInt('repeats', o.repeats);
  checkPositiveInt('queryIterations', o.queryIterations);
  checkPositiveInt('maxQueryResults.spans', o.maxQueryResults?.spans);
  checkPositiveInt('maxQueryResults.traces', o.maxQueryResults?.traces);
  if (o.ratePerSec !== undefined && o.durationMs === undefined) {
    throw new OptionsError('ratePerSec', 'ratePerSec (open loop) requires durationMs');
  }
  if (o.progress !== undefined && typeof o.progress !== 'boolean' && o.progress !== 'auto') {
    throw new OptionsError('progress', `progress must be true, false or 'auto', got ${describe(o.progress)}`);
  }
  if (o.generatorThread !== undefined && typeof o.generatorThread !== 'boolean') {
    throw new OptionsError('generatorThread', `generatorThread must be true or false, got ${describe(o.generatorThread)}`);
  }
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') {
    throw new OptionsError('onProgress', `onProgress must be a function, got ${describe(o.onProgress)}`);
  }
  for (const key of ['group', 'name'] as const) {
    const v = o[key];
    if (v !== undefined && (typeof v !== 'string' || v === '')) {
      throw new OptionsError(key, `${key} must be a non-empty string, got ${describe(v)}`);
    }
  }
  checkNamespace('namespace', o.namespace);
  const repeats = o.repeats ?? DEFAULT_REPEATS;
  const spans = o.spans ?? scale.spans;
  const warmupSpans = o.warmupSpans ?? Math.min(DEFAULT_WARMUP_SPANS, Math.floor(spans * WARMUP_MAX_SPAN_FRACTION));
  if (spans - warmupSpans < repeats) {
    throw new OptionsError(
      o.warmupSpans ? 'warmupSpans' : 'spans',
      `spans (${spans}) must leave at least one span per repeat (${repeats}) after the warm-up (${warmupSpans} spans)`,
    );
  }
  if (o.ratePerSec !== undefined && o.durationMs !== undefined) {
    // Open loop sends ratePerSec for durationMs: a repeat whose share of the spans is smaller cannot hold the rate
    // for the whole bound, and would end early without saying so.
    const warmup = warmupSpans;
    const perRepeat = Math.floor((spans - warmup) / repeats);
    const needed = Math.ceil((o.ratePerSec * o.durationMs) / 1000);
    if (needed > perRepeat) {
      throw new OptionsError(
        'durationMs',
        `durationMs (${o.durationMs} ms) at ratePerSec (${o.ratePerSec} spans/s) needs ${needed} spans per repeat, but spans (${spans}${o.spans === undefined ? `, the ${scale.name} scale's count` : ''}) leaves ${perRepeat} per repeat over repeats (${repeats}) after warm-up; raise spans (to at least ${needed * repeats + warmup}), or lower durationMs or ratePerSec`,
      );
    }
  }
  const resolved: ResolvedWorkloadOptions = {
    scale,
    spansFromScale: o.spans === undefined,
    seed: o.seed ?? DEFAULT_SEED,
    endTimeMs,
    payloadBytes: o.payloadBytes,
    concurrency: o.concurrency ?? DEFAULT_CONCURRENCY,
    batchSize: o.batchSize ?? DEFAULT_BATCH_SIZE,
    durationMs: o.durationMs,
    spans,
    warmupSpans,
    batchTimeoutMs: o.batchTimeoutMs ?? DEFAULT_BATCH_TIMEOUT_MS,
    stallTimeoutMs: o.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
    maxFailedBatches: o.maxFailedBatches ?? DEFAULT_MAX_FAILED_BATCHES,
    queryTimeoutMs: o.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
    maxFailedQueries: o.maxFailedQueries ?? DEFAULT_MAX_FAILED_QUERIES,
    ratePerSec: o.ratePerSec,
    repeats,
    queryIterations: o.queryIterations ?? DEFAULT_QUERY_ITERATIONS,
    maxQuerySpans: o.maxQueryResults?.spans ?? DEFAULT_MAX_QUERY_SPANS,
    maxQueryTraces: o.maxQueryResults?.traces ?? DEFAULT_MAX_QUERY_TRACES,
    generatorThread: o.generatorThread ?? DEFAULT_GENERATOR_THREAD,
    progress: o.progress ?? 'auto',
    onProgress: o.onProgress,
    signal: o.signal,
    group: o.group,
    name: o.name,
    namespace: o.namespace,
  };
  // Marks the object as checked here, so runComparison({ workload }) can take it without resolving again.
  Object.defineProperty(resolved, RESOLVED, { value: true });
  return resolved;
}

/** The resolved options as plain JSON data (for BenchmarkResult.options). */
export function optionsToJson(r: ResolvedWorkloadOptions): Record<string, unknown> {
  return {
    scale: r.scale.name,
    scaleDetail: { ...r.scale },
    seed: r.seed,
    endTimeMs: r.endTimeMs,
    ...(r.payloadBytes !== undefined ? { payloadBytes: r.payloadBytes } : {}),
    concurrency: r.concurrency,
    batchSize: r.batchSize,
    ...(r.durationMs !== undefined ? { durationMs: r.durationMs } : {}),
    spans: r.spans,
    warmupSpans: r.warmupSpans,
    batchTimeoutMs: r.batchTimeoutMs,
    stallTimeoutMs: r.stallTimeoutMs,
    maxFailedBatches: r.maxFailedBatches,
    queryTimeoutMs: r.queryTimeoutMs,
    maxFailedQueries: r.maxFailedQueries,
    ...(r.ratePerSec !== undefined ? { ratePerSec: r.ratePerSec } : {}),
    mode: r.ratePerSec !== undefined ? 'open-loop' : 'closed-loop',
    repeats: r.repeats,
    queryIterations: r.queryIterations,
    maxQuerySpans: r.maxQuerySpans,
    maxQueryTraces: r.maxQueryTraces,
    ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
  };
}
