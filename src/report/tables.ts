/**
 * The report's tables as data (header + rows of cells), built once and rendered by both the console and
 * the HTML report, so the two always carry the same columns. Internal to src/report.
 */
import { type BenchmarkResult, type Comparison, MODELS, type Model, type TargetInfo, type WriteRunResult } from '../results.js';
import { answerSize, isEmulator } from '../verdict/comparisons.js';
import { fmtCi, fmtFactor, fmtLevel, WHY_TEXT } from '../verdict/summary.js';
import {
  errorCount,
  fmtAcross,
  fmtBytes,
  fmtCv,
  fmtDuration,
  fmtErrors,
  fmtNum,
  fmtPct,
  fmtRatio,
  fmtSpread,
  groupQueries,
  mean,
  median,
  serversLine,
  summarizePattern,
  writeRuns,
} from './format.js';
import { memoryPeaks, patternResourceRows, phaseRows } from './resources.js';

/** A cell: its text, and a style class the HTML report uses (`win-stream`, `win-trace`, `none`, `na`, `mismatch`). */
export interface Cell {
  text: string;
  cls?: string;
}

/** A table of the report. */
export interface ReportTable {
  header: string[];
  rows: (string | Cell)[][];
}

/** Text of a cell. */
export function cellText(c: string | Cell | undefined): string {
  return c === undefined ? '' : typeof c === 'string' ? c : c.text;
}

/** The server line: what each model's server said it is (with the image on Docker), or `unknown`. */
export function serverLine(target: TargetInfo): string {
  return target.servers ? serversLine(target.servers) : 'Server: unknown (not recorded in this result)';
}

/** Short label of a comparison's metric for the tables, with ↑ (higher is better) or ↓ (lower is better). */
export function metricLabel(c: Comparison): string {
  const arrow = c.better === 'higher' ? '↑' : '↓';
  const short: Record<string, string> = {
    'write throughput': 'write spans/s',
    'write payload throughput': 'write MB/s',
    'write batch latency p95': 'write batch p95',
    'write batch latency p99': 'write batch p99',
    'container CPU per 1,000 spans written': 'CPU core-ms/1k spans',
    'container memory peak during writes': 'memory peak, writes',
    'disk bytes per span': 'disk bytes/span',
  };
  let label = short[c.metric];
  if (!label && c.pattern) label = `${c.pattern} ${c.metric.split(' ').at(-1)}`;
  if (!label && c.area === 'disk') label = 'emulator storage/span';
  return `${label ?? c.metric} ${arrow}`;
}

/** `trace 1.50x [1.21–1.86]`: who is ahead by the medians, by what factor, and the interval. */
export function ratioText(c: Comparison): string {
  const e = c.estimate;
  if (!e) return '-';
  const ci = e.ci ? ` [${fmtCi(e.ci)}]` : '';
  return `${e.ahead} ${fmtFactor(e.factor)}${ci}`;
}

/**
 * The verdict cell: `stream wins 1.24x [1.14–1.35] at 98.3%`, or `no winner (within noise): trace 1.06x
 * [0.95–1.18]`; the longer why is in {@link comparisonNotes}.
 */
export function verdictCell(c: Comparison): Cell {
  const e = c.estimate;
  const ci = e?.ci ? ` [${fmtCi(e.ci)}]` : '';
  if (c.winner !== 'none' && e) {
    const lvl = e.level !== undefined ? ` at ${fmtLevel(e.level)}` : '';
    return { text: `${c.winner} wins ${fmtFactor(e.factor)}${ci}${lvl}`, cls: `win-${c.winner}` };
  }
  const why = c.why ? WHY_TEXT[c.why] : 'no winner';
  const lean = e ? `: ${e.ahead} ${fmtFactor(e.factor)}${ci}` : '';
  return { text: `no winner (${why})${lean}`, cls: c.why === 'failed-checks' || c.why === 'failed-work' ? 'na' : 'none' };
}

/** The comparison table: one row per compared figure. */
export function comparisonTable(comparisons: readonly Comparison[]): ReportTable {
  const unit = (c: Comparison) => (c.unit === 'spans/s' || c.unit === 'MB/s' || c.unit === 'core-ms' ? '' : c.unit);
  return {
    header: ['Metric', 'Stream', 'Trace', 'CV s / t', 'Verdict, ratio [interval]'],
    rows: comparisons.map((c) => [
      metricLabel(c),
      fmtSpread(c.stream, unit(c)),
      fmtSpread(c.trace, unit(c)),
      `${fmtCv(c.stream)} / ${fmtCv(c.trace)}`,
      verdictCell(c),
    ]),
  };
}

/** Why each row has the verdict it has, one line per distinct reason, naming the rows: `write spans/s, ...: failed work: ...`. */
export function comparisonNotes(comparisons: readonly Comparison[]): string[] {
  const byNote = new Map<string, string[]>();
  for (const c of comparisons) {
    if (!c.note) continue;
    const list = byNote.get(c.note) ?? [];
    list.push(metricLabel(c).replace(/ [↑↓]$/, ''));
    byNote.set(c.note, list);
  }
  return [...byNote.entries()].map(([note, rows]) => `${rows.join(', ')}: ${note}`);
}

