export {
  DEFAULT_COMPONENTS,
  DEFAULT_ERROR_RATE,
  DEFAULT_OPERATION_NAMES,
  DEFAULT_PAYLOAD_BYTES,
  DEFAULT_SEED,
  type GeneratorDescription,
  type GeneratorOptions,
  LATENCY_CAP_MS,
  LATENCY_MEAN_MS,
  MAX_PAYLOAD_BYTES,
  MEAN_SPANS_PER_TRACE,
  MIN_PAYLOAD_BYTES,
  type ResolvedGeneratorOptions,
  ROOT_PARENT_SPAN_ID,
  resolveGeneratorOptions,
  type Span,
  SpanGenerator,
  TRACE_SIZE_BUCKETS,
  ZIPF_EXPONENTS,
} from './generator.js';
export type { PayloadShape } from './payload.js';
export { MAX_TRACES, resolveScale, SCALES, type Scale, type ScaleName } from './scale.js';
