/**
 * Issue 13 in Docker: `all --image emulator --mixed`, small and short. Both models run the separate phases and the
 * mixed phase; every answer under ingest is checked; the mixed figures and the lag distribution are there and
 * plausible; each container's metrics are scraped through the host port Compose maps to its observability port
 * (2121). Its Compose project is named with `mixed` and removed at the end, and nothing else is touched. Skips without
 * an engine unless BANYANDB_PERF_REQUIRE_DOCKER=1 (CI), then it fails.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Cluster } from '../src/cluster/cluster.js';
import type { BenchmarkResult } from '../src/results.js';
import { captureCli } from './helpers/cli.js';
import { benchmarkPassed, projectResources } from './helpers/docker.js';

let skip: string | false = false;
try {
  await Cluster.detect();
} catch (err) {
  if (process.env.BANYANDB_PERF_REQUIRE_DOCKER === '1') throw err;
  skip = `no usable Docker engine (${(err as Error).message.split('\n')[0]})`;
}

const PROJECT = `banyandb-perf-mixed-${Date.now().toString(36)}`;

describe('all --image emulator --mixed on Docker', { skip, timeout: 900_000 }, () => {
  let results = '';
  before(async () => {
    results = await mkdtemp(path.join(tmpdir(), 'banyandb-perf-mixed-docker-'));
  });
  after(async () => {
    await Cluster.clean({ projectName: PROJECT }).catch(() => undefined);
    await rm(results, { recursive: true, force: true });
  });

  it('runs both phases and the mixed phase, checks every answer, scrapes both containers through the mapped port', async () => {
    const { code, out, err } = await captureCli([
      'all',
      '--image',
      'emulator',
      '--project',
      PROJECT,
      '--json',
      '--no-progress',
      '--spans',
      '400',
      '--warmup',
      '0',
      '--repeats',
      '1',
      '--mixed',
      '--mixed-duration',
      '3s',
      '--mixed-write-rate',
      '200',
      '--mixed-query-rate',
      '10',
      '--mixed-concurrency',
      '10',
      '--results-dir',
      results,
    ]);
    assert.ok(benchmarkPassed(code, err), `exit ${code}\n--- stderr\n${err.slice(-4000)}`);
    const result = JSON.parse(out) as BenchmarkResult;
    assert.equal(result.target.kind, 'docker');
    assert.equal(result.target.project, PROJECT);
    // The separate phases ran on both models.
    for (const m of ['stream', 'trace'] as const) assert.equal(result.write[m].length, 1);
    // The mixed phase: both models, every answer checked and right, figures plausible.
    const mixed = result.mixed;
    assert.ok(mixed !== undefined && mixed.skipped === undefined, JSON.stringify(mixed?.skipped));
    assert.deepEqual(
      mixed.models.map((m) => m.model),
      ['stream', 'trace'],
    );
    for (const m of mixed.models) {
      const bad = m.queries.filter((q) => q.errors + q.mismatches > 0).map((q) => `${q.kind}: ${q.firstProblem}`);
      assert.deepEqual(bad, [], `${m.model} answers under ingest`);
      assert.equal(m.partial, false);
      assert.equal(m.write.failedBatches, 0);
      // 3 s at 200 spans/s: 600 spans due; a loaded host may acknowledge the last ones late, never more.
      assert.ok(m.write.spansSent >= 500 && m.write.spansSent <= 700, `${m.model} sent ${m.write.spansSent}`);
      assert.equal(m.write.spansAcknowledged, m.write.spansSent);
      assert.ok(m.write.batchLatency.count > 0 && m.write.batchLatency.p99Ms >= m.write.batchLatency.p50Ms);
      const queries = m.queries.reduce((n, q) => n + q.count, 0);
      assert.equal(queries, 30, `${m.model}: the whole schedule (3 s at 10/s) ran`);
      for (const q of m.queries) {
        assert.equal(q.latency.count, q.count);
        assert.ok(q.latency.minMs > 0 && q.latency.maxMs >= q.latency.p98Ms && q.latency.p98Ms >= q.latency.p50Ms);
      }
      // The lag distribution.
      assert.ok(m.lag.probes > 0 && m.lag.visible === m.lag.probes, `${m.model} lag ${m.lag.visible}/${m.lag.probes}`);
      assert.equal(m.lag.latency.count, m.lag.visible);
      assert.ok(m.lag.latency.p50Ms > 0 && m.lag.latency.p50Ms < 10_000);
    }
    // Server metrics through the host port mapped to each container's 2121.
    const series = result.serverMetrics ?? [];
    assert.deepEqual(
      series.map((s) => s.model),
      ['stream', 'trace'],
    );
    for (const s of series) {
      assert.deepEqual(s.failures, [], `${s.model} scrapes`);
      assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      assert.ok(s.samples.length >= 2, `${s.model}: ${s.samples.length} samples`);
      const last = s.samples.at(-1);
      assert.ok((last?.writeMessages ?? 0) >= 400 + 500, `${s.model} server counted ${last?.writeMessages} writes`);
      assert.ok((last?.queries ?? 0) >= 30);
      assert.ok((last?.residentBytes ?? 0) > 0);
    }
    assert.notEqual(series[0]?.url, series[1]?.url);
    assert.equal(result.target.servers?.stream.kind, 'emulator', 'the figures say which server produced them');
    // The project is gone; only what this test created was removed.
    assert.match(err, new RegExp(`all: down \\(project ${PROJECT} removed\\)`));
    assert.deepEqual(await projectResources(PROJECT), { containers: [], volumes: [], networks: [] });
  });
});
