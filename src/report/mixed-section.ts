/**
 * The report sections of the mixed phase (queries under ingest, ingest-to-queryable lag) and of the server's own
 * metrics, for the console and the HTML report. Each returns nothing when the result has no such part.
 */
import type { MixedModelResult, MixedResult } from '../mixed/mixed.js';
import type { BenchmarkResult, Model } from '../results.js';
import { summarizeServerSeries } from '../server-metrics/sampler.js';
import type { AreaVerdict } from '../verdict/summary.js';
import { fmtBytes, fmtMs, fmtNum, textTable } from './format.js';
import { escapeHtml as esc, type LineSeries, lineChart } from './svg.js';

const LATENCY_HEADER = ['min', 'mean', 'p50', 'p90', 'p95', 'p98', 'p99', 'max'] as const;

type Lat = MixedModelResult['write']['batchLatency'];
const latencyCells = (l: Lat): string[] => [l.minMs, l.meanMs, l.p50Ms, l.p90Ms, l.p95Ms, l.p98Ms, l.p99Ms, l.maxMs].map((v) => fmtMs(v));
/** The console's narrower set (rows fit 120 columns); the HTML report and the JSON have all of them. */
const CONSOLE_LATENCY_HEADER = ['mean', 'p50', 'p90', 'p99', 'max'] as const;
const consoleLatencyCells = (l: Lat): string[] => [l.meanMs, l.p50Ms, l.p90Ms, l.p99Ms, l.maxMs].map((v) => fmtMs(v));

function separateWriteP99(result: BenchmarkResult, model: Model): string {
  const runs = result.write?.[model] ?? [];
  const p99 = runs.map((r) => r.batchLatency.p99Ms).sort((a, b) => a - b);
  const mid = p99[Math.floor(p99.length / 2)];
  return mid === undefined ? '-' : fmtMs(mid);
}

/** `1.8x`: how many times slower under the other side's load (`-` without both figures). */
function slowdown(under: number | undefined, alone: number | undefined): string {
  if (under === undefined || alone === undefined || !(alone > 0) || !Number.isFinite(under)) return '-';
  const f = under / alone;
  return `${f >= 10 ? f.toFixed(0) : f.toFixed(1)}x`;
}

/** Count-weighted mean latency over the kinds, under write load and in the quiet pass. */
function meanQueryMs(m: MixedModelResult): { under: number | undefined; alone: number | undefined } {
  let n = 0;
  let sum = 0;
  let nq = 0;
  let sumq = 0;
  for (const q of m.queries) {
    n += q.latency.count;
    sum += q.latency.meanMs * q.latency.count;
    if (q.alone) {
      nq += q.alone.latency.count;
      sumq += q.alone.latency.meanMs * q.alone.latency.count;
    }
  }
  return { under: n > 0 ? sum / n : undefined, alone: nq > 0 ? sumq / nq : undefined };
}

/**
 * The mixed phase's line of the verdict: one run, so no statistical winner ever; no winner at all (and why) when it
 * was skipped or a model's checks or work failed; otherwise each model's figures under load and how much the other
 * side slowed them.
 */
export function mixedVerdict(result: BenchmarkResult): AreaVerdict | undefined {
  const mixed = result.mixed;
  if (mixed === undefined) return undefined;
  const label = 'Under ingest';
  if (mixed.skipped !== undefined) return { area: 'mixed', label, winner: 'none', text: `no winner: not run (${mixed.skipped})` };
  if (mixed.models.length === 0) return { area: 'mixed', label, winner: 'none', text: 'no winner: no figures' };
  const failed = mixed.models.filter((m) => m.partial);
  if (failed.length > 0) {
    const why = failed.map((m) => `${m.model}: ${mixedProblems(m).slice(0, 2).join('; ') || 'aborted'}`).join('; ');
    return { area: 'mixed', label, winner: 'none', text: `no winner: failed checks or work under ingest (${why})` };
  }
  const parts = mixed.models.map((m) => {
    const q = meanQueryMs(m);
    const w = m.write.batchLatency.p99Ms;
    return (
      `${m.model} queries ${fmtMs(q.under)} mean (${slowdown(q.under, q.alone)} of alone), ` +
      `write p99 ${fmtMs(w)} (${slowdown(w, (m.write.warmupBatchLatency?.count ?? 0) > 0 ? m.write.warmupBatchLatency.p99Ms : undefined)} of no-query), ` +
      `lag p50 ${fmtMs(m.lag.latency.p50Ms)}`
    );
  });
  return { area: 'mixed', label, winner: 'none', text: `one run, no winner by test: ${parts.join('; ')}` };
}

