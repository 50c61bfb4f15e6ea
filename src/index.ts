// biome-ignore-all assist/source/organizeImports: the public API is grouped by concept, by hand
/**
 * banyandb-perf: benchmark Apache SkyWalking BanyanDB's stream and trace models side by side.
 *
 * This file is the package's root entry: the four classes of a benchmark (Cluster, SchemaLoader,
 * StreamWorkload, TraceWorkload) and what a custom benchmark needs around them (the client, the target, the
 * comparison, the reports, the result and option types, the errors). Three more entries, each with an export list
 * of its own and the same semantic-versioning promise:
 *
 * - `banyandb-perf/emulator`: the in-process BanyanDB emulator (`startEmulator`);
 * - `banyandb-perf/cli`: the command line as a function (`runCli`, `EXIT`);
 * - `banyandb-perf/internals`: low-level helpers (statistics, recorders, Docker detection, defaults, option
 *   resolvers) for tools built on the harness.
 *
 * Modules exported by none of them (protobuf runtime, wire encoder, CLI commands, YAML emitter, ...) are internal
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
export { MODELS, RESULTS_SCHEMA_VERSION } from './results.js';
export type * from './results.js';

// ---- wire: BanyanDB gRPC client and message shapes ----------------------------------------------------
export type * from './client/types.js';
export { BanyanDBClient } from './client/client.js';
export type { CallOptions, ClientOptions, ResolvedClientOptions, WriteOptions } from './client/options.js';
export type { GroupRegistry, ResourceExistence, ResourceKey, ResourceRegistry } from './client/registry.js';
export type { WriteBatchResult, WriteKind } from './client/write.js';

// ---- schema -------------------------------------------------------------------------------------------
export {
  type DroppedGroup,
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
export { NAMESPACE_PATTERN, namespacedGroup, namespaceSchema, newRunId } from './schema/namespace.js';
export {
  type SchemaKind,
  type SchemaModel,
  type SchemaResource,
  type SchemaResourceMessages,
  type SchemaResourceOf,
  SchemaSet,
} from './schema/set.js';

// ---- span generator -----------------------------------------------------------------------------------
export {
  type GeneratorDescription,
  type GeneratorOptions,
  type ResolvedGeneratorOptions,
  type Span,
  SpanGenerator,
} from './generator/generator.js';
export type { PayloadShape } from './generator/payload.js';
export { SCALES, type Scale, type ScaleName } from './generator/scale.js';

// ---- workloads ----------------------------------------------------------------------------------------
export { type RunComparisonOptions, runComparison } from './workload/compare.js';
export type { ResolvedWorkloadOptions, WorkloadOptions } from './workload/options.js';
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
export { PATTERN_INFO, type QueryPatternInfo } from './oracle/catalogue.js';
export type { PatternAnswerRecord } from './oracle/runner.js';
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
export type { ComposeFlavour, DockerInfo } from './cluster/docker.js';
export type {
  ClusterOptions,
  HealthcheckOptions,
  ImageSpec,
  PortSet,
  ResolvedClusterOptions,
  ResourceOptions,
  Resources,
} from './cluster/options.js';
export type { StatsRatios } from './cluster/stats.js';

// ---- targets: what serves the two models ---------------------------------------------------------------
export {
  type EmulatorProcessMode,
  type EmulatorTargetOptions,
  OpenTarget,
  openTarget,
  type ResolvedTargetKind,
  type TargetKind,
  type TargetOptions,
} from './targets/target.js';

// ---- reports ------------------------------------------------------------------------------------------
export { type ConsoleReportOptions, formatConsoleReport } from './report/console.js';
export { lastResultsFile, readLastResults, readResultsFile, type WrittenResults, writeResults } from './report/files.js';
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

// Queries under ingest (docs/mixed.md).
export { type MixedInNamespaceInput, runMixedInNamespace } from './mixed/in-namespace.js';
export {
  type MixedLatency,
  type MixedModelResult,
  type MixedOptions,
  type MixedQueryFigures,
  type MixedResult,
  type MixedTarget,
  runMixed,
} from './mixed/mixed.js';
export type { MixedQueryKind } from './mixed/queries.js';
export type { ComparisonServerMetricsOptions } from './mixed/in-comparison.js';
export { DEFAULT_SCENARIO, type Scenario, SCENARIOS, scenarioByName, scenarioMixedOptions } from './mixed/scenarios.js';
export { type ServerMetricsSamplerOptions, type ServerMetricsSeries, ServerMetricsSampler } from './server-metrics/sampler.js';
