/**
 * runComparison(): the same spans written to and queried from both models, one model after the other, alternating
 * which goes first on every repeat (stream first on even repeats, trace first on odd ones) so slow drift of the host
 * (page cache, CPU frequency, other load) does not favour one model; then the figures compared across repeats.
 */

import { OptionsError } from '../errors.js';
import {
  type ComparisonServerMetricsOptions,
  planMixed,
  resolveServerMetricsOptions,
  runPlannedMixed,
  startServerMetrics,
  stopServerMetrics,
} from '../mixed/in-comparison.js';
import type { MixedOptions, MixedResult } from '../mixed/mixed.js';
import { checkOptionKeys, optionKeys } from '../options-check.js';
import { PATTERN_INFO } from '../oracle/catalogue.js';
import type { QueryRunner } from '../oracle/runner.js';
import { GroundTruthStore } from '../oracle/truth.js';
import type { BenchmarkResult, Model, PhaseFailure, QueryPatternResult, RunPhase, TargetInfo, WriteRunResult } from '../results.js';
import { MODELS, RESULTS_SCHEMA_VERSION } from '../results.js';
import { namespacedGroup } from '../schema/namespace.js';
import type { ServerMetricsSeries } from '../server-metrics/sampler.js';
import { buildComparisons } from '../verdict/comparisons.js';
import type { WorkloadClient } from './model.js';
import {
  isResolvedWorkloadOptions,
  optionsToJson,
  type ResolvedWorkloadOptions,
  resolveWorkloadOptions,
  WORKLOAD_OPTION_KEYS,
  type WorkloadOptions,
} from './options.js';
import { toolVersion } from './version.js';
import { composeWorkload, STREAM_SIDES, StreamWorkload, TRACE_SIDES, TraceWorkload } from './workload.js';
import { serverFailureText } from './write-runner.js';
import type { SpanWriter } from './writer.js';

/**
 * Options of {@link runComparison}. `group`/`name` are ignored: each model uses its default resource, in the run's
 * namespace: `namespace` when given, else `target.namespace` (what `openTarget()` created the groups in).
 */
export interface RunComparisonOptions extends WorkloadOptions {
  /** Client connected to the stream model's server. */
  stream: WorkloadClient;
  /** Client connected to the trace model's server. */
  trace: WorkloadClient;
  /** What serves the two models (copied into the result). */
  target: TargetInfo;
  /**
   * Query patterns to run (names from `patterns`); an empty array skips the query phase.
   * @default every pattern
   */
  patterns?: string[];
  /**
   * Called once both models hold the written data, before the query phase: the place to run your own
   * measurements against the same data (e.g. time `queryOnce` with a benchmark library).
   * @default none
   */
  onWritten?: (workloads: { stream: StreamWorkload; trace: TraceWorkload }) => void | Promise<void>;
  /**
   * The workload options already resolved by `resolveWorkloadOptions()` (e.g. checked before a target was opened, as
   * the CLI does): used as they are. The workload fields of this object must then be left out.
   * @default resolved here from this object's workload fields
   */
  workload?: ResolvedWorkloadOptions;
  /**
   * Run the mixed phase (docs/mixed.md: writes at a fixed rate while a query mix runs) after the separate write and
   * query phases, in a namespace of its own (fresh groups, deleted after), with these options (`{}`: its defaults;
   * `scenarioMixedOptions()` gives the named presets). Needs BanyanDBClient clients.
   * @default no mixed phase
   */
  mixed?: MixedOptions;
  /**
   * The schema directory the mixed phase loads into its own namespace (the one the target loaded).
   * @default the package's testdata/schema
   */
  schemaDir?: string;
  /**
   * Scrape each model's server metrics (Prometheus text) during the whole run into `result.serverMetrics`; a target
   * that does not answer or answers something else is recorded there, never fatal. `OpenTarget.metricsUrls` has the
   * URLs of the emulator and of Docker containers.
   * @default no scraping
   */
  serverMetrics?: ComparisonServerMetricsOptions;
  /**
   * Per model: a signal that aborts when that model's server is known to have failed, with the error saying why
   * (pass `OpenTarget.failures`: a Docker container that exited or turned unhealthy). That model's running write or
   * query phase gives up at once (`SERVER_FAILED`, naming the model, the server and the reason), its remaining
   * repeats and queries are skipped and reported as such, and the other model's work still runs and is reported.
   * @default none (a dead server is still caught by the stall window and the failures in a row)
   */
  serverFailures?: Partial<Record<Model, AbortSignal>>;
}

