// biome-ignore-all assist/source/organizeImports: the public API is grouped by concept, by hand
/**
 * banyandb-perf: benchmark Apache SkyWalking BanyanDB's stream and trace models side by side.
 *
 * This file is the public API. Everything exported here follows semantic versioning; modules not
 * re-exported here (emulator internals, protobuf runtime, CLI commands, YAML emitter, ...) are internal
 * and may change in any release.
 *
 * The usual flow:
 *
 * ```ts
 * await using cluster = await Cluster.start({ image: 'official' });
 * await using stream = await BanyanDBClient.connect(cluster.addresses.stream);
 * await using trace = await BanyanDBClient.connect(cluster.addresses.trace);
 * await new SchemaLoader(stream).load({ models: ['stream'] });
 * await new SchemaLoader(trace).load({ models: ['trace'] });
 * const result = await runComparison({ stream, trace, target: cluster.target, scale: 'small' });
 * console.log(formatConsoleReport(result));
 * ```
 */

// ---- errors -------------------------------------------------------------------------------------------
export * from './errors.js';

// ---- results (plain, versioned data) ------------------------------------------------------------------
export { RESULTS_SCHEMA_VERSION } from './results.js';
export type * from './results.js';

// ---- wire: BanyanDB gRPC client and message shapes ----------------------------------------------------
export type * from './client/types.js';
export { BanyanDBClient } from './client/client.js';
export {
  type CallOptions,
  type ClientOptions,
  type ResolvedClientOptions,
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_SCHEMA_RETRY_MS,
  DEFAULT_WRITE_TIMEOUT_MS,
  type WriteOptions,
} from './client/options.js';
export type { GroupRegistry, ResourceExistence, ResourceKey, ResourceRegistry } from './client/registry.js';
export { MISSING_ACK, type WriteBatchResult, type WriteKind } from './client/write.js';

// ---- schema -------------------------------------------------------------------------------------------
export {
  defaultSchemaDir,
  type LoadedResource,
  type LoadReport,
  type SchemaCallOptions,
  type SchemaClient,
  SchemaLoadError,
  SchemaLoader,
  type SchemaLoaderOptions,
  type SchemaResourceRegistry,
  type VerifiedResource,
  type VerifyReport,
} from './schema/loader.js';
export {
  SCHEMA_MODELS,
  type SchemaKind,
  type SchemaModel,
  type SchemaResource,
  type SchemaResourceMessages,
  type SchemaResourceOf,
  SchemaSet,
} from './schema/set.js';

// ---- span generator -----------------------------------------------------------------------------------
export {
  DEFAULT_PAYLOAD_BYTES,
  type GeneratorDescription,
  type GeneratorOptions,
  ROOT_PARENT_SPAN_ID,
  type ResolvedGeneratorOptions,
  type Span,
  SpanGenerator,
} from './generator/generator.js';
export type { PayloadShape } from './generator/payload.js';
export { resolveScale, SCALES, type Scale, type ScaleName } from './generator/scale.js';

// ---- metrics ------------------------------------------------------------------------------------------
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

// ---- workloads ----------------------------------------------------------------------------------------
export { type RunComparisonOptions, runComparison } from './workload/compare.js';
export {
  DEFAULT_BATCH_SIZE,
  DEFAULT_CONCURRENCY,
  DEFAULT_QUERY_ITERATIONS,
  DEFAULT_REPEATS,
  DEFAULT_WARMUP_MS,
  type ResolvedWorkloadOptions,
  resolveWorkloadOptions,
  type WorkloadOptions,
} from './workload/options.js';
export {
  createProgressRenderer,
  formatProgress,
  type ProgressEvent,
  type ProgressOutput,
  type ProgressRenderer,
  type ProgressRendererOptions,
  type QueryProgress,
  type StepProgress,
  type WorkloadProgress,
  type WriteProgress,
} from './workload/progress.js';
export { PATTERN_INFO, type PatternAnswerRecord, type QueryPatternInfo } from './oracle/index.js';
export type { WorkloadClient, WorkloadWriteOptions, WorkloadWriteResult } from './workload/model.js';
export { StreamWorkload, TraceWorkload } from './workload/workload.js';
export type { WarmupSummary } from './workload/writer.js';

// ---- cluster (Docker) ---------------------------------------------------------------------------------
export {
  Cluster,
  type ContainerState,
  type LogsOptions,
  StartedCluster,
  type StatsSampler,
  type StatsSamplingResult,
} from './cluster/cluster.js';
export { type ComposeFlavour, type DockerInfo, detectDocker } from './cluster/docker.js';
export {
  type ClusterOptions,
  DEFAULT_HOST_PORTS,
  DEFAULT_LIMITS,
  DEFAULT_OFFICIAL_IMAGE,
  DEFAULT_RESERVATIONS,
  EMULATOR_IMAGE,
  type HealthcheckOptions,
  type ImageSpec,
  type PortSet,
  type ResolvedClusterOptions,
  type ResourceOptions,
  type Resources,
} from './cluster/options.js';
export { type StatsRatios, statsRatios, summarizeStats } from './cluster/stats.js';

// ---- targets: what serves the two models ---------------------------------------------------------------
export {
  DEFAULT_STATS_INTERVAL_MS,
  OpenTarget,
  openTarget,
  resolveTargetKind,
  type TargetKind,
  type TargetOptions,
} from './targets/target.js';

// ---- emulator -----------------------------------------------------------------------------------------
export { type Emulator, type EmulatorBehaviour, type EmulatorOptions, startEmulator } from './emulator/index.js';

// ---- reports ------------------------------------------------------------------------------------------
export { type ConsoleReportOptions, formatConsoleReport } from './report/console.js';
export { DEFAULT_RESULTS_DIR, readLastResults, readResultsFile, type WrittenResults, writeResults } from './report/files.js';
export { formatRunsComparison, renderRunsComparisonHtml } from './report/compare.js';
export { renderHtmlReport } from './report/html.js';
// ---- verdicts -----------------------------------------------------------------------------------------
export { buildComparisons, type VerdictInput } from './verdict/comparisons.js';
export {
  type CompareResultsOptions,
  compareResults,
  type ResultsComparison,
  type RunInfo,
  type RunsComparisonRow,
} from './verdict/runs.js';
export { type AreaVerdict, summarizeVerdict } from './verdict/summary.js';

// ---- command line -------------------------------------------------------------------------------------
export { type CliIo, EXIT, runCli } from './cli/run.js';
