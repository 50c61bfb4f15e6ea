import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OptionsError } from '../src/errors.js';
import { LatencyRecorder } from '../src/metrics/latency.js';
import {
  compareSpreads,
  holm,
  judgeFamily,
  logRatioTest,
  MIN_REPEATS,
  OnlineStats,
  ratioInterval,
  spread,
  studentTQuantile,
  studentTTwoSidedP,
  T_975_TABLE,
  welchTTest,
} from '../src/metrics/stats.js';
import { ThroughputSeries } from '../src/metrics/throughput.js';

const close = (actual: number, expected: number, tol: number, what = ''): void => {
  assert.ok(Math.abs(actual - expected) <= tol, `${what} ${actual} vs ${expected} (±${tol})`);
};

describe('LatencyRecorder', () => {
  it('summarises 1..1000 ms exactly (count, min, max, mean, stdDev) and percentiles within 0.1%', () => {
    const r = new LatencyRecorder();
    for (let v = 1000; v >= 1; v--) r.record(v);
    const s = r.summary();
    assert.equal(s.count, 1000);
    assert.equal(r.count, 1000);
    assert.equal(s.minMs, 1);
    assert.equal(s.maxMs, 1000);
    close(s.meanMs, 500.5, 1e-9, 'mean');
    close(s.stdDevMs, Math.sqrt((1000 * 1000 - 1) / 12), 1e-9, 'population stdDev');
    close(s.p50Ms, 500, 0.5, 'p50');
    close(s.p90Ms, 900, 0.9, 'p90');
    close(s.p95Ms, 950, 0.95, 'p95');
    close(s.p99Ms, 990, 0.99, 'p99');
    close(s.p999Ms, 999, 1, 'p99.9');
  });

  it('keeps microsecond resolution for sub-millisecond samples', () => {
    const r = new LatencyRecorder();
    for (let i = 0; i < 100; i++) r.record(0.25);
    for (let i = 0; i < 100; i++) r.record(0.75);
    const s = r.summary();
    close(s.p50Ms, 0.25, 0.001, 'p50');
    close(s.p99Ms, 0.75, 0.001, 'p99');
    assert.equal(s.minMs, 0.25);
  });

  it('merges: two halves summarise like the whole', () => {
    const whole = new LatencyRecorder();
    const a = new LatencyRecorder();
    const b = new LatencyRecorder();
    for (let i = 0; i < 5000; i++) {
      const v = ((i * 7919) % 3001) / 10 + 0.5;
      whole.record(v);
      (i % 3 === 0 ? a : b).record(v);
    }
    a.merge(b);
    const sa = a.summary();
    const sw = whole.summary();
    assert.equal(sa.count, sw.count);
    assert.equal(sa.minMs, sw.minMs);
    assert.equal(sa.maxMs, sw.maxMs);
    close(sa.meanMs, sw.meanMs, 1e-9, 'mean');
    close(sa.stdDevMs, sw.stdDevMs, 1e-9, 'stdDev');
    assert.equal(sa.p50Ms, sw.p50Ms);
    assert.equal(sa.p99Ms, sw.p99Ms);
    assert.equal(sa.p999Ms, sw.p999Ms);
    assert.equal(b.count, 5000 - 1667, 'merge leaves the other recorder unchanged');
  });

  it('resets, reports zeros when empty and rejects bad samples', () => {
    const r = new LatencyRecorder();
    assert.deepEqual(r.summary(), {
      count: 0,
      minMs: 0,
      meanMs: 0,
      p50Ms: 0,
      p90Ms: 0,
      p95Ms: 0,
      p99Ms: 0,
      p999Ms: 0,
      maxMs: 0,
      stdDevMs: 0,
    });
    r.record(5);
    r.reset();
    assert.equal(r.count, 0);
    assert.equal(r.summary().maxMs, 0);
    r.record(3);
    assert.equal(r.summary().p50Ms, 3);
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(
        () => r.record(bad),
        (e: unknown) => e instanceof OptionsError && e.option === 'latencyMs',
      );
    }
  });

  it('clamps samples above 1 h into the top bucket but keeps the exact max', () => {
    const r = new LatencyRecorder();
    r.record(5 * 3_600_000);
    r.record(10);
    const s = r.summary();
    assert.equal(s.maxMs, 18_000_000);
    assert.ok(s.p999Ms <= 3_600_000 * 1.001 && s.p999Ms >= 3_600_000 * 0.999, `${s.p999Ms}`);
  });
});

