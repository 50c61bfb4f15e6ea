/**
 * Run-vs-run comparison: two results (A, before; B, after — a new BanyanDB version, another schema, other
 * limits) set side by side metric by metric and model by model, with the same method as stream vs trace
 * (src/metrics/stats.ts: ratio of medians, log-ratio interval, Holm–Bonferroni over every row, a minimum
 * number of repeats), saying what got better or worse beyond the noise. A pure function of the two results.
 */

import { type Candidate, judgeFamily } from '../metrics/stats.js';
import { checkOptionKeys, optionKeys } from '../options-check.js';
import {
  type BenchmarkResult,
  MODELS,
  type Model,
  type NoWinnerReason,
  type QueryPatternResult,
  type Spread,
  type WriteRunResult,
} from '../results.js';
import { answerSize, isEmulator, patternNames, patternRuns, queryBlock, samplesIn, writeTrouble } from './comparisons.js';

/** One figure of one model, run A vs run B. */
export interface RunsComparisonRow {
  area: 'writes' | 'queries' | 'resources' | 'disk';
  model: Model;
  metric: string;
  unit: string;
  better: 'higher' | 'lower';
  pattern?: string;
  a: Spread | null;
  b: Spread | null;
  /** B against A: `better` or `worse` beyond the noise, `unchanged` when no change can be named (`why` says why). */
  change: 'better' | 'worse' | 'unchanged';
  /** Better median ÷ worse median (≥ 1) and which run is ahead, winner or not. */
  ahead?: 'a' | 'b';
  factor?: number;
  /** Interval of `factor` at confidence `level` (Holm-corrected over the rows). */
  ci?: [number, number];
  level?: number;
  pAdjusted?: number;
  why?: NoWinnerReason;
  note: string;
}

/** Result of {@link compareResults}. */
export interface ResultsComparison {
  a: RunInfo;
  b: RunInfo;
  /** What differs between the runs' setups: server, target, options (e.g. `scale: small → medium`). */
  differences: string[];
  rows: RunsComparisonRow[];
}

/** Which run a side is. */
export interface RunInfo {
  label: string;
  server: string;
  target: string;
  startedAt: string;
}

/** Options of {@link compareResults}. */
export interface CompareResultsOptions {
  /**
   * Names of the two runs in the output, e.g. their file names.
   * @default ['A', 'B']
   */
  labels?: [string, string];
}

interface Row {
  base: Omit<RunsComparisonRow, 'a' | 'b' | 'change' | 'note'>;
  candidate: Candidate;
}

function serverOf(r: BenchmarkResult, m?: Model): string {
  const s = r.target?.servers;
  if (!s) return `unknown (${r.target?.server ?? 'not recorded'})`;
  if (m) return s[m]?.label ?? 'unknown';
  return s.stream?.label === s.trace?.label ? (s.stream?.label ?? 'unknown') : `stream ${s.stream?.label}; trace ${s.trace?.label}`;
}