const WRITE_CONTRAST_HEADER = ['no-query p99', 'slower', 'separate p99'] as const;
const QUERY_CONTRAST_HEADER = ['p50 alone', 'slower'] as const;

/** How much the queries slow the writes: the warm-up's p99 (same rate, no queries), and the separate phase's. */
function writeContrastCells(result: BenchmarkResult, m: MixedModelResult): string[] {
  const w = m.write.warmupBatchLatency;
  const quiet = w !== undefined && w.count > 0 ? w.p99Ms : undefined;
  return [quiet === undefined ? '-' : fmtMs(quiet), slowdown(m.write.batchLatency.p99Ms, quiet), separateWriteP99(result, m.model)];
}

/** How much the writes slow a query kind: its p50 in the quiet pass, and the factor. */
function queryContrastCells(q: MixedModelResult['queries'][number]): string[] {
  const alone = q.alone !== undefined && q.alone.latency.count > 0 ? q.alone.latency.p50Ms : undefined;
  return [alone === undefined ? '-' : fmtMs(alone), slowdown(q.latency.p50Ms, alone)];
}

/** The mixed phase's options, in two short lines. */
function mixedHeading(mixed: MixedResult): [string, string] {
  const o = mixed.options;
  const mix = Object.entries(o.mix)
    .filter(([, w]) => w > 0)
    .map(([k, w]) => `${k} ${w}`)
    .join(', ');
  return [
    `writes ${fmtNum(o.writeRatePerSec)} spans/s + queries ${fmtNum(o.queryRatePerSec)}/s (at most ${o.queryConcurrency} in flight), ` +
      `${fmtMs(o.durationMs)} per model after ${fmtNum(o.warmupSpans)} warm-up spans`,
    `window: last ${fmtNum(o.windowMs / 60_000)} min of the ingest clock; mix: ${mix}`,
  ];
}

/** Why a model's mixed figures are not to be trusted, if they are not. */
function mixedProblems(m: MixedModelResult): string[] {
  const out: string[] = [];
  if (m.write.failedBatches > 0)
    out.push(
      `${fmtNum(m.write.failedBatches)} failed write batches (${Object.entries(m.write.errorsByStatus)
        .map(([s, n]) => `${s} ${fmtNum(n)}`)
        .join(', ')})`,
    );
  for (const q of m.queries) {
    if (q.errors > 0) out.push(`${q.kind}: ${fmtNum(q.errors)} failed queries (${q.firstProblem ?? ''})`);
    if (q.mismatches > 0) out.push(`${q.kind}: ${fmtNum(q.mismatches)} wrong answers (first: ${q.firstProblem ?? ''})`);
    const bad = (q.alone?.errors ?? 0) + (q.alone?.mismatches ?? 0);
    if (bad > 0) out.push(`${q.kind}: ${fmtNum(bad)} failed or wrong answers in the quiet pass`);
  }
  if (m.lag.notVisible > 0)
    out.push(`${fmtNum(m.lag.notVisible)} of ${fmtNum(m.lag.probes)} probed spans not visible within ${fmtMs(m.lag.timeoutMs)}`);
  return out;
}

/** The console section of the mixed phase. */
export function mixedConsoleSection(result: BenchmarkResult): string | undefined {
  const mixed = result.mixed;
  if (mixed === undefined) return undefined;
  if (mixed.models.length === 0) return `Queries under ingest (mixed phase)\n  not run: ${mixed.skipped ?? 'no model ran'}`;
  const [h1, h2] = mixedHeading(mixed);
  const lines: string[] = ['Queries under ingest (mixed phase)', `  ${h1}`, `  ${h2}`, ''];
  const writeRows = mixed.models.map((m) => [
    m.model,
    `${fmtNum(m.write.spansPerSec, 0)}/s`,
    ...consoleLatencyCells(m.write.batchLatency),
    ...writeContrastCells(result, m),
  ]);
  lines.push('  Writes under query load (batch latency from the intended start) vs no queries (warm-up) and the separate phase');
  lines.push(textTable(['model', 'spans', ...CONSOLE_LATENCY_HEADER, ...WRITE_CONTRAST_HEADER], writeRows, '    '));
  lines.push('');
  lines.push('  Queries under write load (latency from the intended start; answer = mean spans and bytes returned)');
  const qRows: string[][] = [];
  for (const m of mixed.models) {
    for (const q of m.queries) {
      const bad = q.errors + q.mismatches;
      qRows.push([
        q.kind,
        m.model,
        fmtNum(q.count),
        bad > 0 ? `${fmtNum(bad)} bad` : 'ok',
        ...consoleLatencyCells(q.latency),
        `${fmtNum(q.meanAnswerSpans, 0)} / ${fmtBytes(q.meanAnswerBytes)}`,
        ...queryContrastCells(q),
      ]);
    }
  }
  lines.push(textTable(['query', 'model', 'n', 'check', ...CONSOLE_LATENCY_HEADER, 'answer', ...QUERY_CONTRAST_HEADER], qRows, '    '));
  lines.push('');
  lines.push('  Ingest-to-queryable lag (acknowledgement -> first answer that shows the span)');
  const lagRows = mixed.models.map((m) => [
    m.model,
    `${fmtNum(m.lag.visible)}/${fmtNum(m.lag.probes)}`,
    ...consoleLatencyCells(m.lag.latency),
  ]);
  lines.push(textTable(['model', 'seen', ...CONSOLE_LATENCY_HEADER], lagRows, '    '));
  for (const m of mixed.models) {
    const problems = mixedProblems(m);
    if (problems.length > 0) lines.push(`  ${m.model}: not a clean run: ${problems.join('; ')}`);
  }
  lines.push(
    '  min, p95 and p98 are in the HTML report and the JSON. "no-query p99": the warm-up\'s batches (same rate, no queries);',
    '  "separate p99": the separate write phase\'s median p99 (its own load). "p50 alone": the quiet pass (same queries, no',
    '  writes); "slower": p50 under write load ÷ p50 alone.',
    "  The models answer list queries in their own units (20 spans vs 20 whole traces): compare each model's experience.",
  );
  return lines.join('\n');
}

