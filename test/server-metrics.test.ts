import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readServerFigures } from '../src/server-metrics/figures.js';
import { parsePrometheusText, samplesOf, sumOf } from '../src/server-metrics/prometheus.js';
import { ServerMetricsSampler, scrapeServerFigures, summarizeServerSeries } from '../src/server-metrics/sampler.js';

const here = dirname(fileURLToPath(import.meta.url));
const RECORDED = join(here, '..', '..', 'shared', 'conformance', 'banyandb-0.10.3', 'metrics.prom');

const FIXTURE = [
  '# HELP demo_requests_total Requests "served"\\nby path',
  '# TYPE demo_requests_total counter',
  'demo_requests_total{path="/a",code="200"} 10',
  'demo_requests_total{path="/b\\"q\\\\",code="500"} 2.5e+00 1700000000000',
  '# TYPE demo_latency histogram',
  'demo_latency_bucket{le="0.1"} 3',
  'demo_latency_bucket{le="+Inf"} 5',
  'demo_latency_sum 1.25',
  'demo_latency_count 5',
  'untyped_gauge -Inf',
  'not a sample line',
  'broken{path="x" 1',
  'demo_requests_total{path="/c"} twelve',
  '',
].join('\n');

describe('parsePrometheusText', () => {
  it('reads families, types, help, labels with escapes, special values and timestamps', () => {
    const exp = parsePrometheusText(FIXTURE);
    const req = exp.families.get('demo_requests_total');
    assert.equal(req?.type, 'counter');
    assert.equal(req?.help, 'Requests "served"\nby path');
    assert.equal(req?.samples.length, 2);
    assert.deepEqual(req?.samples[1], {
      name: 'demo_requests_total',
      labels: { path: '/b"q\\', code: '500' },
      value: 2.5,
      timestampMs: 1_700_000_000_000,
    });
    const hist = exp.families.get('demo_latency');
    assert.equal(hist?.type, 'histogram');
    assert.equal(hist?.samples.length, 4, 'bucket, sum and count belong to the histogram family');
    assert.equal(samplesOf(exp, 'demo_latency_bucket', { le: '+Inf' })[0]?.value, 5);
    assert.equal(exp.families.get('untyped_gauge')?.samples[0]?.value, Number.NEGATIVE_INFINITY);
    assert.equal(sumOf(exp, 'demo_requests_total'), 12.5);
    assert.equal(sumOf(exp, 'demo_requests_total', { code: '200' }), 10);
    assert.equal(sumOf(exp, 'nope_total'), undefined);
  });

  it('reports each unreadable line with its number and keeps the rest', () => {
    const exp = parsePrometheusText(FIXTURE);
    assert.deepEqual(
      exp.problems.map((p) => p.line),
      [11, 12, 13],
    );
    assert.match(exp.problems[1]?.message ?? '', /broken: expected ',' or '}' after label path/);
    assert.match(exp.problems[2]?.message ?? '', /expected a value/);
  });
});

describe('readServerFigures', () => {
  const text = [
    '# TYPE banyandb_liaison_grpc_total_stream_msg_received counter',
    'banyandb_liaison_grpc_total_stream_msg_received{group="g_stream",method="write",service="stream"} 300',
    'banyandb_liaison_grpc_total_stream_msg_received{group="other",method="write",service="stream"} 999',
    'banyandb_liaison_grpc_total_finished{group="g_stream",method="query",service="stream"} 20',
    'banyandb_liaison_grpc_total_latency{group="g_stream",method="query",service="stream"} 1.5',
    'banyandb_stream_tst_total_file_part_bytes{group="g_stream",seg="20261201",shard="0"} 1000',
    'banyandb_stream_tst_total_file_part_bytes{group="g_stream",seg="20261201",shard="1"} 500',
    'banyandb_stream_tst_total_file_part_bytes{group="g_meta",seg="20261201",shard="0"} 7',
    'banyandb_trace_tst_total_merged{group="g_trace",type="mem"} 4',
    'banyandb_trace_tst_total_merged{group="g_trace",type="mem_time_based_index"} 4',
    'process_resident_memory_bytes 1.5e+08',
  ].join('\n');

  it("sums only the run's groups, and leaves unserved figures absent", () => {
    const exp = parsePrometheusText(text);
    const s = readServerFigures(exp, 'stream', ['g_stream', 'g_meta'], 1);
    assert.deepEqual(s, { timestampMs: 1, writeMessages: 300, queries: 20, querySeconds: 1.5, fileBytes: 1507, residentBytes: 1.5e8 });
    const t = readServerFigures(exp, 'trace', ['g_trace'], 2);
    assert.deepEqual(t, { timestampMs: 2, merges: 4, residentBytes: 1.5e8 }, 'trace merges count data parts, not index parts');
  });

  it('finds every figure in the scrape recorded from BanyanDB 0.10.3', {
    skip: existsSync(RECORDED) ? false : `${RECORDED} is absent`,
  }, () => {
    const exp = parsePrometheusText(readFileSync(RECORDED, 'utf8'));
    assert.equal(exp.problems.length, 0);
    for (const model of ['stream', 'trace'] as const) {
      const f = readServerFigures(exp, model, [`${model}_performance_test`], 0);
      for (const key of [
        'writeMessages',
        'queries',
        'querySeconds',
        'fileBytes',
        'memPartBytes',
        'fileElements',
        'merges',
        'residentBytes',
      ] as const) {
        assert.equal(typeof f[key], 'number', `${model}.${key} from the recorded scrape`);
      }
      assert.equal(f.writeMessages, 3000, `${model} write messages`);
    }
  });
});