function values(list: readonly (number | undefined)[]): number[] {
  return list.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

function differences(a: BenchmarkResult, b: BenchmarkResult): string[] {
  const out: string[] = [];
  if (serverOf(a) !== serverOf(b)) out.push(`server: ${serverOf(a)} → ${serverOf(b)}`);
  if (a.target?.description !== b.target?.description) out.push(`target: ${a.target?.description} → ${b.target?.description}`);
  const keys = new Set([...Object.keys(a.options ?? {}), ...Object.keys(b.options ?? {})]);
  for (const k of ['endTimeMs', 'crossModelCheck', 'scaleDetail']) keys.delete(k);
  for (const k of keys) {
    const x = JSON.stringify(a.options?.[k]);
    const y = JSON.stringify(b.options?.[k]);
    if (x !== y) out.push(`${k}: ${x ?? 'unset'} → ${y ?? 'unset'}`);
  }
  if (isEmulator(a.target) !== isEmulator(b.target)) {
    out.push("one run is the emulator's and the other is not: the emulator's figures are never BanyanDB's");
  }
  return out;
}

/**
 * Sets two results side by side: per model, the write figures, each query pattern's latency p50 and p95
 * (patterns in both runs), the container figures during the write repeats, and the disk footprint (one
 * measurement: never a change beyond noise; not compared between the emulator and BanyanDB). Every row that
 * reaches the test is one member of the Holm–Bonferroni family. A row is `unchanged` with its `why` when a
 * run's work failed, its answers failed checks, the answers of the two runs differ in size, a model cannot
 * answer, or there are too few repeats.
 */
export function compareResults(a: BenchmarkResult, b: BenchmarkResult, opts: CompareResultsOptions = {}): ResultsComparison {
  checkOptionKeys(opts, optionKeys<CompareResultsOptions>({ labels: true }), 'compareResults()');
  const labels = opts.labels ?? ['A', 'B'];
  const rows: Row[] = [];
  for (const m of MODELS) rows.push(...writeRows(a, b, m, labels));
  for (const m of MODELS) rows.push(...queryRows(a, b, m, labels));
  for (const m of MODELS) rows.push(...resourceRows(a, b, m));
  const judged = judgeFamily(
    rows.map((r) => r.candidate),
    { names: labels },
  );
  const out: RunsComparisonRow[] = rows.map((r, i) => {
    const j = judged[i]!;
    const row: RunsComparisonRow = {
      ...r.base,
      a: j.a,
      b: j.b,
      change: j.winner === 'b' ? 'better' : j.winner === 'a' ? 'worse' : 'unchanged',
      note: j.note,
    };
    if (j.ahead === 'a' || j.ahead === 'b') row.ahead = j.ahead;
    if (j.factor !== undefined) row.factor = j.factor;
    if (j.ci) row.ci = j.ci;
    if (j.level !== undefined) row.level = j.level;
    if (j.pAdjusted !== undefined) row.pAdjusted = j.pAdjusted;
    if (j.why) row.why = j.why as NoWinnerReason;
    return row;
  });
  out.push(...diskRows(a, b, labels));
  const info = (r: BenchmarkResult, label: string): RunInfo => ({
    label,
    server: serverOf(r),
    target: r.target?.description ?? '-',
    startedAt: r.startedAt,
  });
  return { a: info(a, labels[0]), b: info(b, labels[1]), differences: differences(a, b), rows: out };
}

function writeRows(a: BenchmarkResult, b: BenchmarkResult, m: Model, labels: [string, string]): Row[] {
  const runs = (r: BenchmarkResult) => (r.write?.[m] ?? []).filter((x) => x.batches > 0);
  const trouble = [
    [labels[0], writeTrouble(m, a.write?.[m] ?? [])],
    [labels[1], writeTrouble(m, b.write?.[m] ?? [])],
  ]
    .filter(([, t]) => t !== null)
    .map(([l, t]) => `${l}: ${t}`);
  const blocked = trouble.length > 0 ? { why: 'failed-work', note: `failed work: ${trouble.join('; ')}` } : undefined;
  const row = (metric: string, unit: string, better: 'higher' | 'lower', f: (r: WriteRunResult) => number | undefined): Row => ({
    base: { area: 'writes', model: m, metric, unit, better },
    candidate: { better, a: values(runs(a).map(f)), b: values(runs(b).map(f)), ...(blocked ? { blocked } : {}) },
  });
  return [
    row('write throughput', 'spans/s', 'higher', (r) => r.spansPerSec),
    row('write payload throughput', 'MB/s', 'higher', (r) => r.payloadMBPerSec),
    row('write batch latency p95', 'ms', 'lower', (r) => r.batchLatency?.p95Ms),
    row('write batch latency p99', 'ms', 'lower', (r) => r.batchLatency?.p99Ms),
  ];
}

function queryRows(a: BenchmarkResult, b: BenchmarkResult, m: Model, labels: [string, string]): Row[] {
  const rows: Row[] = [];
  const inB = new Set(patternNames(b.queries ?? { stream: [], trace: [] }));
  for (const p of patternNames(a.queries ?? { stream: [], trace: [] }).filter((x) => inB.has(x))) {
    const ra = patternRuns(a.queries, m, p);
    const rb = patternRuns(b.queries, m, p);
    const blocked = queryBlock(
      [
        { who: `${labels[0]} ${m}`, runs: ra },
        { who: `${labels[1]} ${m}`, runs: rb },
      ],
      [answerSize(ra), answerSize(rb)],
    );
    for (const [label, f] of [
      ['p50', (r: QueryPatternResult) => r.latency?.p50Ms],
      ['p95', (r: QueryPatternResult) => r.latency?.p95Ms],
    ] as const) {
      const ok = (runs: QueryPatternResult[]) => values(runs.filter((r) => r.status === 'ok').map(f));
      rows.push({
        base: { area: 'queries', model: m, metric: `query ${p} latency ${label}`, unit: 'ms', better: 'lower', pattern: p },
        candidate: { better: 'lower', a: ok(ra), b: ok(rb), ...(blocked ? { blocked } : {}) },
      });
    }
  }
  return rows;
}

function resourceRows(a: BenchmarkResult, b: BenchmarkResult, m: Model): Row[] {
  const perRepeat = (r: BenchmarkResult) =>
    (r.write?.[m] ?? [])
      .filter((w) => w.window && w.spansAcknowledged > 0)
      .map((w) => ({ run: w, s: samplesIn(r.containers?.samples ?? [], m, w.window!) }))
      .filter((x) => x.s.length > 0);
  const pa = perRepeat(a);
  const pb = perRepeat(b);
  if (pa.length === 0 || pb.length === 0) return [];
  const cpu = (x: (typeof pa)[number]) =>
    ((x.s.reduce((s, v) => s + v.cpuPercent, 0) / x.s.length / 100) * x.run.wallClockMs) / (x.run.spansAcknowledged / 1000);
  const mem = (x: (typeof pa)[number]) => Math.max(...x.s.map((s) => s.memBytes));
  return [
    {
      base: { area: 'resources', model: m, metric: 'container CPU per 1,000 spans written', unit: 'core-ms', better: 'lower' },
      candidate: { better: 'lower', a: pa.map(cpu), b: pb.map(cpu) },
    },
    {
      base: { area: 'resources', model: m, metric: 'container memory peak during writes', unit: 'bytes', better: 'lower' },
      candidate: { better: 'lower', a: pa.map(mem), b: pb.map(mem) },
    },
  ];
}

function diskRows(a: BenchmarkResult, b: BenchmarkResult, labels: [string, string]): RunsComparisonRow[] {
  const out: RunsComparisonRow[] = [];
  for (const m of MODELS) {
    const da = a.disk?.find((d) => d.model === m);
    const db = b.disk?.find((d) => d.model === m);
    if (!da || !db) continue;
    const emuA = isEmulator(a.target);
    const emuB = isEmulator(b.target);
    const metric = emuA && emuB ? "emulator's storage per span (uncompressed, not BanyanDB's)" : 'disk bytes per span';
    const why: NoWinnerReason = 'single-measurement';
    const note =
      emuA !== emuB
        ? "not compared: one run's figure is the emulator's uncompressed storage, the other BanyanDB's disk"
        : 'one measurement per run: no noise estimate, so no change is named';
    const [j] = judgeFamily([{ better: 'lower', a: [da.bytesPerSpan], b: [db.bytesPerSpan], blocked: { why, note } }], {
      names: labels,
    });
    const row: RunsComparisonRow = {
      area: 'disk',
      model: m,
      metric,
      unit: 'B',
      better: 'lower',
      a: j!.a,
      b: j!.b,
      change: 'unchanged',
      why,
      note,
    };
    if (emuA === emuB && (j!.ahead === 'a' || j!.ahead === 'b')) {
      row.ahead = j!.ahead;
      if (j!.factor !== undefined) row.factor = j!.factor;
    }
    if (emuA !== emuB) {
      row.a = null;
      row.b = null;
    }
    out.push(row);
  }
  return out;
}
