/**
 * Docker runs never meet, end promptly and never lose their figures (issue 10), against a real Docker engine with
 * the offline emulator image: two `all` runs at once, `test` and another run's containers, a container killed
 * during writes (only its model's work stops), Ctrl-C in every phase (and twice), and the exit right after the work. The CLI runs as a
 * subprocess (src/cli/main.ts under tsx) so signals and the process exit are real. Compose flavour: whatever
 * BANYANDB_PERF_COMPOSE says (CI runs this file once per flavour). Skips without an engine unless
 * BANYANDB_PERF_REQUIRE_DOCKER=1 (CI), then it fails.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Cluster } from '../src/cluster/cluster.js';
import type { BenchmarkResult } from '../src/results.js';
import { captureCli } from './helpers/cli.js';
import { benchmarkPassed, projectResources } from './helpers/docker.js';

const exec = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');

let skip: string | false = false;
try {
  await Cluster.detect();
} catch (err) {
  if (process.env.BANYANDB_PERF_REQUIRE_DOCKER === '1') throw err;
  skip = `no usable Docker engine (${(err as Error).message.split('\n')[0]})`;
}

/** A small, quick run: few spans, one repeat, no warm-up. */
const SMALL = ['--image', 'emulator', '--repeats', '1', '--warmup', '0', '--no-progress'];
const tag = `${process.pid}`;