async function serve(handler: (path: string) => { status: number; body: string }): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const { status, body } = handler(req.url ?? '');
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/metrics`, server };
}

describe('ServerMetricsSampler', () => {
  it('samples over time and summarises counters as deltas, memory as the peak', async () => {
    let n = 0;
    const { url, server } = await serve(() => {
      n++;
      return {
        status: 200,
        body: `banyandb_liaison_grpc_total_stream_msg_received{group="g",method="write",service="trace"} ${n * 100}\nprocess_resident_memory_bytes ${n === 2 ? 900 : 100}\n`,
      };
    });
    try {
      const sampler = ServerMetricsSampler.start({ url, model: 'trace', groups: ['g'], intervalMs: 30 });
      // Wait for three scrapes (bounded), however loaded the machine is.
      for (let waited = 0; n < 3 && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      const series = await sampler.stop();
      assert.equal(await sampler.stop(), series, 'stop() is idempotent');
      assert.ok(series.samples.length >= 3, `samples: ${series.samples.length}`);
      assert.equal(series.failures.length, 0);
      const sum = summarizeServerSeries(series);
      assert.equal(sum.writeMessages, (series.samples.length - 1) * 100);
      assert.equal(sum.residentBytes, 900);
    } finally {
      server.close();
    }
  });

  it('reports an absent endpoint, an HTTP error and a body that is not Prometheus text, without throwing', async () => {
    const absent = await scrapeServerFigures('http://127.0.0.1:9/metrics', 'stream', ['g'], 500);
    assert.ok('failure' in absent && /no answer from http:\/\/127\.0\.0\.1:9\/metrics/.test(absent.failure.message));
    const { url, server } = await serve((path) =>
      path === '/metrics' ? { status: 200, body: '<html>hello</html>' } : { status: 404, body: 'nope' },
    );
    try {
      const bad = await scrapeServerFigures(url, 'stream', ['g']);
      assert.ok(
        'failure' in bad && /did not answer Prometheus text \(line 1: expected a metric name\)/.test(bad.failure.message),
        JSON.stringify(bad),
      );
      const missing = await scrapeServerFigures(url.replace('/metrics', '/other'), 'stream', ['g']);
      assert.ok('failure' in missing && /HTTP 404/.test(missing.failure.message));
    } finally {
      server.close();
    }
  });
});

describe('EmulatorMetrics', () => {
  it('serves its counters under the names the scraper reads, per model and group', async () => {
    const { EmulatorMetrics } = await import('../src/emulator/metrics.js');
    const m = new EmulatorMetrics();
    m.recordWrite('stream', 'g"s', true, 100);
    m.recordWrite('stream', 'g"s', false, 100);
    m.recordWrite('trace', 'gt', true, 40);
    m.recordQuery('trace', 'gt', 0.25);
    m.recordQuery('trace', 'gt', 0.5);
    m.recordWrite('stream', 'dropped', true, 1);
    m.dropGroup('dropped');
    const exp = parsePrometheusText(m.render());
    assert.deepEqual(exp.problems, []);
    const s = readServerFigures(exp, 'stream', ['g"s'], 0);
    assert.equal(s.writeMessages, 2);
    assert.equal(s.fileElements, 1, 'a write that was not stored is received, not stored');
    assert.equal(s.fileBytes, 100);
    const t = readServerFigures(exp, 'trace', ['gt'], 0);
    assert.equal(t.queries, 2);
    assert.equal(t.querySeconds, 0.75);
    assert.ok((t.residentBytes ?? 0) > 0);
    assert.equal(readServerFigures(exp, 'stream', ['dropped'], 0).writeMessages, undefined);
  });
});

describe('the emulator serves /metrics', () => {
  it('counts what it received, stored and answered, per run group; the scraper reads it', async () => {
    const { startEmulator } = await import('../src/emulator/index.js');
    const { BanyanDBClient } = await import('../src/client/client.js');
    const { SchemaLoader } = await import('../src/schema/loader.js');
    await using emulator = await startEmulator();
    const client = await BanyanDBClient.connect(emulator.grpcAddress);
    try {
      await new SchemaLoader(client).load();
      const now = Math.floor(Date.now() / 1000) * 1000;
      const span = (i: number) => ({
        metadata: { group: 'trace_performance_test', name: 'segment_trace' },
        tags: [
          { str: { value: 'svc' } },
          { str: { value: 'inst' } },
          { str: { value: `t${i}` } },
          { timestamp: { seconds: now / 1000, nanos: 0 } },
          { int: { value: 10 } },
          { int: { value: 0 } },
          { str: { value: `s${i}` } },
          { str: { value: '-1' } },
          { str: { value: 'op' } },
          { str: { value: 'http' } },
        ],
        span: new Uint8Array(100),
        version: i + 1,
      });
      const res = await client.writeTrace([span(0), span(1), span(2)]);
      assert.equal(res.acknowledged, 3);
      await client.queryTrace({
        groups: ['trace_performance_test'],
        name: 'segment_trace',
        criteria: { condition: { name: 'traceId', op: 'BINARY_OP_EQ', value: { str: { value: 't1' } } } },
      });
      const got = await scrapeServerFigures(`${emulator.httpAddress}/metrics`, 'trace', ['trace_performance_test']);
      assert.ok('figures' in got, JSON.stringify(got));
      assert.equal(got.figures.writeMessages, 3);
      assert.equal(got.figures.fileElements, 3);
      assert.ok((got.figures.fileBytes ?? 0) > 300, 'bytes of the stored write messages');
      assert.equal(got.figures.queries, 1);
      assert.ok((got.figures.querySeconds ?? -1) >= 0);
      assert.equal(got.unreadableLines, 0);
    } finally {
      await client.close();
    }
  });
});
