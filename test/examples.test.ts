/**
 * The examples run end to end, as a user runs them (`npx tsx examples/<file>.ts`), against the emulator
 * emulator and, where a Docker engine is usable, against the Docker target with the offline emulator image.
 * Docker runs skip without an engine unless BANYANDB_PERF_REQUIRE_DOCKER=1 (CI), then they fail.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Cluster } from '../src/cluster/cluster.js';
import { type Emulator, startEmulator } from '../src/emulator/index.js';

const root = path.resolve(import.meta.dirname, '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an example with tsx from the repository root (results files go to its git-ignored results/). */
function runExample(file: string, args: string[], env: Record<string, string> = {}, timeoutMs = 300_000): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [path.join('examples', file), ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function assertOk(o: Outcome): void {
  assert.equal(o.code, 0, `exit ${o.code}\n--- stdout\n${o.stdout.slice(-4000)}\n--- stderr\n${o.stderr.slice(-4000)}`);
}

describe('examples/stream-vs-trace.ts', () => {
  it('runs the whole comparison on the emulator target and says so first', async () => {
    // NO_COLOR left unset (empty): piped output must still carry no escape codes (mitata's colours included).
    // The mixed phase's duration comes from the environment: every dash of a flag's name is an underscore there.
    const o = await runExample('stream-vs-trace.ts', ['--target', 'emulator', '--spans', '600', '--concurrency', '2'], {
      NO_COLOR: '',
      BANYANDB_PERF_MIXED_DURATION_MS: '1000',
    });
    assertOk(o);
    const first = o.stdout.split('\n')[0] ?? '';
    assert.match(first, /^target: banyandb-perf's emulator, one child process per model .*not BanyanDB/);
    assert.ok(!o.stdout.includes('\x1b') && !o.stderr.includes('\x1b'), 'no escape codes when not on a terminal');
    // Progress between `target:` and the end, as plain lines on stderr: writes and queries of both models.
    for (const m of ['stream', 'trace']) {
      assert.match(o.stderr, new RegExp(`^${m} writes, repeat 1/3: `, 'm'));
      assert.match(o.stderr, new RegExp(`^${m} queries, repeat 1/3: `, 'm'));
    }
    // mitata timed every pattern on both models
    assert.match(o.stdout, /stream time-last-1m/);
    assert.match(o.stdout, /trace {2}trace-id-large/);
    // the comparison report followed, with the emulator warning and no mismatches
    assert.match(o.stdout, /not BanyanDB/);
    assert.match(o.stderr, /results: \S+\.json \S+\.html/);
    assert.match(o.stdout, /Mismatches: none/);
    // BANYANDB_PERF_MIXED_DURATION_MS: the mixed phase after the separate ones; the emulators' own metrics scraped
    // during the run.
    assert.match(o.stdout, /^== Queries under ingest =/m);
    assert.match(o.stdout, /^ {2}Under ingest +one run, no winner by test/m);
    assert.match(o.stdout, /^== Server metrics =/m);
  });

  it('rejects a bad option with a message naming it', async () => {
    const o = await runExample('stream-vs-trace.ts', ['--target', 'emulator', '--concurrency', '0']);
    assert.notEqual(o.code, 0);
    assert.match(o.stderr, /concurrency/);
  });

  it('rejects a flag it does not know with one line naming it and the flags it takes, exit 2, no stack trace', async () => {
    const o = await runExample('stream-vs-trace.ts', ['--out', 'x']);
    assert.equal(o.code, 2, o.stderr);
    assert.match(
      o.stderr,
      /^examples\/stream-vs-trace\.ts: Unknown option '--out'; the flags are --target <v>, .*--mixed-duration-ms <v>\n$/,
    );
    assert.doesNotMatch(o.stderr, /\bat .*:\d+:\d+/);
  });
});

describe('examples: custom schema, open loop, existing cluster', () => {
  let emulators: Emulator[] = [];
  before(async () => {
    emulators = [await startEmulator(), await startEmulator()];
  });
  after(async () => {
    for (const e of emulators) await e.close();
  });

  it('custom-schema.ts loads its own schema and runs a stream workload with correct answers', async () => {
    const o = await runExample('custom-schema.ts', []);
    assertOk(o);
    assert.match(o.stdout, /^target: banyandb-perf's emulator/);
    assert.match(o.stdout, /created group spans_hourly\/spans_hourly/);
    assert.match(o.stdout, /created indexRuleBinding spans_hourly\/segments_binding/);
    const queries = o.stdout.split('\n').filter((l) => l.startsWith('query '));
    assert.equal(queries.length, 6, o.stdout);
    for (const q of queries) assert.match(q, /: ok .*mismatches 0$/);
  });

  it('open-loop.ts reports the achieved rate and latency from intended start', async () => {
    const o = await runExample('open-loop.ts', ['--rate', '1000', '--duration-ms', '3000']);
    assertOk(o);
    assert.match(o.stdout, /open-loop: target 1000 spans\/s, achieved \d+ spans\/s/);
    assert.match(o.stdout, /batch latency from intended start: p50 [\d.]+ p99 [\d.]+/);
    assert.match(o.stdout, /errors: \{\}; partial: false/);
  });

  it('existing-cluster.ts benchmarks two given servers', async () => {
    const [a, b] = emulators;
    const o = await runExample('existing-cluster.ts', ['--stream-addr', a!.grpcAddress, '--trace-addr', b!.grpcAddress, '--spans', '600']);
    assertOk(o);
    assert.match(o.stdout, new RegExp(`^target: external servers: stream ${a!.grpcAddress}, trace ${b!.grpcAddress}`));
  });

  it('existing-cluster.ts without addresses prints its usage and exits 2', async () => {
    const o = await runExample('existing-cluster.ts', []);
    assert.equal(o.code, 2);
    assert.match(o.stderr, /usage: existing-cluster\.ts --stream-addr/);
  });
});

let dockerSkip: string | false = false;
try {
  await Cluster.detect();
} catch (err) {
  if (process.env.BANYANDB_PERF_REQUIRE_DOCKER === '1') throw err;
  dockerSkip = `no usable Docker engine (${(err as Error).message.split('\n')[0]})`;
}

describe('examples/stream-vs-trace.ts on Docker', { skip: dockerSkip }, () => {
  it('runs against two containers of the offline emulator image and removes them', async () => {
    const o = await runExample('stream-vs-trace.ts', ['--target', 'docker', '--image', 'emulator', '--spans', '400', '--concurrency', '2']);
    assertOk(o);
    assert.match(o.stdout.split('\n')[0] ?? '', /^target: .*emulator.*Docker/i);
    assert.match(o.stdout, /cpu/i);
    const dirs = await readdir(path.join(root, 'results'));
    assert.ok(dirs.some((f) => f.endsWith('.html')));
  });
});