interface Child {
  out: string;
  err: string;
  /** Resolves with the exit code (or the signal's name) and the time of exit. */
  exited: Promise<{ code: number | string; at: number }>;
  /** Resolves when stderr has matched `re`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

function cliProcess(args: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts'), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const self: Child = {
    out: '',
    err: '',
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code: code ?? signal ?? 'unknown', at: Date.now() }))),
    waitFor: (re, timeoutMs = 240_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (re.test(self.err)) {
            clearTimeout(timer);
            child.stderr.off('data', check);
            resolve();
          }
        };
        const timer = setTimeout(
          () => reject(new Error(`no ${re} on stderr within ${timeoutMs} ms:\n${self.err.slice(-3000)}`)),
          timeoutMs,
        );
        child.stderr.on('data', check);
        void self.exited.then(() => {
          check();
          clearTimeout(timer);
          reject(new Error(`exited before ${re}:\n${self.err.slice(-3000)}`));
        });
        check();
      }),
    kill: (signal) => child.kill(signal),
  };
  child.stdout.on('data', (b: Buffer) => {
    self.out += b.toString();
  });
  child.stderr.on('data', (b: Buffer) => {
    self.err += b.toString();
  });
  return self;
}

/** Containers, volumes and networks a project left. */
async function leftovers(project: string): Promise<string[]> {
  const r = await projectResources(project);
  return [...r.containers, ...r.volumes, ...r.networks];
}

const cli = (argv: string[], onStderr?: (text: string) => void) => captureCli(argv, onStderr ? { onStderr } : {});

describe('Docker runs never meet, end promptly, lose nothing', { skip, timeout: 1_800_000 }, () => {
  let results = '';
  const projects: string[] = [];
  before(async () => {
    results = await mkdtemp(path.join(tmpdir(), 'banyandb-perf-isolation-'));
    await Cluster.build({ image: 'emulator' });
  });
  after(async () => {
    for (const p of projects) await Cluster.clean({ projectName: p }).catch(() => undefined);
    await rm(results, { recursive: true, force: true });
  });

  it('two `all` runs started at once both pass, each in its own project on its own ports, with its own figures', async () => {
    const spans = [200, 300];
    const runs = spans.map((n, i) =>
      cliProcess(['all', ...SMALL, '--spans', String(n), '--json', '--results-dir', path.join(results, `concurrent-${i}`)]),
    );
    const codes = await Promise.all(runs.map((r) => r.exited));
    const parsed = runs.map((r, i) => {
      assert.ok(benchmarkPassed(codes[i]?.code ?? 'none', r.err), `run ${i} exit ${codes[i]?.code}\n${r.err.slice(-4000)}`);
      return JSON.parse(r.out) as BenchmarkResult;
    });
    const [a, b] = parsed as [BenchmarkResult, BenchmarkResult];
    assert.ok(a.target.project && b.target.project, 'each result names its project');
    assert.notEqual(a.target.project, b.target.project);
    assert.notEqual(a.target.addresses.stream, b.target.addresses.stream);
    for (const [i, r] of parsed.entries()) {
      assert.equal(r.partial, false);
      assert.equal(r.target.server, 'emulator');
      assert.deepEqual(r.options.spansWritten, { stream: spans[i], trace: spans[i] }, `run ${i} wrote only its own spans`);
      assert.doesNotMatch(runs[i]?.err ?? '', /using the running containers/);
      assert.deepEqual(await leftovers(r.target.project ?? ''), [], `project ${r.target.project} removed`);
    }
  });

  it('`test` attaches only to banyandb-perf containers of the asked image, and says so', async () => {
    const project = `bp-attach-${tag}`;
    projects.push(project);
    const up = await cli(['up', '--image', 'emulator', '--project', project, '--port-offset', '211']);
    assert.equal(up.code, 0, up.err);
    // Another image asked for: not these containers.
    const other = await cli([
      'test',
      '--target',
      'docker',
      '--project',
      project,
      '--image',
      'apache/skywalking-banyandb:0.10.3',
      '--spans',
      '100',
      '--results-dir',
      path.join(results, 'other'),
    ]);
    assert.equal(other.code, 3, other.err);
    assert.match(other.err, /runs image banyandb-perf-emulator:latest, not the asked apache\/skywalking-banyandb:0\.10\.3: not using it/);
    const same = await cli([
      'test',
      '--target',
      'docker',
      '--project',
      project,
      ...SMALL,
      '--spans',
      '100',
      '--json',
      '--results-dir',
      path.join(results, 'attach'),
    ]);
    assert.ok(benchmarkPassed(same.code, same.err), same.err);
    assert.match(
      same.err,
      new RegExp(
        `using the running containers of project ${project} \\(image banyandb-perf-emulator:latest, started by banyandb-perf; left running\\)`,
      ),
    );
    assert.equal((JSON.parse(same.out) as BenchmarkResult).target.addresses.stream, '127.0.0.1:18123');
    // ps and stats of a long project name: columns apart.
    const ps = await cli(['ps', '--project', project]);
    assert.match(ps.out, /-banyandb-stream +running/);
    const stats = await cli(['stats', '--project', project]);
    assert.match(stats.out, /-banyandb-trace +\d+\.\d%/);
    // Containers banyandb-perf did not start are never used, nor removed.
    const foreign = `bp-foreign-${tag}`;
    projects.push(foreign);
    await exec('docker', [
      'create',
      '--name',
      `${foreign}-banyandb-stream`,
      '--label',
      `com.docker.compose.project=${foreign}`,
      'banyandb-perf-emulator:latest',
    ]);
    await exec('docker', [
      'create',
      '--name',
      `${foreign}-banyandb-trace`,
      '--label',
      `com.docker.compose.project=${foreign}`,
      'banyandb-perf-emulator:latest',
    ]);
    const start = await cli(['up', '--image', 'emulator', '--project', foreign]);
    assert.equal(start.code, 3, start.err);
    assert.match(start.err, /was not started by banyandb-perf/);
    assert.equal((await projectResources(foreign)).containers.length, 2, 'the foreign containers are left alone');
    await exec('docker', ['rm', '-f', `${foreign}-banyandb-stream`, `${foreign}-banyandb-trace`]);
    // down acts on the named project only.
    assert.equal((await cli(['down', '--project', `bp-nothing-${tag}`])).code, 0);
    assert.equal((await projectResources(project)).containers.length, 2, 'down of another project left these running');
    assert.equal((await cli(['clean', '--project', project])).code, 0);
    assert.deepEqual(await leftovers(project), []);
  });

  it("a trace container killed during writes: only the trace model's work stops, named and skipped; the stream model's runs and is reported; exit 1, no winner", async () => {
    const project = `bp-kill-${tag}`;
    projects.push(project);
    let killed: Promise<unknown> | undefined;
    let killedAt = 0;
    // Two repeats: stream then trace in the first, trace then stream in the second. The trace container dies while
    // the trace writes of the first repeat run (its progress shows acknowledged spans): the second stream repeat and
    // the stream queries must still run.
    const r = await cli(
      [
        'test',
        '--target',
        'docker',
        '--project',
        project,
        '--image',
        'emulator',
        '--repeats',
        '2',
        '--warmup',
        '0',
        '--spans',
        '20000',
        '--progress-interval',
        '1s',
        '--json',
        '--results-dir',
        path.join(results, 'kill'),
      ],
      (text) => {
        if (!killed && /trace writes, repeat 1\/2: [1-9]/.test(text)) {
          killedAt = Date.now();
          killed = exec('docker', ['kill', `${project}-banyandb-trace`]);
        }
      },
    );
    await killed;
    assert.ok(killedAt > 0, `the trace writes never showed progress:\n${r.err.slice(-3000)}`);
    assert.equal(r.code, 1, r.err.slice(-3000));
    const container = `bp-kill-\\d+-banyandb-trace \\(banyandb-trace\\) exited with code 137`;
    assert.match(r.err, new RegExp(`the trace model's container failed during the run: container ${container}`));
    // The failure names the model, the server and the container.
    assert.match(
      r.err,
      new RegExp(`- trace: trace write repeat 1 gave up on 127\\.0\\.0\\.1:\\d+: .*the server failed: container ${container}`),
    );
    assert.doesNotMatch(r.err, /cleanup failed/);
    const result = JSON.parse(r.out) as BenchmarkResult;
    assert.equal(result.partial, true);
    const [failure, ...more] = result.failures ?? [];
    assert.deepEqual(more, []);
    assert.equal(failure?.model, 'trace');
    assert.equal(failure?.phase, 'write');
    assert.equal(failure?.server, result.target.addresses.trace);
    assert.match(failure?.skipped ?? '', /trace's remaining write repeats and all of its queries/);
    // The trace model gave up soon after the kill; its second repeat and all its queries were skipped.
    const [t0, t1] = result.write.trace;
    assert.ok(t0?.failure && ['SERVER_FAILED', 'WRITE_FAILING', 'WRITE_STALLED'].includes(t0.failure.code), t0?.failure?.code);
    assert.ok(
      (t0?.window?.endMs ?? Number.POSITIVE_INFINITY) - killedAt < 30_000,
      `trace gave up ${(t0?.window?.endMs ?? 0) - killedAt} ms after the kill`,
    );
    assert.equal(t1?.failure?.code, 'SKIPPED');
    assert.equal(t1?.batches, 0);
    for (const q of result.queries.trace.flat()) assert.equal(q.status, 'skipped', q.pattern);
    // The stream model's work all ran: both repeats fully acknowledged, its queries answered and checked.
    assert.equal(result.write.stream.length, 2);
    for (const w of result.write.stream) {
      assert.equal(w.failure, undefined);
      assert.equal(w.spansSent, 10_000);
      assert.equal(w.spansAcknowledged, 10_000);
      assert.deepEqual(w.errorsByStatus, {});
    }
    const streamQueries = result.queries.stream.flat();
    assert.equal(streamQueries.length, 20);
    for (const q of streamQueries) {
      assert.equal(q.status, 'ok', `${q.pattern}: ${q.reason}`);
      assert.deepEqual(q.mismatches, []);
    }
    assert.equal((result.options.spansWritten as { stream: number }).stream, 20_000);
    // No winner anywhere; the stream side of every write and query row still carries its figures.
    assert.ok(result.comparisons.length > 0);
    for (const c of result.comparisons) {
      assert.equal(c.winner, 'none', `${c.metric}: ${c.note}`);
      assert.match(c.note, /trace container failed/);
      if (c.area === 'writes' || c.area === 'queries') assert.ok(c.stream, `${c.metric}: the stream figures are kept`);
    }
    // Stats: the trace summary ends at its death (never a zero-limit sample); the stream is sampled to the end.
    const summaries = result.containers?.summaries ?? [];
    const trace = summaries.find((s) => s.model === 'trace');
    const stream = summaries.find((s) => s.model === 'stream');
    assert.ok(trace && trace.samples > 0 && trace.memLimitBytes > 0, `trace memory limit ${trace?.memLimitBytes}`);
    assert.ok(stream && stream.memLimitBytes > 0 && stream.netRxBytes > 0);
    for (const s of result.containers?.samples ?? []) assert.ok(s.memLimitBytes > 0, `a zero sample of ${s.container} at ${s.timestampMs}`);
    const lastStream = Math.max(...(result.containers?.samples ?? []).filter((s) => s.model === 'stream').map((s) => s.timestampMs));
    assert.ok(lastStream > (result.write.stream[1]?.window?.endMs ?? 0), 'the stream container was sampled after its last writes');
    // Disk: the live stream container's own group is measured; the dead one is said not to be.
    assert.deepEqual(
      result.disk?.map((d) => d.model),
      ['stream'],
    );
    assert.ok((result.disk?.[0]?.bytes ?? 0) > 0);
    assert.match(r.err, /disk footprint of the trace model not measured: its container failed/);
    assert.deepEqual(await leftovers(project), []);
  });

  it('a normal end exits right after the teardown (no stats grace sleep)', async () => {
    const run = cliProcess(['all', ...SMALL, '--spans', '200', '--results-dir', path.join(results, 'prompt')]);
    await run.waitFor(/all: down/);
    const downAt = Date.now();
    const { code, at } = await run.exited;
    assert.ok(benchmarkPassed(code, run.err), run.err.slice(-3000));
    assert.ok(at - downAt < 5_000, `exited ${at - downAt} ms after "all: down"`);
  });

  for (const [phase, marker, delayMs, spans] of [
    ['build', /all: build/, 0, 200],
    ['start', /waiting for both instances/, 0, 200],
    ['writes', /loading the trace schema/, 2_000, 2_000_000],
    ['queries', /loading the trace schema/, 4_000, 300],
  ] as const) {
    it(`Ctrl-C during ${phase}: exit 130 within seconds, nothing left behind`, async () => {
      const project = `bp-int-${phase}-${tag}`;
      projects.push(project);
      const run = cliProcess(['all', ...SMALL, '--project', project, '--spans', String(spans), '--results-dir', path.join(results, phase)]);
      await run.waitFor(marker);
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      const sentAt = Date.now();
      run.kill('SIGINT');
      const { code, at } = await run.exited;
      assert.equal(code, 130, run.err.slice(-3000));
      // A few seconds on an idle machine; the bound leaves room for loaded CI machines. Before, the stats sampler's
      // 30 s grace timer alone kept every interrupted run alive for 30 s after its work stopped.
      assert.ok(at - sentAt < 30_000, `exited ${at - sentAt} ms after SIGINT:\n${run.err.slice(-2000)}`);
      assert.deepEqual(await leftovers(project), [], run.err.slice(-3000));
    });
  }

  it('a second Ctrl-C exits at once and says what it left running', async () => {
    const project = `bp-int2-${tag}`;
    projects.push(project);
    const run = cliProcess(['all', ...SMALL, '--project', project, '--spans', '2000000', '--results-dir', path.join(results, 'twice')]);
    await run.waitFor(/loading the trace schema/);
    run.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    const sentAt = Date.now();
    run.kill('SIGINT');
    const { code, at } = await run.exited;
    assert.equal(code, 130, run.err.slice(-3000));
    assert.ok(at - sentAt < 3_000, `exited ${at - sentAt} ms after the second SIGINT`);
    assert.match(run.err, new RegExp(`left running: project ${project} \\(remove it with \`banyandb-perf clean --project ${project}\`\\)`));
    await Cluster.clean({ projectName: project });
    assert.deepEqual(await leftovers(project), []);
  });
});