/** One model's writer and query runner, as runComparison composes them. */
interface ModelRun {
  writer: SpanWriter<unknown>;
  queries: QueryRunner;
}

const RUN_COMPARISON_KEYS = [
  ...WORKLOAD_OPTION_KEYS,
  ...optionKeys<Omit<RunComparisonOptions, keyof WorkloadOptions>>({
    stream: true,
    trace: true,
    target: true,
    patterns: true,
    onWritten: true,
    workload: true,
    mixed: true,
    serverFailures: true,
    schemaDir: true,
    serverMetrics: true,
  }),
];

/**
 * Writes the same spans to both models and queries both; returns the whole result (without `containers`/`disk`,
 * which the caller fills). Never throws for server-side rejections (they are in `errorsByStatus`); throws
 * OptionsError for bad options before anything is sent. An abort returns what was done with `partial: true`.
 */
export async function runComparison(opts: RunComparisonOptions): Promise<BenchmarkResult> {
  checkOptionKeys(opts, RUN_COMPARISON_KEYS, 'runComparison()');
  const {
    stream: streamClient,
    trace: traceClient,
    target,
    patterns,
    onWritten,
    workload,
    mixed,
    schemaDir,
    serverMetrics,
    serverFailures,
    group: _g,
    name: _n,
    ...rest
  } = opts;
  // Resolved once, here or by the caller, so both models get the same endTimeMs (hence identical spans).
  let resolved: ResolvedWorkloadOptions;
  if (workload !== undefined) {
    if (!isResolvedWorkloadOptions(workload)) {
      throw new OptionsError('workload', 'workload must be the result of resolveWorkloadOptions() (it checks every value)');
    }
    const given = Object.keys(rest).filter((k) => (rest as Record<string, unknown>)[k] !== undefined);
    if (given.length > 0) {
      throw new OptionsError(
        given[0]!,
        `runComparison() takes either workload (resolved options) or the workload options, not both: got workload and ${given.join(', ')}`,
      );
    }
    resolved = workload.group === undefined && workload.name === undefined ? workload : { ...workload, group: undefined, name: undefined };
  } else {
    if (rest.namespace === undefined && target?.namespace !== undefined) rest.namespace = target.namespace;
    resolved = resolveWorkloadOptions(rest, undefined, 'runComparison()');
  }
  // The run's own namespace comes from the target when the options do not name one.
  if (resolved.namespace === undefined && target?.namespace !== undefined) resolved = { ...resolved, namespace: target.namespace };
  for (const p of patterns ?? []) {
    if (!PATTERN_INFO.some((i) => i.name === p)) {
      throw new OptionsError(
        'patterns',
        `unknown query pattern ${JSON.stringify(p)}; expected one of ${PATTERN_INFO.map((i) => i.name).join(', ')}`,
      );
    }
  }
  for (const m of MODELS) {
    const s = serverFailures?.[m];
    if (s !== undefined && !(s instanceof AbortSignal)) {
      throw new OptionsError(`serverFailures.${m}`, `serverFailures.${m} must be an AbortSignal, got ${typeof s}`);
    }
  }
  const metricsOptions = resolveServerMetricsOptions(serverMetrics);
  const mixedPlan = planMixed(mixed, { stream: streamClient, trace: traceClient }, schemaDir, resolved.signal);
  const runGroups = {
    stream: namespacedGroup(resolved.group ?? STREAM_SIDES.defaults.group, resolved.namespace),
    trace: namespacedGroup(resolved.group ?? TRACE_SIDES.defaults.group, resolved.namespace),
  };
  const samplers = await startServerMetrics(metricsOptions, runGroups, mixedPlan);
  let serverSeries: ServerMetricsSeries[] | undefined;
  try {
    // Each model: a writer and a query runner over the same resolved options (hence identical spans); one ground
    // truth store for both, so the truth of the shared data is computed once.
    const truth = new GroundTruthStore();
    const streamParts = composeWorkload(streamClient, STREAM_SIDES, resolved, truth, serverFailures?.stream);
    const traceParts = composeWorkload(traceClient, TRACE_SIDES, resolved, truth, serverFailures?.trace);
    const workloads: Record<Model, ModelRun> = { stream: streamParts, trace: traceParts };
    const startedAt = new Date().toISOString();
    const aborted = () => resolved.signal?.aborted === true;
    const order = (i: number): Model[] => (i % 2 === 0 ? ['stream', 'trace'] : ['trace', 'stream']);

    const write: Record<Model, WriteRunResult[]> = { stream: [], trace: [] };
    // When each phase ran, for the per-phase container figures (result.phases, WriteRunResult.window).
    const phases: RunPhase[] = [];
    const timed = async <T>(kind: RunPhase['kind'], model: Model, repeat: number | undefined, f: () => Promise<T>): Promise<T> => {
      const startMs = Date.now();
      try {
        return await f();
      } finally {
        phases.push({ kind, model, ...(repeat === undefined ? {} : { repeat }), startMs, endMs: Date.now() });
      }
    };
    try {
      for (const m of order(0)) if (!aborted()) await timed('warmup', m, undefined, () => workloads[m].writer.writeWarmup());
      for (let i = 0; i < resolved.repeats && !aborted(); i++) {
        for (const m of order(i)) {
          if (aborted()) break;
          const startMs = Date.now();
          const run = await timed('write', m, i, () => workloads[m].writer.writeRepeat(i));
          run.window ??= { startMs, endMs: Date.now() };
          write[m].push(run);
        }
      }
    } finally {
      // Stops the span producer threads (after an abort or a failure they would otherwise idle until exit).
      await Promise.all([streamParts.writer.close(), traceParts.writer.close()]);
    }

    // A model whose writes gave up has no data worth querying: its queries are skipped, and reported as such.
    for (const m of MODELS) {
      const f = workloads[m].writer.failure;
      if (f) workloads[m].queries.skipAll(`${m}'s writes gave up (${f.code}): ${f.message}`);
    }

    if (onWritten && !aborted()) {
      await onWritten({
        stream: new StreamWorkload(streamClient, {}, streamParts),
        trace: new TraceWorkload(traceClient, {}, traceParts),
      });
    }

    const queries: Record<Model, QueryPatternResult[][]> = { stream: [], trace: [] };
    let crossModel = 'trace id sets of complete answers compared pattern by pattern';
    if (!(patterns && patterns.length === 0)) {
      for (let i = 0; i < resolved.repeats && !aborted(); i++) {
        for (const m of order(i)) {
          if (aborted()) break;
          const rep = await timed('query', m, i, () => workloads[m].queries.queryRepeat(i, patterns));
          if (rep.length === 0 && aborted()) break;
          queries[m].push(rep);
        }
      }
      if (workloads.stream.writer.writtenSpans === workloads.trace.writer.writtenSpans) crossCheck(workloads, queries);
      else {
        crossModel = `skipped: the models hold different data (${workloads.stream.writer.writtenSpans} vs ${workloads.trace.writer.writtenSpans} spans written, e.g. a duration bound); each is still checked against its own ground truth`;
      }
    }

    // The mixed phase, after the separate phases, in its own namespace; skipped (and said so) when a model's writes gave up.
    let mixedResult: MixedResult | undefined;
    if (mixedPlan !== undefined) {
      const gaveUp = MODELS.filter((m) => workloads[m].writer.failure !== undefined);
      const skip = aborted()
        ? 'the run was aborted before the mixed phase'
        : gaveUp.length > 0
          ? `${gaveUp.join(' and ')}'s writes gave up in the separate phases`
          : undefined;
      mixedResult = await runPlannedMixed(mixedPlan, skip);
    }
    serverSeries = await stopServerMetrics(samplers);

    const failures: PhaseFailure[] = [];
    for (const m of MODELS) {
      // The server's own failure (e.g. its container exited), when known: named even when the phase gave up first.
      const dead = serverFailures?.[m]?.aborted ? serverFailureText(serverFailures[m]?.reason) : undefined;
      for (const f of [workloads[m].writer.failure, workloads[m].queries.failure]) {
        if (!f) continue;
        failures.push({
          model: m,
          phase: f.phase,
          code: f.code,
          message: dead && f.code !== 'SERVER_FAILED' ? `${f.message}; the server failed: ${dead}` : f.message,
          server: f.server,
          ...(f.lastStatus !== undefined ? { lastStatus: f.lastStatus } : {}),
          skipped:
            f.phase === 'query' ? `${m}'s remaining query patterns and repeats` : `${m}'s remaining write repeats and all of its queries`,
        });
      }
    }
    // Partial whenever anything failed, whatever the target: an abort, a phase that gave up, a failed batch or query.
    const failedWork = (m: Model) =>
      write[m].some((r) => r.partial || r.failure !== undefined || Object.values(r.errorsByStatus).some((n) => n > 0)) ||
      queries[m].flat().some((q) => q.status === 'error' || q.status === 'skipped');
    const mixedFailed = mixedResult !== undefined && (mixedResult.skipped !== undefined || mixedResult.models.some((m) => m.partial));
    const partial = aborted() || failures.length > 0 || failedWork('stream') || failedWork('trace') || mixedFailed;
    if (aborted()) {
      for (const m of ['stream', 'trace'] as const) {
        const runs = write[m];
        const last = runs[runs.length - 1];
        if (last) last.partial = true;
      }
    }
    return {
      schemaVersion: RESULTS_SCHEMA_VERSION,
      tool: { name: 'banyandb-perf', version: toolVersion() },
      startedAt,
      finishedAt: new Date().toISOString(),
      target,
      options: {
        ...optionsToJson(resolved),
        crossModelCheck: crossModel,
        spansWritten: { stream: workloads.stream.writer.writtenSpans, trace: workloads.trace.writer.writtenSpans },
      },
      partial,
      ...(failures.length > 0 ? { failures } : {}),
      write,
      queries,
      phases,
      comparisons: buildComparisons({ write, queries, target }),
      ...(mixedResult !== undefined ? { mixed: mixedResult } : {}),
      ...(serverSeries !== undefined && serverSeries.length > 0 ? { serverMetrics: serverSeries } : {}),
    };
  } finally {
    // After a throw the samplers still stop (their last scrape is dropped with the run).
    if (serverSeries === undefined) await stopServerMetrics(samplers).catch(() => undefined);
  }
}

