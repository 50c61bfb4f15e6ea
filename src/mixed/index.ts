export { type IngestSpan, IngestTruth } from './ingest-truth.js';
export {
  MIXED_DEFAULTS,
  type MixedLatency,
  type MixedModelResult,
  type MixedOptions,
  type MixedQueryFigures,
  type MixedResult,
  type MixedTarget,
  mixedSchedule,
  type ResolvedMixedOptions,
  resolveMixedOptions,
  runMixed,
  runMixedModel,
} from './mixed.js';
export { checkMixedAnswer, MIXED_QUERY_INFO, MIXED_QUERY_KINDS, type MixedQueryKind, matches } from './queries.js';
