/**
 * Data-set scales of the span generator: how many spans, traces, services and instances, over what
 * time range. The three named scales are those of the original stream-vs-trace harness.
 */
import { OptionsError } from '../errors.js';

/** Size of a generated data set. */
export interface Scale {
  /** Label shown in reports, e.g. `small` or `custom`. */
  name: string;
  /**
   * Span bound: generation stops after the trace that brings the total to at least this many spans
   * (traces are never truncated, so the total may exceed it by up to one trace, i.e. < 100 spans).
   */
  spans: number;
  /** Trace bound: generation also stops after this many traces, whichever bound comes first. At most 2^32 - 1. */
  traces: number;
  /** Distinct services (Zipf-distributed, s = 1.2). */
  services: number;
  /** Distinct service instances, >= services; instance k belongs to service k mod services. */
  instances: number;
  /** Trace start times are uniform over [endTimeMs - timeRangeMs, endTimeMs). */
  timeRangeMs: number;
}

const HOUR_MS = 3_600_000;

/** The named scales (those of the original harness). */
export const SCALES = {
  small: { name: 'small', spans: 100_000, traces: 10_000, services: 100, instances: 500, timeRangeMs: HOUR_MS },
  medium: { name: 'medium', spans: 10_000_000, traces: 1_000_000, services: 1_000, instances: 5_000, timeRangeMs: 24 * HOUR_MS },
  large: { name: 'large', spans: 1_000_000_000, traces: 100_000_000, services: 10_000, instances: 50_000, timeRangeMs: 7 * 24 * HOUR_MS },
} as const satisfies Record<string, Scale>;

/** Name of a predefined scale. */
export type ScaleName = keyof typeof SCALES;

/** Highest trace count: trace ids embed a 32-bit bijection of the trace index, which keeps them unique. */
export const MAX_TRACES = 0xffff_ffff;

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
}

/**
 * Resolves a scale name or validates a custom {@link Scale}; returns a frozen copy.
 * @throws OptionsError naming the field (`scale`, `scale.spans`, ...) and what was expected.
 */
export function resolveScale(scale: ScaleName | Scale | undefined, option = 'scale'): Readonly<Scale> {
  if (scale === undefined) return { ...SCALES.small };
  if (typeof scale === 'string') {
    if (Object.hasOwn(SCALES, scale)) return { ...SCALES[scale as ScaleName] };
    throw new OptionsError(
      option,
      `${option}: unknown scale ${JSON.stringify(scale)}; expected one of small, medium, large or a Scale object`,
    );
  }
  if (typeof scale !== 'object' || scale === null) {
    throw new OptionsError(option, `${option}: expected one of small, medium, large or a Scale object, got ${describeValue(scale)}`);
  }
  const s = scale as Partial<Record<keyof Scale, unknown>>;
  if (typeof s.name !== 'string' || s.name.length === 0) {
    throw new OptionsError(`${option}.name`, `${option}.name: expected a non-empty string, got ${describeValue(s.name)}`);
  }
  for (const key of ['spans', 'traces', 'services', 'instances', 'timeRangeMs'] as const) {
    if (!isPositiveInt(s[key])) {
      throw new OptionsError(`${option}.${key}`, `${option}.${key}: expected a positive integer, got ${describeValue(s[key])}`);
    }
  }
  const v = s as Scale;
  if (v.instances < v.services) {
    throw new OptionsError(
      `${option}.instances`,
      `${option}.instances: expected an integer >= ${option}.services (${v.services}), got ${v.instances}`,
    );
  }
  if (v.traces > MAX_TRACES) {
    throw new OptionsError(`${option}.traces`, `${option}.traces: expected at most ${MAX_TRACES}, got ${v.traces}`);
  }
  return { name: v.name, spans: v.spans, traces: v.traces, services: v.services, instances: v.instances, timeRangeMs: v.timeRangeMs };
}

/** Short description of a bad value for error messages. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  return typeof v;
}
