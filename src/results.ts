/**
 * The versioned, JSON-serializable result shapes shared by the workloads, the cluster's stats, the
 * reports and the CLI. Everything here is plain data: numbers, strings, arrays and objects only.
 * Bump RESULTS_SCHEMA_VERSION on any incompatible change and say so in CHANGELOG.md and docs/results.md.
 */

import type { MixedResult } from './mixed/mixed.js';
import type { ServerMetricsSeries } from './server-metrics/sampler.js';

export const RESULTS_SCHEMA_VERSION = 1 as const;

/** The two BanyanDB data models compared. */
export type Model = 'stream' | 'trace';

/** The two models, in report order. */
export const MODELS: readonly Model[] = ['stream', 'trace'];

/** Which server produced the figures, as it named itself (GetAPIVersion). */
export interface ServerIdentity {
  /** `banyandb` when GetAPIVersion answered as BanyanDB, `emulator` when banyandb-perf's emulator answered, `unknown` otherwise. */
  kind: 'banyandb' | 'emulator' | 'unknown';
  /** GetAPIVersion's version, e.g. `0.10`. */
  apiVersion?: string;
  /** GetAPIVersion's revision, e.g. `3b4e4d9`. */
  revision?: string;
  /** One line for reports: `BanyanDB 0.10 (revision 3b4e4d9)`, `banyandb-perf emulator 0.1.0 (emulates BanyanDB 0.10.3)`, `unknown (GetAPIVersion failed: ...)`. */
  label: string;
  /** Docker runs: the image reference and its id. */
  image?: string;
  imageId?: string;
}

/** Epoch-millisecond bounds of a phase (a write repeat, a query pattern's timed loop). */
export interface PhaseWindow {
  startMs: number;
  endMs: number;
}

/** What produced the figures. Emulator figures are never BanyanDB's. */
export interface TargetInfo {
  /** `docker` (containers started by Cluster), `emulator` (banyandb-perf's emulator: a child process per model, or in-process), `external` (given addresses). */
  kind: 'docker' | 'emulator' | 'external';
  /** `banyandb` when a real BanyanDB served the run, `emulator` when banyandb-perf's emulator did, `unknown` for external. */
  server: 'banyandb' | 'emulator' | 'unknown';
  /** Human description, e.g. `apache/skywalking-banyandb:0.10.3 in Docker (2 CPUs, 4 GiB each)`. */
  description: string;
  /** Image per model, when containers were used. */
  images?: Partial<Record<Model, string>>;
  /** gRPC address per model. */
  addresses: Record<Model, string>;
  /** Which server answered on each address, as it named itself (absent in results written before it existed). */
  servers?: Record<Model, ServerIdentity>;
  /** Docker runs: the Compose project the containers belong to (each run its own unless attached to `up`'s). */
  project?: string;
  /** Docker runs: the container name per model. */
  containers?: Partial<Record<Model, string>>;
  /** The run's own data namespace on the servers: its groups are `<group>_<namespace>`. Absent: not namespaced. */
  namespace?: string;
}

/** Latency summary in milliseconds, read from an HDR histogram. */
export interface LatencySummary {
  count: number;
  minMs: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  stdDevMs: number;
}

/** One second of a run (seconds since the measured phase started). */
export interface TimeSeriesPoint {
  tSec: number;
  spans: number;
  errors: number;
  /** Highest latency seen in that second, ms. */
  maxLatencyMs: number;
}

/** Spread of one figure across repeated runs. */
export interface Spread {
  /** One value per repeat, in run order. */
  values: number[];
  min: number;
  median: number;
  max: number;
  mean: number;
  stdDev: number;
  /** 95% confidence interval of the mean (Student's t); equal to [min,max] collapsed when n = 1. */
  ci95: [number, number];
  /** Coefficient of variation, stdDev / |mean| (0 for one value; absent when the mean is 0 or in older results). */
  cv?: number;
}

