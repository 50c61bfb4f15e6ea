/**
 * Workloads end to end against the emulator over real gRPC on loopback, with testdata/schema loaded by SchemaLoader:
 * exact acknowledged counts, ground-truth-equal query answers on both models, error accounting, runComparison.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BanyanDBClient } from '../src/client/client.js';
import { type Emulator, startEmulator } from '../src/emulator/index.js';
import { SpanGenerator } from '../src/generator/generator.js';
import { PATTERN_INFO } from '../src/oracle/catalogue.js';
import type { QueryPatternResult } from '../src/results.js';
import { SchemaLoader } from '../src/schema/loader.js';
import { runComparison } from '../src/workload/compare.js';
import { StreamWorkload, TraceWorkload } from '../src/workload/workload.js';

const SCALE = { name: 'test', spans: 2_000, traces: 1_000, services: 4, instances: 8, timeRangeMs: 2 * 3_600_000 };
// Recent data (the groups' TTL is 7 days), fixed for the run.
const END = Math.floor(Date.now() / 1000) * 1000;
// The data set: the scale's 2,000 spans split evenly over 2 repeats (no warm-up); the generator would finish its
// last trace with a few more, which are not written (warm-up by count, equal repeats).
const TOTAL = 2_000;
assert.ok(new SpanGenerator({ scale: SCALE, endTimeMs: END, includePayload: false }).extentOf().spans > TOTAL);
const OPTS = {
  scale: SCALE,
  endTimeMs: END,
  payloadBytes: 1024,
  warmupSpans: 0,
  repeats: 2,
  batchSize: 50,
  concurrency: 3,
  queryIterations: 2,
  progress: false as const,
};

function okAndClean(results: QueryPatternResult[][]): void {
  for (const rep of results) {
    for (const r of rep) {
      assert.deepEqual(r.mismatches, [], `${r.model} ${r.pattern}: ${JSON.stringify(r.mismatches, null, 1)}`);
      if (r.status === 'n/a') {
        assert.ok(r.reason && r.reason.length > 0, `${r.model} ${r.pattern} n/a carries a reason`);
        assert.equal(r.latency, undefined);
        continue;
      }
      assert.equal(r.status, 'ok', `${r.model} ${r.pattern}: ${r.reason ?? ''}`);
      assert.equal(r.iterations, 2);
      assert.equal(r.latency?.count, 2);
    }
  }
}

describe('workloads against the emulator', { timeout: 120_000 }, () => {
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

  let stream: StreamWorkload;
  let trace: TraceWorkload;

  it('writes the same 2,000 spans to both models with every write acknowledged', async () => {
    stream = new StreamWorkload(client, OPTS);
    trace = new TraceWorkload(client, OPTS);
    for (const w of [stream, trace]) {
      const runs = await w.write();
      assert.equal(runs.length, 2);
      const sent = runs.reduce((a, r) => a + r.spansSent, 0);
      const acked = runs.reduce((a, r) => a + r.spansAcknowledged, 0);
      // Exactly the scale's 2,000 spans, 1,000 per repeat.
      assert.equal(sent, TOTAL);
      assert.equal(acked, TOTAL);
      assert.equal(runs[0]?.spansSent, 1_000);
      assert.equal(w.writtenSpans, TOTAL);
      for (const r of runs) {
        assert.deepEqual(r.errorsByStatus, {});
        assert.equal(r.batches, Math.ceil(r.spansSent / 50));
        assert.ok(r.spansPerSec > 0);
        assert.ok(r.tracesSent > 0);
        assert.ok(r.payloadBytes > 0);
      }
    }
  });

  it('answers every query pattern like the ground truth on both models', async () => {
    const s = await stream.query();
    const t = await trace.query();
    assert.equal(s.length, 2);
    assert.deepEqual(
      s[0]?.map((r) => r.pattern),
      PATTERN_INFO.map((p) => p.name),
    );
    okAndClean(s);
    okAndClean(t);
    // The answers are not empty (the patterns are built from the data).
    for (const r of s[0] ?? []) assert.ok((r.meanResultSpans ?? 0) > 0, `stream ${r.pattern} returned spans`);
    for (const r of t[0] ?? []) if (r.status === 'ok') assert.ok((r.meanResultSpans ?? 0) > 0, `trace ${r.pattern} returned spans`);
    // Trace by id returns the whole trace on both models.
    const byId = (rs: QueryPatternResult[] | undefined, name: string) => rs?.find((r) => r.pattern === name)?.meanResultSpans;
    assert.equal(byId(s[0], 'trace-id-large'), byId(t[0], 'trace-id-large'));
    assert.ok((await stream.queryOnce('trace-id-small')) > 0);
    // Both checking paths ran: complete answers (exact id sets) and answers cut by the trace limit (20 traces).
    assert.ok([...trace.answers.values()].some((a) => a.truncated));
    assert.ok([...trace.answers.values()].some((a) => !a.truncated));
  });

  it('counts writes to a missing resource by status, acknowledges none and does not throw', async () => {
    // Like BanyanDB, a stream write to a missing stream (no modRevision) gets STATUS_INTERNAL_ERROR, which the client
    // retries for its schemaRetryMs (schema propagation) and which then counts as an error; a trace write gets
    // STATUS_NOT_FOUND at once. (Propagation of the client's retry count is tested with a stand-in client.)
    await using quick = await BanyanDBClient.connect(emulator.grpcAddress, { schemaRetryMs: 200 });
    const w = new StreamWorkload(quick, { ...OPTS, repeats: 1, spans: 120, name: 'no_such_stream' });
    const [r] = await w.write();
    assert.ok(r);
    assert.equal(r.spansSent, 120);
    assert.equal(r.spansAcknowledged, 0);
    assert.deepEqual(r.errorsByStatus, { STATUS_INTERNAL_ERROR: 120 });
    assert.equal(r.spansPerSec, 0);
    const t = new TraceWorkload(quick, { ...OPTS, repeats: 1, spans: 60, group: 'no_such_group' });
    const [rt] = await t.write();
    assert.deepEqual(rt?.errorsByStatus, { STATUS_NOT_FOUND: 60 });
    // Queries against the missing resource are reported as errors, never as figures.
    const [q] = await w.query(['time-whole']);
    assert.equal(q?.[0]?.status, 'error');
    assert.ok(q?.[0]?.reason);
  });
});

describe('workloads right after schema creation', { timeout: 120_000 }, () => {
  it('the client retries STATUS_INTERNAL_ERROR while the schema propagates; the workload counts the retries', async () => {
    // Long enough that the first writes arrive inside it however slow the machine is to start the producer thread.
    await using emu = await startEmulator({ schemaPropagationMs: 8_000 });
    await using c = await BanyanDBClient.connect(emu.grpcAddress);
    await new SchemaLoader(c, { models: ['stream'] }).load();
    const w = new StreamWorkload(c, { ...OPTS, repeats: 1, spans: 200 });
    const [r] = await w.write();
    assert.ok(r);
    assert.equal(r.spansAcknowledged, 200);
    assert.deepEqual(r.errorsByStatus, {});
    assert.ok(r.retries > 0, `retries counted (${r.retries})`);
  });
});

describe('runComparison against two emulators', { timeout: 120_000 }, () => {
  it('writes identical spans to both, alternates models, compares, and cross-checks answers', async () => {
    await using es = await startEmulator();
    await using et = await startEmulator();
    await using cs = await BanyanDBClient.connect(es.grpcAddress);
    await using ct = await BanyanDBClient.connect(et.grpcAddress);
    await new SchemaLoader(cs, { models: ['stream'] }).load();
    await new SchemaLoader(ct, { models: ['trace'] }).load();
    const result = await runComparison({
      ...OPTS,
      stream: cs,
      trace: ct,
      target: {
        kind: 'emulator',
        server: 'emulator',
        description: 'two in-process emulators',
        addresses: { stream: es.grpcAddress, trace: et.grpcAddress },
      },
    });
    assert.equal(result.schemaVersion, 1);
    assert.equal(result.tool.name, 'banyandb-perf');
    assert.match(result.tool.version, /^\d+\.\d+\.\d+/);
    assert.equal(result.partial, false);
    assert.equal(result.options.endTimeMs, END);
    assert.match(String(result.options.crossModelCheck), /compared/);
    assert.deepEqual(result.options.spansWritten, { stream: TOTAL, trace: TOTAL });
    assert.equal(result.write.stream.length, 2);
    assert.equal(result.write.trace.length, 2);
    for (const m of ['stream', 'trace'] as const) {
      assert.equal(
        result.write[m].reduce((a, r) => a + r.spansAcknowledged, 0),
        TOTAL,
      );
    }
    okAndClean(result.queries.stream);
    okAndClean(result.queries.trace);
    const metrics = result.comparisons.map((c) => c.metric);
    assert.ok(metrics.includes('write throughput'));
    assert.ok(metrics.includes('write batch latency p95'));
    assert.ok(metrics.includes('write batch latency p99'));
    assert.ok(metrics.includes('query trace-id-small latency p50'));
    assert.ok(metrics.includes('query complex latency p95'));
  });

  it('records a cross-model mismatch when the models hold different data', async () => {
    await using es = await startEmulator();
    await using et = await startEmulator();
    await using cs = await BanyanDBClient.connect(es.grpcAddress);
    await using ct = await BanyanDBClient.connect(et.grpcAddress);
    await new SchemaLoader(cs, { models: ['stream'] }).load();
    await new SchemaLoader(ct, { models: ['trace'] }).load();
    // Extra spans written behind the workload's back to the stream only: both the ground truth check and the
    // cross-model check must flag them (for the whole-range pattern).
    const extraTraceId = 'f'.repeat(32);
    await cs.writeStream([
      {
        metadata: { group: 'stream_performance_test', name: 'segment_stream' },
        element: {
          elementId: 'extra-span',
          timestamp: { seconds: Math.floor((END - 1_800_000) / 1000) },
          tagFamilies: [
            {
              tags: [
                { str: { value: 'service_0' } },
                { str: { value: 'service_0.instance_0' } },
                { str: { value: extraTraceId } },
                { int: { value: END - 1_800_000 } },
                { int: { value: 5 } },
                { int: { value: 0 } },
                { str: { value: 'extra-span' } },
                { str: { value: '-1' } },
                { str: { value: 'op' } },
                { str: { value: 'c' } },
              ],
            },
            { tags: [{ binaryData: new Uint8Array([1]) }] },
          ],
        },
      },
    ]);
    const result = await runComparison({
      ...OPTS,
      repeats: 1,
      patterns: ['time-last-1h'],
      // Large enough that neither answer is cut by its limit (only complete answers are compared across models).
      maxQueryResults: { spans: 5_000, traces: 1_000 },
      stream: cs,
      trace: ct,
      target: {
        kind: 'emulator',
        server: 'emulator',
        description: 'two in-process emulators',
        addresses: { stream: es.grpcAddress, trace: et.grpcAddress },
      },
    });
    const s = result.queries.stream[0]?.[0];
    const t = result.queries.trace[0]?.[0];
    assert.ok(s && t);
    assert.ok(s.mismatches.some((m) => m.against === 'ground-truth' && m.what === 'span count'));
    assert.ok(s.mismatches.some((m) => m.against === 'other-model' && m.actual.includes(extraTraceId)));
    assert.ok(t.mismatches.some((m) => m.against === 'other-model'));
    assert.ok(!t.mismatches.some((m) => m.against === 'ground-truth'));
  });
});
