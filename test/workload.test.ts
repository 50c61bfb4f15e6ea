/**
 * Workload unit tests against in-process stand-in clients (no server): option validation, slicing of the span stream
 * into repeats, error accounting, open-loop latency from the intended start, abort.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StreamWriteRequest, TraceWriteRequest } from '../src/client/types.js';
import { OptionsError } from '../src/errors.js';
import { SpanGenerator } from '../src/generator/generator.js';
import { runComparison } from '../src/workload/compare.js';
import type { WorkloadClient } from '../src/workload/model.js';
import { resolveWorkloadOptions, type WorkloadProgress } from '../src/workload/options.js';
import { createProgress } from '../src/workload/progress.js';
import { StreamWorkload, TraceWorkload } from '../src/workload/workload.js';

const SCALE = { name: 'tiny', spans: 400, traces: 200, services: 3, instances: 6, timeRangeMs: 600_000 };
const END = Date.UTC(2026, 0, 1);
const BASE = { scale: SCALE, endTimeMs: END, payloadBytes: 1024, warmupSpans: 0, progress: false as const };

interface Call {
  kind: 'stream' | 'trace';
  ids: string[];
  at: number;
}

/** A client whose writes succeed after `delayMs(callIndex)` ms (or with the statuses `statusOf` gives). */
function fakeClient(
  opts: {
    delayMs?: (call: number) => number;
    statusOf?: (call: number, i: number) => string;
    failCall?: (call: number) => Error | undefined;
    retriesOf?: (call: number) => number;
  } = {},
) {
  const calls: Call[] = [];
  const write = async (kind: 'stream' | 'trace', ids: string[], signal?: AbortSignal) => {
    const call = calls.length;
    calls.push({ kind, ids, at: performance.now() });
    const delay = opts.delayMs?.(call) ?? 0;
    if (delay > 0) {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, delay);
        signal?.addEventListener('abort', () => {
          clearTimeout(t);
          reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
        });
      });
    }
    const err = opts.failCall?.(call);
    if (err) throw err;
    const statusCounts: Record<string, number> = {};
    const rejected: { id: number; status: string }[] = [];
    ids.forEach((_, i) => {
      const st = opts.statusOf?.(call, i) ?? 'STATUS_SUCCEED';
      statusCounts[st] = (statusCounts[st] ?? 0) + 1;
      if (st !== 'STATUS_SUCCEED') rejected.push({ id: i + 1, status: st });
    });
    return {
      sent: ids.length,
      acknowledged: statusCounts.STATUS_SUCCEED ?? 0,
      rejected,
      statusCounts,
      retries: opts.retriesOf?.(call) ?? 0,
      durationMs: delay,
    };
  };
  const client: WorkloadClient = {
    writeStream: (b: StreamWriteRequest[], o) =>
      write(
        'stream',
        b.map((r) => r.element?.elementId ?? ''),
        o?.signal,
      ),
    writeTrace: (b: TraceWriteRequest[], o) =>
      write(
        'trace',
        b.map((r) => {
          const v = r.tags?.[6];
          return v && 'str' in v ? (v.str.value ?? '') : '';
        }),
        o?.signal,
      ),
    queryStream: async () => ({ elements: [] }),
    queryTrace: async () => ({ traces: [] }),
  };
  return { client, calls };
}

