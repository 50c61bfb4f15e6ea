/**
 * The query oracle against what BanyanDB 0.10.3 does (shared/conformance FACTS), over real gRPC to the emulator:
 * checks read what the server returns (FACT 24), the patterns ask each model only questions 0.10.3 answers
 * correctly (FACTS 32, 35, 37), no verdict stands on a wrong or missing answer, and the server names itself.
 * Each case was one of issue 9's "what was seen" findings.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { BanyanDBClient } from '../src/client/client.js';
import type { Criteria, StreamQueryRequest, TraceQueryRequest } from '../src/client/types.js';
import { type Emulator, startEmulator } from '../src/emulator/index.js';
import { formatConsoleReport } from '../src/report/console.js';
import type { QueryPatternResult, TargetInfo } from '../src/results.js';
import { SchemaLoader } from '../src/schema/loader.js';
import { askIdentity, identityOf } from '../src/targets/identity.js';
import { openTarget } from '../src/targets/target.js';
import { runComparison } from '../src/workload/compare.js';
import type { WorkloadClient } from '../src/workload/model.js';
import { StreamWorkload, TraceWorkload } from '../src/workload/workload.js';

const SCALE = { name: 'oracle', spans: 1_200, traces: 600, services: 3, instances: 6, timeRangeMs: 2 * 3_600_000 };
const END = Math.floor(Date.now() / 1000) * 1000;
const OPTS = {
  scale: SCALE,
  endTimeMs: END,
  payloadBytes: 1024,
  warmupSpans: 0,
  repeats: 1,
  batchSize: 100,
  concurrency: 2,
  queryIterations: 2,
  progress: false as const,
};
const TARGET: TargetInfo = {
  kind: 'emulator',
  server: 'emulator',
  description: 'two in-process emulators',
  addresses: { stream: 'stream', trace: 'trace' },
};

/** FACT 24: BanyanDB answers element_id as a 16-hex-digit hash of "group|name|id", never the written id. */
function serverElementId(group: string, name: string, id: string): string {
  return createHash('sha256').update(`${group}|${name}|${id}`).digest('hex').slice(0, 16);
}

