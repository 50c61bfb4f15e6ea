/**
 * The mixed phase's and the server metrics' flags → runComparison's `mixed` and `serverMetrics` options. The values
 * are resolved by the library (scenarioMixedOptions → resolveMixedOptions, checkMetricsUrl), once, before any work;
 * an OptionsError about an option is re-worded to name the flag that set it.
 */
import { OptionsError } from '../../errors.js';
import { checkMetricsUrl } from '../../mixed/in-comparison.js';
import type { MixedOptions } from '../../mixed/mixed.js';
import { MIXED_QUERY_KINDS, type MixedQueryKind } from '../../mixed/queries.js';
import { DEFAULT_SCENARIO, SCENARIO_NAMES, scenarioMixedOptions } from '../../mixed/scenarios.js';
import type { Model } from '../../results.js';
import { bool, parseChoice, parseDuration, parseInteger, parsePositive, type RawFlags, str } from '../args.js';

/** The mixed option each flag sets (an OptionsError about the option names the flag). */
export const FLAG_OF_MIXED_OPTION = {
  durationMs: '--mixed-duration',
  writeRatePerSec: '--mixed-write-rate',
  queryRatePerSec: '--mixed-query-rate',
  queryConcurrency: '--mixed-concurrency',
  mix: '--mixed-mix',
  seed: '--seed',
} as const satisfies Partial<Record<keyof MixedOptions, string>>;

const MIXED_FLAGS = ['mixed-duration', 'mixed-write-rate', 'mixed-query-rate', 'mixed-concurrency', 'mixed-mix'] as const;

/** `recent-service=4,trace-by-id=1` → weights. */
function parseMix(text: string): Partial<Record<MixedQueryKind, number>> {
  const out: Partial<Record<MixedQueryKind, number>> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([a-z-]+)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (!m) {
      throw new OptionsError(
        '--mixed-mix',
        `--mixed-mix expects kind=weight pairs separated by commas, e.g. recent-service=4,trace-by-id=4, got ${JSON.stringify(text)}.`,
      );
    }
    const kind = parseChoice('--mixed-mix', m[1]!, MIXED_QUERY_KINDS);
    out[kind] = Number(m[2]);
  }
  return out;
}

/**
 * The mixed-phase options of the flags: undefined when no mixed phase was asked for. A mixed-* flag asks for one
 * (the `mixed` scenario unless --scenario names another); with `--scenario separate` it is a usage error.
 */
export function mixedFlags(flags: RawFlags, seed: number | undefined): MixedOptions | undefined {
  const scenarioText = str(flags, 'scenario');
  const named = scenarioText === undefined ? undefined : parseChoice('--scenario', scenarioText, SCENARIO_NAMES);
  const given = MIXED_FLAGS.filter((f) => str(flags, f) !== undefined);
  if (bool(flags, 'mixed') && named === 'separate') {
    throw new OptionsError('--mixed', '--mixed asks for the mixed phase; --scenario separate has none (leave one of them out).');
  }
  if (given.length > 0 && named === 'separate') {
    throw new OptionsError(`--${given[0]}`, `--${given[0]} sets the mixed phase; --scenario separate has none.`);
  }
  const scenario = named ?? (bool(flags, 'mixed') || given.length > 0 ? 'mixed' : DEFAULT_SCENARIO);
  const o: MixedOptions = {};
  const v = (name: string) => str(flags, name);
  if (v('mixed-duration') !== undefined) o.durationMs = parseDuration('--mixed-duration', v('mixed-duration')!);
  if (v('mixed-write-rate') !== undefined) o.writeRatePerSec = parsePositive('--mixed-write-rate', v('mixed-write-rate')!);
  if (v('mixed-query-rate') !== undefined) o.queryRatePerSec = parsePositive('--mixed-query-rate', v('mixed-query-rate')!);
  if (v('mixed-concurrency') !== undefined) o.queryConcurrency = parseInteger('--mixed-concurrency', v('mixed-concurrency')!, 1, 10_000);
  if (v('mixed-mix') !== undefined) o.mix = parseMix(v('mixed-mix')!);
  if (scenario === 'separate') return undefined;
  if (seed !== undefined) o.seed = seed;
  try {
    return scenarioMixedOptions(scenario, o);
  } catch (err) {
    if (!(err instanceof OptionsError)) throw err;
    const root = err.option.split('.')[0] as keyof typeof FLAG_OF_MIXED_OPTION;
    const flag = FLAG_OF_MIXED_OPTION[root] ?? `--scenario ${scenario}`;
    let message = err.message;
    for (const [option, f] of Object.entries(FLAG_OF_MIXED_OPTION)) message = message.replace(new RegExp(`mixed\\.${option}\\b`, 'g'), f);
    throw new OptionsError(flag, message, { cause: err });
  }
}

/** --stream-metrics-url / --trace-metrics-url, checked. */
export function metricsUrlFlags(flags: RawFlags): Partial<Record<Model, string>> {
  const out: Partial<Record<Model, string>> = {};
  for (const m of ['stream', 'trace'] as const) {
    const flag = `--${m}-metrics-url`;
    const url = str(flags, `${m}-metrics-url`);
    if (url === undefined) continue;
    try {
      out[m] = checkMetricsUrl(flag, url);
    } catch (err) {
      if (!(err instanceof OptionsError)) throw err;
      throw new OptionsError(flag, `${flag} expects an http(s) URL such as http://10.0.0.5:2121/metrics, got ${JSON.stringify(url)}.`, {
        cause: err,
      });
    }
  }
  return out;
}