function modeText(runs: readonly WriteRunResult[]): string {
  const r = runs[0];
  if (!r) return '-';
  const rate = r.mode === 'open-loop' && r.targetSpansPerSec !== undefined ? `, ${fmtNum(r.targetSpansPerSec)} spans/s` : '';
  return `${r.mode.replace('-', ' ')}, ${r.concurrency} × ${r.batchSize}${rate}`;
}

function partialText(runs: readonly WriteRunResult[]): Cell {
  if (runs.length === 0) return { text: '-' };
  const n = runs.filter((r) => r.partial).length;
  const failed = runs.find((r) => r.failure)?.failure;
  if (failed) return { text: `FAILED: ${failed.code}`, cls: 'na' };
  return n === 0 ? { text: 'no' } : { text: `YES (${n} of ${runs.length} repeats)`, cls: 'na' };
}

/** Write figures per model, median over repeats (min–max). */
export function writeTable(result: BenchmarkResult): ReportTable | null {
  const runs = { stream: writeRuns(result, 'stream'), trace: writeRuns(result, 'trace') };
  if (runs.stream.length === 0 && runs.trace.length === 0) return null;
  const row = (label: string, f: (r: WriteRunResult) => number | undefined, unit: string) => [
    label,
    fmtAcross(runs.stream.map(f), unit),
    fmtAcross(runs.trace.map(f), unit),
  ];
  return {
    header: ['Write figure', 'Stream', 'Trace'],
    rows: [
      ['repeats', String(runs.stream.length), String(runs.trace.length)],
      ['mode, concurrency × batch', modeText(runs.stream), modeText(runs.trace)],
      row('spans acknowledged', (r) => r.spansAcknowledged, ''),
      row('spans/s', (r) => r.spansPerSec, ''),
      row('traces/s', (r) => r.tracesPerSec, ''),
      row('payload MB/s', (r) => r.payloadMBPerSec, ''),
      row('measured phase', (r) => r.wallClockMs, 'ms'),
      row('batch latency p50', (r) => r.batchLatency?.p50Ms, 'ms'),
      row('batch latency p95', (r) => r.batchLatency?.p95Ms, 'ms'),
      row('batch latency p99', (r) => r.batchLatency?.p99Ms, 'ms'),
      ['errors by status', fmtErrors(runs.stream), fmtErrors(runs.trace)],
      row('schema retries', (r) => r.retries, ''),
      ['partial / failed', partialText(runs.stream), partialText(runs.trace)],
    ],
  };
}

/** Query figures per pattern and model, median over repeats, with each side's answer size. */
export function queryTable(result: BenchmarkResult): ReportTable | null {
  const patterns = groupQueries(result);
  if (patterns.length === 0) return null;
  const rows: (string | Cell)[][] = [];
  for (const p of patterns) {
    for (const model of MODELS) {
      const s = summarizePattern(p.byModel[model]);
      const a = answerSize(p.byModel[model]);
      const mm: Cell = s.mismatches > 0 ? { text: String(s.mismatches), cls: 'mismatch' } : { text: '0' };
      const n = (x: number) => fmtNum(Math.round(x));
      const answer = a
        ? `${n(a.spans)} / ${n(a.traces)}, ${fmtBytes(a.bytes)}${a.capped ? ' (capped)' : ''}`
        : s.meanResultSpans !== null
          ? `${fmtNum(s.meanResultSpans)} / -`
          : '-';
      if (s.status === 'ok') {
        rows.push([
          p.pattern,
          model,
          fmtDuration(s.p50Ms),
          fmtDuration(s.p95Ms),
          fmtDuration(s.p99Ms),
          fmtNum(s.queriesPerSec),
          mm,
          answer,
        ]);
      } else {
        const label = s.status === 'absent' ? 'not run' : s.status;
        rows.push([p.pattern, model, { text: label, cls: 'na' }, '', '', '', mm, '']);
      }
    }
  }
  return { header: ['Pattern', 'Model', 'p50', 'p95', 'p99', 'queries/s', 'mismatches', 'answer: spans / traces, size'], rows };
}

/** Container summaries: CPU and memory. */
export function containerTable(result: BenchmarkResult): ReportTable | null {
  const summaries = result.containers?.summaries ?? [];
  if (summaries.length === 0) return null;
  return {
    header: ['Container', 'Model', 'Samples', 'CPU avg', 'CPU max', 'Mem avg', 'Mem max', 'Mem limit', '% of limit'],
    rows: summaries.map((s) => [
      s.container,
      s.model,
      String(s.samples),
      fmtPct(s.cpuPercentAvg),
      fmtPct(s.cpuPercentMax),
      fmtBytes(s.memBytesAvg),
      fmtBytes(s.memBytesMax),
      fmtBytes(s.memLimitBytes),
      fmtPct(s.memPercentOfLimitMax),
    ]),
  };
}

