/**
 * Scrapes a server's Prometheus endpoint at a fixed interval during a run. A scrape that fails (no endpoint, an HTTP
 * error, a body that is not Prometheus text) is recorded with its reason and the run goes on: server metrics are a
 * view on the run, never a reason to lose it.
 */
import { OptionsError } from '../errors.js';
import { checkOptionKeys, optionKeys } from '../options-check.js';
import type { Model } from '../results.js';
import { COUNTER_FIGURES, readServerFigures, type ServerFigures } from './figures.js';
import { parsePrometheusText } from './prometheus.js';

/** Options of {@link ServerMetricsSampler.start}. */
export interface ServerMetricsSamplerOptions {
  /** The metrics URL, e.g. `http://127.0.0.1:2121/metrics`. */
  url: string;
  model: Model;
  /** The run's group names on that server. */
  groups: readonly string[];
  /** Time between scrapes. @default 2000 */
  intervalMs?: number;
  /** Time one scrape may take. @default 1500 */
  timeoutMs?: number;
}

const SAMPLER_OPTION_KEYS = optionKeys<ServerMetricsSamplerOptions>({
  url: true,
  model: true,
  groups: true,
  intervalMs: true,
  timeoutMs: true,
});

/** A scrape that did not give figures. */
export interface ServerMetricsFailure {
  timestampMs: number;
  message: string;
}

/** Everything one sampler collected, for the results JSON. */
export interface ServerMetricsSeries {
  model: Model;
  url: string;
  groups: string[];
  samples: ServerFigures[];
  failures: ServerMetricsFailure[];
  /** Lines of the scraped text that could not be read, summed over all scrapes. */
  unreadableLines: number;
}

const DEFAULT_INTERVAL_MS = 2_000;
const DEFAULT_TIMEOUT_MS = 1_500;
/** A body with no family of a BanyanDB-like server is not a metrics answer. */
const MIN_FAMILIES = 1;

/** One scrape: the figures, or why there are none. */
export async function scrapeServerFigures(
  url: string,
  model: Model,
  groups: readonly string[],
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<{ figures: ServerFigures; unreadableLines: number } | { failure: ServerMetricsFailure }> {
  const timestampMs = Date.now();
  let body: string;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    body = await res.text();
    if (!res.ok) return { failure: { timestampMs, message: `HTTP ${res.status} from ${url}` } };
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    const message = err instanceof Error ? `${err.message}${cause}` : String(err);
    return { failure: { timestampMs, message: `no answer from ${url} (${message})` } };
  }
  const exp = parsePrometheusText(body);
  if (exp.families.size < MIN_FAMILIES || [...exp.families.values()].every((f) => f.samples.length === 0)) {
    const first = exp.problems[0];
    const why = first === undefined ? 'no samples' : `line ${first.line}: ${first.message}`;
    return { failure: { timestampMs, message: `${url} did not answer Prometheus text (${why})` } };
  }
  return { figures: readServerFigures(exp, model, groups, timestampMs), unreadableLines: exp.problems.length };
}

/** Scrapes one server until stopped. */
export class ServerMetricsSampler {
  readonly #opts: Required<ServerMetricsSamplerOptions>;
  readonly #series: ServerMetricsSeries;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  #stopped: Promise<ServerMetricsSeries> | undefined;

  private constructor(opts: Required<ServerMetricsSamplerOptions>) {
    this.#opts = opts;
    this.#series = { model: opts.model, url: opts.url, groups: [...opts.groups], samples: [], failures: [], unreadableLines: 0 };
  }

  /** Takes a first scrape at once, then one every `intervalMs`. */
  static start(options: ServerMetricsSamplerOptions): ServerMetricsSampler {
    checkOptionKeys(options, SAMPLER_OPTION_KEYS, 'ServerMetricsSampler.start()');
    for (const key of ['url', 'model', 'groups'] as const) {
      if (options[key] === undefined) throw new OptionsError(key, `ServerMetricsSampler.start(): \`${key}\` is required`);
    }
    const sampler = new ServerMetricsSampler({
      intervalMs: DEFAULT_INTERVAL_MS,
      timeoutMs: DEFAULT_TIMEOUT_MS,
      ...options,
    });
    sampler.#tick();
    return sampler;
  }

  #tick(): void {
    this.#inFlight = (async () => {
      const got = await scrapeServerFigures(this.#opts.url, this.#opts.model, this.#opts.groups, this.#opts.timeoutMs);
      if ('failure' in got) this.#series.failures.push(got.failure);
      else {
        this.#series.samples.push(got.figures);
        this.#series.unreadableLines += got.unreadableLines;
      }
    })();
    void this.#inFlight.finally(() => {
      if (this.#stopped === undefined) {
        this.#timer = setTimeout(() => this.#tick(), this.#opts.intervalMs);
        this.#timer.unref();
      }
    });
  }

  /** Takes a last scrape and returns the series. Idempotent: every call returns the same series. */
  stop(): Promise<ServerMetricsSeries> {
    this.#stopped ??= (async () => {
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      await this.#inFlight;
      const got = await scrapeServerFigures(this.#opts.url, this.#opts.model, this.#opts.groups, this.#opts.timeoutMs);
      if ('failure' in got) this.#series.failures.push(got.failure);
      else {
        this.#series.samples.push(got.figures);
        this.#series.unreadableLines += got.unreadableLines;
      }
      return this.#series;
    })();
    return this.#stopped;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** What changed between a series' first and last sample: counters as deltas, gauges as the last value. */
export function summarizeServerSeries(series: ServerMetricsSeries): Partial<Record<keyof ServerFigures, number>> {
  const first = series.samples[0];
  const last = series.samples.at(-1);
  const out: Partial<Record<keyof ServerFigures, number>> = {};
  if (first === undefined || last === undefined) return out;
  for (const key of COUNTER_FIGURES) {
    const a = first[key];
    const b = last[key];
    if (b !== undefined) out[key] = b - (a ?? 0);
  }
  for (const key of ['fileBytes', 'memPartBytes', 'fileElements'] as const) {
    const b = last[key];
    if (b !== undefined) out[key] = b;
  }
  let peak: number | undefined;
  for (const s of series.samples) if (s.residentBytes !== undefined) peak = Math.max(peak ?? 0, s.residentBytes);
  if (peak !== undefined) out.residentBytes = peak;
  return out;
}
