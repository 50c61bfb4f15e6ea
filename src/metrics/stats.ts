/**
 * Statistics across repeated runs, and the one method banyandb-perf uses to say that one side beats the
 * other (docs/methodology.md, "Repeats, spread and winners", gives the reasons):
 *
 * - **Figure shown**: the median over the repeats, with min–max and the coefficient of variation (CV).
 * - **Ratio**: the better median ÷ the worse one (worse ÷ better when lower is better): a factor ≥ 1, the
 *   ratio of the figures shown.
 * - **Interval**: a log-ratio interval. Run-to-run noise of throughputs and latencies is multiplicative, so
 *   each repeat's value is taken on the log scale and Welch's t interval is formed for the difference of the
 *   mean logs; exp() of it is an interval for the ratio of the two medians under log-normal noise (whose
 *   median equals its geometric mean). Student's t keeps it honest at 3 to 5 repeats.
 * - **Decision**: Welch's t-test on the logs, two-sided, gives each row a p-value; Holm–Bonferroni over every
 *   row of the table holds the chance of any false winner in the table at {@link FAMILY_ALPHA}. Each row's
 *   interval is drawn at the level Holm tested it at, so a winner is named exactly when its interval
 *   excludes 1.
 * - **Guards**: fewer than {@link MIN_REPEATS} repeats on a side → no winner; a value ≤ 0 → no ratio; when no
 *   winner is named and a side's CV is above {@link NOISY_CV}, that side is said to be too noisy to judge.
 *
 * Everything here is a pure function of the numbers: the same figures always give the same winners.
 */
import { OptionsError } from '../errors.js';
import type { Comparison, Model, NoWinnerReason, Spread } from '../results.js';

/** Two-sided 95% critical values of Student's t, t(0.975, df), for df = 1..30 (index df - 1). */
export const T_975_TABLE: readonly number[] = [
  12.7062047, 4.3026527, 3.1824463, 2.7764451, 2.5705818, 2.4469119, 2.3646243, 2.3060041, 2.2621572, 2.2281389, 2.2009852, 2.1788128,
  2.1603687, 2.1447867, 2.1314495, 2.1199053, 2.1098155, 2.100922, 2.0930241, 2.0859634, 2.0796138, 2.0738731, 2.0686576, 2.0638986,
  2.0595386, 2.0555294, 2.0518305, 2.0484071, 2.0452296, 2.0422725,
];

// ---------------------------------------------------------------- special functions

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; ~15 significant digits). */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularised incomplete beta function I_x(a, b), 0 <= x <= 1. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  const front = Math.exp(lnFront);
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** Two-sided tail probability P(|T| >= |t|) of Student's t with `df` (> 0, may be fractional) degrees of freedom. */
export function studentTTwoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  if (t === 0) return 1;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** Quantile t(q, df) of Student's t for 0.5 < q < 1 (table for integer df <= 30 at q = 0.975, else bisection). */
export function studentTQuantile(q: number, df: number): number {
  if (q === 0.975 && Number.isInteger(df) && df >= 1 && df <= T_975_TABLE.length) return T_975_TABLE[df - 1]!;
  const tail = 2 * (1 - q); // two-sided tail probability
  let lo = 0;
  let hi = 1;
  while (studentTTwoSidedP(hi, df) > tail) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTTwoSidedP(mid, df) > tail) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

// ---------------------------------------------------------------- online mean / variance

/** Welford's online mean and variance. */
export class OnlineStats {
  count = 0;
  mean = 0;
  private m2 = 0;

  add(x: number): void {
    this.count++;
    const delta = x - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (x - this.mean);
  }

  /** Sample variance (n - 1); 0 below two values. */
  get variance(): number {
    return this.count > 1 ? this.m2 / (this.count - 1) : 0;
  }

  get stdDev(): number {
    return Math.sqrt(this.variance);
  }
}

// ---------------------------------------------------------------- spread

/**
 * Spread of one figure across repeats: min, median, max, mean, sample standard deviation (n - 1) and the
 * 95% confidence interval of the mean, mean ± t(0.975, n - 1) · s / √n. With one value the interval
 * collapses to [v, v] and the standard deviation is 0.
 * @throws OptionsError (`values`) when there are no values or one is not a finite number.
 */
export function spread(values: readonly number[]): Spread {
  if (!Array.isArray(values) || values.length === 0) {
    throw new OptionsError('values', 'values: expected at least one number');
  }
  const stats = new OnlineStats();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new OptionsError('values', `values[${i}]: expected a finite number, got ${String(v)}`);
    }
    stats.add(v);
  }
  const n = values.length;
  const sorted = [...values].sort((a, b) => a - b);
  const median = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  const mean = stats.mean;
  const stdDev = stats.stdDev;
  let ci95: [number, number] = [mean, mean];
  if (n > 1) {
    const half = (studentTQuantile(0.975, n - 1) * stdDev) / Math.sqrt(n);
    ci95 = [mean - half, mean + half];
  }
  const out: Spread = { values: [...values], min: sorted[0]!, median, max: sorted[n - 1]!, mean, stdDev, ci95 };
  if (mean !== 0) out.cv = stdDev / Math.abs(mean);
  return out;
}

