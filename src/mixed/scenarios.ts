/**
 * Named run scenarios (`--scenario <name>`, or `scenarioMixedOptions()` in the library): which phases a comparison
 * runs, and the mixed phase's load when it has one. Every preset is an ordinary {@link MixedOptions} object, resolved
 * by {@link resolveMixedOptions} like options a caller wrote, so a flag given next to a preset overrides that field
 * and a bad value is reported the same way.
 */
import { OptionsError } from '../errors.js';
import { type MixedOptions, resolveMixedOptions } from './mixed.js';

/** One named scenario. */
export interface Scenario {
  name: string;
  /** One line for help and the report. */
  description: string;
  /** The mixed phase's options; absent: no mixed phase (the separate write and query phases only). */
  mixed?: MixedOptions;
}

/**
 * The scenarios, in help order. `separate` is the default. `mixed` adds the mixed phase at its library defaults.
 * `banyandb-benchmark` follows the shape of BanyanDB's own published benchmarks (a steady ingest rate; queries over
 * the last 15 minutes from 50 concurrent clients), scaled to what a 2-core machine runs next to the harness: a lower
 * write rate and a longer measured minute so the percentiles rest on more queries.
 */
export const SCENARIOS: readonly Scenario[] = [
  { name: 'separate', description: 'The separate write and query phases only (the default).' },
  {
    name: 'mixed',
    description: 'The separate phases, then the mixed phase at its defaults (writes at a fixed rate while the query mix runs).',
    mixed: {},
  },
  {
    name: 'banyandb-benchmark',
    description:
      "The separate phases, then a mixed phase shaped as BanyanDB's published benchmarks: steady ingest, queries over the last 15 minutes from 50 concurrent clients (scaled to 2 cores: 500 spans/s, 25 queries/s, 60 s per model).",
    mixed: { writeRatePerSec: 500, queryRatePerSec: 25, queryConcurrency: 50, windowMs: 15 * 60_000, durationMs: 60_000 },
  },
];

/** The scenario names. */
export const SCENARIO_NAMES: readonly string[] = SCENARIOS.map((s) => s.name);
/** The scenario when none is named. */
export const DEFAULT_SCENARIO = 'separate';

/** The named scenario; OptionsError (option `scenario`) naming the known ones otherwise. */
export function scenarioByName(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (s === undefined) {
    throw new OptionsError('scenario', `unknown scenario ${JSON.stringify(name)}; expected one of ${SCENARIO_NAMES.join(', ')}`);
  }
  return s;
}

/**
 * The mixed options of a scenario with `overrides` on top, checked (resolveMixedOptions); undefined for a scenario
 * without a mixed phase and no overrides. Overrides on `separate` turn the mixed phase on: they ask for one.
 */
export function scenarioMixedOptions(name: string, overrides: MixedOptions = {}): MixedOptions | undefined {
  const s = scenarioByName(name);
  if (s.mixed === undefined && Object.keys(overrides).length === 0) return undefined;
  const merged: MixedOptions = { ...s.mixed, ...overrides };
  if (s.mixed?.mix !== undefined && overrides.mix !== undefined) merged.mix = { ...s.mixed.mix, ...overrides.mix };
  resolveMixedOptions(merged);
  return merged;
}
