/**
 * The verdict in a few lines: per area (writes, each query pattern, container resources, disk) who wins, by
 * what ratio, with what confidence, or why there is no verdict. Built from the comparisons only, so every
 * claim can be checked against the rows of the detailed table.
 */
import { FAMILY_ALPHA, MIN_REPEATS } from '../metrics/stats.js';
import type { Comparison, NoWinnerReason } from '../results.js';

/** One line of the verdict. */
export interface AreaVerdict {
  /** `mixed`: the mixed phase (queries under ingest), one run: src/report/mixed-section.ts's mixedVerdict(). */
  area: 'writes' | 'queries' | 'resources' | 'disk' | 'mixed';
  /** `Writes`, the pattern name, `Containers`, `Disk`. */
  label: string;
  /** `stream`/`trace` when every winner named in the area is that model, `mixed` when both win somewhere. */
  winner: 'stream' | 'trace' | 'none' | 'mixed';
  /** The sentence: e.g. `stream wins: 1.24x higher write throughput [1.14–1.35, 99.8%]`. */
  text: string;
}

/** Short words for a no-winner reason. */
export const WHY_TEXT: Record<NoWinnerReason, string> = {
  'no-figures': 'no figures',
  'not-answerable': 'not answerable',
  'failed-checks': 'failed checks',
  'failed-work': 'failed work',
  'unequal-answers': 'unequal answers',
  'too-few-repeats': 'too few repeats',
  'too-noisy': 'too noisy',
  'within-noise': 'within noise',
  'no-ratio': 'no ratio',
  'single-measurement': 'one measurement',
};

/** `1.24x` */
export function fmtFactor(f: number): string {
  return `${f >= 100 ? Math.round(f).toLocaleString('en-US') : f >= 10 ? f.toFixed(1) : f.toFixed(2)}x`;
}

/** An end of an interval of a factor: like {@link fmtFactor} without the `x`, with more digits next to 1 (so `1.003` never shows as `1.00`). */
export function fmtCiEnd(x: number): string {
  const s = fmtFactor(x).slice(0, -1);
  return s === '1.00' && x !== 1 ? x.toFixed(3) : s;
}

/** `1.14–1.35`: the interval of a factor. */
export function fmtCi(ci: readonly [number, number]): string {
  return `${fmtCiEnd(ci[0])}–${fmtCiEnd(ci[1])}`;
}

/** `[1.14–1.35, 99.8%]`: the interval of the factor and its confidence. */
export function fmtInterval(c: Comparison): string {
  const e = c.estimate;
  if (!e?.ci) return '';
  const lvl = e.level === undefined ? '' : `, ${fmtLevel(e.level)}`;
  return `[${fmtCi(e.ci)}${lvl}]`;
}

/** `99.8%` */
export function fmtLevel(level: number): string {
  const pct = level * 100;
  return `${pct >= 99.95 ? pct.toFixed(2) : pct.toFixed(1)}%`.replace(/\.0+%$/, '%');
}

function what(c: Comparison): string {
  const m = c.pattern ? c.metric.replace(`query ${c.pattern} `, '') : c.metric.replace(/^write /, '');
  return m;
}

/**
 * One comparison as a phrase: `stream 1.24x higher throughput [1.14–1.35, 99.8%]` (without the model when
 * `withModel` is false) or `batch latency p95: no winner, within noise (...)`.
 */
export function comparisonPhrase(c: Comparison, withModel = true): string {
  const dir = c.better === 'higher' ? 'higher' : 'lower';
  if (c.winner !== 'none' && c.estimate) {
    return `${withModel ? `${c.winner} ` : ''}${fmtFactor(c.estimate.factor)} ${dir} ${what(c)} ${fmtInterval(c)}`.trimEnd();
  }
  const why = c.why ? WHY_TEXT[c.why] : 'no winner';
  const lean =
    c.estimate && (c.why === 'within-noise' || c.why === 'too-noisy' || c.why === 'single-measurement' || c.why === 'too-few-repeats')
      ? ` (${c.estimate.ahead} ${fmtFactor(c.estimate.factor)} ${dir} by the medians)`
      : '';
  return `${what(c)}: no winner, ${why}${lean}`;
}

