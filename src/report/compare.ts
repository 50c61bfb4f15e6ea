/**
 * Rendering of a run-vs-run comparison ({@link compareResults}): console text and a self-contained HTML
 * page, both opening with what got better or worse beyond the noise.
 */
import { FAMILY_ALPHA, MIN_REPEATS } from '../metrics/stats.js';
import type { ResultsComparison, RunsComparisonRow } from '../verdict/runs.js';
import { fmtCi, fmtFactor, fmtLevel, WHY_TEXT } from '../verdict/summary.js';
import { CONSOLE_WIDTH, fmtCv, fmtSpread, paragraph, textTable, wrap } from './format.js';
import { escapeHtml as esc } from './svg.js';
import type { ReportTable } from './tables.js';

function rowLabel(r: RunsComparisonRow): string {
  const short: Record<string, string> = {
    'write throughput': 'write spans/s',
    'write payload throughput': 'write MB/s',
    'write batch latency p95': 'write batch p95',
    'write batch latency p99': 'write batch p99',
    'container CPU per 1,000 spans written': 'CPU core-ms/1k spans',
    'container memory peak during writes': 'memory peak, writes',
    'disk bytes per span': 'disk bytes/span',
  };
  const label =
    short[r.metric] ?? (r.pattern ? `${r.pattern} ${r.metric.split(' ').at(-1)}` : r.area === 'disk' ? 'emulator storage/span' : r.metric);
  return `${label} ${r.better === 'higher' ? '↑' : '↓'}`;
}

/** `better in B: 1.25x [1.10–1.42] at 99%`, `unchanged (within noise): A 1.03x`. */
function changeText(r: RunsComparisonRow, labels: [string, string]): string {
  const ci = r.ci ? ` [${fmtCi(r.ci)}]` : '';
  const lvl = r.level !== undefined ? ` at ${fmtLevel(r.level)}` : '';
  if (r.change !== 'unchanged' && r.factor !== undefined) return `${r.change} in ${labels[1]}: ${fmtFactor(r.factor)}${ci}${lvl}`;
  const why = r.why ? WHY_TEXT[r.why] : 'no change';
  const lean = r.ahead && r.factor !== undefined ? `: ${labels[r.ahead === 'a' ? 0 : 1]} ${fmtFactor(r.factor)}${ci}` : '';
  return `unchanged (${why})${lean}`;
}

/** The rows as a table (the same columns in the console and the HTML). */
export function runsComparisonTable(rc: ResultsComparison): ReportTable {
  const labels: [string, string] = [rc.a.label, rc.b.label];
  const unit = (r: RunsComparisonRow) => (r.unit === 'spans/s' || r.unit === 'MB/s' || r.unit === 'core-ms' ? '' : r.unit);
  return {
    header: ['Model', 'Metric', labels[0], labels[1], 'CV a / b', 'Change, ratio [interval]'],
    rows: rc.rows.map((r) => [
      r.model,
      rowLabel(r),
      fmtSpread(r.a, unit(r)),
      fmtSpread(r.b, unit(r)),
      `${fmtCv(r.a)} / ${fmtCv(r.b)}`,
      { text: changeText(r, labels), cls: r.change === 'better' ? 'better' : r.change === 'worse' ? 'worse' : 'none' },
    ]),
  };
}

/** The verdict lines: what is better and worse in B beyond the noise, and what was not judged and why. */
export function runsVerdictLines(rc: ResultsComparison): string[] {
  const labels: [string, string] = [rc.a.label, rc.b.label];
  const phrase = (r: RunsComparisonRow) =>
    `${r.model} ${rowLabel(r).replace(/ [↑↓]$/, '')} ${fmtFactor(r.factor ?? 1)}${r.ci ? ` [${fmtCi(r.ci)}]` : ''}`;
  const better = rc.rows.filter((r) => r.change === 'better');
  const worse = rc.rows.filter((r) => r.change === 'worse');
  const noise = rc.rows.filter((r) => r.change === 'unchanged' && (r.why === 'within-noise' || r.why === 'too-noisy'));
  const notJudged = rc.rows.filter((r) => r.change === 'unchanged' && r.why !== 'within-noise' && r.why !== 'too-noisy');
  const counts = new Map<string, number>();
  for (const r of notJudged) counts.set(WHY_TEXT[r.why ?? 'no-figures'], (counts.get(WHY_TEXT[r.why ?? 'no-figures']) ?? 0) + 1);
  const lines = [
    `Better in ${labels[1]} (${better.length}): ${better.length === 0 ? 'nothing beyond the noise' : better.map(phrase).join('; ')}`,
    `Worse in ${labels[1]} (${worse.length}): ${worse.length === 0 ? 'nothing beyond the noise' : worse.map(phrase).join('; ')}`,
    `No change beyond the noise: ${noise.length} figure${noise.length === 1 ? '' : 's'}`,
  ];
  if (notJudged.length > 0) {
    lines.push(
      `Not judged: ${notJudged.length} (${[...counts.entries()].map(([k, n]) => `${k} ${n}`).join(', ')}); the table says why for each`,
    );
  }
  const tested = rc.rows.filter((r) => r.pAdjusted !== undefined).length;
  lines.push(
    `Method: medians over the repeats; ratio = better median ÷ worse median; [interval] is a log-ratio t interval; Holm–Bonferroni over the ${tested} compared figures keeps the chance of any false change at ${Math.round(FAMILY_ALPHA * 100)}%; nothing is named with fewer than ${MIN_REPEATS} repeats, failed work or checks, or unequal answers.`,
  );
  return lines;
}

