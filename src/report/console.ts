/**
 * The plain-text report printed after a run (and by `banyandb-perf summary`): the verdict first, in a few
 * lines, then the detailed tables. Every line fits 120 columns.
 */

import { checkOptionKeys, optionKeys } from '../options-check.js';
import type { BenchmarkResult, Comparison } from '../results.js';
import { buildComparisons } from '../verdict/comparisons.js';
import { type AreaVerdict, methodLine, summarizeVerdict } from '../verdict/summary.js';
import {
  allMismatches,
  CONSOLE_WIDTH,
  durationMs,
  EMULATOR_WARNING,
  fmtDuration,
  fmtOptions,
  groupQueries,
  isEmulatorTarget,
  paragraph,
  summarizePattern,
  textTable,
  wrap,
} from './format.js';
import { mixedConsoleSection, mixedVerdict, serverMetricsConsoleSection } from './mixed-section.js';
import {
  type Cell,
  cellText,
  comparisonNotes,
  comparisonTable,
  containerIoTable,
  containerRatioTable,
  containerTable,
  diskTable,
  harnessTable,
  memoryPeakLines,
  patternResourceTable,
  phaseTable,
  queryTable,
  type ReportTable,
  serverLine,
  writeTable,
} from './tables.js';

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
 * The comparisons a report shows: recomputed from the result's figures with the current method (so an
 * older results file is judged the same way as a new one), falling back to the stored ones when the result
 * holds no per-repeat figures.
 */
export function reportComparisons(result: BenchmarkResult): Comparison[] {
  const hasFigures = ['stream', 'trace'].some(
    (m) => (result.write?.[m as 'stream']?.length ?? 0) > 0 || (result.queries?.[m as 'stream']?.length ?? 0) > 0,
  );
  if (!hasFigures && (result.disk ?? []).length === 0) return result.comparisons ?? [];
  return buildComparisons({
    write: result.write ?? { stream: [], trace: [] },
    queries: result.queries ?? { stream: [], trace: [] },
    ...(result.disk ? { disk: result.disk } : {}),
    ...(result.containers ? { containers: result.containers } : {}),
    target: result.target,
  });
}

/**
 * Formats a benchmark result as plain text. First screen: what served the run (server identity, target,
 * the emulator warning), the run in one line, the options as a short list, then the verdict per area and
 * the method; then the comparison table, writes, queries (pattern descriptions once), containers (whole
 * run, per phase, per pattern), disk and the original harness's figures.
 */
export function formatConsoleReport(result: BenchmarkResult, opts: ConsoleReportOptions = {}): string {
  checkOptionKeys(opts, optionKeys<ConsoleReportOptions>({ color: true }), 'formatConsoleReport()');
  const paint: Paint = opts.color ? (style, s) => `${ANSI[style]}${s}${ANSI.reset}` : (_style, s) => s;
  const comparisons = reportComparisons(result);
  const out: string[] = [];
  out.push(...headLines(result, paint));
  out.push('', section('Verdict'), ...verdictLines(comparisons, paint, mixedVerdict(result)));
  out.push('', section('Comparison (median over repeats, min–max; CV = standard deviation ÷ mean)'));
  out.push(comparisons.length === 0 ? '  (no comparisons in this result)' : renderTable(comparisonTable(comparisons), paint));
  out.push('  ↑ higher is better, ↓ lower is better. Ratio = better median ÷ worse median, [interval] at the confidence shown.');
  const notes = comparisonNotes(comparisons);
  if (notes.length > 0) out.push('  Why:', ...notes.flatMap((n) => paragraph(n, '    ').map((l, i) => (i === 0 ? l : `  ${l}`))));
  out.push('', section('Writes'), ...writeLines(result));
  out.push('', section('Queries'), ...queryLines(result, paint));
  out.push('', section('Containers'), ...containerLines(result));
  out.push('', section(diskTitle(result)), ...diskLines(result));
  const mixed = mixedConsoleSection(result);
  if (mixed !== undefined) out.push('', section('Queries under ingest'), ...mixed.split('\n').slice(1));
  const server = serverMetricsConsoleSection(result);
  if (server !== undefined) out.push('', section('Server metrics'), ...server.split('\n').slice(1));
  out.push('', section('Original harness figures'), ...harnessLines(result));
  return `${out.map((l) => l.trimEnd()).join('\n')}\n`;
}

