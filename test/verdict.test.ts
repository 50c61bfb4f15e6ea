/**
 * The verdict builder (src/verdict) and the method of src/metrics/stats.ts against what issue 11 saw:
 * ratios from means beside medians, an uncorrected p = 0.041 among 24 comparisons, "no clear winner" beside
 * ranges that do not overlap, unequal answers compared; plus every rule that must keep a row from naming a
 * winner, and that the verdict is a pure function of the figures.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { answerBytes } from '../src/oracle/answer.js';
import { readStreamAnswer } from '../src/oracle/stream-model.js';
import { readTraceAnswer } from '../src/oracle/trace-model.js';
import { formatConsoleReport } from '../src/report/console.js';
import type { BenchmarkResult, Comparison, LatencySummary, Model, QueryPatternResult, WriteRunResult } from '../src/results.js';
import { buildComparisons } from '../src/verdict/comparisons.js';
import { summarizeVerdict } from '../src/verdict/summary.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', 'testdata', 'results', 'sample-result.json');

function latency(p50: number): LatencySummary {
  return {
    count: 20,
    minMs: p50 * 0.8,
    meanMs: p50,
    p50Ms: p50,
    p90Ms: p50 * 1.3,
    p95Ms: p50 * 1.4,
    p99Ms: p50 * 1.6,
    p999Ms: p50 * 1.7,
    maxMs: p50 * 2,
    stdDevMs: p50 * 0.1,
  };
}

function writeRun(model: Model, spansPerSec: number, extra: Partial<WriteRunResult> = {}): WriteRunResult {
  return {
    model,
    partial: false,
    mode: 'closed-loop',
    concurrency: 4,
    batchSize: 100,
    warmupSpans: 2000,
    wallClockMs: 10_000,
    spansSent: spansPerSec * 10,
    spansAcknowledged: spansPerSec * 10,
    tracesSent: spansPerSec,
    payloadBytes: spansPerSec * 96_000,
    batches: spansPerSec / 10,
    spansPerSec,
    tracesPerSec: spansPerSec / 10,
    payloadMBPerSec: (spansPerSec * 9600) / 1e6,
    batchesPerSec: spansPerSec / 100,
    batchLatency: latency(50),
    errorsByStatus: {},
    retries: 0,
    timeSeries: [],
    ...extra,
  };
}

function query(model: Model, pattern: string, p50: number, extra: Partial<QueryPatternResult> = {}): QueryPatternResult {
  return {
    pattern,
    description: `pattern ${pattern}`,
    model,
    status: 'ok',
    iterations: 20,
    latency: latency(p50),
    queriesPerSec: 1000 / p50,
    meanResultSpans: 10,
    answer: { spans: 10, traces: 2, bytes: 96_000 },
    capped: false,
    mismatches: [],
    ...extra,
  };
}

/** Per-repeat p50s per pattern and model: `{ pattern: { stream: [..], trace: [..] } }`. */
function queriesOf(
  figures: Record<string, Record<Model, number[]>>,
  extra: (m: Model, pattern: string, i: number) => Partial<QueryPatternResult> = () => ({}),
): Record<Model, QueryPatternResult[][]> {
  const out: Record<Model, QueryPatternResult[][]> = { stream: [], trace: [] };
  for (const m of ['stream', 'trace'] as const) {
    const n = Math.max(...Object.values(figures).map((f) => f[m].length));
    for (let i = 0; i < n; i++) {
      out[m].push(Object.entries(figures).map(([p, f]) => query(m, p, f[m][i]!, extra(m, p, i))));
    }
  }
  return out;
}

const find = (cs: readonly Comparison[], metric: string): Comparison => {
  const c = cs.find((x) => x.metric === metric);
  assert.ok(c, `no comparison ${metric} in ${cs.map((x) => x.metric).join(', ')}`);
  return c;
};

