// biome-ignore-all assist/source/organizeImports: grouped by concept, by hand
/**
 * `banyandb-perf/internals`: the low-level helpers under the harness, for tools built on it: the statistics and
 * recorders behind the figures, Docker detection and container-stats summaries, the option resolvers and every
 * documented default. Same semantic-versioning promise as the root entry; the classes and types these work with are
 * exported from the root (`banyandb-perf`).
 */

// ---- statistics and recorders -------------------------------------------------------------------------
export { LatencyRecorder } from './metrics/latency.js';
export {
  compareSpreads,
  FAMILY_ALPHA,
  holm,
  judgeFamily,
  logRatioTest,
  MIN_REPEATS,
  NOISY_CV,
  ratioInterval,
  SIGNIFICANCE_LEVEL,
  spread,
  welchTTest,
} from './metrics/stats.js';
export { ThroughputSeries } from './metrics/throughput.js';

// ---- Docker -------------------------------------------------------------------------------------------
export { detectDocker } from './cluster/docker.js';
export { statsRatios, summarizeStats } from './cluster/stats.js';

// ---- option resolvers ----------------------------------------------------------------------------------
export { resolveWorkloadOptions } from './workload/options.js';
export { resolveScale } from './generator/scale.js';
export { resolveTargetKind } from './targets/target.js';
export { defaultSchemaDir } from './schema/loader.js';

// ---- defaults and constants ----------------------------------------------------------------------------
export {
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_SCHEMA_RETRY_MS,
  DEFAULT_WRITE_TIMEOUT_MS,
} from './client/options.js';
export { MISSING_ACK } from './client/write.js';
export { SCHEMA_MODELS } from './schema/set.js';
export { DEFAULT_PAYLOAD_BYTES, ROOT_PARENT_SPAN_ID } from './generator/generator.js';
export {
  DEFAULT_BATCH_SIZE,
  DEFAULT_CONCURRENCY,
  DEFAULT_QUERY_ITERATIONS,
  DEFAULT_REPEATS,
  DEFAULT_MAX_FAILED_BATCHES,
  DEFAULT_MAX_FAILED_QUERIES,
  DEFAULT_QUERY_TIMEOUT_MS,
  DEFAULT_STALL_TIMEOUT_MS,
  DEFAULT_WARMUP_SPANS,
  DEFAULT_BATCH_TIMEOUT_MS,
} from './workload/options.js';
export {
  DEFAULT_HOST_PORTS,
  DEFAULT_LIMITS,
  DEFAULT_OFFICIAL_IMAGE,
  DEFAULT_RESERVATIONS,
  EMULATOR_IMAGE,
} from './cluster/options.js';
export { DEFAULT_STATS_INTERVAL_MS } from './targets/target.js';
export { DEFAULT_RESULTS_DIR } from './report/files.js';

// Queries under ingest and server metrics, the parts below the root's runMixed() and ServerMetricsSampler.
export { IngestTruth } from './mixed/ingest-truth.js';
export { MIXED_DEFAULTS, mixedSchedule, resolveMixedOptions, runMixedModel } from './mixed/mixed.js';
export { checkMixedAnswer, MIXED_QUERY_INFO, MIXED_QUERY_KINDS } from './mixed/queries.js';
export { readServerFigures, type ServerFigures } from './server-metrics/figures.js';
export { parsePrometheusText, type PrometheusExposition, samplesOf, sumOf } from './server-metrics/prometheus.js';
export { scrapeServerFigures, summarizeServerSeries } from './server-metrics/sampler.js';