/** The console section of the server's own metrics. */
export function serverMetricsConsoleSection(result: BenchmarkResult): string | undefined {
  const series = result.serverMetrics;
  if (series === undefined || series.length === 0) return undefined;
  const servers = result.target.servers;
  const rows = series.map((s) => {
    const sum = summarizeServerSeries(s);
    const meanQuery = sum.queries && sum.querySeconds !== undefined ? fmtMs((sum.querySeconds * 1000) / sum.queries) : '-';
    const perSpan = sum.fileBytes !== undefined && sum.fileElements ? fmtBytes(sum.fileBytes / sum.fileElements) : '-';
    return [
      s.model,
      fmtNum(sum.writeMessages),
      fmtNum(sum.queries),
      meanQuery,
      fmtBytes(sum.fileBytes),
      perSpan,
      fmtNum(sum.merges),
      fmtBytes(sum.residentBytes),
      s.failures.length > 0 ? `${fmtNum(s.failures.length)} failed` : `${fmtNum(s.samples.length)}`,
    ];
  });
  const lines = ['Server metrics (as each server reports them on its Prometheus endpoint, over this run)'];
  for (const s of series) {
    const label = servers?.[s.model]?.label ?? 'unknown server';
    lines.push(`  ${s.model}: ${label}, ${s.url}`);
  }
  lines.push(textTable(['model', 'writes', 'queries', 'mean query', 'stored', 'per span', 'merges', 'peak RSS', 'scrapes'], rows, '    '));
  for (const s of series) {
    const f = s.failures[0];
    if (f !== undefined) lines.push(`  ${s.model}: ${fmtNum(s.failures.length)} scrapes failed, first: ${f.message}`);
  }
  return lines.join('\n');
}