// ---------------------------------------------------------------- comparison

/** Family-wise error rate of a table of comparisons (Holm–Bonferroni): the chance of naming any false winner. */
export const FAMILY_ALPHA = 0.05;
/** @deprecated the family-wise level {@link FAMILY_ALPHA}; kept for callers of the earlier API. */
export const SIGNIFICANCE_LEVEL = FAMILY_ALPHA;
/**
 * Fewest repeats per side for a winner: with 2 the t interval has 1–2 degrees of freedom and one odd run
 * decides; 3 is the default `repeats`.
 */
export const MIN_REPEATS = 3;
/** A side whose coefficient of variation is above this (20%) is named as too noisy when no winner is called. */
export const NOISY_CV = 0.2;

/** Welch's two-sample t-test: statistic, Welch–Satterthwaite degrees of freedom and two-sided p-value. */
export function welchTTest(a: Spread, b: Spread): { t: number; df: number; p: number } {
  const na = a.values.length;
  const nb = b.values.length;
  if (na < 2 || nb < 2) throw new OptionsError('values', 'welchTTest: expected at least 2 values on each side');
  return welch(a.mean, a.stdDev, na, b.mean, b.stdDev, nb);
}

function welch(ma: number, sa: number, na: number, mb: number, sb: number, nb: number): { t: number; df: number; p: number } {
  const va = (sa * sa) / na;
  const vb = (sb * sb) / nb;
  const diff = ma - mb;
  const se2 = va + vb;
  if (se2 === 0) {
    // No noise at all: identical means are indistinguishable, different ones certainly differ.
    return diff === 0
      ? { t: 0, df: na + nb - 2, p: 1 }
      : { t: diff > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY, df: na + nb - 2, p: 0 };
  }
  const t = diff / Math.sqrt(se2);
  const df = (se2 * se2) / ((va * va) / (na - 1) + (vb * vb) / (nb - 1));
  return { t, df, p: studentTTwoSidedP(t, df) };
}

/** Welch's t on the logs of two samples: what {@link ratioInterval} and the decision are built from. */
export interface LogRatioTest {
  /** Repeats per side. */
  n: [number, number];
  /** median(a) ÷ median(b): the ratio of the figures shown. */
  medianRatio: number;
  /** mean(ln a) − mean(ln b): ln of the ratio of the geometric means, the interval's centre. */
  logDiff: number;
  /** Standard error of logDiff (0 when neither side varies). */
  se: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  /** Two-sided p-value of "equal medians" (equal mean logs). */
  p: number;
}

/**
 * Welch's two-sample t-test on ln(values): the log-ratio test of two positive samples.
 * @returns null when a side has fewer than 2 values or a value is not > 0 (no ratio, no log).
 */
export function logRatioTest(a: readonly number[], b: readonly number[]): LogRatioTest | null {
  if (a.length < 2 || b.length < 2) return null;
  if (![...a, ...b].every((v) => Number.isFinite(v) && v > 0)) return null;
  const la = logStats(a);
  const lb = logStats(b);
  const { df, p } = welch(la.mean, la.stdDev, a.length, lb.mean, lb.stdDev, b.length);
  const se = Math.sqrt((la.stdDev * la.stdDev) / a.length + (lb.stdDev * lb.stdDev) / b.length);
  return { n: [a.length, b.length], medianRatio: medianOf(a) / medianOf(b), logDiff: la.mean - lb.mean, se, df, p };
}

function logStats(values: readonly number[]): OnlineStats {
  const s = new OnlineStats();
  for (const v of values) s.add(Math.log(v));
  return s;
}

function medianOf(values: readonly number[]): number {
  const v = [...values].sort((x, y) => x - y);
  const n = v.length;
  return n % 2 === 1 ? v[(n - 1) / 2]! : (v[n / 2 - 1]! + v[n / 2]!) / 2;
}

/** Interval for a ÷ b at confidence 1 − alpha: exp(logDiff ± t(1 − alpha/2, df) · se). */
export function ratioInterval(test: LogRatioTest, alpha: number): [number, number] {
  if (test.se === 0) return [Math.exp(test.logDiff), Math.exp(test.logDiff)];
  const half = studentTQuantile(1 - alpha / 2, test.df) * test.se;
  return [Math.exp(test.logDiff - half), Math.exp(test.logDiff + half)];
}

