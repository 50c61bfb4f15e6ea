/**
 * What runComparison() adds to the separate write and query phases when asked: the mixed phase (in a namespace of its
 * own, after the separate phases) and the servers' own metrics, scraped during the whole run. Both are checked before
 * anything is sent; neither can lose the run: a mixed phase that fails is recorded as skipped, a scrape that fails is
 * recorded with its reason.
 */
import { BanyanDBClient } from '../client/client.js';
import { OptionsError } from '../errors.js';
import type { Model } from '../results.js';
import { newRunId } from '../schema/namespace.js';
import type { ServerMetricsSeries } from '../server-metrics/sampler.js';
import { ServerMetricsSampler } from '../server-metrics/sampler.js';
import type { WorkloadClient } from '../workload/model.js';
import { mixedNamespaceGroups, runMixedInNamespace } from './in-namespace.js';
import { type MixedOptions, type MixedResult, resolveMixedOptions } from './mixed.js';

/** Server metrics scraping of runComparison() (`serverMetrics`). */
export interface ComparisonServerMetricsOptions {
  /** The Prometheus URL of each model's server, e.g. `http://127.0.0.1:2121/metrics` (`OpenTarget.metricsUrls`). */
  urls: Partial<Record<Model, string>>;
  /** Time between scrapes. @default 2000 */
  intervalMs?: number;
}

/** Checks a metrics URL: http or https, with a host. */
export function checkMetricsUrl(option: string, url: unknown): string {
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.hostname === '') {
    throw new OptionsError(option, `${option} expects an http(s) URL such as http://127.0.0.1:2121/metrics, got ${JSON.stringify(url)}`);
  }
  return url as string;
}

/** The checked scraping options: URLs and interval. */
export function resolveServerMetricsOptions(
  o: ComparisonServerMetricsOptions | undefined,
): Required<ComparisonServerMetricsOptions> | undefined {
  if (o === undefined) return undefined;
  if (typeof o !== 'object' || o === null || typeof o.urls !== 'object' || o.urls === null) {
    throw new OptionsError('serverMetrics', 'serverMetrics expects { urls: { stream?: url, trace?: url }, intervalMs? }');
  }
  const urls: Partial<Record<Model, string>> = {};
  for (const [k, v] of Object.entries(o.urls)) {
    if (k !== 'stream' && k !== 'trace')
      throw new OptionsError(`serverMetrics.urls.${k}`, `serverMetrics.urls: unknown model \`${k}\`; expected stream, trace`);
    if (v === undefined) continue;
    urls[k] = checkMetricsUrl(`serverMetrics.urls.${k}`, v);
  }
  const intervalMs = o.intervalMs ?? 2_000;
  if (!Number.isSafeInteger(intervalMs) || intervalMs < 100) {
    throw new OptionsError(
      'serverMetrics.intervalMs',
      `serverMetrics.intervalMs expects an integer of ms >= 100, got ${String(o.intervalMs)}`,
    );
  }
  return { urls, intervalMs };
}

/** The mixed phase's plan inside a comparison: its namespace and options, checked up front. */
export interface MixedPlan {
  namespace: string;
  options: MixedOptions;
  clients: { stream: BanyanDBClient; trace: BanyanDBClient };
  schemaDir: string | undefined;
}

/** Checks the mixed options and the clients before anything is sent. */
export function planMixed(
  mixed: MixedOptions | undefined,
  clients: { stream: WorkloadClient; trace: WorkloadClient },
  schemaDir: string | undefined,
  signal: AbortSignal | undefined,
): MixedPlan | undefined {
  if (mixed === undefined) return undefined;
  if (typeof mixed !== 'object' || mixed === null)
    throw new OptionsError('mixed', 'mixed expects the mixed-phase options (an object, {} for the defaults)');
  const { signal: _s, ...rest } = mixed;
  const options: MixedOptions = { ...rest, ...(signal ? { signal } : {}) };
  try {
    resolveMixedOptions(options);
  } catch (err) {
    if (!(err instanceof OptionsError)) throw err;
    throw new OptionsError(`mixed.${err.option}`, err.message, { cause: err });
  }
  if (!(clients.stream instanceof BanyanDBClient) || !(clients.trace instanceof BanyanDBClient)) {
    throw new OptionsError('mixed', 'the mixed phase creates groups of its own: stream and trace must be BanyanDBClient instances');
  }
  return { namespace: newRunId(), options, clients: { stream: clients.stream, trace: clients.trace }, schemaDir };
}

/** Starts one sampler per model with a URL, summing over the run's groups and the mixed phase's. */
export async function startServerMetrics(
  o: Required<ComparisonServerMetricsOptions> | undefined,
  runGroups: Record<Model, string>,
  plan: MixedPlan | undefined,
): Promise<ServerMetricsSampler[]> {
  if (o === undefined) return [];
  const mixedGroups = plan ? await mixedNamespaceGroups(plan.clients, plan.namespace, plan.schemaDir) : { stream: [], trace: [] };
  const out: ServerMetricsSampler[] = [];
  for (const model of ['stream', 'trace'] as const) {
    const url = o.urls[model];
    if (url === undefined) continue;
    out.push(ServerMetricsSampler.start({ url, model, groups: [runGroups[model], ...mixedGroups[model]], intervalMs: o.intervalMs }));
  }
  return out;
}

/** Stops the samplers (each takes a last scrape). */
export async function stopServerMetrics(samplers: readonly ServerMetricsSampler[]): Promise<ServerMetricsSeries[]> {
  return Promise.all(samplers.map((s) => s.stop()));
}

/** Runs the planned mixed phase; an error becomes `skipped` (never thrown: the separate phases' result stands). */
export async function runPlannedMixed(plan: MixedPlan, skip: string | undefined): Promise<MixedResult> {
  const base = (): MixedResult => {
    const { signal: _signal, ...options } = resolveMixedOptions(plan.options);
    return { options, models: [], namespace: plan.namespace };
  };
  if (skip !== undefined) return { ...base(), skipped: skip };
  try {
    return await runMixedInNamespace({
      stream: plan.clients.stream,
      trace: plan.clients.trace,
      namespace: plan.namespace,
      ...(plan.schemaDir !== undefined ? { schemaDir: plan.schemaDir } : {}),
      options: plan.options,
    });
  } catch (err) {
    return { ...base(), skipped: `the mixed phase failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}