function section(title: string): string {
  return `== ${title} ${'='.repeat(Math.max(3, 80 - title.length))}`.slice(0, CONSOLE_WIDTH);
}

function renderTable(t: ReportTable, paint: Paint): string {
  const text = textTable(
    t.header,
    t.rows.map((r) => r.map(cellText)),
  );
  if (!paintsColor(paint)) return text;
  return text.replace(/\b(stream|trace) wins\b/g, (m) => paint('green', m));
}

function paintsColor(paint: Paint): boolean {
  return paint('bold', '') !== '';
}

function headLines(result: BenchmarkResult, paint: Paint): string[] {
  const t = result.target;
  const lines = [
    `${result.tool?.name ?? 'banyandb-perf'} ${result.tool?.version ?? ''}: stream vs trace`.replace('  ', ' '),
    ...hanging(serverLine(t)),
    ...hanging(`Target: ${t.description} (${t.kind}; stream ${t.addresses?.stream ?? '-'}, trace ${t.addresses?.trace ?? '-'})`),
  ];
  if (isEmulatorTarget(t)) {
    lines.push(paint('bold', paint('red', `!!! ${EMULATOR_WARNING}. Do not use them to choose between the models. !!!`)));
  } else if (t.server === 'unknown' && !t.servers) {
    lines.push(paint('yellow', 'Server not identified (external addresses): check what served these figures.'));
  }
  if (t.images && (t.images.stream || t.images.trace))
    lines.push(`Images: stream ${t.images.stream ?? '-'}, trace ${t.images.trace ?? '-'}`);
  lines.push(`Run: ${result.startedAt} → ${result.finishedAt} (${fmtDuration(durationMs(result.startedAt, result.finishedAt))})`);
  const opts = fmtOptions(result.options ?? {});
  if (opts) lines.push(...hanging(`Options: ${opts}`));
  if (result.partial) lines.push(paint('yellow', 'PARTIAL: the run was aborted or failed part way; figures cover only what was done.'));
  return lines;
}

/** A paragraph whose continuation lines are indented by two spaces. */
function hanging(text: string): string[] {
  const [first, ...rest] = wrap(text, CONSOLE_WIDTH);
  return [first ?? '', ...(rest.length > 0 ? wrap(rest.join(' '), CONSOLE_WIDTH - 2).map((l) => `  ${l}`) : [])];
}

function verdictLines(comparisons: readonly Comparison[], paint: Paint, mixed?: AreaVerdict): string[] {
  const areas = [...summarizeVerdict(comparisons), ...(mixed ? [mixed] : [])];
  if (areas.length === 0) return ['  (nothing was compared in this result)'];
  const w = Math.min(20, Math.max(...areas.map((a) => a.label.length)));
  const lines: string[] = [];
  for (const a of areas) {
    const textWidth = CONSOLE_WIDTH - 2 - w - 2;
    const parts = wrap(a.text, textWidth);
    const first = `  ${a.label.padEnd(w)}  ${parts[0] ?? ''}`;
    lines.push(a.winner === 'stream' || a.winner === 'trace' ? first.replace(/\b(stream|trace) wins\b/, (m) => paint('green', m)) : first);
    for (const p of parts.slice(1)) lines.push(`  ${' '.repeat(w)}  ${p}`);
  }
  lines.push(...paragraph(methodLine(comparisons)));
  return lines;
}

function writeLines(result: BenchmarkResult): string[] {
  const t = writeTable(result);
  if (!t) return ['  (no write runs in this result)'];
  return ['  median over repeats (min–max)', renderTable(t, (_s, x) => x)];
}