describe('workload options', () => {
  const cases: [Record<string, unknown>, string, string?][] = [
    [{ concurrency: 0 }, 'concurrency', 'concurrency must be a positive integer, got 0'],
    [{ concurrency: 1.5 }, 'concurrency', 'concurrency must be a positive integer, got 1.5'],
    [{ concurrency: -2 }, 'concurrency', 'concurrency must be a positive integer, got -2'],
    [{ batchSize: 0 }, 'batchSize', 'batchSize must be a positive integer, got 0'],
    [{ scale: 'huge' }, 'scale', 'scale: unknown scale "huge"; expected one of small, medium, large or a Scale object'],
    [{ ratePerSec: 1000 }, 'ratePerSec', 'ratePerSec (open loop) requires durationMs'],
    [{ ratePerSec: 0, durationMs: 1000 }, 'ratePerSec', 'ratePerSec must be a finite number > 0, got 0'],
    [{ warmupSpans: -1 }, 'warmupSpans', 'warmupSpans must be an integer >= 0, got -1'],
    [{ warmupSpans: 1.5 }, 'warmupSpans', 'warmupSpans must be an integer >= 0, got 1.5'],
    [
      { spans: 10, repeats: 2, warmupSpans: 9 },
      'warmupSpans',
      'spans (10) must leave at least one span per repeat (2) after the warm-up (9 spans)',
    ],
    [{ batchTimeoutMs: 0 }, 'batchTimeoutMs', 'batchTimeoutMs must be a finite number > 0, got 0'],
    [{ stallTimeoutMs: -1 }, 'stallTimeoutMs', 'stallTimeoutMs must be a finite number > 0, got -1'],
    [{ maxFailedBatches: 0 }, 'maxFailedBatches', 'maxFailedBatches must be a positive integer, got 0'],
    [{ queryTimeoutMs: 0 }, 'queryTimeoutMs', 'queryTimeoutMs must be a finite number > 0, got 0'],
    [{ maxFailedQueries: 0.5 }, 'maxFailedQueries', 'maxFailedQueries must be a positive integer, got 0.5'],
    [{ repeats: 0 }, 'repeats', 'repeats must be a positive integer, got 0'],
    [{ durationMs: 0 }, 'durationMs', 'durationMs must be a finite number > 0, got 0'],
    [{ spans: 2, repeats: 3 }, 'spans', 'spans (2) must leave at least one span per repeat (3) after the warm-up (0 spans)'],
    [{ queryIterations: 0 }, 'queryIterations', 'queryIterations must be a positive integer, got 0'],
    [{ progress: 'yes' }, 'progress', `progress must be true, false or 'auto', got "yes"`],
    [{ name: '' }, 'name', 'name must be a non-empty string, got ""'],
    [{ generatorThread: 'yes' }, 'generatorThread', 'generatorThread must be true or false, got "yes"'],
    [{ seed: 1.5 }, 'seed', 'seed: expected a safe integer, got 1.5'],
    [{ payloadBytes: 10 }, 'payloadBytes'],
    [{ endTimeMs: 5 }, 'endTimeMs'],
    [{ scale: { ...SCALE, spans: 0 } }, 'scale.spans', 'scale.spans: expected a positive integer, got 0'],
  ];
  for (const [bad, option, message] of cases) {
    it(`rejects ${JSON.stringify(bad)} naming ${option}, before anything is sent`, () => {
      const { client, calls } = fakeClient();
      assert.throws(
        () => new StreamWorkload(client, { ...BASE, ...bad }),
        (e: unknown) => e instanceof OptionsError && e.option === option && (message === undefined || e.message === message),
      );
      assert.equal(calls.length, 0);
    });
  }

  it('resolves defaults from named constants', () => {
    const r = resolveWorkloadOptions({}, () => 1_700_000_000_123);
    assert.equal(r.concurrency, 4);
    assert.equal(r.batchSize, 100);
    assert.equal(r.repeats, 3);
    assert.equal(r.warmupSpans, 2000);
    assert.equal(r.batchTimeoutMs, 20_000);
    assert.equal(r.stallTimeoutMs, 30_000);
    assert.equal(r.maxFailedBatches, 10);
    assert.equal(r.queryTimeoutMs, 20_000);
    assert.equal(r.maxFailedQueries, 3);
    // The default warm-up never takes more than 10% of a small data set.
    assert.equal(resolveWorkloadOptions({ spans: 1_500 }).warmupSpans, 150);
    assert.equal(r.queryIterations, 20);
    assert.equal(r.endTimeMs, 1_700_000_000_000);
    assert.equal(r.spans, 100_000);
    assert.equal(r.spansFromScale, true);
    assert.equal(r.ratePerSec, undefined);
  });
});

