/**
 * The plain-text report printed after a run (and by `banyandb-perf summary`).
 */
import { type BenchmarkResult, type Comparison, type ContainerStatsSummary, MODELS, type Model } from '../results.js';
import {
  allMismatches,
  durationMs,
  EMULATOR_WARNING,
  errorCount,
  fmtAcross,
  fmtBytes,
  fmtErrors,
  fmtMs,
  fmtNum,
  fmtOption,
  fmtPct,
  fmtRatio,
  fmtSpread,
  groupQueries,
  isEmulatorTarget,
  mean,
  median,
  serversLine,
  summarizePattern,
  textTable,
  writeRuns,
} from './format.js';

/** Options of {@link formatConsoleReport}. */
export interface ConsoleReportOptions {
  /**
   * Colour the warnings and winners with ANSI escapes.
   * @default false
   */
  color?: boolean;
}

const ANSI = { bold: '\x1b[1m', red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', dim: '\x1b[2m', reset: '\x1b[0m' };
type Paint = (style: keyof typeof ANSI, s: string) => string;

/**
 * Formats a benchmark result as plain text: the target first (with a loud warning when the emulator
 * served the run), then the per-metric comparison, write summary, query table with every mismatch
 * listed, container resources with Stream/Trace ratios, disk footprint and the original harness's figures.
 */
export function formatConsoleReport(result: BenchmarkResult, opts: ConsoleReportOptions = {}): string {
  const paint: Paint = opts.color ? (style, s) => `${ANSI[style]}${s}${ANSI.reset}` : (_style, s) => s;
  const out: string[] = [];
  out.push(...targetLines(result, paint));
  out.push('');
  out.push(...runLines(result, paint));
  out.push('', section('Comparison (stream vs trace)'), comparisonTable(result.comparisons ?? [], paint));
  out.push('', section('Writes'), ...writeLines(result));
  out.push('', section('Queries'), ...queryLines(result, paint));
  out.push('', section('Containers'), ...containerLines(result));
  out.push('', section('Disk footprint'), ...diskLines(result));
  out.push('', section('Original harness figures'), ...harnessLines(result));
  return `${out.join('\n')}\n`;
}

function section(title: string): string {
  return `== ${title} ${'='.repeat(Math.max(3, 70 - title.length))}`;
}

function targetLines(result: BenchmarkResult, paint: Paint): string[] {
  const t = result.target;
  const lines = [`Target: ${t.description} (kind: ${t.kind}, server: ${t.server})`];
  if (isEmulatorTarget(t)) {
    lines.push(paint('bold', paint('red', `!!! ${EMULATOR_WARNING}. Do not use them to choose between the models. !!!`)));
  } else if (t.server === 'unknown') {
    lines.push(paint('yellow', 'Server not identified (external addresses): check what served these figures.'));
  }
  lines.push(serversLine(t.servers));
  lines.push(`Addresses: stream ${t.addresses?.stream ?? '-'}, trace ${t.addresses?.trace ?? '-'}`);
  if (t.images && (t.images.stream || t.images.trace)) {
    lines.push(`Images: stream ${t.images.stream ?? '-'}, trace ${t.images.trace ?? '-'}`);
  }
  return lines;
}

function runLines(result: BenchmarkResult, paint: Paint): string[] {
  const lines = [
    `${result.tool?.name ?? 'banyandb-perf'} ${result.tool?.version ?? ''} — results schema v${result.schemaVersion}`.replace('  ', ' '),
    `Run: ${result.startedAt} → ${result.finishedAt} (${fmtMs(durationMs(result.startedAt, result.finishedAt))})`,
  ];
  const opts = Object.entries(result.options ?? {});
  if (opts.length > 0) lines.push(`Options: ${opts.map(([k, v]) => `${k}=${fmtOption(v)}`).join(' ')}`);
  if (result.partial) lines.push(paint('yellow', 'PARTIAL: the run was aborted or failed part way; figures cover only what was done.'));
  return lines;
}

/** The comparison table: one row per metric. */
function comparisonTable(comparisons: readonly Comparison[], paint: Paint): string {
  if (comparisons.length === 0) return '  (no comparisons in this result)';
  const rows = comparisons.map((c) => {
    const verdict =
      c.winner === 'none'
        ? `no clear winner${c.note ? ` — ${c.note}` : ''}`
        : `${c.winner} wins${c.ratio !== undefined ? `, ${fmtNum(c.ratio, 2)}x ${c.better === 'higher' ? 'higher' : 'lower'}` : ''}${c.note ? ` (${c.note})` : ''}`;
    return [`${c.metric} (${c.better} is better)`, fmtSpread(c.stream, c.unit), fmtSpread(c.trace, c.unit), verdict];
  });
  const table = ['  median (min–max over repeats)', textTable(['Metric', 'Stream', 'Trace', 'Winner / ratio'], rows)].join('\n');
  if (!paintsColor(paint)) return table;
  return table
    .split('\n')
    .map((line) => line.replace(/(stream|trace) wins(, [\d.,]+x (higher|lower))?/, (m) => paint('green', m)))
    .join('\n');
}

function paintsColor(paint: Paint): boolean {
  return paint('bold', '') !== '';
}

function writeLines(result: BenchmarkResult): string[] {
  const runs = { stream: writeRuns(result, 'stream'), trace: writeRuns(result, 'trace') };
  if (runs.stream.length === 0 && runs.trace.length === 0) return ['  (no write runs in this result)'];
  const across = (m: Model, f: (r: (typeof runs)['stream'][number]) => number, unit: string) => fmtAcross(runs[m].map(f), unit);
  const row = (label: string, f: (r: (typeof runs)['stream'][number]) => number, unit: string) => [
    label,
    across('stream', f, unit),
    across('trace', f, unit),
  ];
  const rows = [
    ['repeats', String(runs.stream.length), String(runs.trace.length)],
    ['mode', modeText(runs.stream), modeText(runs.trace)],
    row('spans acknowledged', (r) => r.spansAcknowledged, ''),
    row('spans/s', (r) => r.spansPerSec, ''),
    row('traces/s', (r) => r.tracesPerSec, ''),
    row('payload MB/s', (r) => r.payloadMBPerSec, ''),
    row('batch latency p50', (r) => r.batchLatency?.p50Ms, 'ms'),
    row('batch latency p95', (r) => r.batchLatency?.p95Ms, 'ms'),
    row('batch latency p99', (r) => r.batchLatency?.p99Ms, 'ms'),
    ['errors by status', fmtErrors(runs.stream), fmtErrors(runs.trace)],
    row('schema retries', (r) => r.retries, ''),
    ['partial', partialText(runs.stream), partialText(runs.trace)],
  ];
  return [
    '  median over repeats (min–max)',
    textTable(
      ['', 'Stream', 'Trace'],
      rows.map((r) => r.map((c) => c ?? '-')),
    ),
  ];
}

function modeText(runs: readonly { mode: string; concurrency: number; batchSize: number; targetSpansPerSec?: number }[]): string {
  const r = runs[0];
  if (!r) return '-';
  const rate = r.mode === 'open-loop' && r.targetSpansPerSec !== undefined ? `, ${fmtNum(r.targetSpansPerSec)} spans/s target` : '';
  return `${r.mode}, concurrency ${r.concurrency}, batch ${r.batchSize}${rate}`;
}

function partialText(runs: readonly { partial: boolean }[]): string {
  if (runs.length === 0) return '-';
  const n = runs.filter((r) => r.partial).length;
  return n === 0 ? 'no' : `YES (${n} of ${runs.length} repeats)`;
}

function queryLines(result: BenchmarkResult, paint: Paint): string[] {
  const patterns = groupQueries(result);
  if (patterns.length === 0) return ['  (no query results in this result)'];
  const rows: string[][] = [];
  const notRun: string[] = [];
  for (const p of patterns) {
    for (const model of MODELS) {
      const s = summarizePattern(p.byModel[model]);
      if (s.status === 'ok') {
        rows.push([
          p.pattern,
          model,
          fmtMs(s.p50Ms),
          fmtMs(s.p95Ms),
          fmtMs(s.p99Ms),
          fmtNum(s.queriesPerSec),
          fmtNum(s.meanResultSpans),
          String(s.mismatches),
        ]);
      } else {
        const label = s.status === 'absent' ? 'not run' : s.status;
        rows.push([p.pattern, model, label, '', '', '', '', String(s.mismatches)]);
        if (s.status !== 'absent') notRun.push(`  ${p.pattern} (${model}): ${s.status}${s.reason ? ` — ${s.reason}` : ''}`);
      }
    }
  }
  const lines = [
    '  median over repeats',
    textTable(['Pattern', 'Model', 'p50', 'p95', 'p99', 'queries/s', 'mean spans', 'mismatches'], rows),
  ];
  const descs = patterns.filter((p) => p.description).map((p) => `  ${p.pattern}: ${p.description}`);
  if (notRun.length > 0) lines.push('', '  Not answered:', ...notRun.map((d) => `  ${d}`));
  if (descs.length > 0) lines.push('', '  Patterns:', ...descs.map((d) => `  ${d}`));
  const mismatches = allMismatches(result);
  if (mismatches.length === 0) {
    lines.push('', '  Mismatches: none');
  } else {
    lines.push('', paint('red', `  Mismatches: ${mismatches.length}`));
    for (const m of mismatches) {
      lines.push(
        `    - [${m.model}, repeat ${m.repeat}] ${m.pattern}: ${m.what} expected ${m.expected}, got ${m.actual} (against ${m.against})`,
      );
    }
  }
  return lines;
}

function containerLines(result: BenchmarkResult): string[] {
  const summaries = result.containers?.summaries ?? [];
  if (summaries.length === 0) {
    return ['  (no container statistics: the run did not use containers started by banyandb-perf)'];
  }
  const rows = summaries.map((s) => [
    s.container,
    s.model,
    String(s.samples),
    fmtPct(s.cpuPercentAvg),
    fmtPct(s.cpuPercentMax),
    fmtBytes(s.memBytesAvg),
    fmtBytes(s.memBytesMax),
    fmtBytes(s.memLimitBytes),
    fmtPct(s.memPercentOfLimitMax),
    fmtBytes(s.netRxBytes),
    fmtBytes(s.netTxBytes),
    fmtBytes(s.blockReadBytes),
    fmtBytes(s.blockWriteBytes),
  ]);
  const lines = [
    textTable(
      [
        'Container',
        'Model',
        'Samples',
        'CPU avg',
        'CPU max',
        'Mem avg',
        'Mem max',
        'Mem limit',
        '%limit',
        'Net rx',
        'Net tx',
        'Blk read',
        'Blk write',
      ],
      rows,
    ),
  ];
  const byModel = (m: Model): ContainerStatsSummary[] => summaries.filter((s) => s.model === m);
  const sum = (m: Model, f: (s: ContainerStatsSummary) => number) => {
    const list = byModel(m);
    return list.length === 0 ? null : list.reduce((a, s) => a + f(s), 0);
  };
  const ratios: [string, (s: ContainerStatsSummary) => number][] = [
    ['CPU avg', (s) => s.cpuPercentAvg],
    ['CPU max', (s) => s.cpuPercentMax],
    ['Memory avg', (s) => s.memBytesAvg],
    ['Memory max', (s) => s.memBytesMax],
    ['Net rx', (s) => s.netRxBytes],
    ['Net tx', (s) => s.netTxBytes],
    ['Block read', (s) => s.blockReadBytes],
    ['Block write', (s) => s.blockWriteBytes],
  ];
  lines.push('', '  Ratios (Stream/Trace; below 1 means stream used less):');
  lines.push(
    textTable(
      ['Resource', 'Stream/Trace'],
      ratios.map(([label, f]) => [label, fmtRatio(sum('stream', f), sum('trace', f))]),
    ),
  );
  return lines;
}

function diskLines(result: BenchmarkResult): string[] {
  const disk = result.disk ?? [];
  if (disk.length === 0) return ['  (no disk footprint measured)'];
  const rows = disk.map((d) => [d.model, fmtBytes(d.bytes), fmtNum(d.bytes, 0), fmtNum(d.bytesPerSpan, 1)]);
  const lines = [textTable(['Model', 'Size', 'Bytes', 'Bytes/span'], rows)];
  const s = disk.find((d) => d.model === 'stream');
  const t = disk.find((d) => d.model === 'trace');
  if (s && t) lines.push(`  Bytes per span, Stream/Trace: ${fmtRatio(s.bytesPerSpan, t.bytesPerSpan)}`);
  return lines;
}

function harnessLines(result: BenchmarkResult): string[] {
  const lines = [
    '  For setting beside figures published from the original Go harness (upstream PR #795):',
    '  ops/sec = write batches per second, latency = per-batch P95, MB/s = payload megabytes per second.',
    '  Unlike that harness, throughput here is acknowledged work over wall-clock time, not over summed latencies.',
  ];
  const rows = MODELS.map((m) => {
    const runs = writeRuns(result, m);
    return [
      m,
      fmtNum(median(runs.map((r) => r.batchesPerSec))),
      fmtMs(median(runs.map((r) => r.batchLatency?.p95Ms))),
      fmtNum(median(runs.map((r) => r.payloadMBPerSec))),
      fmtNum(mean(runs.map((r) => r.batchSize))),
      String(runs.reduce((n, r) => n + errorCount(r), 0)),
    ];
  });
  lines.push(textTable(['Model', 'ops/sec', 'P95 latency', 'MB/s', 'batch size', 'errors'], rows));
  return lines;
}