function winnerOf(cs: readonly Comparison[]): AreaVerdict['winner'] {
  const w = new Set(cs.map((c) => c.winner).filter((x) => x !== 'none'));
  if (w.size === 0) return 'none';
  if (w.size > 1) return 'mixed';
  return [...w][0] as 'stream' | 'trace';
}

/** The reason shared by every row of an area (e.g. all `not-answerable`), or undefined. */
function sharedBlock(cs: readonly Comparison[]): Comparison | undefined {
  const first = cs[0];
  if (first?.winner !== 'none' || !first.why) return undefined;
  const blocking: NoWinnerReason[] = ['not-answerable', 'failed-checks', 'failed-work', 'unequal-answers', 'no-figures', 'too-few-repeats'];
  if (!blocking.includes(first.why)) return undefined;
  return cs.every((c) => c.why === first.why && c.note === first.note) ? first : undefined;
}

function areaText(cs: readonly Comparison[]): string {
  const block = sharedBlock(cs);
  if (block) return `no verdict: ${block.note}`;
  const w = winnerOf(cs);
  const phrases = cs.map((c) => comparisonPhrase(c, w === 'mixed' || w === 'none'));
  if (w === 'none') return `no verdict; ${phrases.join('; ')}`;
  if (w === 'mixed') return `mixed: ${phrases.join('; ')}`;
  return `${w} wins: ${phrases.join('; ')}`;
}

/**
 * The verdict lines, in report order: writes (throughput and batch latency p95), each query pattern
 * (latency p50 and p95), container resources, disk. Areas without comparisons are left out.
 */
export function summarizeVerdict(comparisons: readonly Comparison[]): AreaVerdict[] {
  const out: AreaVerdict[] = [];
  const area = (c: Comparison) => c.area ?? (c.metric.startsWith('query ') ? 'queries' : c.metric.startsWith('write ') ? 'writes' : 'disk');
  const writes = comparisons.filter(
    (c) => area(c) === 'writes' && (c.metric === 'write throughput' || c.metric === 'write batch latency p95'),
  );
  if (writes.length > 0) out.push({ area: 'writes', label: 'Writes', winner: winnerOf(writes), text: areaText(writes) });
  const patterns: string[] = [];
  for (const c of comparisons) if (area(c) === 'queries' && c.pattern && !patterns.includes(c.pattern)) patterns.push(c.pattern);
  for (const p of patterns) {
    const cs = comparisons.filter((c) => c.pattern === p);
    out.push({ area: 'queries', label: p, winner: winnerOf(cs), text: areaText(cs) });
  }
  const res = comparisons.filter((c) => area(c) === 'resources');
  if (res.length > 0) out.push({ area: 'resources', label: 'Containers', winner: winnerOf(res), text: areaText(res) });
  const disk = comparisons.filter((c) => area(c) === 'disk');
  for (const c of disk) {
    out.push({
      area: 'disk',
      label: 'Disk',
      winner: 'none',
      text: `${comparisonPhrase(c).replace(': no winner, one measurement', ': one measurement, no winner')}`,
    });
  }
  return out;
}

/** The method in one line, with the size of the family: what the intervals and winners mean. */
export function methodLine(comparisons: readonly Comparison[]): string {
  const tested = comparisons.filter((c) => c.pAdjusted !== undefined).length;
  return (
    `Method: figures are medians over the repeats; ratio = median ÷ median; [interval, confidence] is a log-ratio t interval; ` +
    `Holm–Bonferroni over the ${tested} compared figure${tested === 1 ? '' : 's'} keeps the chance of any false winner at ${Math.round(FAMILY_ALPHA * 100)}%; ` +
    `no winner with fewer than ${MIN_REPEATS} repeats, failed checks or work, unequal answers.`
  );
}
