/**
 * Statistics across repeated runs: {@link spread} (mean, median, standard deviation, 95% confidence
 * interval with Student's t) and {@link compareSpreads}, which names a winner only when the difference
 * between the two models is larger than the run-to-run noise.
 *
 * Decision rule of compareSpreads (documented in its TSDoc and in every note it writes):
 * - a side without figures → no winner;
 * - fewer than 2 repeats on a side → no winner: one run gives no estimate of the noise, so no
 *   difference, however large, can be told apart from it (the note still gives the difference);
 * - otherwise Welch's two-sample t-test (unequal variances, Welch–Satterthwaite degrees of freedom),
 *   two-sided: p < 0.05 → the side with the better mean wins; else no winner ("within noise").
 */
import { OptionsError } from '../errors.js';
import type { Comparison, Model, Spread } from '../results.js';

/** Significance level of {@link compareSpreads}. */
export const SIGNIFICANCE_LEVEL = 0.05;

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
  return { values: [...values], min: sorted[0]!, median, max: sorted[n - 1]!, mean, stdDev, ci95 };
}

// ---------------------------------------------------------------- comparison

/** Welch's two-sample t-test: statistic, Welch–Satterthwaite degrees of freedom and two-sided p-value. */
export function welchTTest(a: Spread, b: Spread): { t: number; df: number; p: number } {
  const na = a.values.length;
  const nb = b.values.length;
  if (na < 2 || nb < 2) throw new OptionsError('values', 'welchTTest: expected at least 2 values on each side');
  const va = (a.stdDev * a.stdDev) / na;
  const vb = (b.stdDev * b.stdDev) / nb;
  const diff = a.mean - b.mean;
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

function fmt(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(3);
  return Number(v.toPrecision(4)).toString();
}

function fmtP(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

function pctDiff(stream: number, trace: number): string {
  if (stream === trace) return 'no difference in means';
  if (stream === 0) return `stream 0 vs trace ${fmt(trace)}`;
  const d = ((trace - stream) / Math.abs(stream)) * 100;
  return `trace ${Math.abs(d).toFixed(1)}% ${d > 0 ? 'higher' : 'lower'} than stream`;
}

/**
 * Compares one figure across the two models.
 *
 * Rule: a winner only when Welch's two-sided t-test rejects equal means at p < 0.05 with at least two
 * repeats per model; otherwise `winner: 'none'` and the note says why (no figures, one repeat, within
 * noise). `ratio` is the winner's advantage (≥ 1): winner/loser for `higher`, loser/winner for `lower`;
 * omitted when a mean is 0 or of mixed sign (the note says so).
 */
export function compareSpreads(
  metric: string,
  unit: string,
  better: 'higher' | 'lower',
  stream: Spread | null,
  trace: Spread | null,
): Comparison {
  const base = { metric, unit, better, stream, trace };
  if (!stream || !trace) {
    const missing = !stream && !trace ? 'either model' : !stream ? 'stream' : 'trace';
    return { ...base, winner: 'none', note: `no figures for ${missing}` };
  }
  const ns = stream.values.length;
  const nt = trace.values.length;
  if (ns < 2 || nt < 2) {
    return {
      ...base,
      winner: 'none',
      note: `only ${Math.min(ns, nt)} repeat on a side (n = ${ns} vs ${nt}): cannot judge noise; ${pctDiff(stream.mean, trace.mean)}`,
    };
  }
  const { p, df } = welchTTest(stream, trace);
  const ciOverlap = stream.ci95[0] <= trace.ci95[1] && trace.ci95[0] <= stream.ci95[1];
  const test = `Welch's t-test ${fmtP(p)} (df = ${df.toFixed(1)}, n = ${ns} vs ${nt}), 95% CIs ${ciOverlap ? 'overlap' : 'do not overlap'}`;
  if (p >= SIGNIFICANCE_LEVEL || stream.mean === trace.mean) {
    return { ...base, winner: 'none', note: `within noise: ${test}; ${pctDiff(stream.mean, trace.mean)}` };
  }
  const streamBetter = better === 'higher' ? stream.mean > trace.mean : stream.mean < trace.mean;
  const winner: Model = streamBetter ? 'stream' : 'trace';
  const w = streamBetter ? stream.mean : trace.mean;
  const l = streamBetter ? trace.mean : stream.mean;
  const raw = better === 'higher' ? w / l : l / w;
  const result: Comparison = { ...base, winner, note: '' };
  if (w > 0 && l > 0 && Number.isFinite(raw)) {
    result.ratio = raw;
    result.note = `${winner} ${raw.toFixed(2)}x ${better === 'higher' ? 'higher' : 'lower'} (better): ${test}`;
  } else {
    result.note = `${winner} better (${fmt(w)} vs ${fmt(l)} ${unit}; ratio undefined for zero or negative means): ${test}`;
  }
  return result;
}
