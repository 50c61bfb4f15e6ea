/**
 * The emulator target's two servers in child processes of their own (the default), one per model: they serve a
 * checked comparison, a child that dies fails only its model (as a killed container does), nothing outlives close()
 * or even a SIGKILLed parent; `emulator: { process: 'in-process' }` keeps both in the caller's process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { OptionsError } from '../src/errors.js';
import { openTarget } from '../src/targets/target.js';
import { runComparison } from '../src/workload/compare.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until none of the pids is alive (false after `ms`). */
async function allGone(pids: number[], ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pids.every((p) => !alive(p))) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return pids.every((p) => !alive(p));
}

describe('emulator target, one child process per model (default)', { timeout: 240_000 }, () => {
  it('serves a checked comparison of both models from two child processes, and close() leaves no process behind', async () => {
    const target = await openTarget({ kind: 'emulator' });
    const pids = [target.pids.stream, target.pids.trace];
    try {
      assert.equal(target.info.description, "banyandb-perf's emulator, one child process per model on 127.0.0.1, not BanyanDB");
      assert.equal(target.info.server, 'emulator');
      assert.equal(target.info.servers?.stream.kind, 'emulator');
      for (const pid of pids) {
        assert.ok(typeof pid === 'number' && pid !== process.pid && alive(pid), `a live child pid, got ${pid}`);
      }
      assert.notEqual(pids[0], pids[1]);
      assert.notEqual(target.info.addresses.stream, target.info.addresses.trace);
      for (const url of Object.values(target.metricsUrls)) {
        const res = await fetch(url);
        assert.equal(res.status, 200, url);
        await res.text();
      }
      const result = await runComparison({
        ...{ stream: target.stream, trace: target.trace, target: target.info, serverFailures: target.failures },
        ...{ namespace: target.namespace, spans: 400, repeats: 1, progress: false },
      });
      assert.deepEqual(await target.finish(result), []);
      assert.equal(result.partial, false);
      for (const m of ['stream', 'trace'] as const) {
        const queries = result.queries[m].flat();
        assert.ok(queries.length >= 10, `${m}: ${queries.length} queries`);
        for (const q of queries) {
          assert.equal(q.status, 'ok', `${m} ${q.pattern}: ${q.reason}`);
          assert.deepEqual(q.mismatches, [], `${m} ${q.pattern}`);
        }
      }
      // The write logs the children appended to are measured, as the in-process emulator's are.
      assert.equal(result.disk?.length, 2);
      for (const d of result.disk ?? []) assert.ok(d.bytes > 400 * 1_000, `${d.model}: ${d.bytes} bytes`);
      assert.equal(target.failure.aborted, false);
    } finally {
      await target.close();
    }
    // close() waited for the children: they are gone when it returns (a short grace for the kernel's reaping).
    assert.ok(await allGone(pids as number[], 2_000), `children still alive after close(): ${pids.filter((p) => alive(p as number))}`);
    await target.close();
  });

  it('a child killed during the writes fails only its model; the other model writes, queries and is checked', async () => {
    await using target = await openTarget({ kind: 'emulator' });
    const tracePid = target.pids.trace as number;
    let killed = false;
    const result = await runComparison({
      ...{ stream: target.stream, trace: target.trace, target: target.info, serverFailures: target.failures },
      ...{ namespace: target.namespace, spans: 20_000, repeats: 2, progress: false },
      onProgress: (e) => {
        if (!killed && e.kind === 'write' && e.model === 'trace' && e.phase === 'measure' && e.spansAcknowledged > 0) {
          killed = true;
          process.kill(tracePid, 'SIGKILL');
        }
      },
    });
    assert.ok(killed, 'the trace writes never showed progress');
    const notes = await target.finish(result);
    assert.equal(target.failures.trace.aborted, true);
    assert.equal(target.failures.stream.aborted, false);
    const reason = target.failures.trace.reason as { code?: string; message?: string };
    assert.equal(reason.code, 'CONTAINER_EXITED');
    assert.match(reason.message ?? '', new RegExp(`emulator process ${tracePid} \\(trace\\) was killed by SIGKILL`));
    assert.ok(
      notes.some((n) => /^the trace model's emulator process failed during the run: emulator process \d+ \(trace\)/.test(n)),
      notes.join('\n'),
    );
    assert.equal(result.partial, true);
    const [failure, ...more] = result.failures ?? [];
    assert.deepEqual(more, []);
    assert.equal(failure?.model, 'trace');
    assert.equal(failure?.phase, 'write');
    const [t0, t1] = result.write.trace;
    assert.ok(t0?.failure && ['SERVER_FAILED', 'WRITE_FAILING', 'WRITE_STALLED'].includes(t0.failure.code), t0?.failure?.code);
    assert.equal(t1?.failure?.code, 'SKIPPED');
    for (const q of result.queries.trace.flat()) assert.equal(q.status, 'skipped', q.pattern);
    for (const w of result.write.stream) {
      assert.equal(w.failure, undefined);
      assert.ok(w.spansSent > 0);
      assert.equal(w.spansAcknowledged, w.spansSent);
      assert.deepEqual(w.errorsByStatus, {});
    }
    for (const q of result.queries.stream.flat()) {
      assert.equal(q.status, 'ok', `${q.pattern}: ${q.reason}`);
      assert.deepEqual(q.mismatches, []);
    }
    const streamPid = target.pids.stream as number;
    await target.close();
    assert.ok(await allGone([streamPid, tracePid], 2_000));
  });

  it('a parent killed with SIGKILL takes its emulator children with it (they exit when the IPC channel closes)', async () => {
    const script = `import { openTarget } from ${JSON.stringify(path.join(root, 'src', 'targets', 'target.ts'))};
const t = await openTarget({ kind: 'emulator', loadSchemas: false });
process.stdout.write(JSON.stringify(t.pids) + '\\n');
setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    parent.stderr.setEncoding('utf8').on('data', (c: string) => {
      err += c;
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      parent.stdout.setEncoding('utf8').on('data', (c: string) => {
        out += c;
        if (out.includes('\n')) resolve(out.split('\n')[0] as string);
      });
      parent.once('exit', (code) => reject(new Error(`the parent exited (${code}) before printing its children:\n${err}`)));
    });
    const pids = Object.values(JSON.parse(line) as Record<string, number>);
    assert.equal(pids.length, 2);
    for (const p of pids) assert.ok(alive(p), `child ${p} runs`);
    const exited = new Promise((r) => parent.once('exit', r));
    parent.kill('SIGKILL');
    await exited;
    assert.ok(await allGone(pids, 10_000), `children outlived their SIGKILLed parent: ${pids.filter(alive)}`);
  });
});

describe("emulator target with emulator: { process: 'in-process' }", { timeout: 120_000 }, () => {
  it('serves both models from the calling process and says so', async () => {
    await using target = await openTarget({ kind: 'emulator', emulator: { process: 'in-process' } });
    assert.equal(target.info.description, "banyandb-perf's emulator, in-process (one instance per model on 127.0.0.1), not BanyanDB");
    assert.deepEqual(target.pids, {});
    const result = await runComparison({
      ...{ stream: target.stream, trace: target.trace, target: target.info, serverFailures: target.failures },
      ...{ namespace: target.namespace, spans: 400, repeats: 1, progress: false },
    });
    assert.deepEqual(await target.finish(result), []);
    for (const q of [...result.queries.stream.flat(), ...result.queries.trace.flat()]) assert.equal(q.status, 'ok', q.pattern);
    assert.equal(result.disk?.length, 2);
  });

  it('rejects an unknown process mode and an unknown key, naming the option', async () => {
    await assert.rejects(openTarget({ kind: 'emulator', emulator: { process: 'thread' as 'child' } }), (e: unknown) => {
      assert.ok(e instanceof OptionsError);
      assert.equal(e.option, 'emulator.process');
      assert.match(e.message, /'child' or 'in-process'/);
      return true;
    });
    await assert.rejects(openTarget({ kind: 'emulator', emulator: { proces: 'child' } as never }), (e: unknown) => {
      assert.ok(e instanceof OptionsError);
      assert.match(e.message, /proces/);
      return true;
    });
  });
});
