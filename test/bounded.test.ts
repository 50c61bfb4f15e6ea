/**
 * Bounded time whatever the server does: a trace server frozen (SIGSTOP) or killed (SIGKILL) while the trace writes
 * run ends the run in bounded time with exit 1, the failure named (model, server, last status), the trace model's
 * remaining work skipped and reported as such, the stream model's work still done, and no winner for any metric.
 * Warm-up by count: both models' warm-ups and measured repeats cover equal span counts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hasFailures } from '../src/cli/commands/test.js';
import { EXIT } from '../src/cli/index.js';
import type { BenchmarkResult } from '../src/results.js';
import { openTarget } from '../src/targets/target.js';
import { runComparison } from '../src/workload/compare.js';
import { type EmulatorProcess, emulatorProcess } from './helpers/emulator-process.js';

/**
 * One comparison against the two servers, as `test --target external` runs it; `onWrites` runs once the trace server
 * has acknowledged writes (i.e. while the trace writes run). Returns what the CLI would exit with (hasFailures: 1).
 */
async function runAgainst(
  stream: EmulatorProcess,
  trace: EmulatorProcess,
  onWrites: () => void,
): Promise<{ code: number; stderr: string; ms: number; result: BenchmarkResult }> {
  let fired = false;
  const t0 = Date.now();
  let result: BenchmarkResult;
  const target = await openTarget({ kind: 'external', addresses: { stream: stream.address, trace: trace.address } });
  try {
    result = await runComparison({
      stream: target.stream,
      trace: target.trace,
      target: target.info,
      ...{ spans: 3_000, repeats: 2, warmupSpans: 200, batchSize: 50, queryIterations: 2, progress: false },
      ...{ batchTimeoutMs: 2_000, stallTimeoutMs: 4_000, queryTimeoutMs: 15_000 },
      onProgress: (e) => {
        if (!fired && e.kind === 'write' && e.model === 'trace' && e.spansAcknowledged > 0) {
          fired = true;
          onWrites();
        }
      },
    });
    await target.finish(result);
  } finally {
    // Closing deletes the run's groups: bounded too (a frozen server fails the call at the client's deadline).
    await target.close().catch(() => undefined);
  }
  const ms = Date.now() - t0;
  assert.ok(fired, 'the trace writes had started');
  const problems = hasFailures(result);
  return { code: problems.length > 0 ? EXIT.FAILURES : EXIT.OK, stderr: problems.join('\n'), ms, result };
}

function assertTraceGaveUp(r: { code: number; stderr: string; ms: number; result: BenchmarkResult }, address: string, codes: string[]) {
  const { code, stderr, ms, result } = r;
  assert.equal(code, EXIT.FAILURES, stderr);
  assert.ok(ms < 120_000, `the run took ${ms} ms`);
  assert.equal(result.partial, true);
  const [f, ...more] = result.failures ?? [];
  assert.ok(f, 'a failure is recorded');
  assert.deepEqual(more, []);
  assert.equal(f.model, 'trace');
  assert.equal(f.server, address);
  assert.ok(codes.includes(f.code), f.code);
  assert.ok(f.lastStatus, 'the last status is named');
  assert.match(f.message, new RegExp(`^trace (warm-up|write repeat \\d) gave up on ${address.replace('.', '\\.')}: .*; last status \\S+`));
  assert.match(stderr, new RegExp(`^trace: trace (warm-up|write repeat \\d) gave up on ${address.replace('.', '\\.')}`));
  // The trace model's remaining repeats and every query are skipped and say so; the stream model's work ran.
  const failedAt = result.write.trace.findIndex((w) => w.failure && w.failure.code !== 'SKIPPED');
  for (const w of result.write.trace.slice(failedAt + 1)) {
    assert.equal(w.failure?.code, 'SKIPPED');
    assert.equal(w.batches, 0);
  }
  assert.equal(result.write.stream.length, 2);
  for (const w of result.write.stream) {
    assert.equal(w.failure, undefined);
    assert.equal(w.spansAcknowledged, w.spansSent);
  }
  const traceQueries = result.queries.trace.flat();
  assert.ok(traceQueries.length > 0);
  for (const q of traceQueries) assert.equal(q.status, 'skipped', `${q.pattern}: ${q.status}`);
  assert.ok(
    result.queries.stream.flat().some((q) => q.status === 'ok'),
    'the stream queries ran',
  );
  for (const c of result.comparisons) {
    assert.equal(c.winner, 'none', `${c.metric}: ${c.note}`);
    // The verdict builder's words: the row names the failed work, never a winner.
    if (c.metric.startsWith('write'))
      assert.match(c.note, /^failed work: trace write phase failed \(WRITE_(STALLED|FAILING): trace write repeat \d+ gave up on /);
    else assert.match(c.note, /failed work|cannot answer|no figures|too few|one measurement/);
  }
}

describe('a trace server that stops answering during writes', { timeout: 240_000 }, () => {
  let stream: EmulatorProcess;
  let trace: EmulatorProcess;
  before(async () => {
    stream = await emulatorProcess();
    trace = await emulatorProcess();
  });
  after(async () => {
    await stream?.stop();
    await trace?.stop();
  });

  it('frozen (SIGSTOP): the trace writes give up after the stall window; exit 1, no winner', async () => {
    const r = await runAgainst(stream, trace, () => trace.child.kill('SIGSTOP'));
    trace.child.kill('SIGCONT');
    assertTraceGaveUp(r, trace.address, ['WRITE_STALLED', 'WRITE_FAILING']);
    // Warm-up by count: both warm-ups and all measured stream repeats cover the same number of spans.
    assert.equal(r.result.options.warmupSpans, 200);
    assert.deepEqual(
      r.result.write.stream.map((w) => w.spansSent),
      [1_400, 1_400],
    );
    for (const w of [...r.result.write.stream, ...r.result.write.trace]) assert.equal(w.warmupSpans, 200);
  });

  it('killed (SIGKILL): the trace writes give up on the failures in a row; exit 1, no winner', async () => {
    await trace.stop();
    trace = await emulatorProcess();
    const r = await runAgainst(stream, trace, () => trace.child.kill('SIGKILL'));
    assertTraceGaveUp(r, trace.address, ['WRITE_FAILING', 'WRITE_STALLED']);
  });
});