describe('ThroughputSeries', () => {
  it('buckets per second since the start, keeps empty seconds and the max latency', () => {
    const t = new ThroughputSeries(10_000);
    t.add(10_100, 100, 1, 12);
    t.add(10_999, 50, 0, 40);
    t.add(12_500, 10, 2, 5);
    t.add(9_000, 1, 0, 1); // before the start: second 0
    assert.equal(t.seconds, 3);
    assert.deepEqual(t.points(), [
      { tSec: 0, spans: 151, errors: 1, maxLatencyMs: 40 },
      { tSec: 1, spans: 0, errors: 0, maxLatencyMs: 0 },
      { tSec: 2, spans: 10, errors: 2, maxLatencyMs: 5 },
    ]);
  });

  it('grows past its initial capacity', () => {
    const t = new ThroughputSeries(0);
    t.add(999_999, 1, 0, 1);
    const p = t.points();
    assert.equal(p.length, 1000);
    assert.deepEqual(p[999], { tSec: 999, spans: 1, errors: 0, maxLatencyMs: 1 });
    assert.throws(() => new ThroughputSeries(Number.NaN), OptionsError);
  });

  it('is empty before any event', () => {
    assert.deepEqual(new ThroughputSeries(0).points(), []);
  });
});

describe('Student t', () => {
  it('tail probabilities match closed forms (df = 1: Cauchy, df = 2)', () => {
    for (const t of [0.3, 1, 2.5, 7, 40]) {
      close(studentTTwoSidedP(t, 1), 1 - (2 / Math.PI) * Math.atan(t), 1e-10, `df=1 t=${t}`);
      close(studentTTwoSidedP(t, 2), 1 - t / Math.sqrt(2 + t * t), 1e-10, `df=2 t=${t}`);
    }
    assert.equal(studentTTwoSidedP(0, 5), 1);
  });

  it('the 97.5% table agrees with the computed distribution', () => {
    T_975_TABLE.forEach((t, i) => {
      close(studentTTwoSidedP(t, i + 1), 0.05, 1e-6, `df=${i + 1}`);
    });
    // Non-table quantiles by bisection: t(0.975, 40) = 2.0211, t(0.975, 120) = 1.9799, t(0.995, 10) = 3.1693.
    close(studentTQuantile(0.975, 40), 2.0211, 1e-4, 'df=40');
    close(studentTQuantile(0.975, 120), 1.9799, 1e-4, 'df=120');
    close(studentTQuantile(0.995, 10), 3.1693, 1e-4, 'q=0.995 df=10');
    close(studentTQuantile(0.975, 4.5), (2.7764 + 2.5706) / 2, 0.06, 'fractional df between neighbours');
  });
});

