/**
 * Metrics benchmark (prints figures, asserts nothing): cost of LatencyRecorder.record() per sample
 * (target < 1000 ns), of summary() and merge(), and of the raw pure-JS HDR histogram for reference.
 *
 *   npx tsx bench/metrics.ts [--samples N]
 */
import * as hdr from 'hdr-histogram-js';
import { LatencyRecorder } from '../src/metrics/latency.js';
import { spread } from '../src/metrics/stats.js';
import { ThroughputSeries } from '../src/metrics/throughput.js';

const i = process.argv.indexOf('--samples');
const samples = i >= 0 ? Number(process.argv[i + 1]) : 10_000_000;
console.log(
  `node ${process.version}; figures are CPU time per operation; load average ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);

// Pre-computed exponential latencies (mean 100 ms) so the loop measures recording only.
const values = new Float64Array(1 << 16);
let x = 12345;
for (let k = 0; k < values.length; k++) {
  x = (Math.imul(x, 1103515245) + 12345) >>> 0;
  values[k] = -100 * Math.log(1 - x / 4294967296);
}
const mask = values.length - 1;

/**
 * CPU nanoseconds per operation (this process's user + system time): on a shared, busy machine the
 * wall clock also counts time spent waiting for a core, which is not the cost of the operation.
 */
function nsPer(n: number, f: () => void): number {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) * 1000) / n;
}

const recordNs: number[] = [];
for (let round = 1; round <= 3; round++) {
  const r = new LatencyRecorder();
  const ns = nsPer(samples, () => {
    for (let k = 0; k < samples; k++) r.record(values[k & mask]!);
  });
  recordNs.push(ns);
  const raw = hdr.build({ bitBucketSize: 32, autoResize: false, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
  const nsRaw = nsPer(samples, () => {
    for (let k = 0; k < samples; k++) raw.recordValue(Math.round(values[k & mask]! * 1000));
  });
  const t = new ThroughputSeries(0);
  const nsSeries = nsPer(samples, () => {
    for (let k = 0; k < samples; k++) t.add(k / 1000, 1, 0, values[k & mask]!);
  });
  const summaryNs = nsPer(100, () => {
    for (let k = 0; k < 100; k++) r.summary();
  });
  const other = new LatencyRecorder();
  for (let k = 0; k < 100_000; k++) other.record(values[k & mask]!);
  const mergeNs = nsPer(100, () => {
    for (let k = 0; k < 100; k++) r.merge(other);
  });
  console.log(
    `round ${round}: LatencyRecorder.record ${ns.toFixed(1)} ns/sample (raw hdr recordValue ${nsRaw.toFixed(1)} ns), ` +
      `ThroughputSeries.add ${nsSeries.toFixed(1)} ns, summary() ${(summaryNs / 1000).toFixed(1)} µs, merge() ${(mergeNs / 1000).toFixed(1)} µs ` +
      `[${samples.toLocaleString('en-US')} samples; p99 ${r.summary().p99Ms.toFixed(1)} ms]`,
  );
}
const s = spread([1, 2, 3, 4, 5]);
console.log(`spread sanity: mean ${s.mean}, ci95 [${s.ci95.map((v) => v.toFixed(3)).join(', ')}]`);
console.log(
  `BENCH_RESULT ${JSON.stringify({ bench: 'metrics', samples, recordNs, bestRecordNs: Math.min(...recordNs), medianRecordNs: [...recordNs].sort((a, b) => a - b)[1] })}`,
);