function htmlTable(header: readonly string[], rows: readonly (readonly string[])[], firstNumeric: number): string {
  const th = header.map((h, i) => `<th${i >= firstNumeric ? ' class="num"' : ''}>${esc(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((c, i) => `<td${i >= firstNumeric ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** The HTML section of the mixed phase (same columns as the console's). */
export function mixedHtmlSection(result: BenchmarkResult): string {
  const mixed = result.mixed;
  if (mixed === undefined) return '';
  if (mixed.models.length === 0) {
    return `<section id="mixed"><h2>Queries under ingest (mixed phase)</h2><p>not run: ${esc(mixed.skipped ?? 'no model ran')}</p></section>`;
  }
  const writes = mixed.models.map((m) => [
    m.model,
    `${fmtNum(m.write.spansPerSec, 0)}/s`,
    ...latencyCells(m.write.batchLatency),
    ...writeContrastCells(result, m),
  ]);
  const queries = mixed.models.flatMap((m) =>
    m.queries.map((q) => [
      q.kind,
      m.model,
      fmtNum(q.count),
      q.errors + q.mismatches > 0 ? `${fmtNum(q.errors + q.mismatches)} bad` : 'ok',
      ...latencyCells(q.latency),
      `${fmtNum(q.meanAnswerSpans, 0)} / ${fmtBytes(q.meanAnswerBytes)}`,
      ...queryContrastCells(q),
    ]),
  );
  const lag = mixed.models.map((m) => [m.model, `${fmtNum(m.lag.visible)}/${fmtNum(m.lag.probes)}`, ...latencyCells(m.lag.latency)]);
  const problems = mixed.models.flatMap((m) => mixedProblems(m).map((p) => `<li>${esc(`${m.model}: ${p}`)}</li>`));
  return [
    '<section id="mixed"><h2>Queries under ingest (mixed phase)</h2>',
    `<p>${esc(mixedHeading(mixed).join('; '))}</p>`,
    '<h3>Writes under query load</h3>',
    htmlTable(['model', 'spans', ...LATENCY_HEADER, ...WRITE_CONTRAST_HEADER], writes, 1),
    '<h3>Queries under write load</h3>',
    htmlTable(['query', 'model', 'n', 'check', ...LATENCY_HEADER, 'answer', ...QUERY_CONTRAST_HEADER], queries, 2),
    '<h3>Ingest-to-queryable lag</h3>',
    htmlTable(['model', 'seen', ...LATENCY_HEADER], lag, 1),
    problems.length > 0 ? `<ul class="problems">${problems.join('')}</ul>` : '',
    '<p class="note">Latencies run from each request\'s intended start (open loop). "no-query p99": the warm-up\'s batches (same rate, no queries); "separate p99": the separate write phase\'s median p99; "p50 alone": the quiet pass (same queries, no writes); "slower": p50 under write load ÷ p50 alone. List queries are answered in each model\'s own units (20 spans vs 20 whole traces).</p>',
    '</section>',
  ].join('\n');
}

const SERIES_COLORS: Record<Model, string> = { stream: '#1d4ed8', trace: '#c2410c' };

/** Over time, per model: write messages and queries the server received per second, and its resident memory. */
function serverMetricsCharts(result: BenchmarkResult): string {
  const series = (result.serverMetrics ?? []).filter((s) => s.samples.length >= 2);
  if (series.length === 0) return '';
  const t0 = Math.min(...series.map((s) => s.samples[0]!.timestampMs));
  const rate = (key: 'writeMessages' | 'queries'): LineSeries[] =>
    series.map((s) => {
      const points: (readonly [number, number])[] = [];
      for (let i = 1; i < s.samples.length; i++) {
        const a = s.samples[i - 1]!;
        const b = s.samples[i]!;
        const dt = (b.timestampMs - a.timestampMs) / 1000;
        if (dt > 0 && a[key] !== undefined && b[key] !== undefined) points.push([(b.timestampMs - t0) / 1000, (b[key]! - a[key]!) / dt]);
      }
      return { name: `${s.model} (${s.url})`, color: SERIES_COLORS[s.model], points };
    });
  const memory: LineSeries[] = series.map((s) => ({
    name: `${s.model} (${s.url})`,
    color: SERIES_COLORS[s.model],
    points: s.samples.filter((x) => x.residentBytes !== undefined).map((x) => [(x.timestampMs - t0) / 1000, x.residentBytes!] as const),
  }));
  const chart = (title: string, yLabel: string, ss: LineSeries[], cls: string, yUnit?: 'bytes') =>
    lineChart({ title, xLabel: 'seconds since the first scrape', yLabel, series: ss, width: 420, cls, ...(yUnit ? { yUnit } : {}) });
  return `<div class="charts">${chart('Writes the server received', 'messages / s', rate('writeMessages'), 'server-writes')}${chart('Queries the server finished', 'queries / s', rate('queries'), 'server-queries')}${chart('Server resident memory', 'memory', memory, 'server-memory', 'bytes')}</div>`;
}

/** The HTML section of the server's own metrics. */
export function serverMetricsHtmlSection(result: BenchmarkResult): string {
  const series = result.serverMetrics;
  if (series === undefined || series.length === 0) return '';
  const rows = series.map((s) => {
    const sum = summarizeServerSeries(s);
    return [
      s.model,
      result.target.servers?.[s.model]?.label ?? 'unknown server',
      fmtNum(sum.writeMessages),
      fmtNum(sum.queries),
      sum.queries && sum.querySeconds !== undefined ? fmtMs((sum.querySeconds * 1000) / sum.queries) : '-',
      fmtBytes(sum.fileBytes),
      fmtNum(sum.merges),
      fmtBytes(sum.residentBytes),
      s.failures.length > 0 ? `${fmtNum(s.failures.length)} failed: ${s.failures[0]?.message ?? ''}` : fmtNum(s.samples.length),
    ];
  });
  return [
    '<section id="server-metrics"><h2>Server metrics</h2>',
    '<p>As each server reports them on its Prometheus endpoint, over this run.</p>',
    htmlTable(['model', 'server', 'writes', 'queries', 'mean query', 'stored', 'merges', 'peak RSS', 'scrapes'], rows, 2),
    serverMetricsCharts(result),
    '</section>',
  ].join('\n');
}