describe('what issue 11 saw', () => {
  it('the ratio is the ratio of the medians shown (4,732 vs 3,549 spans/s: 1.33x), not of the means', () => {
    // Medians 4,732 and 3,549; the means (4,467 and 4,045) differ by only 9.7%, which the old report printed.
    const stream = [4732, 4900, 3770].map((v) => writeRun('stream', v));
    const trace = [3549, 3450, 5135].map((v) => writeRun('trace', v));
    const [c] = buildComparisons({ write: { stream, trace }, queries: { stream: [], trace: [] } });
    assert.equal(c!.metric, 'write throughput');
    assert.equal(c!.stream!.median, 4732);
    assert.equal(c!.trace!.median, 3549);
    assert.equal(c!.estimate!.ahead, 'stream');
    assert.equal(c!.estimate!.factor, 4732 / 3549);
    const text = formatConsoleReport({ ...resultShell(), write: { stream, trace }, comparisons: [] });
    assert.match(
      text,
      /write spans\/s ↑\s+4,732 \(3,770–4,900\)\s+3,549 \(3,450–5,135\)\s+\S+ \/ \S+\s+no winner \(too noisy\): stream 1\.33x/,
    );
    assert.doesNotMatch(text, /9\.7%/);
  });

  it('p = 0.041 from n = 3 among 24 comparisons names no winner once the table is corrected (Holm–Bonferroni)', () => {
    // One pattern whose raw (uncorrected) Welch p on the logs is about 0.04, and 11 patterns with no difference.
    const figures: Record<string, Record<Model, number[]>> = {
      'time-whole': { stream: [2.5, 2.1, 1.9], trace: [1.2, 1.0, 1.4] },
    };
    for (let i = 0; i < 11; i++) figures[`p${i}`] = { stream: [10, 11, 9.5], trace: [10.2, 10.8, 9.6] };
    const cs = buildComparisons({
      write: { stream: [100, 101, 99].map((v) => writeRun('stream', v)), trace: [100, 102, 98].map((v) => writeRun('trace', v)) },
      queries: queriesOf(figures),
    });
    const p50 = find(cs, 'query time-whole latency p50');
    assert.ok(p50.p! < 0.05, `raw p ${p50.p}`);
    assert.equal(cs.filter((c) => c.pAdjusted !== undefined).length, 4 + 24);
    assert.ok(p50.pAdjusted! > 0.05, `adjusted p ${p50.pAdjusted}`);
    assert.equal(p50.winner, 'none');
    assert.ok(p50.estimate!.ci![0] < 1, 'the interval at the corrected level includes 1');
    assert.match(p50.note, /Holm-adjusted p = \S+ over 28/);
    // Alone (a family of one), the same figures do name trace: the correction is what changed the call.
    const alone = buildComparisons({ write: { stream: [], trace: [] }, queries: queriesOf({ 'time-whole': figures['time-whole']! }) });
    assert.equal(find(alone, 'query time-whole latency p50').winner, 'trace');
  });

  it('ranges that do not overlap (93 ms, 52–143, vs 2.41 ms, 0.7–2.6) name the faster side when the answers are equal', () => {
    const figures: Record<string, Record<Model, number[]>> = { 'time-whole': { stream: [93, 52, 143], trace: [2.41, 0.7, 2.6] } };
    // In a table with other clear differences (as a real run has), Holm's step-down tests it at a wider level.
    for (let i = 0; i < 11; i++) figures[`p${i}`] = { stream: [10, 10.2, 9.9], trace: [20, 20.5, 19.6] };
    const cs = buildComparisons({ write: { stream: [], trace: [] }, queries: queriesOf(figures) });
    const c = find(cs, 'query time-whole latency p50');
    assert.equal(c.winner, 'trace');
    assert.ok(c.estimate!.ci![0] > 1);
    assert.equal(c.ratio, 93 / 2.41);
    // When it cannot be called, the row says why (a side too noisy at the corrected level), never just "no clear winner".
    const nulls: Record<string, Record<Model, number[]>> = { 'time-whole': figures['time-whole']! };
    for (let i = 0; i < 23; i++) nulls[`n${i}`] = { stream: [10, 11, 9], trace: [10, 11, 9.1] };
    const quiet = find(buildComparisons({ write: { stream: [], trace: [] }, queries: queriesOf(nulls) }), 'query time-whole latency p50');
    assert.equal(quiet.winner, 'none');
    assert.equal(quiet.why, 'too-noisy');
    assert.match(quiet.note, /^stream \(CV 47%\) and trace \(CV 55%\) too noisy to judge \(Holm-adjusted p = /);
  });

  it('unequal answers (stream 5,000 spans, trace 802 capped at 50 traces) name no winner and show each side’s size', () => {
    const figures = { 'time-whole': { stream: [93, 90, 95], trace: [2.4, 2.5, 2.3] } };
    const queries = queriesOf(figures, (m) =>
      m === 'stream'
        ? { answer: { spans: 5000, traces: 512, bytes: 48_000_000 }, capped: true }
        : { answer: { spans: 802, traces: 50, bytes: 7_700_000 }, capped: true },
    );
    const c = find(buildComparisons({ write: { stream: [], trace: [] }, queries }), 'query time-whole latency p50');
    assert.equal(c.winner, 'none');
    assert.equal(c.why, 'unequal-answers');
    assert.equal(
      c.note,
      'unequal answers: stream 5,000 spans / 512 traces / 45.8 MiB (capped), trace 802 spans / 50 traces / 7.3 MiB (capped)',
    );
    assert.deepEqual(c.answers?.stream, { spans: 5000, traces: 512, bytes: 48_000_000, capped: true });
    // Only a cap on one side is enough.
    const one = queriesOf(figures, (m) => (m === 'trace' ? { capped: true } : {}));
    assert.equal(
      find(buildComparisons({ write: { stream: [], trace: [] }, queries: one }), 'query time-whole latency p50').why,
      'unequal-answers',
    );
  });
});

describe('answers with the same spans, shaped differently', () => {
  // Seen in CI: time-last-1m, 17 spans of 1 trace on both models, but the stream answer carried the projected tags
  // (1,020 B) and the trace answer every span's payload (169,009 B); stream was named the winner in one run of three.
  const figures = { 'time-last-1m': { stream: [2.2, 2.3, 2.25], trace: [4.5, 4.4, 4.6] } };
  const sized = (streamBytes: number, traceBytes: number) =>
    queriesOf(figures, (m) => ({ answer: { spans: 17, traces: 1, bytes: m === 'stream' ? streamBytes : traceBytes } }));

  it('bytes per answer 165x apart name no winner, and the note shows each side’s bytes', () => {
    const c = find(
      buildComparisons({ write: { stream: [], trace: [] }, queries: sized(1_020, 169_009) }),
      'query time-last-1m latency p50',
    );
    assert.equal(c.winner, 'none');
    assert.equal(c.why, 'unequal-answers');
    assert.equal(c.note, 'unequal answers: stream 17 spans / 1 trace / 1020 B, trace 17 spans / 1 trace / 165 KiB');
  });

  it('the same span answered by each model counts the same bytes (the stream payload once, not also as its tag)', () => {
    // Seen: trace-id-small, 1 span: stream 10,633 B against trace 5,369 B, the stream payload counted twice.
    const payload = new Uint8Array(5_000).fill(7);
    const tags = [
      { key: 'traceId', value: { str: { value: 't1' } } },
      { key: 'spanId', value: { str: { value: 's1' } } },
      { key: 'latency', value: { int: { value: 12 } } },
    ];
    const stream = readStreamAnswer({
      elements: [
        {
          tagFamilies: [
            { name: 'searchable', tags },
            { name: 'data', tags: [{ key: 'dataBinary', value: { binaryData: payload } }] },
          ],
        },
      ],
    } as never);
    const trace = readTraceAnswer({ traces: [{ spans: [{ spanId: 's1', tags, span: payload }] }] } as never);
    assert.equal(answerBytes(stream), 5_000 + 2 + 2 + 8);
    assert.equal(answerBytes(trace), answerBytes(stream));
  });

  it('bytes within a quarter of each other are the same answer: the figures decide', () => {
    const c = find(buildComparisons({ write: { stream: [], trace: [] }, queries: sized(8_170, 8_170) }), 'query time-last-1m latency p50');
    assert.notEqual(c.why, 'unequal-answers');
    assert.equal(c.winner, 'stream');
    const near = find(
      buildComparisons({ write: { stream: [], trace: [] }, queries: sized(8_170, 9_000) }),
      'query time-last-1m latency p50',
    );
    assert.notEqual(near.why, 'unequal-answers');
  });
});

describe('rows that must not name a winner, and say why', () => {
  const clear = { q: { stream: [10, 10.2, 9.9], trace: [20, 20.5, 19.6] } };

  it('a model that cannot answer (n/a)', () => {
    const queries = queriesOf(clear, (m) => (m === 'trace' ? { status: 'n/a', reason: 'no index rule on latency' } : {}));
    const c = find(buildComparisons({ write: { stream: [], trace: [] }, queries }), 'query q latency p50');
    assert.equal(c.why, 'not-answerable');
    assert.equal(c.note, 'trace cannot answer this pattern: no index rule on latency');
  });

  it('answers that failed a check on either model', () => {
    const mismatch = {
      pattern: 'q',
      model: 'stream' as const,
      what: 'span ids',
      expected: '10',
      actual: '9',
      against: 'ground-truth' as const,
    };
    const queries = queriesOf(clear, (m, _p, i) => (m === 'stream' && i === 1 ? { mismatches: [mismatch] } : {}));
    const c = find(buildComparisons({ write: { stream: [], trace: [] }, queries }), 'query q latency p50');
    assert.equal(c.winner, 'none');
    assert.equal(c.why, 'failed-checks');
  });

  it('failed work: a failed query repeat, a write phase that gave up, a partial repeat, rejected writes', () => {
    const failedQuery = queriesOf(clear, (m, _p, i) => (m === 'trace' && i === 2 ? { status: 'error', reason: 'DEADLINE_EXCEEDED' } : {}));
    const q = find(buildComparisons({ write: { stream: [], trace: [] }, queries: failedQuery }), 'query q latency p50');
    assert.equal(q.why, 'failed-work');
    assert.equal(q.note, 'failed work: trace query failed in 1 of 3 repeats (DEADLINE_EXCEEDED)');
    const stream = [100, 101, 99].map((v) => writeRun('stream', v));
    for (const [change, note] of [
      [
        { failure: { code: 'WRITE_GAVE_UP', message: 'server kept failing' } },
        'trace write phase failed (WRITE_GAVE_UP: server kept failing)',
      ],
      [{ partial: true }, 'trace: 1 of 3 write repeats partial'],
      [{ errorsByStatus: { STATUS_INTERNAL_ERROR: 3 } }, 'trace: 3 writes not acknowledged'],
    ] as const) {
      const trace = [200, 201, 199].map((v, i) => writeRun('trace', v, i === 1 ? change : {}));
      const c = find(buildComparisons({ write: { stream, trace }, queries: { stream: [], trace: [] } }), 'write throughput');
      assert.equal(c.winner, 'none');
      assert.equal(c.why, 'failed-work');
      assert.equal(c.note, `failed work: ${note}`);
    }
    const ok = [200, 201, 199].map((v) => writeRun('trace', v));
    assert.equal(
      find(buildComparisons({ write: { stream, trace: ok }, queries: { stream: [], trace: [] } }), 'write throughput').winner,
      'trace',
    );
  });

  it('too few repeats, and one disk measurement (labelled as the emulator’s storage on the emulator)', () => {
    const two = { q: { stream: [10, 10.2], trace: [20, 20.5] } };
    const c = find(buildComparisons({ write: { stream: [], trace: [] }, queries: queriesOf(two) }), 'query q latency p50');
    assert.equal(c.why, 'too-few-repeats');
    const disk = [
      { model: 'stream' as const, bytes: 1000, bytesPerSpan: 10 },
      { model: 'trace' as const, bytes: 500, bytesPerSpan: 5 },
    ];
    const empty = { stream: [], trace: [] };
    const real = buildComparisons({ write: empty, queries: empty, disk, target: { kind: 'docker', server: 'banyandb' } }).at(-1)!;
    assert.equal(real.metric, 'disk bytes per span');
    assert.equal(real.why, 'single-measurement');
    assert.equal(real.estimate?.ahead, 'trace');
    const emu = buildComparisons({ write: empty, queries: empty, disk, target: { kind: 'emulator', server: 'emulator' } }).at(-1)!;
    assert.equal(emu.metric, "emulator's storage per span (uncompressed, not BanyanDB's)");
  });
});

describe('determinism and the summary', () => {
  it('the verdict is a pure function of the figures: the same figures give the same winners, in any order of building', async () => {
    const r = JSON.parse(await readFile(FIXTURE, 'utf8')) as BenchmarkResult;
    const a = buildComparisons(r);
    const b = buildComparisons(JSON.parse(JSON.stringify(r)) as BenchmarkResult);
    assert.deepEqual(a, b);
    assert.deepEqual(r.comparisons, a, 'the fixture stores what the builder computes');
    assert.deepEqual(
      summarizeVerdict(a).map((v) => [v.label, v.winner]),
      [
        ['Writes', 'none'],
        ['trace-by-id', 'trace'],
        ['service-time-range', 'stream'],
        ['error-spans', 'none'],
        ['slow-spans-sorted', 'none'],
        ['time-whole', 'none'],
        ['Containers', 'stream'],
        ['Disk', 'none'],
      ],
    );
  });

  it('the resource rows come from the samples inside each write repeat’s window', async () => {
    const r = JSON.parse(await readFile(FIXTURE, 'utf8')) as BenchmarkResult;
    const cpu = find(buildComparisons(r), 'container CPU per 1,000 spans written');
    assert.equal(cpu.stream?.values.length, 3);
    for (const m of ['stream', 'trace'] as const) for (const w of r.write[m]) delete w.window;
    delete r.phases;
    assert.ok(!buildComparisons(r).some((c) => c.area === 'resources'), 'no windows: no per-repeat resource rows');
  });
});

function resultShell(): BenchmarkResult {
  return {
    schemaVersion: 1,
    tool: { name: 'banyandb-perf', version: '0.1.0' },
    startedAt: '2026-01-15T10:25:30.000Z',
    finishedAt: '2026-01-15T10:26:35.000Z',
    target: { kind: 'docker', server: 'banyandb', description: 'test', addresses: { stream: 'a:1', trace: 'b:1' } },
    options: {},
    partial: false,
    write: { stream: [], trace: [] },
    queries: { stream: [], trace: [] },
    comparisons: [],
  };
}
