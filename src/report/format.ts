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

/** Milliseconds with a unit, e.g. `12.3 ms`, `1.25 s`. */
export function fmtMs(ms: number | null | undefined): string {
  const v = finite(ms);
  if (v === null) return '-';
  if (Math.abs(v) >= 10_000) return `${fmtNum(v / 1000, 1)} s`;
  return `${fmtNum(v)} ms`;
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

/** `median (min–max)` for n > 1, the lone value for n = 1, `-` for none. */
export function fmtSpread(s: Spread | null | undefined, unit: string): string {
  if (!s || s.values.length === 0) return '-';
  if (s.values.length === 1) return fmtValue(s.median, unit);
  // Units once, at the end: `2,631 (2,625–2,697) spans/s`; ms and bytes keep their own scaling.
  if (unit === 'ms' || unit === 'bytes' || unit === 'B') {
    return `${fmtValue(s.median, unit)} (${fmtValue(s.min, unit)}–${fmtValue(s.max, unit)})`;
  }
  const tail = unit === '' ? '' : unit === '%' ? '%' : ` ${unit}`;
  return `${fmtNum(s.median)} (${fmtNum(s.min)}–${fmtNum(s.max)})${tail}`;
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

/** Values of one figure across the repeats, as `median (min–max)` text. */
export function fmtAcross(values: readonly number[], unit: string): string {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return '-';
  const m = fmtValue(median(v), unit);
  if (v.length === 1) return m;
  return `${m} (${fmtValue(Math.min(...v), unit)}–${fmtValue(Math.max(...v), unit)})`;
}

/** Renders rows as an aligned plain-text table with a header rule. Numbers-looking cells are right-aligned. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], indent = '  '): string {
  const widths = header.map((h, i) => Math.max(strWidth(h), ...rows.map((r) => strWidth(r[i] ?? ''))));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[-+]?[\d.,]+|^-$/.test(r[i] ?? '') || (r[i] ?? '') === ''));
  const line = (cells: readonly string[]) =>
    indent +
    cells
      .map((c, i) => {
        const w = widths[i] ?? 0;
        const pad = ' '.repeat(Math.max(0, w - strWidth(c)));
        return numeric[i] && i > 0 ? pad + c : c + pad;
      })
      .join('  ')
      .trimEnd();
  const rule = indent + widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
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
  status: 'ok' | 'n/a' | 'error' | 'absent';
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
  const ok = runs.filter((r) => r.status === 'ok' && r.latency);
  const pick = (f: (r: QueryPatternResult) => number | undefined) => median(ok.map(f).filter((x): x is number => typeof x === 'number'));
  const base: PatternModelSummary = {
    status: na ? 'n/a' : err ? 'error' : 'ok',
    p50Ms: pick((r) => r.latency?.p50Ms),
    p95Ms: pick((r) => r.latency?.p95Ms),
    p99Ms: pick((r) => r.latency?.p99Ms),
    queriesPerSec: pick((r) => r.queriesPerSec),
    meanResultSpans: mean(ok.map((r) => r.meanResultSpans).filter((x): x is number => typeof x === 'number')),
    mismatches,
    repeats: runs.length,
  };
  const reason = (na ?? err)?.reason;
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

/** Renders an options value compactly for the report header. */
export function fmtOption(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'object') {
    try {
      return JSON.stringify(v);
    } catch {
      return String(v);
    }
  }
  return String(v);
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