describe('workload writes (stand-in client)', () => {
  it('writes consecutive slices of the span stream, one per repeat, with exact counts', async () => {
    const { client, calls } = fakeClient();
    const w = new TraceWorkload(client, { ...BASE, spans: 300, repeats: 3, batchSize: 25, concurrency: 2 });
    const runs = await w.write();
    assert.equal(runs.length, 3);
    for (const r of runs) {
      assert.equal(r.model, 'trace');
      assert.equal(r.spansSent, 100);
      assert.equal(r.spansAcknowledged, 100);
      assert.equal(r.batches, 4);
      assert.equal(r.partial, false);
      assert.equal(r.mode, 'closed-loop');
      assert.deepEqual(r.errorsByStatus, {});
      assert.equal(r.batchLatency.count, 4);
    }
    const sent = calls.flatMap((c) => c.ids).sort();
    const expected = [...new SpanGenerator({ scale: SCALE, endTimeMs: END, includePayload: false }).spans()]
      .slice(0, 300)
      .map((s) => s.spanId)
      .sort();
    assert.deepEqual(sent, expected, 'every span of the prefix exactly once');
    assert.equal(w.writtenSpans, 300);
  });

  it('counts rejected writes by status and transport failures by error code, without throwing', async () => {
    const { client } = fakeClient({
      statusOf: (call, i) => (call === 0 && i < 3 ? 'STATUS_NOT_FOUND' : 'STATUS_SUCCEED'),
      failCall: (call) => (call === 1 ? Object.assign(new Error('boom'), {}) : undefined),
      retriesOf: (call) => (call === 2 ? 7 : 0),
    });
    const w = new StreamWorkload(client, { ...BASE, spans: 40, repeats: 1, batchSize: 10, concurrency: 1 });
    const [r] = await w.write();
    assert.ok(r);
    assert.equal(r.spansSent, 40);
    assert.equal(r.spansAcknowledged, 40 - 3 - 10);
    assert.deepEqual(r.errorsByStatus, { STATUS_NOT_FOUND: 3, UNKNOWN: 10 });
    assert.equal(r.retries, 7, "the client's STATUS_INTERNAL_ERROR retries are summed");
    assert.equal(r.batches, 4);
  });

  it('warm-up is a count of spans, written but not measured; every repeat covers the same count', async () => {
    const { client, calls } = fakeClient({ delayMs: () => 5 });
    const w = new StreamWorkload(client, { ...BASE, spans: 200, repeats: 2, batchSize: 10, concurrency: 1, warmupSpans: 50 });
    const runs = await w.write();
    assert.equal(w.warmup?.spansSent, 50);
    assert.equal(runs[0]?.spansSent, 75);
    assert.equal(runs[1]?.spansSent, 75);
    assert.equal(calls.flatMap((c) => c.ids).length, 200);
    assert.equal(new Set(calls.flatMap((c) => c.ids)).size, 200);
  });

  it('open loop measures latency from the intended start: a stalled batch delays the ones scheduled behind it', async () => {
    // 5 batches intended at 0, 50, 100, 150, 200 ms; the first stalls 400 ms and concurrency is 1, so the others
    // start at ~400 ms: from their intended starts each waited at least ~200 ms.
    const stall = (call: number) => (call === 0 ? 400 : 0);
    const open = fakeClient({ delayMs: stall });
    const o = new StreamWorkload(open.client, {
      ...BASE,
      spans: 100,
      repeats: 1,
      batchSize: 10,
      concurrency: 1,
      ratePerSec: 200,
      durationMs: 250,
    });
    const [ro] = await o.write();
    assert.ok(ro);
    assert.equal(ro.mode, 'open-loop');
    assert.equal(ro.targetSpansPerSec, 200);
    assert.equal(ro.batches, 5);
    assert.ok(ro.batchLatency.minMs >= 150, `every batch's latency includes the stall (min ${ro.batchLatency.minMs} ms)`);
    // Closed loop, same stall: only the stalled batch is slow.
    const closed = fakeClient({ delayMs: stall });
    const c = new StreamWorkload(closed.client, { ...BASE, spans: 50, repeats: 1, batchSize: 10, concurrency: 1 });
    const [rc] = await c.write();
    assert.ok(rc);
    assert.ok(rc.batchLatency.maxMs >= 390);
    assert.ok(rc.batchLatency.minMs < ro.batchLatency.minMs, 'closed loop hides the stall from later batches');
  });

  it('abort mid-run: in-flight batches settle, the result is partial, no hang', async () => {
    const { client, calls } = fakeClient({ delayMs: () => 30 });
    const ac = new AbortController();
    const events: WorkloadProgress[] = [];
    const w = new StreamWorkload(client, {
      ...BASE,
      spans: 400,
      repeats: 2,
      batchSize: 10,
      concurrency: 2,
      signal: ac.signal,
      onProgress: (e) => events.push(e),
    });
    setTimeout(() => ac.abort(), 100);
    const runs = await w.write();
    assert.equal(runs.length, 1, 'the second repeat does not start after the abort');
    const [r] = runs;
    assert.ok(r);
    assert.equal(r.partial, true);
    assert.ok(r.spansSent > 0 && r.spansSent < 200);
    assert.equal(r.spansAcknowledged, r.spansSent, 'in-flight batches were allowed to settle');
    assert.equal(calls.flatMap((c) => c.ids).length, r.spansSent);
    assert.ok(events.length > 0 && events.every((e) => e.model === 'stream'));
  });

  it('abort with a server that never answers: in-flight batches are cancelled after the grace period, no hang', async () => {
    const { client } = fakeClient({ delayMs: () => 600_000 });
    const ac = new AbortController();
    const w = new TraceWorkload(client, { ...BASE, spans: 100, repeats: 1, batchSize: 10, concurrency: 2, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    const [r] = await w.write();
    assert.ok(r);
    assert.equal(r.partial, true);
    assert.equal(r.spansSent, 20);
    assert.equal(r.spansAcknowledged, 0);
    assert.deepEqual(r.errorsByStatus, { ABORTED: 20 });
  });

  it('open loop with an already-aborted signal sends nothing and returns a partial result', async () => {
    const { client, calls } = fakeClient();
    const ac = new AbortController();
    ac.abort();
    const w = new TraceWorkload(client, { ...BASE, spans: 100, repeats: 1, ratePerSec: 100, durationMs: 1_000, signal: ac.signal });
    const runs = await w.write();
    assert.equal(runs[0]?.partial, true);
    assert.equal(calls.length, 0);
  });
});

describe('workload queries (stand-in client)', () => {
  it('marks trace patterns n/a with the reason when the order rule they need is not bound; records every mismatch', async () => {
    const { client } = fakeClient();
    const traceQueries: unknown[] = [];
    const withRegistries = Object.assign(client, {
      queryTrace: async (req: unknown) => {
        traceQueries.push(req);
        return { traces: [] };
      },
      indexRules: {
        list: async () => [
          { metadata: { name: 'time_based_index' }, type: 'TYPE_TREE' as const },
          { metadata: { name: 'latency_based_index' }, type: 'TYPE_TREE' as const },
        ],
      },
      // time_based_index exists but is not bound to the trace.
      indexRuleBindings: {
        list: async () => [{ subject: { name: 'segment_trace', catalog: 'CATALOG_TRACE' as const }, rules: ['latency_based_index'] }],
      },
    });
    const w = new TraceWorkload(withRegistries, { ...BASE, spans: 200, repeats: 1, queryIterations: 1 });
    await w.write();
    const [results] = await w.query(['latency-range', 'trace-id-small']);
    const latency = results?.find((r) => r.pattern === 'latency-range');
    assert.equal(latency?.status, 'n/a');
    assert.match(
      latency?.reason ?? '',
      /index rule \(TYPE_TREE\) bound to trace_performance_test\/segment_trace; "time_based_index" is not bound to it \(bound: latency_based_index\)/,
    );
    assert.equal(latency?.latency, undefined);
    // The answerable pattern (trace id, no order rule) ran, and the stand-in's empty answer is reported, not hidden.
    const byId = results?.find((r) => r.pattern === 'trace-id-small');
    assert.equal(byId?.status, 'ok');
    assert.equal(traceQueries.length, 1);
    assert.ok(byId?.mismatches.some((m) => m.against === 'ground-truth' && m.what === 'trace count' && m.actual === '0'));
    await assert.rejects(w.queryOnce('latency-range'), /trace model cannot answer latency-range/);
    await assert.rejects(w.queryOnce('no-such-pattern'), /unknown query pattern "no-such-pattern"/);
  });

  it('abort while the ground truth is computed: query() resolves promptly with what was done', async () => {
    const { client } = fakeClient();
    const ac = new AbortController();
    const big = { name: 'big', spans: 400_000, traces: 40_000, services: 10, instances: 20, timeRangeMs: 3_600_000 };
    // No write(): the workload assumes the whole data set is there and regenerates it for the ground truth.
    const w = new StreamWorkload(client, { ...BASE, scale: big, signal: ac.signal });
    setTimeout(() => ac.abort(), 30);
    const results = await w.query();
    assert.deepEqual(results, []);
  });

  it('reports a failing query as an error with its reason, never as figures', async () => {
    const { client } = fakeClient();
    client.queryStream = async () => {
      throw new Error('server said no');
    };
    const w = new StreamWorkload(client, { ...BASE, spans: 100, repeats: 1, queryIterations: 3 });
    await w.write();
    const [results] = await w.query(['error-spans']);
    assert.equal(results?.[0]?.status, 'error');
    assert.equal(results?.[0]?.reason, 'server said no');
    assert.equal(results?.[0]?.iterations, 0);
    assert.equal(results?.[0]?.latency, undefined);
  });
});

describe('workload progress', () => {
  const event = {
    phase: 'measure' as const,
    repeat: 0,
    spansSent: 50,
    spansAcknowledged: 40,
    errors: 2,
    spansTarget: 100,
    spansPerSec: 400,
    etaMs: 1500,
    elapsedMs: 100,
  };
  const fakeStream = (isTTY: boolean) => {
    const out: string[] = [];
    return { out, stream: { isTTY, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream };
  };

  it('draws one live line on a TTY and sends typed events', () => {
    const { out, stream } = fakeStream(true);
    const events: WorkloadProgress[] = [];
    const p = createProgress('trace', 3, 'auto', (e) => events.push(e), stream);
    p.update(event, true);
    p.end();
    assert.equal(out.length, 2);
    assert.equal(out[0], '\r\x1b[2Ktrace writes, repeat 1/3: 40/100 spans (40%), 400 spans/s, 2 errors, ETA 2s');
    assert.equal(out[1], '\n');
    assert.deepEqual(events, [{ kind: 'write', model: 'trace', repeats: 3, ...event }]);
  });

  it('is silent off a TTY (auto) and with progress: false, events still sent', () => {
    for (const [tty, show] of [
      [false, 'auto'],
      [true, false],
    ] as const) {
      const { out, stream } = fakeStream(tty);
      let n = 0;
      const p = createProgress('stream', 1, show, () => n++, stream);
      p.update(event, true);
      p.end();
      assert.deepEqual(out, []);
      assert.equal(n, 1);
    }
  });

  it('progress: true off a terminal writes plain lines without escape codes', () => {
    const { out, stream } = fakeStream(false);
    const p = createProgress('stream', 1, true, undefined, stream);
    p.update(event, true);
    p.end();
    assert.deepEqual(out, ['stream writes, repeat 1/1: 40/100 spans (40%), 400 spans/s, 2 errors, ETA 2s\n']);
  });
});

describe('runComparison options', () => {
  it('rejects bad options and unknown patterns before anything is sent', async () => {
    const a = fakeClient();
    const b = fakeClient();
    const target = {
      kind: 'external' as const,
      server: 'unknown' as const,
      description: 'stand-ins',
      addresses: { stream: 'a', trace: 'b' },
    };
    await assert.rejects(
      runComparison({ ...BASE, stream: a.client, trace: b.client, target, patterns: ['time-whole', 'nope'] }),
      (e: unknown) => e instanceof OptionsError && e.option === 'patterns' && /unknown query pattern "nope"/.test(e.message),
    );
    await assert.rejects(
      runComparison({ ...BASE, stream: a.client, trace: b.client, target, batchSize: 0 }),
      (e: unknown) => e instanceof OptionsError && e.option === 'batchSize',
    );
    assert.equal(a.calls.length + b.calls.length, 0);
  });

  it('alternates which model writes first on every repeat, over identical spans', async () => {
    const order: string[] = [];
    const a = fakeClient();
    const b = fakeClient();
    const track = (c: WorkloadClient, label: string) => {
      const ws = c.writeStream.bind(c);
      const wt = c.writeTrace.bind(c);
      c.writeStream = (batch, o) => {
        order.push(label);
        return ws(batch, o);
      };
      c.writeTrace = (batch, o) => {
        order.push(label);
        return wt(batch, o);
      };
    };
    track(a.client, 's');
    track(b.client, 't');
    const target = {
      kind: 'external' as const,
      server: 'unknown' as const,
      description: 'stand-ins',
      addresses: { stream: 'a', trace: 'b' },
    };
    const r = await runComparison({
      ...BASE,
      stream: a.client,
      trace: b.client,
      target,
      spans: 120,
      repeats: 3,
      batchSize: 40,
      concurrency: 1,
      patterns: [],
    });
    assert.equal(order.join(''), 'sttsst', 'repeat 1: stream first; 2: trace first; 3: stream first');
    assert.deepEqual(
      a.calls.flatMap((c) => c.ids),
      b.calls.flatMap((c) => c.ids),
    );
    assert.deepEqual(r.queries, { stream: [], trace: [] });
    assert.equal(r.partial, false);
  });
});
