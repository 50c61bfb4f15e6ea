/**
 * Bounded time whatever the server does: a trace server frozen (SIGSTOP) or killed (SIGKILL) while the trace writes
 * run ends the run in bounded time with exit 1, the failure named (model, server, last status), the trace model's
 * remaining work skipped and reported as such, the stream model's work still done, and no winner for any metric:
 * through runComparison, and through the real CLI (`test --target external`, default timeouts: within 2 minutes). A
 * server known to have failed (`serverFailures`, what a dead Docker container signals) ends its phase at once.
 * Warm-up by count: both models' warm-ups and measured repeats cover equal span counts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hasFailures } from '../src/cli/commands/test.js';
import { EXIT } from '../src/cli/index.js';
import { ClusterError } from '../src/errors.js';
import type { BenchmarkResult } from '../src/results.js';
import { openTarget } from '../src/targets/target.js';
import { runComparison } from '../src/workload/compare.js';
import type { WorkloadProgress } from '../src/workload/progress.js';
import { cliSubprocess } from './helpers/cli.js';
import { type EmulatorProcess, emulatorProcess } from './helpers/emulator-process.js';

const cliSubprocessWith = (args: string[], onStderr: (text: string) => void, timeoutMs: number) =>
  cliSubprocess(args, { onStderr, timeoutMs });

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

describe('`test --target external` (the real CLI, default timeouts) against a trace server frozen or killed during its writes', {
  timeout: 600_000,
}, () => {
  let stream: EmulatorProcess;
  let trace: EmulatorProcess;
  let results = '';
  before(async () => {
    results = await mkdtemp(path.join(tmpdir(), 'banyandb-perf-bounded-cli-'));
    stream = await emulatorProcess();
  });
  after(async () => {
    await stream?.stop();
    await trace?.stop();
    await rm(results, { recursive: true, force: true });
  });

  for (const [how, signal, codes] of [
    ['frozen (SIGSTOP)', 'SIGSTOP', /WRITE_STALLED|WRITE_FAILING/],
    ['killed (SIGKILL)', 'SIGKILL', /WRITE_FAILING|WRITE_STALLED/],
  ] as const) {
    it(`${how}: exit 1 within 2 minutes, the model, server and failure named on stderr, partial, no winner; the stream work done`, async () => {
      await trace?.stop();
      trace = await emulatorProcess();
      let hitAt = 0;
      const r = await cliSubprocessWith(
        [
          'test',
          ...['--target', 'external', '--stream-addr', stream.address, '--trace-addr', trace.address],
          ...['--spans', '4000', '--repeats', '2', '--warmup', '0', '--progress-interval', '1s', '--json'],
          ...['--results-dir', results],
        ],
        (text) => {
          // The trace writes of the first repeat have acknowledged spans: stop the server under them.
          if (!hitAt && /trace writes, repeat 1\/2: [1-9]/.test(text)) {
            hitAt = Date.now();
            trace.child.kill(signal);
          }
        },
        300_000,
      );
      trace.child.kill('SIGCONT');
      assert.ok(hitAt > 0, `the trace writes never showed progress:\n${r.err.slice(-3000)}`);
      const ms = r.at - hitAt;
      assert.equal(r.code, EXIT.FAILURES, `exit ${r.code} after ${ms} ms:\n${r.err.slice(-3000)}`);
      assert.ok(ms < 120_000, `the run ended ${ms} ms after the trace server was ${how}`);
      const address = trace.address.replace(/\./g, '\\.');
      assert.match(
        r.err,
        new RegExp(
          `- trace: trace write repeat 1 gave up on ${address}: .*; last status \\S+ \\((${codes.source})\\); skipped: trace's remaining`,
        ),
      );
      const result = JSON.parse(r.out) as BenchmarkResult;
      // What the stopped server cost, apart from the stream model's own work after it: the give-up (default stall
      // window 30 s, or the failures in a row) and the cleanup's call deadline (10 s).
      const traceEnd = result.write.trace[0]?.window?.endMs ?? Number.POSITIVE_INFINITY;
      assert.ok(traceEnd - hitAt < 60_000, `the trace writes gave up ${traceEnd - hitAt} ms after the server was ${how}`);
      const streamAfter = (result.phases ?? [])
        .filter((p) => p.model === 'stream' && p.endMs > hitAt)
        .reduce((n, p) => n + p.endMs - Math.max(p.startMs, hitAt), 0);
      assert.ok(ms - streamAfter < 75_000, `${ms - streamAfter} ms of the ${ms} ms after the ${how} server were not stream work`);
      assert.equal(result.partial, true);
      assert.equal(result.target.kind, 'external');
      assert.equal(result.failures?.[0]?.model, 'trace');
      assert.equal(result.failures?.[0]?.server, trace.address);
      for (const w of result.write.stream) assert.equal(w.spansAcknowledged, 2_000);
      assert.equal(result.write.stream.length, 2);
      assert.ok(result.queries.stream.flat().every((q) => q.status === 'ok'));
      for (const q of result.queries.trace.flat()) assert.equal(q.status, 'skipped');
      for (const c of result.comparisons) {
        assert.equal(c.winner, 'none', `${c.metric}: ${c.note}`);
        if (c.area === 'writes') assert.match(c.note, /^failed work: trace write phase failed \(WRITE_(STALLED|FAILING): /);
      }
    });
  }
});

describe('a server known to have failed (serverFailures, as a dead Docker container signals it)', { timeout: 240_000 }, () => {
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

  /** Runs a comparison; `when` decides from each progress event whether the model's server dies now. */
  async function run(model: 'stream' | 'trace', when: (e: WorkloadProgress) => boolean, kill: () => void) {
    const dead = new AbortController();
    const target = await openTarget({ kind: 'external', addresses: { stream: stream.address, trace: trace.address } });
    let diedAt = 0;
    try {
      const result = await runComparison({
        stream: target.stream,
        trace: target.trace,
        target: target.info,
        ...{ spans: 3_000, repeats: 2, warmupSpans: 0, batchSize: 50, queryIterations: 2, progress: false },
        // Long enough that only the known failure can end the phase quickly.
        ...{ batchTimeoutMs: 60_000, stallTimeoutMs: 60_000, maxFailedBatches: 1_000, queryTimeoutMs: 60_000 },
        serverFailures: { [model]: dead.signal },
        onProgress: (e) => {
          if (!diedAt && e.model === model && when(e)) {
            diedAt = Date.now();
            kill();
            dead.abort(
              new ClusterError(
                'CONTAINER_EXITED',
                `container x-banyandb-${model} (banyandb-${model}) exited with code 137; status exited\nlogs...`,
              ),
            );
          }
        },
      });
      assert.ok(diedAt > 0, 'the server died during the run');
      return { result, diedAt };
    } finally {
      await target.close().catch(() => undefined);
    }
  }

  it('dead during its writes: the phase gives up at once (SERVER_FAILED, the reason named); the rest skipped; the other model runs', async () => {
    const { result, diedAt } = await run(
      'trace',
      (e) => e.kind === 'write' && e.spansAcknowledged > 0,
      () => trace.child.kill('SIGKILL'),
    );
    const [f, ...more] = result.failures ?? [];
    assert.deepEqual(more, []);
    assert.equal(f?.code, 'SERVER_FAILED');
    assert.equal(f?.phase, 'write');
    assert.equal(f?.server, trace.address);
    assert.equal(f?.lastStatus, 'CONTAINER_EXITED');
    assert.equal(
      f?.message,
      `trace write repeat 1 gave up on ${trace.address}: the server failed: container x-banyandb-trace (banyandb-trace) exited with code 137; status exited; last status CONTAINER_EXITED`,
    );
    const [t0, t1] = result.write.trace;
    assert.equal(t0?.failure?.code, 'SERVER_FAILED');
    // At once: not after the failures in a row (1000) nor the stall window (60 s).
    assert.ok((t0?.window?.endMs ?? Number.POSITIVE_INFINITY) - diedAt < 5_000, `gave up ${(t0?.window?.endMs ?? 0) - diedAt} ms after`);
    assert.equal(t1?.failure?.code, 'SKIPPED');
    for (const q of result.queries.trace.flat()) assert.equal(q.status, 'skipped');
    assert.equal(result.write.stream.length, 2);
    for (const w of result.write.stream) assert.equal(w.spansAcknowledged, 1_500);
    assert.ok(result.queries.stream.flat().every((q) => q.status === 'ok'));
    assert.equal(result.partial, true);
    for (const c of result.comparisons) assert.equal(c.winner, 'none', `${c.metric}: ${c.note}`);
  });

  it('dead during its queries: the query in flight fails, the rest is skipped (SERVER_FAILED); the other model queries on', async () => {
    // The first test killed the trace server.
    await trace.stop();
    trace = await emulatorProcess();
    const { result } = await run(
      'stream',
      (e) => e.kind === 'query',
      () => stream.child.kill('SIGSTOP'),
    );
    stream.child.kill('SIGCONT');
    const [f, ...more] = result.failures ?? [];
    assert.deepEqual(more, []);
    assert.equal(f?.code, 'SERVER_FAILED');
    assert.equal(f?.phase, 'query');
    assert.match(
      f?.message ?? '',
      /^stream query phase gave up on \S+: the server failed: container x-banyandb-stream .*; last status CONTAINER_EXITED$/,
    );
    assert.match(f?.skipped ?? '', /stream's remaining query patterns and repeats/);
    for (const w of result.write.stream) assert.equal(w.failure, undefined, 'the writes were complete');
    const streamQueries = result.queries.stream.flat();
    assert.ok(streamQueries.length > 0);
    assert.ok(streamQueries.every((q) => q.status === 'skipped' || q.status === 'error'));
    assert.ok(streamQueries.filter((q) => q.status === 'error').length <= 1, 'at most the query in flight failed');
    assert.ok(
      result.queries.trace.flat().every((q) => q.status === 'ok'),
      'the trace queries ran',
    );
    assert.equal(result.partial, true);
  });

  it('frozen during its queries (no known failure): each query fails at its deadline, the phase gives up (QUERY_FAILING), the rest skipped', async () => {
    await stream.stop();
    stream = await emulatorProcess();
    await trace.stop();
    trace = await emulatorProcess();
    const target = await openTarget({ kind: 'external', addresses: { stream: stream.address, trace: trace.address } });
    let frozenAt = 0;
    let result: BenchmarkResult;
    try {
      result = await runComparison({
        stream: target.stream,
        trace: target.trace,
        target: target.info,
        ...{ spans: 2_000, repeats: 2, warmupSpans: 0, batchSize: 50, queryIterations: 2, progress: false },
        ...{ queryTimeoutMs: 1_500, maxFailedQueries: 3 },
        onProgress: (e) => {
          if (!frozenAt && e.kind === 'query' && e.model === 'stream') {
            frozenAt = Date.now();
            stream.child.kill('SIGSTOP');
          }
        },
      });
    } finally {
      stream.child.kill('SIGCONT');
      await target.close().catch(() => undefined);
    }
    assert.ok(frozenAt > 0);
    const [f, ...more] = result.failures ?? [];
    assert.deepEqual(more, []);
    assert.equal(f?.code, 'QUERY_FAILING');
    assert.equal(f?.phase, 'query');
    assert.equal(f?.server, stream.address);
    assert.equal(f?.lastStatus, 'DEADLINE_EXCEEDED');
    assert.match(f?.message ?? '', /^stream query phase gave up on \S+: 3 queries in a row failed; last status DEADLINE_EXCEEDED$/);
    const streamQueries = result.queries.stream.flat();
    assert.equal(streamQueries.filter((q) => q.status === 'error').length, 3);
    assert.ok(streamQueries.slice(3).every((q) => q.status === 'skipped'));
    assert.ok(
      result.queries.trace.flat().every((q) => q.status === 'ok'),
      'the trace queries ran',
    );
    assert.equal(result.partial, true);
    for (const c of result.comparisons) if (c.area === 'queries') assert.equal(c.winner, 'none', `${c.metric}: ${c.note}`);
  });
});
