/**
 * Workloads: write generated spans to a BanyanDB stream or trace (the write load), query both with the same patterns
 * (through the query oracle in src/oracle), compare.
 */

export {
  PATTERN_INFO,
  type PatternAnswerRecord,
  QUERY_PROJECTION,
  type QueryPatternInfo,
  TRACE_LATENCY_INDEX,
  TRACE_TIME_INDEX,
} from '../oracle/index.js';
export { type RunComparisonOptions, runComparison } from './compare.js';
export {
  type ModelAdapter,
  SPAN_TAGS,
  streamAdapter,
  traceAdapter,
  type WorkloadClient,
  type WorkloadSpan,
  type WorkloadWriteOptions,
  type WorkloadWriteResult,
} from './model.js';
export {
  DEFAULT_BATCH_SIZE,
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_QUERY_SPANS,
  DEFAULT_MAX_QUERY_TRACES,
  DEFAULT_QUERY_ITERATIONS,
  DEFAULT_REPEATS,
  DEFAULT_STREAM_GROUP,
  DEFAULT_STREAM_NAME,
  DEFAULT_TRACE_GROUP,
  DEFAULT_TRACE_NAME,
  DEFAULT_WARMUP_MS,
  type ResolvedWorkloadOptions,
  resolveWorkloadOptions,
  WARMUP_MAX_SPAN_FRACTION,
  type WorkloadOptions,
  type WorkloadProgress,
} from './options.js';
export { composeWorkload, StreamWorkload, TraceWorkload, type WorkloadParts } from './workload.js';
export { ABORT_GRACE_MS } from './write-runner.js';
export { SpanWriter, type WarmupSummary } from './writer.js';