function queryLines(result: BenchmarkResult, paint: Paint): string[] {
  const t = queryTable(result);
  if (!t) return ['  (no query results in this result)'];
  const patterns = groupQueries(result);
  const lines = [
    '  median over repeats; answer = spans / traces and bytes returned per query (capped: cut by the query limit)',
    renderTable(t, paint),
  ];
  const notRun: string[] = [];
  for (const p of patterns) {
    for (const model of ['stream', 'trace'] as const) {
      const s = summarizePattern(p.byModel[model]);
      if (s.status === 'n/a' || s.status === 'error')
        notRun.push(`${p.pattern} (${model}): ${s.status}${s.reason ? ` — ${s.reason}` : ''}`);
    }
  }
  if (notRun.length > 0) lines.push('', '  Not answered:', ...notRun.flatMap((d) => paragraph(d, '    ')));
  const descs = patterns.filter((p) => p.description);
  if (descs.length > 0) {
    const w = Math.max(...descs.map((p) => p.pattern.length));
    lines.push('', '  Patterns:', ...descs.flatMap((p) => paragraph(`${p.pattern.padEnd(w)}  ${p.description}`, '    ')));
  }
  const mismatches = allMismatches(result);
  if (mismatches.length === 0) {
    lines.push('', '  Mismatches: none');
  } else {
    lines.push('', paint('red', `  Mismatches: ${mismatches.length}`));
    for (const m of mismatches) {
      lines.push(
        ...paragraph(
          `- [${m.model}, repeat ${m.repeat}] ${m.pattern}: ${m.what} expected ${m.expected}, got ${m.actual} (against ${m.against})`,
          '    ',
        ),
      );
    }
  }
  return lines;
}

function containerLines(result: BenchmarkResult): string[] {
  const t = containerTable(result);
  if (!t) return ['  (no container statistics: the run did not use containers started by banyandb-perf)'];
  const plain: Paint = (_s, x) => x;
  const lines = [renderTable(t, plain), '', renderTable(containerIoTable(result)!, plain)];
  lines.push('', '  Ratios (below 1: stream used less):', renderTable(containerRatioTable(result)!, plain));
  const phases = phaseTable(result);
  if (phases) lines.push('', "  Per phase (that phase's model's container):", renderTable(phases, plain));
  const patterns = patternResourceTable(result);
  if (patterns) lines.push('', '  Per query pattern (while its timed queries ran, all repeats):', renderTable(patterns, plain));
  const peaks = memoryPeakLines(result);
  if (peaks.length > 0) lines.push('', ...peaks.flatMap((p) => paragraph(p)));
  return lines;
}

function diskTitle(result: BenchmarkResult): string {
  return isEmulatorTarget(result.target) ? "Emulator's storage (uncompressed; not BanyanDB's disk)" : 'Disk footprint';
}

function diskLines(result: BenchmarkResult): string[] {
  const t = diskTable(result);
  if (!t) return ['  (no disk footprint measured)'];
  const lines = [renderTable(t, (_s, x) => x)];
  const disk = result.disk ?? [];
  const s = disk.find((d) => d.model === 'stream');
  const tr = disk.find((d) => d.model === 'trace');
  if (s && tr && tr.bytesPerSpan > 0) lines.push(`  Bytes per span, stream ÷ trace: ${(s.bytesPerSpan / tr.bytesPerSpan).toFixed(2)}`);
  if (isEmulatorTarget(result.target)) {
    lines.push(...paragraph("The emulator's write log: every accepted write request, uncompressed, unindexed. Not BanyanDB's footprint."));
  }
  return lines;
}

function harnessLines(result: BenchmarkResult): string[] {
  return [
    ...paragraph(
      'For setting beside figures published from the original Go harness (upstream PR #795): ops/sec = write batches per second, ' +
        'latency = per-batch P95, MB/s = payload megabytes per second. Unlike that harness, throughput here is acknowledged work ' +
        'over wall-clock time, not over summed latencies.',
    ),
    renderTable(harnessTable(result), (_s, x) => x),
  ];
}

export type { Cell };