/** Result of {@link holm}, index by index with its input. */
export interface HolmResult {
  /** Holm-adjusted p-values (monotone; a row is rejected when its adjusted p < alpha). */
  adjusted: number[];
  rejected: boolean[];
  /**
   * The level each row was tested at: alpha / (m − rank + 1) for the rejected rows, and the level of the
   * first row not rejected for all the others. An interval at 1 − that level excludes "no difference" exactly
   * for the rejected rows.
   */
  levels: number[];
}

/**
 * Holm–Bonferroni step-down over a family of p-values: sort ascending, reject while p(k) < alpha / (m − k + 1),
 * stop at the first that is not. Holds the family-wise error rate at alpha for any dependence between rows.
 */
export function holm(pValues: readonly number[], alpha: number = FAMILY_ALPHA): HolmResult {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const adjusted = new Array<number>(m).fill(1);
  const rejected = new Array<boolean>(m).fill(false);
  const levels = new Array<number>(m).fill(alpha);
  let running = 0;
  let stopped = false;
  let stopLevel = alpha;
  order.forEach(([p, i], k) => {
    const level = alpha / (m - k);
    running = Math.max(running, Math.min(1, (m - k) * p));
    adjusted[i] = running;
    if (!stopped && p < level) {
      rejected[i] = true;
      levels[i] = level;
    } else {
      if (!stopped) stopLevel = level;
      stopped = true;
    }
  });
  for (let i = 0; i < m; i++) if (!rejected[i]) levels[i] = stopLevel;
  return { adjusted, rejected, levels };
}

/** One comparison to judge: two samples of one figure (e.g. stream vs trace, or run A vs run B). */
export interface Candidate {
  /** Which way is better. */
  better: 'higher' | 'lower';
  a: readonly number[];
  b: readonly number[];
  /** Set when something other than the figures rules a winner out (failed checks, unequal answers, ...). */
  blocked?: { why: string; note: string };
}

/** Options of {@link judgeFamily}. */
export interface JudgeOptions {
  /**
   * Family-wise error rate.
   * @default FAMILY_ALPHA (0.05)
   */
  alpha?: number;
  /**
   * Names of the two sides in the notes.
   * @default ['a', 'b']
   */
  names?: [string, string];
}

/** What {@link judgeFamily} says about one candidate. */
export interface Judgement {
  a: Spread | null;
  b: Spread | null;
  /** The side whose median is better (`equal` for identical medians; absent without figures on both sides). */
  ahead?: 'a' | 'b' | 'equal';
  /** Better median ÷ worse median, as a factor ≥ 1 (absent when a median is ≤ 0). */
  factor?: number;
  /** Interval of `factor` at confidence `level`; its lower end above 1 is what names a winner. */
  ci?: [number, number];
  /** Confidence of `ci`, e.g. 0.998 (1 − the Holm level of the row). */
  level?: number;
  p?: number;
  pAdjusted?: number;
  /** `a`/`b` when a winner is named, else `none` with `why`. */
  winner: 'a' | 'b' | 'none';
  /**
   * Why no winner: `no-figures`, `too-few-repeats`, `no-ratio`, `too-noisy`, `within-noise`, or the
   * candidate's `blocked.why`.
   */
  why?: string;
  /** One line saying why: e.g. `Holm-adjusted p = 0.003`, `a too noisy to judge (CV 46%)`. */
  note: string;
}

function spreadOrNull(values: readonly number[]): Spread | null {
  return values.length === 0 ? null : spread(values);
}

/**
 * Judges a family of comparisons (one table) with the method of this module: ratio of medians, log-ratio
 * interval, Holm–Bonferroni over the candidates that reach the test, {@link MIN_REPEATS}, {@link NOISY_CV}.
 * A pure function: the same candidates give the same judgements.
 */