/** `inner` with some members replaced; every other method is called on `inner` itself. */
function wrap(inner: BanyanDBClient, overrides: Partial<Record<keyof WorkloadClient, unknown>>): WorkloadClient {
  return new Proxy(inner, {
    get(target, key, receiver) {
      if (key in overrides) return (overrides as Record<PropertyKey, unknown>)[key];
      const v = Reflect.get(target, key, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  }) as unknown as WorkloadClient;
}

/** A client that forwards to `inner` but answers stream element ids as BanyanDB 0.10.3 does (FACT 24). */
function withServerElementIds(inner: BanyanDBClient): WorkloadClient {
  const c = inner as unknown as WorkloadClient;
  return wrap(inner, {
    queryStream: async (req: StreamQueryRequest, o?: { signal?: AbortSignal }) => {
      const res = await c.queryStream(req, o);
      for (const e of res.elements ?? []) e.elementId = serverElementId(req.groups?.[0] ?? '', req.name ?? '', e.elementId ?? '');
      return res;
    },
  });
}

function clean(results: QueryPatternResult[][]): void {
  for (const rep of results) {
    for (const r of rep) {
      assert.deepEqual(r.mismatches, [], `${r.model} ${r.pattern}: ${JSON.stringify(r.mismatches, null, 1)}`);
      assert.equal(r.status, 'ok', `${r.model} ${r.pattern}: ${r.reason ?? ''}`);
    }
  }
}

/** Two fresh emulators with the schemas loaded, for a runComparison of its own (it writes the data itself). */
async function freshPair() {
  const es = await startEmulator();
  const et = await startEmulator();
  const cs = await BanyanDBClient.connect(es.grpcAddress);
  const ct = await BanyanDBClient.connect(et.grpcAddress);
  await new SchemaLoader(cs, { models: ['stream'] }).load();
  await new SchemaLoader(ct, { models: ['trace'] }).load();
  return {
    cs,
    ct,
    async [Symbol.asyncDispose]() {
      await cs.close();
      await ct.close();
      await es.close();
      await et.close();
    },
  };
}

/** Every condition of a criteria tree. */
function conditions(c: Criteria | undefined): { name: string; op: string; value: unknown }[] {
  if (!c) return [];
  if ('condition' in c && c.condition) return [c.condition as { name: string; op: string; value: unknown }];
  if ('le' in c && c.le) return [...conditions(c.le.left), ...conditions(c.le.right)];
  return [];
}

describe('query oracle on BanyanDB 0.10.3 behaviour (emulator)', { timeout: 180_000 }, () => {
  let es: Emulator;
  let et: Emulator;
  let cs: BanyanDBClient;
  let ct: BanyanDBClient;

  before(async () => {
    es = await startEmulator();
    et = await startEmulator();
    cs = await BanyanDBClient.connect(es.grpcAddress);
    ct = await BanyanDBClient.connect(et.grpcAddress);
    await new SchemaLoader(cs, { models: ['stream'] }).load();
    await new SchemaLoader(ct, { models: ['trace'] }).load();
    const s = new StreamWorkload(cs, OPTS);
    const t = new TraceWorkload(ct, OPTS);
    await s.write();
    await t.write();
  });
  after(async () => {
    await cs?.close();
    await ct?.close();
    await es?.close();
    await et?.close();
  });

  it('stream span identity comes from the projected spanId, not the element id the server derives (FACT 24)', async () => {
    // Before: every stream answer failed "span ids expected N ids; missing ... unexpected <hash>".
    const w = new StreamWorkload(withServerElementIds(cs), OPTS);
    const results = await w.query();
    clean(results);
    assert.ok(results[0]?.some((r) => r.pattern === 'trace-id-small' && (r.meanResultSpans ?? 0) > 0));
  });

  it('asks the trace model only shapes 0.10.3 answers correctly, and both models the same predicate', async () => {
    const traceReqs: TraceQueryRequest[] = [];
    const streamReqs: StreamQueryRequest[] = [];
    const spyT = wrap(ct, {
      queryTrace: (req: TraceQueryRequest, o?: { signal?: AbortSignal }) => {
        traceReqs.push(req);
        return ct.queryTrace(req, o);
      },
    });
    const spyS = wrap(cs, {
      queryStream: (req: StreamQueryRequest, o?: { signal?: AbortSignal }) => {
        streamReqs.push(req);
        return cs.queryStream(req, o);
      },
    });
    await new TraceWorkload(spyT, { ...OPTS, queryIterations: 1 }).query();
    await new StreamWorkload(spyS, { ...OPTS, queryIterations: 1 }).query();
    assert.equal(traceReqs.length, 10);
    for (const req of traceReqs) {
      const conds = conditions(req.criteria);
      const byId = conds.some((c) => c.name === 'traceId' && c.op === 'BINARY_OP_EQ');
      if (byId) {
        // FACT 32: the trace-id path; order_by would be ignored there.
        assert.equal(req.orderBy, undefined);
        continue;
      }
      // FACTS 35, 37: the order_by path with time_based_index only (latency_based_index skips the time range and
      // fails conditions on latency); INT equality never matches there; other strings than the entity tags fail.
      assert.equal(req.orderBy?.indexRuleName, 'time_based_index');
      for (const c of conds) {
        const isInt = typeof c.value === 'object' && c.value !== null && 'int' in c.value;
        assert.ok(!(isInt && c.op === 'BINARY_OP_EQ'), `no INT equality in the order_by path: ${JSON.stringify(c)}`);
        if (!isInt) assert.ok(['serviceId', 'serviceInstanceId'].includes(c.name) && c.op === 'BINARY_OP_EQ', JSON.stringify(c));
      }
      // FACT 35: the order_by path's matcher reads a condition's value by position in a list built in projection
      // order, so the non-entity condition tags lead the projection (after the ids).
      const condTags = conds.map((c) => c.name).filter((n) => !['serviceId', 'serviceInstanceId'].includes(n));
      assert.deepEqual(req.tagProjection?.slice(2, 2 + condTags.length), condTags);
      assert.deepEqual(
        [...(req.tagProjection ?? [])].sort(),
        ['traceId', 'spanId', 'serviceId', 'serviceInstanceId', 'startTime', 'latency', 'isError'].sort(),
      );
    }
    // Same question on both models: same criteria, same time range, pattern by pattern.
    assert.equal(streamReqs.length, 10);
    for (let i = 0; i < 10; i++) {
      assert.deepEqual(streamReqs[i]?.criteria, traceReqs[i]?.criteria);
      assert.deepEqual(streamReqs[i]?.timeRange, traceReqs[i]?.timeRange);
    }
    // Sized on purpose: only the by-id patterns read payloads back.
    for (const req of streamReqs) {
      const families = req.projection?.tagFamilies?.map((f) => f.name) ?? [];
      const byId = conditions(req.criteria).some((c) => c.name === 'traceId');
      assert.equal(families.includes('data_binary'), byId, JSON.stringify(req.criteria));
    }
  });

  it('all answers correct on both models, with answer sizes, capping and windows reported', async () => {
    await using pair = await freshPair();
    const { cs, ct } = pair;
    const result = await runComparison({ ...OPTS, stream: withServerElementIds(cs), trace: ct, target: TARGET });
    clean(result.queries.stream);
    clean(result.queries.trace);
    for (const m of ['stream', 'trace'] as const) {
      for (const r of result.queries[m][0] ?? []) {
        assert.ok(r.answer && r.answer.spans > 0 && r.answer.traces > 0 && r.answer.bytes > 0, `${m} ${r.pattern} answer size`);
        assert.equal(typeof r.capped, 'boolean');
        assert.ok(r.window && r.window.endMs >= r.window.startMs);
      }
    }
    // By-id answers carry payloads; list answers on the stream side do not.
    const s = (p: string) => result.queries.stream[0]?.find((r) => r.pattern === p);
    assert.ok((s('trace-id-large')?.answer?.bytes ?? 0) / (s('trace-id-large')?.answer?.spans ?? 1) > 800);
    assert.ok((s('time-whole')?.answer?.bytes ?? 0) / (s('time-whole')?.answer?.spans ?? 1) < 200);
    // The capped stream answer was checked as the exact latest N (its limit is below the truth).
    assert.equal(s('time-whole')?.capped, false);
  });

  it('empty trace answers name no winner: the pattern is reported as failing its checks', async () => {
    // Before: error-spans, latency-range and complex got 0 traces and the report named "trace wins, 21.6x lower".
    await using pair = await freshPair();
    const { cs, ct } = pair;
    const slowStream = wrap(cs, {
      queryStream: async (req: StreamQueryRequest, o?: { signal?: AbortSignal }) => {
        await new Promise((r) => setTimeout(r, 15));
        return cs.queryStream(req, o);
      },
    });
    const emptyTrace = wrap(ct, {
      queryTrace: async () => ({ traces: [] }),
    });
    const result = await runComparison({
      ...OPTS,
      repeats: 2,
      queryIterations: 5,
      patterns: ['error-spans', 'latency-range'],
      stream: slowStream,
      trace: emptyTrace,
      target: TARGET,
    });
    for (const p of ['error-spans', 'latency-range']) {
      const t = result.queries.trace[0]?.find((r) => r.pattern === p);
      assert.ok(
        t?.mismatches.some((m) => m.what === 'trace count' && m.actual === '0'),
        p,
      );
      for (const c of result.comparisons.filter((x) => x.metric.startsWith(`query ${p} `))) {
        assert.equal(c.winner, 'none', `${c.metric}: ${c.note}`);
        assert.equal(c.ratio, undefined);
        assert.equal(c.why, 'failed-checks');
        assert.match(c.note, /^answers failed checks: .*trace \d+ mismatch/);
      }
    }
  });

  it('a pattern one model cannot answer is reported n/a with the reason and gets no winner', async () => {
    await using pair = await freshPair();
    const { cs, ct } = pair;
    const noTimeRule = wrap(ct, {
      indexRuleBindings: {
        list: async () => [{ subject: { name: 'segment_trace', catalog: 'CATALOG_TRACE' as const }, rules: ['latency_based_index'] }],
      },
    });
    const result = await runComparison({
      ...OPTS,
      patterns: ['time-whole', 'trace-id-small'],
      stream: cs,
      trace: noTimeRule,
      target: TARGET,
    });
    const t = result.queries.trace[0]?.find((r) => r.pattern === 'time-whole');
    assert.equal(t?.status, 'n/a');
    assert.match(t?.reason ?? '', /"time_based_index" is not bound/);
    assert.equal(t?.latency, undefined);
    for (const c of result.comparisons.filter((x) => x.metric.startsWith('query time-whole '))) {
      assert.equal(c.winner, 'none');
      assert.equal(c.why, 'not-answerable');
      assert.match(c.note, /^trace cannot answer this pattern/);
    }
    // The other pattern still runs, correct on both models.
    const byId = result.queries.trace[0]?.find((r) => r.pattern === 'trace-id-small');
    assert.equal(byId?.status, 'ok');
    assert.deepEqual(byId?.mismatches, []);
  });
});

describe('the server names itself (GetAPIVersion)', () => {
  it('reads BanyanDB, the emulator and unknown answers without guessing', async () => {
    // FACT 2: BanyanDB 0.10.3 answers version "0.10" and a short revision.
    assert.deepEqual(identityOf({ version: '0.10', revision: '3b4e4d9' }), {
      kind: 'banyandb',
      apiVersion: '0.10',
      revision: '3b4e4d9',
      label: 'BanyanDB 0.10 (revision 3b4e4d9)',
    });
    const emu = identityOf({ version: '0.10', revision: 'emulator-0.1.0' });
    assert.equal(emu.kind, 'emulator');
    assert.equal(emu.label, 'banyandb-perf emulator 0.1.0 (emulates BanyanDB 0.10.3)');
    assert.equal(identityOf({ version: '', revision: '' }).kind, 'unknown');
    const failed = await askIdentity({
      getAPIVersion: async () => {
        throw new Error('14 UNAVAILABLE: connection refused');
      },
    });
    assert.equal(failed.kind, 'unknown');
    assert.equal(failed.label, 'unknown (GetAPIVersion failed: 14 UNAVAILABLE: connection refused)');
  });

  it('asks over gRPC and puts the server line in the first lines of the report', async () => {
    await using emu = await startEmulator();
    await using c = await BanyanDBClient.connect(emu.grpcAddress);
    await new SchemaLoader(c).load();
    const id = await askIdentity(c);
    // The emulator names itself once it answers GetAPIVersion; until then it is unknown, never guessed.
    assert.ok(id.kind === 'emulator' || (id.kind === 'unknown' && /GetAPIVersion failed/.test(id.label)), id.label);
    const servers = {
      stream: {
        ...identityOf({ version: '0.10', revision: '3b4e4d9' }),
        image: 'apache/skywalking-banyandb:0.10.3',
        imageId: `sha256:${'ab12'.repeat(16)}`,
      },
      trace: {
        ...identityOf({ version: '0.10', revision: '3b4e4d9' }),
        image: 'apache/skywalking-banyandb:0.10.3',
        imageId: `sha256:${'ab12'.repeat(16)}`,
      },
    };
    const result = await runComparison({
      ...OPTS,
      spans: 100,
      patterns: [],
      stream: c,
      trace: c,
      target: { kind: 'docker', server: 'banyandb', description: 'd', addresses: { stream: 'a', trace: 'b' }, servers },
    }).catch(() => undefined);
    assert.ok(result);
    const head = formatConsoleReport(result, { color: false }).split('\n').slice(0, 4).join('\n');
    assert.match(
      head,
      /Server: BanyanDB 0\.10 \(revision 3b4e4d9\), image apache\/skywalking-banyandb:0\.10\.3 \(sha256:ab12ab12ab12\) \(both models\)/,
    );
  });

  it('every target kind fills target.servers from the servers themselves', async () => {
    // Before: `(kind: external, server: unknown)`, and Docker runs named the image, not the server.
    await using emu = await openTarget({ kind: 'emulator', loadSchemas: false });
    for (const m of ['stream', 'trace'] as const) {
      assert.equal(emu.info.servers?.[m]?.kind, 'emulator');
      assert.match(emu.info.servers?.[m]?.revision ?? '', /^emulator-/);
      assert.match(emu.info.servers?.[m]?.label ?? '', /^banyandb-perf emulator .+ \(emulates BanyanDB 0\.10\.3\)$/);
    }
    // External addresses: the server is asked too, so an emulator behind them is named, not "unknown".
    await using ext = await openTarget({ kind: 'external', addresses: emu.info.addresses, loadSchemas: false });
    assert.equal(ext.info.servers?.stream.kind, 'emulator');
    assert.equal(ext.info.server, 'emulator');
  });
});
