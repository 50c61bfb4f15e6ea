/**
 * Small number/byte/time formatters and a plain-text table renderer shared by the console and HTML reports.
 * Internal to src/report.
 */
import {
  type BenchmarkResult,
  MODELS,
  type Model,
  type QueryMismatch,
  type QueryPatternResult,
  type ServerIdentity,
  type Spread,
  type TargetInfo,
  type WriteRunResult,
} from '../results.js';

/** The loud warning printed whenever banyandb-perf's emulator served the run. */
export const EMULATOR_WARNING = "Figures from banyandb-perf's emulator, not BanyanDB";

/** True when the figures came from banyandb-perf's emulator rather than a real BanyanDB. */
export function isEmulatorTarget(target: TargetInfo): boolean {
  return target.kind === 'emulator' || target.server === 'emulator';
}

/** A finite number, or null when the value is missing / NaN / infinite. */
function finite(n: number | null | undefined): number | null {
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

/** Formats a number with at most `digits` significant decimals, thousands separated. */
export function fmtNum(n: number | null | undefined, digits?: number): string {
  const v = finite(n);
  if (v === null) return '-';
  const abs = Math.abs(v);
  const d = digits ?? (Number.isInteger(v) || abs >= 1000 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3);
  return v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

/**
 * A duration given in milliseconds, in the one style of every report: `0.59 ms`, `72.1 ms`, `5.29 s`,
 * `7 min 25 s`, `1 h 02 min`.
 */
export function fmtDuration(ms: number | null | undefined): string {
  const v = finite(ms);
  if (v === null) return '-';
  const a = Math.abs(v);
  if (a < 1000) return `${fmtCompact(v)} ms`;
  if (a < 60_000) return `${fmtCompact(v / 1000)} s`;
  const sign = v < 0 ? '-' : '';
  const totalS = Math.round(a / 1000);
  if (totalS < 3600) return `${sign}${Math.floor(totalS / 60)} min ${String(totalS % 60).padStart(2, '0')} s`;
  const totalMin = Math.round(totalS / 60);
  return `${sign}${Math.floor(totalMin / 60)} h ${String(totalMin % 60).padStart(2, '0')} min`;
}

/** Milliseconds as a duration: see {@link fmtDuration}. */
export const fmtMs = fmtDuration;

/** The unit a set of durations (ms) is shown in, chosen from their median, and the divisor. */
function durationScale(ms: number): { div: number; unit: string } {
  const a = Math.abs(ms);
  return a >= 1000 ? { div: 1000, unit: 's' } : { div: 1, unit: 'ms' };
}

/** Bytes with a binary unit, e.g. `1.5 MiB`. */
export function fmtBytes(bytes: number | null | undefined): string {
  const v = finite(bytes);
  if (v === null) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let x = v;
  let i = 0;
  while (Math.abs(x) >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${i === 0 ? fmtNum(x, 0) : fmtNum(x, x >= 100 ? 0 : 1)} ${units[i]}`;
}

/** A percentage, e.g. `45.2%`. */
export function fmtPct(p: number | null | undefined): string {
  const v = finite(p);
  return v === null ? '-' : `${fmtNum(v, 1)}%`;
}

/** A value in a unit; byte- and ms-like units get their own formatter. */
export function fmtValue(v: number | null | undefined, unit: string): string {
  if (unit === 'ms') return fmtMs(v);
  if (unit === 'bytes' || unit === 'B') return fmtBytes(v);
  if (unit === '%') return fmtPct(v);
  const s = fmtNum(v);
  return s === '-' || unit === '' ? s : `${s} ${unit}`;
}

/** `median (min–max) unit` for n > 1 (the unit once, scaled by the median), the lone value for n = 1, `-` for none. */
export function fmtSpread(s: Spread | null | undefined, unit: string): string {
  if (!s || s.values.length === 0) return '-';
  if (s.values.length === 1) return fmtValue(s.median, unit);
  return fmtTriple(s.median, s.min, s.max, unit);
}

/** `72.1 (69.3–73.0) ms`, `1.2 (1.1–1.3) GiB`, `2,631 (2,625–2,697) spans/s`. */
export function fmtTriple(med: number, min: number, max: number, unit: string): string {
  const same = min === max;
  if (unit === 'ms') {
    const { div, unit: u } = durationScale(med);
    return same ? `${fmtCompact(med / div)} ${u}` : `${fmtCompact(med / div)} (${fmtCompact(min / div)}–${fmtCompact(max / div)}) ${u}`;
  }
  if (unit === 'bytes' || unit === 'B') {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let div = 1;
    let i = 0;
    while (Math.abs(med) / div >= 1024 && i < units.length - 1) {
      div *= 1024;
      i++;
    }
    const f = (x: number) => (i === 0 ? fmtNum(x, 0) : fmtCompact(x / div));
    return same ? `${f(med)} ${units[i]}` : `${f(med)} (${f(min)}–${f(max)}) ${units[i]}`;
  }
  const tail = unit === '' ? '' : unit === '%' ? '%' : ` ${unit}`;
  return same ? `${fmtCompact(med)}${tail}` : `${fmtCompact(med)} (${fmtCompact(min)}–${fmtCompact(max)})${tail}`;
}

/** At most three significant digits below 1,000 (`106`, `72.1`, `1.97`, `0.593`), whole numbers above. */
export function fmtCompact(n: number): string {
  const a = Math.abs(n);
  if (a < 1 && a > 0) return String(Number(n.toPrecision(3)));
  const d = a >= 100 || Number.isInteger(n) ? 0 : a >= 10 ? 1 : 2;
  return n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** Coefficient of variation as a percentage, `3%` (`-` when unknown). */
export function fmtCv(s: Spread | null | undefined): string {
  if (!s || s.values.length < 2) return '-';
  const cv = s.cv ?? (s.mean !== 0 ? s.stdDev / Math.abs(s.mean) : undefined);
  return cv === undefined ? '-' : `${Math.round(cv * 100)}%`;
}

/** A ratio `a/b` as `0.86`, or `-` when it cannot be computed. */
export function fmtRatio(a: number | null | undefined, b: number | null | undefined): string {
  const x = finite(a);
  const y = finite(b);
  if (x === null || y === null || y === 0) return '-';
  return fmtNum(x / y, 2);
}

/** Median of numbers (null when empty). */
export function median(values: readonly number[]): number | null {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** Mean of numbers (null when empty). */
export function mean(values: readonly number[]): number | null {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return null;
  return v.reduce((a, b) => a + b, 0) / v.length;
}

/** Values of one figure across the repeats, as `median (min–max) unit` text. */
export function fmtAcross(values: readonly (number | undefined)[], unit: string): string {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (v.length === 0) return '-';
  const m = median(v)!;
  if (v.length === 1) return fmtValue(m, unit);
  return fmtTriple(m, Math.min(...v), Math.max(...v), unit);
}

/** Widest console line of the reports. */
export const CONSOLE_WIDTH = 120;

/**
 * Renders rows as an aligned plain-text table with a header rule. Columns whose cells look like numbers are
 * right-aligned, their header too. When a line would be wider than `maxWidth`, the last column wraps at
 * spaces onto continuation lines.
 */
export function textTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  indent = '  ',
  maxWidth: number = CONSOLE_WIDTH,
): string {
  const last = header.length - 1;
  const widths = header.map((h, i) => Math.max(strWidth(h), ...rows.map((r) => strWidth(r[i] ?? ''))));
  const before = indent.length + widths.slice(0, last).reduce((a, w) => a + w + 2, 0);
  const lastWidth = Math.max(strWidth(header[last] ?? ''), Math.min(widths[last] ?? 0, Math.max(maxWidth - before, 16)));
  widths[last] = lastWidth;
  const numeric = header.map((_, i) => i > 0 && rows.length > 0 && rows.every((r) => looksNumeric(r[i] ?? '')));
  const line = (cells: readonly string[]) =>
    indent +
    cells
      .map((c, i) => {
        const w = widths[i] ?? 0;
        const pad = ' '.repeat(Math.max(0, w - strWidth(c)));
        return numeric[i] ? pad + c : c + pad;
      })
      .join('  ')
      .trimEnd();
  const rowLines = (r: readonly string[]): string[] => {
    const parts = wrap(r[last] ?? '', lastWidth);
    const out = [line([...r.slice(0, last), parts[0] ?? ''])];
    for (const p of parts.slice(1)) out.push(line([...r.slice(0, last).map(() => ''), p]));
    return out;
  };
  const rule = indent + widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.flatMap(rowLines)].join('\n');
}

/** A cell right-aligned in tables: a number with an optional range and unit (`72.1 ms`, `45.2%`, `2,631 (2,625–2,697)`), `-`, a status, or empty. */
export function looksNumeric(cell: string): boolean {
  return cell === '' || /^[-+]?[\d.,]+%?( \([\d.,]+–[\d.,]+\))?( [a-zA-Z/]+)?$|^-$|^n\/a$|^not run$|^error$/.test(cell);
}

/** Splits text at spaces into lines of at most `width` characters (a longer word stands alone). */
export function wrap(text: string, width: number): string[] {
  if (strWidth(text) <= width) return [text];
  const out: string[] = [];
  let cur = '';
  for (const word of text.split(' ')) {
    if (cur === '') cur = word;
    else if (strWidth(cur) + 1 + strWidth(word) <= width) cur += ` ${word}`;
    else {
      out.push(cur);
      cur = word;
    }
  }
  if (cur !== '') out.push(cur);
  return out;
}

/** A paragraph wrapped to the console width with an indent on every line. */
export function paragraph(text: string, indent = '  ', width: number = CONSOLE_WIDTH): string[] {
  return wrap(text, width - indent.length).map((l) => indent + l);
}

/** Display width (code points; the report only uses narrow characters). */
function strWidth(s: string): number {
  return [...s].length;
}

/** One model's write runs (possibly empty). */
export function writeRuns(result: BenchmarkResult, model: Model): WriteRunResult[] {
  return result.write?.[model] ?? [];
}

/** Per pattern, per model: every repeat's result for that pattern. Patterns keep first-seen order. */
export interface PatternRows {
  pattern: string;
  description: string;
  byModel: Record<Model, QueryPatternResult[]>;
}

/** Groups query results (per repeat, per pattern) by pattern, then model. */
export function groupQueries(result: BenchmarkResult): PatternRows[] {
  const map = new Map<string, PatternRows>();
  for (const model of MODELS) {
    for (const repeat of result.queries?.[model] ?? []) {
      for (const q of repeat) {
        let row = map.get(q.pattern);
        if (!row) {
          row = { pattern: q.pattern, description: q.description, byModel: { stream: [], trace: [] } };
          map.set(q.pattern, row);
        }
        row.byModel[model].push(q);
      }
    }
  }
  return [...map.values()];
}

/** Every query mismatch in the result, in model / repeat / pattern order. */
export function allMismatches(result: BenchmarkResult): (QueryMismatch & { repeat: number })[] {
  const out: (QueryMismatch & { repeat: number })[] = [];
  for (const model of MODELS) {
    (result.queries?.[model] ?? []).forEach((repeat, i) => {
      for (const q of repeat) for (const m of q.mismatches ?? []) out.push({ ...m, repeat: i + 1 });
    });
  }
  return out;
}

/** Summary of one pattern for one model across repeats. */
export interface PatternModelSummary {
  status: 'ok' | 'n/a' | 'error' | 'skipped' | 'absent';
  reason?: string;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  queriesPerSec: number | null;
  meanResultSpans: number | null;
  mismatches: number;
  repeats: number;
}

/** Median percentiles across repeats; status `n/a`/`error` when any repeat says so. */
export function summarizePattern(runs: readonly QueryPatternResult[]): PatternModelSummary {
  const mismatches = runs.reduce((n, r) => n + (r.mismatches?.length ?? 0), 0);
  if (runs.length === 0) {
    return { status: 'absent', p50Ms: null, p95Ms: null, p99Ms: null, queriesPerSec: null, meanResultSpans: null, mismatches, repeats: 0 };
  }
  const na = runs.find((r) => r.status === 'n/a');
  const err = runs.find((r) => r.status === 'error');
  const skipped = runs.find((r) => r.status === 'skipped');
  const ok = runs.filter((r) => r.status === 'ok' && r.latency);
  const pick = (f: (r: QueryPatternResult) => number | undefined) => median(ok.map(f).filter((x): x is number => typeof x === 'number'));
  const base: PatternModelSummary = {
    status: na ? 'n/a' : err ? 'error' : skipped ? 'skipped' : 'ok',
    p50Ms: pick((r) => r.latency?.p50Ms),
    p95Ms: pick((r) => r.latency?.p95Ms),
    p99Ms: pick((r) => r.latency?.p99Ms),
    queriesPerSec: pick((r) => r.queriesPerSec),
    meanResultSpans: mean(ok.map((r) => r.meanResultSpans).filter((x): x is number => typeof x === 'number')),
    mismatches,
    repeats: runs.length,
  };
  const reason = (na ?? err ?? skipped)?.reason;
  if (reason !== undefined) base.reason = reason;
  return base;
}

/** Total errors of a write run. */
export function errorCount(run: WriteRunResult): number {
  return Object.values(run.errorsByStatus ?? {}).reduce((a, b) => a + b, 0);
}

/** Errors by status summed over runs, as `STATUS_X=3, ...` text (or `none`). */
export function fmtErrors(runs: readonly WriteRunResult[]): string {
  const sum: Record<string, number> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.errorsByStatus ?? {})) sum[k] = (sum[k] ?? 0) + v;
  const entries = Object.entries(sum).filter(([, v]) => v > 0);
  return entries.length === 0 ? 'none' : entries.map(([k, v]) => `${k}=${v}`).join(', ');
}

/** Duration between two ISO timestamps in ms (null when either is unparsable). */
export function durationMs(startIso: string, endIso: string): number | null {
  const a = Date.parse(startIso);
  const b = Date.parse(endIso);
  return Number.isFinite(a) && Number.isFinite(b) ? b - a : null;
}

/**
 * The run's options as a short readable list: `scale small (100,000 spans, 10,000 traces, 1 h), seed 42,
 * closed loop, concurrency 4, batch 100, ...`. Keys it does not know are listed as `key value`.
 */
export function fmtOptions(options: Record<string, unknown>): string {
  const o = { ...options };
  const parts: string[] = [];
  const take = (k: string) => {
    const v = o[k];
    delete o[k];
    return v;
  };
  const scale = take('scale');
  const detail = take('scaleDetail') as { spans?: number; traces?: number; services?: number; timeRangeMs?: number } | undefined;
  if (scale !== undefined) {
    const d =
      detail && typeof detail === 'object'
        ? ` (${[
            detail.spans !== undefined ? `${fmtNum(detail.spans)} spans` : '',
            detail.traces !== undefined ? `${fmtNum(detail.traces)} traces` : '',
            detail.services !== undefined ? `${fmtNum(detail.services)} services` : '',
            detail.timeRangeMs !== undefined ? `over ${fmtDuration(detail.timeRangeMs)}` : '',
          ]
            .filter(Boolean)
            .join(', ')})`
        : '';
    parts.push(`scale ${fmtOption(scale)}${d}`);
  }
  const simple: [string, (v: unknown) => string][] = [
    ['seed', (v) => `seed ${fmtOption(v)}`],
    ['mode', (v) => String(v).replace('-', ' ')],
    ['ratePerSec', (v) => `rate ${fmtNum(v as number)} spans/s`],
    ['concurrency', (v) => `concurrency ${fmtOption(v)}`],
    ['batchSize', (v) => `batch ${fmtOption(v)} spans`],
    ['spans', (v) => `${fmtNum(v as number)} spans to write`],
    ['durationMs', (v) => `duration ${fmtDuration(v as number)}`],
    ['warmupSpans', (v) => `warm-up ${fmtNum(v as number)} spans`],
    ['repeats', (v) => `${fmtOption(v)} repeats`],
    ['queryIterations', (v) => `${fmtOption(v)} queries per pattern`],
    ['payloadBytes', (v) => `payload ${fmtBytes(v as number)}`],
  ];
  for (const [k, f] of simple) {
    const v = take(k);
    if (v !== undefined && v !== null) parts.push(f(v));
  }
  const maxSpans = take('maxQuerySpans');
  const maxTraces = take('maxQueryTraces');
  if (maxSpans !== undefined || maxTraces !== undefined) {
    parts.push(`query limit ${fmtNum(maxSpans as number)} spans / ${fmtNum(maxTraces as number)} traces`);
  }
  const end = take('endTimeMs');
  if (typeof end === 'number') parts.push(`data ending ${new Date(end).toISOString().replace('.000Z', 'Z')}`);
  const written = take('spansWritten') as Partial<Record<Model, number>> | undefined;
  if (written && typeof written === 'object') {
    parts.push(
      written.stream === written.trace
        ? `${fmtNum(written.stream)} spans written to each model`
        : `spans written: stream ${fmtNum(written.stream)}, trace ${fmtNum(written.trace)}`,
    );
  }
  take('crossModelCheck');
  for (const [k, v] of Object.entries(o)) parts.push(fmtOptionEntry(k, v));
  return parts.join(', ');
}

/** Longest string value shown whole in the options list; longer ones are cut with an ellipsis. */
const MAX_OPTION_TEXT = 40;
/** Most array items shown; the rest are counted. */
const MAX_OPTION_ITEMS = 4;

/** `generatorThread` -> `generator thread`, `maxQueryResults` -> `max query results`. */
function optionWords(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .trim();
}

/**
 * One `name value` entry of the options list, readable whatever the value: the key in words, a unit taken from
 * the key (`...Ms` a duration, `...Bytes` a size, `...PerSec` a rate), `on`/`off` for booleans, a short list for
 * arrays, nested objects in parentheses, functions as `(function)`, long text cut.
 */
export function fmtOptionEntry(key: string, v: unknown, depth = 0): string {
  const unit = /Ms$/.test(key) ? 'ms' : /Bytes$/.test(key) ? 'bytes' : /PerSec$/.test(key) ? 'rate' : undefined;
  const name = optionWords(
    unit === 'ms' ? key.slice(0, -2) : unit === 'bytes' ? key.slice(0, -5) : unit === 'rate' ? key.slice(0, -6) : key,
  );
  if (typeof v === 'number' && unit === 'ms') return `${name} ${fmtDuration(v)}`;
  if (typeof v === 'number' && unit === 'bytes') return `${name} ${fmtBytes(v)}`;
  if (typeof v === 'number' && unit === 'rate') return `${name} ${fmtNum(v)}/s`;
  return `${name} ${fmtOption(v, depth)}`;
}

/** Renders an options value compactly for the report header (see {@link fmtOptionEntry}). */
export function fmtOption(v: unknown, depth = 0): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (typeof v === 'number') return fmtNum(v);
  if (typeof v === 'bigint') return fmtNum(Number(v));
  if (typeof v === 'function') return '(function)';
  if (typeof v === 'symbol') return v.description ?? 'symbol';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '-' : v.toISOString().replace('.000Z', 'Z');
  if (v instanceof RegExp) return String(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return 'none';
    const shown = v.slice(0, MAX_OPTION_ITEMS).map((x) => fmtOption(x, depth + 1));
    if (v.length > MAX_OPTION_ITEMS) shown.push(`+${v.length - MAX_OPTION_ITEMS} more`);
    return `[${shown.join(', ')}]`;
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return '(none)';
    if (depth >= 2) return `(${entries.length} setting${entries.length === 1 ? '' : 's'})`;
    return `(${entries.map(([k, x]) => fmtOptionEntry(k, x, depth + 1)).join('; ')})`;
  }
  const text = String(v).replace(/\s+/g, ' ');
  return text.length > MAX_OPTION_TEXT ? `${text.slice(0, MAX_OPTION_TEXT - 1)}…` : text;
}

/**
 * One line naming the servers that produced the figures, as they named themselves (GetAPIVersion), with the Docker
 * image and its short id; results without `target.servers` say the server was not asked.
 */
export function serversLine(servers: Partial<Record<'stream' | 'trace', ServerIdentity>> | undefined): string {
  if (!servers?.stream || !servers.trace) return 'Server: not identified (these results predate GetAPIVersion identification)';
  const one = (i: ServerIdentity) => `${i.label}${i.image ? `, image ${i.image}${i.imageId ? ` (${shortImageId(i.imageId)})` : ''}` : ''}`;
  const s = one(servers.stream);
  const t = one(servers.trace);
  return s === t ? `Server: ${s} (both models)` : `Servers: stream ${s}; trace ${t}`;
}

/** `sha256:0123456789abcdef...` -> `sha256:0123456789ab` (Docker's short form). */
function shortImageId(id: string): string {
  const m = /^(sha256:)?([0-9a-f]{12})[0-9a-f]*$/.exec(id);
  return m ? `${m[1] ?? ''}${m[2]}` : id;
}