export function judgeFamily(candidates: readonly Candidate[], opts: JudgeOptions = {}): Judgement[] {
  const alpha = opts.alpha ?? FAMILY_ALPHA;
  const names = opts.names ?? ['a', 'b'];
  const name = (s: 'a' | 'b') => (s === 'a' ? names[0] : names[1]);
  const out: Judgement[] = candidates.map((c) => {
    const a = spreadOrNull(c.a);
    const b = spreadOrNull(c.b);
    const j: Judgement = { a, b, winner: 'none', note: '' };
    if (a && b) {
      const better = c.better === 'higher' ? 1 : -1;
      const cmp = Math.sign(a.median - b.median) * better;
      j.ahead = cmp > 0 ? 'a' : cmp < 0 ? 'b' : 'equal';
      if (a.median > 0 && b.median > 0) j.factor = Math.max(a.median, b.median) / Math.min(a.median, b.median);
    }
    return j;
  });
  const tests: (LogRatioTest | null)[] = candidates.map((c, i) => {
    const j = out[i]!;
    if (!j.a || !j.b) {
      j.why = c.blocked?.why ?? 'no-figures';
      j.note = c.blocked?.note ?? `no figures for ${!j.a && !j.b ? 'either side' : !j.a ? name('a') : name('b')}`;
      return null;
    }
    if (c.blocked) {
      j.why = c.blocked.why;
      j.note = c.blocked.note;
      return null;
    }
    const na = c.a.length;
    const nb = c.b.length;
    if (na < MIN_REPEATS || nb < MIN_REPEATS) {
      j.why = 'too-few-repeats';
      j.note = `too few repeats (n = ${na} vs ${nb}; a winner needs at least ${MIN_REPEATS} on each side)`;
      return null;
    }
    const t = logRatioTest(c.a, c.b);
    if (!t) {
      j.why = 'no-ratio';
      j.note = 'a value is zero or negative: no ratio';
      return null;
    }
    return t;
  });
  const tested = tests.map((t, i) => [t, i] as const).filter((x): x is readonly [LogRatioTest, number] => x[0] !== null);
  const h = holm(
    tested.map(([t]) => t.p),
    alpha,
  );
  tested.forEach(([t, i], k) => {
    const j = out[i]!;
    const c = candidates[i]!;
    const level = h.levels[k]!;
    // Interval of a ÷ b, turned into the interval of the ahead side's advantage factor.
    const [lo, hi] = ratioInterval(t, level);
    const aOverBBetter = c.better === 'higher';
    const aheadIsA = j.ahead === 'a';
    const ci: [number, number] = aheadIsA === aOverBBetter ? [lo, hi] : [1 / hi, 1 / lo];
    j.ci = ci;
    j.level = 1 - level;
    j.p = t.p;
    j.pAdjusted = h.adjusted[k]!;
    const pText = `Holm-adjusted p ${fmtP(j.pAdjusted)} over ${tested.length}`;
    if (h.rejected[k] && j.ahead !== 'equal' && ci[0] > 1) {
      j.winner = j.ahead as 'a' | 'b';
      j.note = pText;
      return;
    }
    const noisy = (['a', 'b'] as const).filter((side) => (j[side]?.cv ?? 0) > NOISY_CV);
    if (h.rejected[k]) {
      // Significant, but the medians point the other way from the geometric means: say so, name no one.
      j.why = 'within-noise';
      j.note = `medians and geometric means disagree on the direction (${pText})`;
    } else if (noisy.length > 0) {
      j.why = 'too-noisy';
      j.note = `${noisy.map((s) => `${name(s)} (CV ${fmtPct(j[s]!.cv!)})`).join(' and ')} too noisy to judge (${pText})`;
    } else {
      j.why = 'within-noise';
      j.note = `difference within the noise (${pText})`;
    }
  });
  return out;
}

function fmtP(p: number): string {
  return p < 0.001 ? '< 0.001' : `= ${p.toFixed(3)}`;
}

function fmtPct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/**
 * Compares one figure across the two models as a family of one (no multiple-comparison correction), with
 * the method of this module; see the module's TSDoc. Tables of comparisons use the verdict builder
 * (src/verdict), which corrects for the number of rows.
 */
export function compareSpreads(
  metric: string,
  unit: string,
  better: 'higher' | 'lower',
  stream: Spread | null,
  trace: Spread | null,
): Comparison {
  const [j] = judgeFamily([{ better, a: stream?.values ?? [], b: trace?.values ?? [] }], { names: ['stream', 'trace'] });
  return judgementToComparison({ metric, unit, better }, j!);
}

/** A {@link Judgement} of stream (a) vs trace (b) as a results {@link Comparison}. */
export function judgementToComparison(
  base: Pick<Comparison, 'metric' | 'unit' | 'better'> & Partial<Comparison>,
  j: Judgement,
): Comparison {
  const side = (s: 'a' | 'b'): Model => (s === 'a' ? 'stream' : 'trace');
  const c: Comparison = { ...base, stream: j.a, trace: j.b, winner: j.winner === 'none' ? 'none' : side(j.winner), note: '' };
  if (j.ahead && j.ahead !== 'equal' && j.factor !== undefined) {
    c.estimate = { ahead: side(j.ahead), factor: j.factor };
    if (j.ci) c.estimate.ci = j.ci;
    if (j.level !== undefined) c.estimate.level = j.level;
  }
  if (j.p !== undefined) c.p = j.p;
  if (j.pAdjusted !== undefined) c.pAdjusted = j.pAdjusted;
  if (c.winner !== 'none' && j.factor !== undefined) c.ratio = j.factor;
  if (j.why) c.why = j.why as NoWinnerReason;
  c.note = j.note;
  return c;
}