/**
 * Compares the two models' answers pattern by pattern (trace id sets; a stream answer's trace ids are the distinct
 * trace ids of its spans). Only complete answers (not cut by a limit) are compared; every difference is recorded as
 * an `other-model` mismatch on both sides, in the first repeat's results.
 */
function crossCheck(workloads: Record<Model, ModelRun>, queries: Record<Model, QueryPatternResult[][]>): void {
  const first = { stream: queries.stream[0] ?? [], trace: queries.trace[0] ?? [] };
  for (const s of first.stream) {
    const t = first.trace.find((x) => x.pattern === s.pattern);
    if (!t || s.status !== 'ok' || t.status !== 'ok') continue;
    const a = workloads.stream.queries.answers.get(s.pattern);
    const b = workloads.trace.queries.answers.get(s.pattern);
    if (!a || !b || a.truncated || b.truncated) continue;
    const onlyStream = [...a.traceIds].filter((id) => !b.traceIds.has(id));
    const onlyTrace = [...b.traceIds].filter((id) => !a.traceIds.has(id));
    if (onlyStream.length === 0 && onlyTrace.length === 0) continue;
    const list = (ids: string[]) => (ids.length === 0 ? 'none' : ids.slice(0, 5).join(', ') + (ids.length > 5 ? ', …' : ''));
    for (const [model, res, mine, theirs, extra] of [
      ['stream', s, a, b, onlyStream],
      ['trace', t, b, a, onlyTrace],
    ] as const) {
      res.mismatches.push({
        pattern: s.pattern,
        model,
        against: 'other-model',
        what: 'trace ids',
        expected: `${theirs.traceIds.size} trace ids (the other model's answer)`,
        actual: `${mine.traceIds.size} trace ids; not in the other model's answer: ${list(extra)}`,
      });
    }
  }
}