/** Container summaries: network and block I/O. */
export function containerIoTable(result: BenchmarkResult): ReportTable | null {
  const summaries = result.containers?.summaries ?? [];
  if (summaries.length === 0) return null;
  return {
    header: ['Container', 'Model', 'Net rx', 'Net tx', 'Block read', 'Block write'],
    rows: summaries.map((s) => [
      s.container,
      s.model,
      fmtBytes(s.netRxBytes),
      fmtBytes(s.netTxBytes),
      fmtBytes(s.blockReadBytes),
      fmtBytes(s.blockWriteBytes),
    ]),
  };
}

/** Stream ÷ trace ratios of the whole-run container figures. */
export function containerRatioTable(result: BenchmarkResult): ReportTable | null {
  const summaries = result.containers?.summaries ?? [];
  if (summaries.length === 0) return null;
  const sum = (m: Model, f: (s: (typeof summaries)[number]) => number) => {
    const l = summaries.filter((s) => s.model === m);
    return l.length === 0 ? null : l.reduce((a, s) => a + f(s), 0);
  };
  const r = (label: string, f: (s: (typeof summaries)[number]) => number) => [label, fmtRatio(sum('stream', f), sum('trace', f))];
  return {
    header: ['Whole run', 'Stream ÷ trace'],
    rows: [
      r('CPU avg', (s) => s.cpuPercentAvg),
      r('CPU max', (s) => s.cpuPercentMax),
      r('Memory avg', (s) => s.memBytesAvg),
      r('Memory max', (s) => s.memBytesMax),
      r('Net rx', (s) => s.netRxBytes),
      r('Net tx', (s) => s.netTxBytes),
      r('Block read', (s) => s.blockReadBytes),
      r('Block write', (s) => s.blockWriteBytes),
    ],
  };
}

/** Per phase: that phase's model's container figures while it ran. */
export function phaseTable(result: BenchmarkResult): ReportTable | null {
  const rows = phaseRows(result);
  if (rows.length === 0) return null;
  return {
    header: ['Phase', 'Model', 'Length', 'Samples', 'CPU avg', 'CPU max', 'Mem max'],
    rows: rows.map((r) => [
      r.phase,
      r.model,
      fmtDuration(r.window.endMs - r.window.startMs),
      String(r.figures?.samples ?? 0),
      fmtPct(r.figures?.cpuAvg),
      fmtPct(r.figures?.cpuMax),
      fmtBytes(r.figures?.memMax),
    ]),
  };
}

/** Per query pattern: each model's container figures while that pattern's queries ran. */
export function patternResourceTable(result: BenchmarkResult): ReportTable | null {
  const rows = patternResourceRows(result);
  if (rows.length === 0) return null;
  return {
    header: ['Pattern', 'Stream CPU avg', 'Stream mem max', 'Trace CPU avg', 'Trace mem max'],
    rows: rows.map((r) => [
      r.pattern,
      fmtPct(r.byModel.stream?.cpuAvg),
      fmtBytes(r.byModel.stream?.memMax),
      fmtPct(r.byModel.trace?.cpuAvg),
      fmtBytes(r.byModel.trace?.memMax),
    ]),
  };
}

/** `banyandb-perf-stream-1 (stream): memory peaked at 1.3 GiB during query service-time-range (repeat 2)`. */
export function memoryPeakLines(result: BenchmarkResult): string[] {
  return memoryPeaks(result).map((p) => `${p.container} (${p.model}): memory peaked at ${fmtBytes(p.memBytes)} ${p.during}`);
}

/** Disk (or the emulator's storage) per model. */
export function diskTable(result: BenchmarkResult): ReportTable | null {
  const disk = result.disk ?? [];
  if (disk.length === 0) return null;
  const emu = isEmulator(result.target);
  return {
    header: ['Model', emu ? "Emulator's storage (uncompressed)" : 'Size on disk', 'Bytes', 'Bytes/span'],
    rows: disk.map((d) => [d.model, fmtBytes(d.bytes), fmtNum(d.bytes, 0), fmtNum(d.bytesPerSpan, 1)]),
  };
}

/** The original harness's figures: ops/sec, P95 latency, MB/s, batch size, errors. */
export function harnessTable(result: BenchmarkResult): ReportTable {
  return {
    header: ['Model', 'ops/sec', 'P95 latency', 'MB/s', 'batch size', 'errors'],
    rows: MODELS.map((m) => {
      const runs = writeRuns(result, m);
      return [
        m,
        fmtNum(median(runs.map((r) => r.batchesPerSec))),
        fmtDuration(median(runs.map((r) => r.batchLatency?.p95Ms))),
        fmtNum(median(runs.map((r) => r.payloadMBPerSec))),
        fmtNum(mean(runs.map((r) => r.batchSize))),
        String(runs.reduce((n, r) => n + errorCount(r), 0)),
      ];
    }),
  };
}
