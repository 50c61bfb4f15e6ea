/**
 * The query oracle: the pattern catalogue, the ground truth computed from the generator, the answer checks, and the
 * query runner that times the patterns against one model through that model's query side.
 */
export { factsOf, type QueryAnswer, type ReturnedSpan, tagNumber, tagString } from './answer.js';
export {
  buildPatterns,
  type ConcretePattern,
  PATTERN_INFO,
  QUERY_PROJECTION,
  type QueryPatternInfo,
  TRACE_LATENCY_INDEX,
  TRACE_TIME_INDEX,
} from './catalogue.js';
export { checkSpanAnswer, checkTraceAnswer, checkValues, type Finding, limitFor } from './checks.js';
export { collectFacts, type DataFacts, type SpanFacts } from './facts.js';
export type { NotAnswerable, QueryModel, QueryModelFactory, QueryPlan } from './query-model.js';
export { type PatternAnswerRecord, QueryRunner, type QueryRunnerConfig } from './runner.js';
export { readStreamAnswer, streamQueryModel } from './stream-model.js';
export { readTraceAnswer, traceQueryModel } from './trace-model.js';
export { computeGroundTruth, type GroundTruth, GroundTruthStore, type TruthEntry, type TruthKey } from './truth.js';
export type { OracleOptions, QueryClient } from './types.js';