/** Figures of one write run (one repeat) against one model. */
export interface WriteRunResult {
  model: Model;
  /** True when the run was aborted or failed part way: figures cover only what was done. */
  partial: boolean;
  mode: 'closed-loop' | 'open-loop';
  /** Open loop only: the requested rate. */
  targetSpansPerSec?: number;
  concurrency: number;
  batchSize: number;
  /** Spans of the warm-up that came before the measured repeats (the same for both models; in no figure). */
  warmupSpans: number;
  /** Wall-clock duration of the measured phase (warm-up excluded), ms. */
  wallClockMs: number;
  spansSent: number;
  spansAcknowledged: number;
  tracesSent: number;
  payloadBytes: number;
  batches: number;
  /** spansAcknowledged / wall-clock seconds. */
  spansPerSec: number;
  tracesPerSec: number;
  payloadMBPerSec: number;
  /** Write batches per second: the original harness's "ops/sec". */
  batchesPerSec: number;
  /** Per-batch latency (send → last acknowledgement); open loop measures from the intended start. */
  batchLatency: LatencySummary;
  /** Count of non-success acknowledgements (and transport failures) by status name. */
  errorsByStatus: Record<string, number>;
  /** STATUS_INTERNAL_ERROR retries made while the schema propagated. */
  retries: number;
  timeSeries: TimeSeriesPoint[];
  /**
   * Set when the phase gave up on its server (`WRITE_STALLED`: no acknowledged span for the stall window;
   * `WRITE_FAILING`: too many batches failed in a row; `SERVER_FAILED`: the server is known to have failed, e.g. its
   * container exited) or was skipped because the model's work had already given up
   * (`SKIPPED`). `lastStatus` is the last non-success status or error code seen.
   */
  failure?: { code: string; message: string; lastStatus?: string };
  /** Epoch ms when this repeat's measured phase ran (for per-phase container figures). */
  window?: PhaseWindow;
  /**
   * Set when the repeat had a time bound (`durationMs`) and ended well before it because its share of the spans ran
   * out: says so, with the figures, so a shorter run is never mistaken for the requested one.
   */
  boundNote?: string;
}

/** Figures of one query pattern against one model in one repeat. */
export interface QueryPatternResult {
  pattern: string;
  description: string;
  model: Model;
  /** `n/a`: the model cannot answer this pattern; `reason` says why, and there are no figures. */
  status: 'ok' | 'n/a' | 'error' | 'skipped';
  reason?: string;
  iterations: number;
  latency?: LatencySummary;
  queriesPerSec?: number;
  /** Mean number of spans returned per query. */
  meanResultSpans?: number;
  /** Mean per query of what the server returned. */
  answer?: { spans: number; traces: number; bytes: number };
  /** The answer was cut by the request's limit. */
  capped?: boolean;
  /** Epoch ms when this pattern's timed queries ran. */
  window?: PhaseWindow;
  /** Correctness against the generator's ground truth and the other model. */
  mismatches: QueryMismatch[];
}

export interface QueryMismatch {
  pattern: string;
  model: Model;
  /** What was compared, e.g. `span count` or `span ids`. */
  what: string;
  expected: string;
  actual: string;
  /** `ground-truth` or `other-model`. */
  against: 'ground-truth' | 'other-model';
}

/** Resource summary of one container over a sampling window. */
export interface ContainerStatsSummary {
  container: string;
  model: Model;
  samples: number;
  windowMs: number;
  cpuPercentAvg: number;
  cpuPercentMax: number;
  memBytesAvg: number;
  memBytesMax: number;
  memLimitBytes: number;
  memPercentOfLimitMax: number;
  netRxBytes: number;
  netTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
}

/** One raw stats sample. */
export interface ContainerStatsSample {
  container: string;
  model: Model;
  /** ms since the epoch. */
  timestampMs: number;
  cpuPercent: number;
  memBytes: number;
  memLimitBytes: number;
  netRxBytes: number;
  netTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
}

/** Disk footprint of a model's data after the writes. */
export interface DiskFootprint {
  model: Model;
  bytes: number;
  bytesPerSpan: number;
  /** What was measured: `group <name>` (this run's own group directories only) or `volume` (the whole data volume). */
  scope?: string;
}

/**
 * Why a comparison names no winner: no figures on a side; a model cannot answer the pattern (`n/a`);
 * an answer failed a check; failed work (a write phase that gave up, rejected writes, a partial run, a
 * failed query pattern); the two models' answers differ in size or one was capped; fewer repeats than the
 * method needs; a side too noisy to judge; a difference within the noise; a zero value (no ratio); one
 * measurement only (disk, whole-run container figures).
 */