describe('spread', () => {
  it('computes min, median, max, mean, sample stdDev and the 95% CI', () => {
    const s = spread([4, 1, 3, 2]);
    assert.deepEqual(s.values, [4, 1, 3, 2]);
    assert.equal(s.min, 1);
    assert.equal(s.max, 4);
    assert.equal(s.median, 2.5);
    assert.equal(s.mean, 2.5);
    close(s.stdDev, 1.2909944, 1e-6, 'stdDev');
    // half width = t(0.975, 3) * s / sqrt(4) = 3.1824463 * 1.2909944 / 2 = 2.0542603
    close(s.ci95[0], 0.4457397, 1e-6, 'ci low');
    close(s.ci95[1], 4.5542603, 1e-6, 'ci high');
    assert.equal(spread([5, 1, 9]).median, 5);
  });

  it('collapses to [v, v] with one value', () => {
    assert.deepEqual(spread([7]), { values: [7], min: 7, median: 7, max: 7, mean: 7, stdDev: 0, ci95: [7, 7], cv: 0 });
  });

  it('rejects empty or non-finite input', () => {
    assert.throws(
      () => spread([]),
      (e: unknown) => e instanceof OptionsError && e.option === 'values',
    );
    assert.throws(() => spread([1, Number.NaN]), /values\[1\]: expected a finite number, got NaN/);
  });

  it('OnlineStats matches the two-pass figures', () => {
    const o = new OnlineStats();
    for (const v of [2, 4, 4, 4, 5, 5, 7, 9]) o.add(v);
    assert.equal(o.mean, 5);
    close(o.variance, 32 / 7, 1e-12);
  });
});

describe('compareSpreads', () => {
  it('welchTTest: statistic and Welch-Satterthwaite df by hand', () => {
    const { t, df, p } = welchTTest(spread([1, 2, 3]), spread([4, 5, 6]));
    close(t, -3 / Math.sqrt(2 / 3), 1e-12, 't');
    close(df, 4, 1e-12, 'df');
    assert.ok(p > 0.01 && p < 0.05, `p ${p}`); // t(0.975,4) = 2.776 < 3.674 < t(0.995,4) = 4.604
    const unequal = welchTTest(spread([10, 12, 14, 16]), spread([1, 1.1, 0.9]));
    // va = 6.6667/4, vb = 0.01/3: df = (va+vb)^2 / (va^2/3 + vb^2/2)
    const va = 20 / 3 / 4;
    const vb = 0.01 / 3;
    close(unequal.df, (va + vb) ** 2 / (va ** 2 / 3 + vb ** 2 / 2), 1e-9, 'unequal df');
  });

  it('names the higher-is-better winner with the ratio of the medians when the difference beats the noise', () => {
    const c = compareSpreads('write throughput', 'spans/s', 'higher', spread([100, 101, 99]), spread([150, 152, 148]));
    assert.equal(c.winner, 'trace');
    close(c.ratio!, 1.5, 1e-12, 'ratio');
    assert.equal(c.estimate?.ahead, 'trace');
    assert.ok(c.estimate!.ci![0] > 1 && c.estimate!.ci![0] < 1.5 && c.estimate!.ci![1] > 1.5);
    assert.equal(c.estimate?.level, 0.95);
    assert.match(c.note, /^Holm-adjusted p < 0\.001 over 1$/);
    assert.equal(c.metric, 'write throughput');
    assert.equal(c.unit, 'spans/s');
    assert.equal(c.better, 'higher');
  });

  it('names the lower-is-better winner', () => {
    const c = compareSpreads('p99 latency', 'ms', 'lower', spread([10, 10.5, 9.5]), spread([20, 21, 19]));
    assert.equal(c.winner, 'stream');
    close(c.ratio!, 2, 1e-12, 'ratio');
  });

  it('calls no winner within the noise, and names a side too noisy to judge', () => {
    const c = compareSpreads('throughput', 'spans/s', 'higher', spread([100, 102, 98]), spread([101, 103, 99]));
    assert.equal(c.winner, 'none');
    assert.equal(c.ratio, undefined);
    assert.equal(c.why, 'within-noise');
    assert.match(c.note, /^difference within the noise \(Holm-adjusted p = 0\.\d{3} over 1\)$/);
    const noisy = compareSpreads('throughput', 'spans/s', 'higher', spread([100, 160, 60]), spread([105, 125, 85]));
    assert.equal(noisy.why, 'too-noisy');
    assert.match(noisy.note, /^stream \(CV 47%\) too noisy to judge/);
  });

  it(`calls no winner with fewer than ${MIN_REPEATS} repeats, however large the difference`, () => {
    for (const [a, b] of [
      [[100], [1000]],
      [
        [100, 101],
        [1000, 1001],
      ],
    ]) {
      const c = compareSpreads('throughput', 'spans/s', 'higher', spread(a!), spread(b!));
      assert.equal(c.winner, 'none');
      assert.equal(c.why, 'too-few-repeats');
      assert.match(c.note, /^too few repeats \(n = \d vs \d; a winner needs at least 3 on each side\)$/);
      close(c.estimate!.factor, 10, 0.05, 'the medians still say by how much');
    }
  });

  it('calls no winner when a side has no figures', () => {
    assert.equal(compareSpreads('m', 'u', 'higher', spread([1, 2]), null).note, 'no figures for trace');
    assert.equal(compareSpreads('m', 'u', 'higher', null, spread([1, 2])).note, 'no figures for stream');
    const none = compareSpreads('m', 'u', 'lower', null, null);
    assert.equal(none.winner, 'none');
    assert.equal(none.note, 'no figures for either side');
  });

  it('handles zero noise and zero values', () => {
    const same = compareSpreads('m', 'u', 'higher', spread([5, 5, 5]), spread([5, 5, 5]));
    assert.equal(same.winner, 'none');
    const exact = compareSpreads('m', 'u', 'higher', spread([5, 5, 5]), spread([6, 6, 6]));
    assert.equal(exact.winner, 'trace');
    close(exact.ratio!, 1.2, 1e-12);
    const zero = compareSpreads('errors', 'count', 'lower', spread([0, 0, 0]), spread([5, 6, 4]));
    assert.equal(zero.winner, 'none');
    assert.equal(zero.why, 'no-ratio');
  });
});

