/**
 * The mixed phase (queries under ingest) against the emulator over real gRPC, and its answer checks on hand-made
 * answers: a check that cannot fail is no check.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { BanyanDBClient } from '../src/client/client.js';
import { type Emulator, startEmulator } from '../src/emulator/index.js';
import { OptionsError } from '../src/errors.js';
import { runMixedInNamespace } from '../src/mixed/in-namespace.js';
import { IngestTruth } from '../src/mixed/ingest-truth.js';
import { mixedSchedule, resolveMixedOptions, runMixed } from '../src/mixed/mixed.js';
import { checkMixedAnswer, type MixedQuery } from '../src/mixed/queries.js';
import { mixedConsoleSection, mixedHtmlSection } from '../src/report/mixed-section.js';
import type { BenchmarkResult } from '../src/results.js';
import { SchemaLoader } from '../src/schema/loader.js';

describe('mixed answer checks', () => {
  const truth = new IngestTruth();
  const base = { serviceId: 'service_0', latencyMs: 10, isError: 0 };
  // t1: two spans acknowledged at 10; t2: one span sent at 20, never acknowledged.
  const first = truth.sent(
    [
      { ...base, traceId: 't1', spanId: 'a', startTimeMs: 1_000 },
      { ...base, traceId: 't1', spanId: 'b', startTimeMs: 1_001, isError: 1 },
    ],
    5,
  );
  truth.acknowledged(first, 2, 10);
  truth.sent([{ ...base, traceId: 't2', spanId: 'c', startTimeMs: 1_002 }], 20);
  const byId: MixedQuery = { kind: 'trace-by-id', traceId: 't1', windowBeginMs: 0, windowEndMs: 0, slowThresholdMs: 500 };
  const recent: MixedQuery = {
    kind: 'recent-service',
    serviceId: 'service_0',
    windowBeginMs: 900,
    windowEndMs: 2_000,
    slowThresholdMs: 500,
  };

  it('accepts a right answer, and one that shows a span sent (not yet acknowledged) before the answer', () => {
    assert.equal(
      checkMixedAnswer(byId, 'trace', { rows: [{ traceId: 't1', spanIds: ['a', 'b'] }], spans: 2, bytes: 0 }, truth, 15, 16),
      undefined,
    );
    const rows = ['a', 'b', 'c'].map((id) => ({ traceId: id === 'c' ? 't2' : 't1', spanIds: [id] }));
    assert.equal(checkMixedAnswer(recent, 'stream', { rows, spans: 3, bytes: 0 }, truth, 15, 25), undefined);
  });
  it('finds a missing acknowledged span, an unsent span, a duplicate and a row outside the predicate', () => {
    assert.match(
      checkMixedAnswer(byId, 'trace', { rows: [{ traceId: 't1', spanIds: ['a'] }], spans: 1, bytes: 0 }, truth, 15, 16) ?? '',
      /span b of trace t1 was acknowledged before the query but not returned/,
    );
    assert.match(
      checkMixedAnswer(recent, 'stream', { rows: [{ traceId: 't2', spanIds: ['c'] }], spans: 1, bytes: 0 }, truth, 15, 18) ?? '',
      /span c was not sent yet/,
    );
    assert.match(
      checkMixedAnswer(
        recent,
        'stream',
        {
          rows: [
            { traceId: 't1', spanIds: ['a'] },
            { traceId: 't1', spanIds: ['a'] },
          ],
          spans: 2,
          bytes: 0,
        },
        truth,
        15,
        16,
      ) ?? '',
      /a returned twice/,
    );
    const errors: MixedQuery = { ...recent, kind: 'recent-errors' };
    assert.match(
      checkMixedAnswer(errors, 'stream', { rows: [{ traceId: 't1', spanIds: ['a'] }], spans: 1, bytes: 0 }, truth, 15, 16) ?? '',
      /span a does not satisfy the query/,
    );
    assert.match(
      checkMixedAnswer(recent, 'stream', { rows: [], spans: 0, bytes: 0 }, truth, 15, 16) ?? '',
      /0 spans returned, at least 2 were acknowledged/,
    );
  });
});

describe('mixed options and schedule', () => {
  it('names the bad option and what was expected', () => {
    assert.throws(
      () => resolveMixedOptions({ rate: 5 } as never),
      (e: unknown) => e instanceof OptionsError && /unknown option `rate`/.test(e.message),
    );
    assert.throws(() => resolveMixedOptions({ durationMs: 0 }), /mixed\.durationMs: expected a positive integer, got 0/);
    assert.throws(() => resolveMixedOptions({ mix: { nope: 1 } as never }), /unknown query kind `nope`/);
    assert.throws(
      () => resolveMixedOptions({ mix: { 'recent-service': 0, 'recent-errors': 0, 'recent-slow': 0, 'trace-by-id': 0 } }),
      /at least one query kind/,
    );
  });
  it('is the same for the same seed, at the query rate, with kinds drawn by weight', () => {
    const o = resolveMixedOptions({ durationMs: 10_000, queryRatePerSec: 50, mix: { 'recent-slow': 0 } });
    const a = mixedSchedule(o);
    assert.deepEqual(a, mixedSchedule(o));
    assert.equal(a.length, 500);
    assert.equal(a.filter((q) => q.kind === 'recent-slow').length, 0);
    const byId = a.filter((q) => q.kind === 'trace-by-id').length;
    assert.ok(byId > 150 && byId < 300, `trace-by-id ${byId} of 500 at weight 4/9`);
    assert.notDeepEqual(
      a,
      mixedSchedule(resolveMixedOptions({ durationMs: 10_000, queryRatePerSec: 50, mix: { 'recent-slow': 0 }, seed: 7 })),
    );
  });
});

describe('mixed phase against the emulator', { timeout: 120_000 }, () => {
  let emulator: Emulator;
  let client: BanyanDBClient;
  before(async () => {
    emulator = await startEmulator();
    client = await BanyanDBClient.connect(emulator.grpcAddress);
    await new SchemaLoader(client).load();
  });
  after(async () => {
    await client?.close();
    await emulator?.close();
  });

  it('writes at the rate while the query mix runs, on both models, every answer checked, lag measured', async () => {
    const targets = {
      stream: { client, group: 'stream_performance_test', name: 'segment_stream' },
      trace: { client, group: 'trace_performance_test', name: 'segment_trace' },
    };
    const result = await runMixed(targets, {
      durationMs: 3_000,
      warmupSpans: 200,
      writeRatePerSec: 400,
      queryRatePerSec: 20,
      payloadBytes: 1_024,
      slowThresholdMs: 200,
      scale: { services: 4, instances: 8 },
    });
    assert.deepEqual(
      result.models.map((m) => m.model),
      ['stream', 'trace'],
    );
    for (const m of result.models) {
      const problems = m.queries.filter((q) => q.errors > 0 || q.mismatches > 0).map((q) => `${q.kind}: ${q.firstProblem}`);
      assert.deepEqual(problems, [], `${m.model} answers`);
      assert.equal(m.partial, false);
      assert.equal(m.write.failedBatches, 0);
      assert.equal(m.write.spansAcknowledged, m.write.spansSent);
      assert.ok(m.write.spansSent >= 1_000 && m.write.spansSent <= 1_250, `${m.model} wrote ${m.write.spansSent} spans in 3 s at 400/s`);
      assert.equal(m.warmupSpans, 200);
      assert.equal(
        m.queries.reduce((s, q) => s + q.count, 0),
        60,
        'the whole schedule ran',
      );
      for (const q of m.queries) {
        assert.ok(q.latency.p98Ms >= q.latency.p50Ms && q.latency.maxMs >= q.latency.p98Ms, `${m.model} ${q.kind} percentiles ordered`);
        assert.equal(q.latency.count, q.count);
      }
      const list = m.queries.find((q) => q.kind === 'recent-service');
      assert.ok(list && list.meanAnswerSpans > 0, `${m.model} recent-service found spans`);
      // Probes are taken at most every 250 ms of acknowledgements; a loaded machine acknowledges in fewer, later bursts.
      assert.ok(m.lag.probes >= 2 && m.lag.visible === m.lag.probes, `${m.model} lag probes ${m.lag.visible}/${m.lag.probes}`);
      assert.equal(m.lag.latency.count, m.lag.visible);
    }
    // The report sections: every kind and model shown, rows within 120 columns, no section without a mixed phase.
    const sample = JSON.parse(readFileSync(new URL('../testdata/results/sample-result.json', import.meta.url), 'utf8')) as BenchmarkResult;
    const text = mixedConsoleSection({ ...sample, mixed: result }) ?? '';
    for (const kind of ['recent-service', 'recent-errors', 'recent-slow', 'trace-by-id'])
      assert.match(text, new RegExp(`${kind}\\s+stream[\\s\\S]*${kind}\\s+trace`));
    assert.match(text, /Ingest-to-queryable lag/);
    for (const line of text.split('\n')) assert.ok(line.length <= 120, `console line over 120 columns: ${line}`);
    assert.equal(mixedConsoleSection(sample), undefined);
    const html = mixedHtmlSection({ ...sample, mixed: result });
    assert.match(html, /<section id="mixed">/);
    assert.equal((html.match(/<tr>/g) ?? []).length, 2 + 2 * 4 + 2 + 3, 'header + rows of the three tables');
    // Same spans and the same schedule on both models.
    const [s, t] = result.models;
    assert.equal(s?.write.spansSent, t?.write.spansSent);
    assert.deepEqual(
      s?.queries.map((q) => [q.kind, q.count]),
      t?.queries.map((q) => [q.kind, q.count]),
    );
  });
});

describe('mixed phase in a namespace of its own', { timeout: 120_000 }, () => {
  it('creates fresh groups on both servers, runs there, and deletes them after', async () => {
    await using emulator = await startEmulator();
    const client = await BanyanDBClient.connect(emulator.grpcAddress);
    try {
      const before = (await client.groups.list()).map((g) => g.metadata?.name ?? '');
      const result = await runMixedInNamespace({
        stream: client,
        trace: client,
        options: { durationMs: 1_000, warmupSpans: 100, writeRatePerSec: 300, queryRatePerSec: 10, payloadBytes: 1_024 },
      });
      assert.match(result.namespace, /^r[0-9a-f]{10}$/);
      for (const m of result.models) {
        assert.deepEqual(
          m.queries.filter((q) => q.errors + q.mismatches > 0).map((q) => `${q.kind}: ${q.firstProblem}`),
          [],
          `${m.model} answers in the namespace`,
        );
        assert.ok(m.write.spansAcknowledged > 0);
      }
      // Deletion is asynchronous on BanyanDB 0.10.3 (FACT 13): wait until the groups are gone, bounded.
      let after: string[] = [];
      for (let i = 0; i < 50; i++) {
        after = (await client.groups.list()).map((g) => g.metadata?.name ?? '');
        if (!after.some((g) => g.endsWith(`_${result.namespace}`))) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(
        after.filter((g) => g.endsWith(`_${result.namespace}`)),
        [],
        'the phase removed its groups',
      );
      assert.deepEqual(after.sort(), before.sort(), 'nothing else changed');
    } finally {
      await client.close();
    }
  });
});