export type NoWinnerReason =
  | 'no-figures'
  | 'not-answerable'
  | 'failed-checks'
  | 'failed-work'
  | 'unequal-answers'
  | 'too-few-repeats'
  | 'too-noisy'
  | 'within-noise'
  | 'no-ratio'
  | 'single-measurement';

/** Answer size of one model for a query pattern (means per query, from QueryPatternResult.answer). */
export interface AnswerSize {
  spans: number;
  traces: number;
  bytes: number;
  capped: boolean;
}

/** A metric compared across models. */
export interface Comparison {
  metric: string;
  unit: string;
  /** `higher` or `lower` is better. */
  better: 'higher' | 'lower';
  /** What the row is about, for the summary: writes, a query pattern, disk or container resources. */
  area?: 'writes' | 'queries' | 'disk' | 'resources';
  /** Query rows: the pattern's name. */
  pattern?: string;
  stream: Spread | null;
  trace: Spread | null;
  /** `none` when no winner can be named; `why` says which rule ruled it out. */
  winner: Model | 'none';
  /** The winner's advantage as a factor (>= 1): better median ÷ worse median; only when there is a winner. */
  ratio?: number;
  /**
   * The side whose median is better and by what factor (median ÷ median, >= 1), winner or not; `ci` is the
   * log-ratio confidence interval of that factor at confidence `level` (Holm-corrected).
   */
  estimate?: { ahead: Model; factor: number; ci?: [number, number]; level?: number };
  /** Welch's t-test on the logs, two-sided, and its Holm–Bonferroni adjusted value over the table. */
  p?: number;
  pAdjusted?: number;
  /** Why there is no winner. */
  why?: NoWinnerReason;
  /** Query rows: each model's answer size, when recorded. */
  answers?: Partial<Record<Model, AnswerSize>>;
  /** Why there is no winner, or how sure the call is. */
  note: string;
}

/** A model's phase that gave up on its server, and what was skipped because of it. */
export interface PhaseFailure {
  model: Model;
  phase: 'warmup' | 'write' | 'query';
  /**
   * `WRITE_STALLED` (no acknowledged span for the stall window), `WRITE_FAILING` or `QUERY_FAILING` (failures in a
   * row), `SERVER_FAILED` (the server is known to have failed, e.g. its container exited: the message names it).
   */
  code: string;
  message: string;
  /** The server's address. */
  server: string;
  /** The last non-success status or error code seen, e.g. `UNAVAILABLE`, `DEADLINE_EXCEEDED`. */
  lastStatus?: string;
  /** What was not run because of it, e.g. `trace's remaining write repeats and all of its queries`. */
  skipped: string;
}

/** The whole result of a stream-vs-trace comparison: what the results JSON file holds. */
export interface BenchmarkResult {
  schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  tool: { name: 'banyandb-perf'; version: string };
  startedAt: string;
  finishedAt: string;
  target: TargetInfo;
  /** The resolved options the run used (scale, seed, concurrency, ...). */
  options: Record<string, unknown>;
  /** True whenever anything failed or was cut short: an abort, a failed write or query, a phase that gave up. */
  partial: boolean;
  /** The phases that gave up on their server (absent when none did). */
  failures?: PhaseFailure[];
  write: Record<Model, WriteRunResult[]>;
  queries: Record<Model, QueryPatternResult[][]>;
  containers?: {
    summaries: ContainerStatsSummary[];
    samples: ContainerStatsSample[];
  };
  disk?: DiskFootprint[];
  /** When each phase ran (warm-up, each write repeat, each query repeat, per model), for per-phase resource figures. */
  phases?: RunPhase[];
  comparisons: Comparison[];
  /** The mixed phase (queries under ingest, ingest-to-queryable lag), when the run had one (docs/mixed.md). */
  mixed?: MixedResult;
  /** What each server reported on its Prometheus endpoint during the run, when it was scraped (docs/mixed.md). */
  serverMetrics?: ServerMetricsSeries[];
}

/** One phase of a run and when it ran. */
export interface RunPhase extends PhaseWindow {
  kind: 'warmup' | 'write' | 'query';
  model: Model;
  /** Repeat index (0-based); absent for the warm-up. */
  repeat?: number;
}