describe('log-ratio interval and Holm–Bonferroni', () => {
  it('logRatioTest: Welch on the logs, the ratio of the medians, and its interval', () => {
    const t = logRatioTest([10, 20, 40], [5, 10, 20])!;
    close(t.logDiff, Math.log(2), 1e-12, 'log diff');
    close(t.medianRatio, 2, 1e-12, 'median ratio');
    // Both sides have the same log spread: s = ln 2, se = sqrt(2 s^2 / 3), df = 4.
    close(t.se, Math.sqrt((2 * Math.log(2) ** 2) / 3), 1e-12, 'se');
    close(t.df, 4, 1e-9, 'df');
    const [lo, hi] = ratioInterval(t, 0.05);
    close(lo, Math.exp(Math.log(2) - 2.7764451 * t.se), 1e-6, 'lo');
    close(hi, Math.exp(Math.log(2) + 2.7764451 * t.se), 1e-6, 'hi');
    assert.equal(logRatioTest([1, 2], [0, 1]), null);
    assert.equal(logRatioTest([1], [1, 2]), null);
  });

  it('holm: step-down rejections, monotone adjusted p-values, and the level each row was tested at', () => {
    const h = holm([0.01, 0.04, 0.03, 0.005]);
    assert.deepEqual(h.rejected, [true, false, false, true]);
    for (const [i, v] of [0.03, 0.06, 0.06, 0.02].entries()) close(h.adjusted[i]!, v, 1e-12, `adjusted ${i}`);
    close(h.levels[3]!, 0.05 / 4, 1e-12);
    close(h.levels[0]!, 0.05 / 3, 1e-12);
    // Not rejected: tested at the level of the first row not rejected (0.05 / 2), which its p exceeds.
    close(h.levels[1]!, 0.025, 1e-12);
    close(h.levels[2]!, 0.025, 1e-12);
  });

  it('a winner is named exactly when the interval at the Holm level excludes 1', () => {
    const cands = Array.from({ length: 12 }, (_, i) => ({
      better: 'lower' as const,
      a: [10, 10.4, 9.6].map((v) => v * (1 + i * 0.02)),
      b: [10.1, 10.5, 9.7],
    }));
    for (const j of judgeFamily(cands)) {
      assert.ok(j.ci && j.level !== undefined);
      assert.equal(j.winner !== 'none', j.ci[0] > 1, `factor ${j.factor} ci ${j.ci} winner ${j.winner}`);
    }
  });
});