function headLines(rc: ResultsComparison): string[] {
  const lines = [
    `banyandb-perf: run ${rc.a.label} vs run ${rc.b.label}`,
    `${rc.a.label}: ${rc.a.server}; ${rc.a.target}; started ${rc.a.startedAt}`,
    `${rc.b.label}: ${rc.b.server}; ${rc.b.target}; started ${rc.b.startedAt}`,
    `What differs: ${rc.differences.length === 0 ? 'nothing recorded (same server, target and options)' : rc.differences.join('; ')}`,
  ];
  return lines;
}

/** The run-vs-run comparison as console text (120 columns). */
export function formatRunsComparison(rc: ResultsComparison): string {
  const out: string[] = [];
  for (const l of headLines(rc)) out.push(...hanging(l));
  out.push('', `== Verdict (${rc.b.label} against ${rc.a.label}) ${'='.repeat(50)}`.slice(0, 84));
  for (const l of runsVerdictLines(rc)) out.push(...paragraph(l).map((x, i) => (i === 0 ? x : `  ${x}`)));
  out.push('', `== Figures (median over repeats, min–max) ${'='.repeat(42)}`);
  const t = runsComparisonTable(rc);
  out.push(
    textTable(
      t.header,
      t.rows.map((r) => r.map((c) => (typeof c === 'string' ? c : c.text))),
    ),
  );
  const notes = new Map<string, string[]>();
  for (const r of rc.rows) {
    if (!r.note) continue;
    const list = notes.get(r.note) ?? [];
    list.push(`${r.model} ${rowLabel(r).replace(/ [↑↓]$/, '')}`);
    notes.set(r.note, list);
  }
  if (notes.size > 0) {
    out.push('  Why:');
    for (const [note, rows] of notes) out.push(...paragraph(`${rows.join(', ')}: ${note}`, '    ').map((l, i) => (i === 0 ? l : `  ${l}`)));
  }
  return `${out.map((l) => l.trimEnd()).join('\n')}\n`;
}

function hanging(text: string): string[] {
  const [first, ...rest] = wrap(text, CONSOLE_WIDTH);
  return [first ?? '', ...(rest.length > 0 ? wrap(rest.join(' '), CONSOLE_WIDTH - 2).map((l) => `  ${l}`) : [])];
}

/** The run-vs-run comparison as one self-contained HTML document (no scripts, no external resources). */
export function renderRunsComparisonHtml(rc: ResultsComparison): string {
  const t = runsComparisonTable(rc);
  const th = t.header.map((h, i) => `<th${i >= 2 && i <= 3 ? ' class="num"' : ''}>${esc(h)}</th>`).join('');
  const tr = t.rows
    .map(
      (r) =>
        `<tr>${r
          .map((c, i) => {
            const text = typeof c === 'string' ? c : c.text;
            const cls = [i >= 2 && i <= 3 ? 'num' : '', typeof c === 'object' && c.cls ? c.cls : ''].filter(Boolean).join(' ');
            return `<td${cls ? ` class="${cls}"` : ''}>${esc(text)}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('\n');
  const verdict = runsVerdictLines(rc)
    .map((l) => `<li>${esc(l)}</li>`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(`banyandb-perf: run ${rc.a.label} vs run ${rc.b.label}`)}</title>
<style>
body{margin:0;background:#f3f4f6;color:#111827;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:1340px;margin:0 auto;padding:16px 20px 40px}
section{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:14px 16px;margin:14px 0}
.verdict{border:2px solid #111827}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #e5e7eb;padding:5px 8px;text-align:left;vertical-align:top}
th.num,td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.better{color:#15803d;font-weight:700}
.worse{color:#b91c1c;font-weight:700}
.none{color:#6b7280}
</style>
</head>
<body>
<main>
<h1>${esc(`banyandb-perf: run ${rc.a.label} vs run ${rc.b.label}`)}</h1>
<section id="runs"><ul>${headLines(rc)
    .slice(1)
    .map((l) => `<li>${esc(l)}</li>`)
    .join('')}</ul></section>
<section class="verdict" id="verdict"><h2>${esc(`Verdict (${rc.b.label} against ${rc.a.label})`)}</h2><ul>${verdict}</ul></section>
<section><h2>Figures</h2><table><thead><tr>${th}</tr></thead><tbody>
${tr}
</tbody></table></section>
</main>
</body>
</html>
`;
}
