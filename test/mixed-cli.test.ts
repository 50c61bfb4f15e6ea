/**
 * Issue 13 from the command line and inside runComparison(): --mixed / --scenario and the mixed knobs, the mixed phase
 * after the separate phases with its contrast and its verdict line, and the servers' metrics scraped during the run
 * (a target that is absent or answers something else is reported, never fatal).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseCommand } from '../src/cli/args.js';
import { metricsUrlFlags, mixedFlags } from '../src/cli/commands/mixed-flags.js';
import { verbHelp } from '../src/cli/help.js';
import { type CliIo, EXIT, runCli } from '../src/cli/index.js';
import { OptionsError } from '../src/errors.js';
import { MIXED_DEFAULTS } from '../src/mixed/mixed.js';
import { SCENARIO_NAMES, scenarioMixedOptions } from '../src/mixed/scenarios.js';
import { formatConsoleReport } from '../src/report/console.js';
import { renderHtmlReport } from '../src/report/html.js';
import { mixedVerdict } from '../src/report/mixed-section.js';
import type { BenchmarkResult } from '../src/results.js';
import { openTarget } from '../src/targets/target.js';
import { runComparison } from '../src/workload/compare.js';

const flagsOf = (argv: string[]) => parseCommand(argv).flags;
const mixedOf = (argv: string[]) => mixedFlags(flagsOf(['test', ...argv]), undefined);

function usage(f: () => unknown, flag: string, text: RegExp): void {
  assert.throws(f, (err: unknown) => {
    assert.ok(err instanceof OptionsError, String(err));
    assert.equal(err.option, flag);
    assert.match(err.message, text);
    return true;
  });
}

describe('mixed-phase flags', () => {
  it('--mixed, --scenario and the knobs resolve through the library; none: no mixed phase', () => {
    assert.equal(mixedOf([]), undefined);
    assert.equal(mixedOf(['--scenario', 'separate']), undefined);
    assert.deepEqual(mixedOf(['--mixed']), {});
    assert.deepEqual(mixedOf(['--scenario', 'mixed']), {});
    const bench = mixedOf(['--scenario', 'banyandb-benchmark']);
    assert.equal(bench?.queryConcurrency, 50);
    assert.equal(bench?.windowMs, 15 * 60_000);
    assert.deepEqual(bench, scenarioMixedOptions('banyandb-benchmark'));
    // A knob alone asks for the mixed phase; knobs override the preset's fields.
    assert.deepEqual(mixedOf(['--mixed-duration', '5s']), { durationMs: 5_000 });
    const o = mixedOf([
      '--scenario',
      'banyandb-benchmark',
      '--mixed-write-rate',
      '200',
      '--mixed-query-rate',
      '5',
      '--mixed-concurrency',
      '8',
      '--mixed-mix',
      'trace-by-id=1,recent-slow=0',
    ]);
    assert.equal(o?.writeRatePerSec, 200);
    assert.equal(o?.queryRatePerSec, 5);
    assert.equal(o?.queryConcurrency, 8);
    assert.equal(o?.durationMs, 60_000, "the preset's duration stays");
    assert.deepEqual(o?.mix, { 'trace-by-id': 1, 'recent-slow': 0 });
    assert.equal(mixedFlags(flagsOf(['test', '--mixed']), 7)?.seed, 7, '--seed seeds the mixed phase too');
  });

  it('bad values are usage errors naming the flag', () => {
    usage(() => mixedOf(['--scenario', 'hybrid']), '--scenario', /expects one of separate, mixed, banyandb-benchmark, got "hybrid"/);
    usage(() => mixedOf(['--scenario', 'separate', '--mixed']), '--mixed', /--scenario separate has none/);
    usage(() => mixedOf(['--scenario', 'separate', '--mixed-duration', '5s']), '--mixed-duration', /--scenario separate has none/);
    usage(() => mixedOf(['--mixed-duration', 'soon']), '--mixed-duration', /duration such as 500ms/);
    usage(() => mixedOf(['--mixed-duration', '0s']), '--mixed-duration', /--mixed-duration: expected a positive integer, got 0/);
    usage(() => mixedOf(['--mixed-write-rate', '0']), '--mixed-write-rate', /positive number/);
    usage(() => mixedOf(['--mixed-concurrency', '0']), '--mixed-concurrency', /integer from 1/);
    usage(() => mixedOf(['--mixed-mix', 'trace-by-id']), '--mixed-mix', /kind=weight pairs/);
    usage(
      () => mixedOf(['--mixed-mix', 'open-trace=2']),
      '--mixed-mix',
      /expects one of recent-service, recent-errors, recent-slow, trace-by-id/,
    );
    usage(() => mixedOf(['--mixed-mix', 'recent-service=0,recent-errors=0,recent-slow=0,trace-by-id=0']), '--mixed-mix', /at least one/);
    usage(() => metricsUrlFlags(flagsOf(['test', '--stream-metrics-url', 'ftp://x/metrics'])), '--stream-metrics-url', /http\(s\) URL/);
    usage(() => metricsUrlFlags(flagsOf(['test', '--trace-metrics-url', 'localhost:2121'])), '--trace-metrics-url', /http\(s\) URL/);
    assert.deepEqual(metricsUrlFlags(flagsOf(['all', '--trace-metrics-url', 'http://10.0.0.6:2121/metrics'])), {
      trace: 'http://10.0.0.6:2121/metrics',
    });
    // Flags of `test` and `all` only.
    usage(() => parseCommand(['ps', '--mixed']), '--mixed', /does not apply to `banyandb-perf ps`/);
  });

  it('help shows the scenarios and the defaults the library uses', () => {
    for (const verb of ['test', 'all'] as const) {
      const help = verbHelp(verb);
      for (const name of SCENARIO_NAMES) assert.match(help, new RegExp(`${name}: `));
      assert.match(
        help,
        new RegExp(`--mixed-write-rate <spans/s> +Mixed phase: write rate, open loop. Default: ${MIXED_DEFAULTS.writeRatePerSec}`),
      );
      assert.match(help, new RegExp(`--mixed-concurrency <n> +.*Default: ${MIXED_DEFAULTS.queryConcurrency}\\.`));
      assert.match(help, /--stream-metrics-url <url>/);
      assert.match(help, /--trace-metrics-url <url>/);
    }
  });

  it('`all` rejects a bad mixed flag before building anything', async () => {
    let stderr = '';
    const io: Partial<CliIo> = {
      stdout: () => {},
      stderr: (t) => {
        stderr += t;
      },
      env: {},
    };
    const code = await runCli(['all', '--mixed-concurrency', 'many'], io as CliIo);
    assert.equal(code, EXIT.USAGE);
    assert.match(stderr, /--mixed-concurrency/);
    assert.doesNotMatch(stderr, /all: build/);
  });
});

const SMALL_MIXED = { durationMs: 2_000, warmupSpans: 100, writeRatePerSec: 200, queryRatePerSec: 10, payloadBytes: 1_024, quietMs: 1_000 };

describe('runComparison with the mixed phase and server metrics (in-process emulator)', { timeout: 180_000 }, () => {
  it('runs the mixed phase after the separate phases in its own namespace, scrapes both servers, reports an absent target', async () => {
    await using target = await openTarget({ kind: 'emulator' });
    assert.match(target.metricsUrls.stream ?? '', /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const result = await runComparison({
      stream: target.stream,
      trace: target.trace,
      target: target.info,
      spans: 600,
      repeats: 1,
      concurrency: 2,
      batchSize: 50,
      warmupSpans: 0,
      progress: false,
      patterns: ['trace-id-small', 'error-spans'],
      mixed: SMALL_MIXED,
      serverMetrics: { urls: { stream: target.metricsUrls.stream!, trace: 'http://127.0.0.1:9/metrics' }, intervalMs: 500 },
    });
    // Both phases are in the result.
    assert.equal(result.write.stream.length, 1);
    assert.equal(result.queries.trace[0]?.length, 2);
    const mixed = result.mixed;
    assert.ok(mixed !== undefined && mixed.skipped === undefined, JSON.stringify(mixed?.skipped));
    assert.notEqual(mixed.namespace, target.namespace, 'the mixed phase has a namespace of its own');
    assert.deepEqual(
      mixed.models.map((m) => m.model),
      ['stream', 'trace'],
    );
    for (const m of mixed.models) {
      const problems = m.queries.filter((q) => q.errors + q.mismatches > 0).map((q) => `${q.kind}: ${q.firstProblem}`);
      assert.deepEqual(problems, [], `${m.model}: answers under ingest are checked and right`);
      assert.equal(m.partial, false);
      assert.ok(m.write.spansAcknowledged >= 300, `${m.model} wrote ${m.write.spansAcknowledged}`);
      assert.ok(m.write.warmupBatchLatency.count > 0, 'the no-query contrast of the writes');
      assert.ok(
        m.queries.every((q) => q.alone !== undefined && q.alone.count > 0 && q.alone.mismatches === 0),
        'the quiet pass ran every kind',
      );
      assert.ok(m.lag.probes > 0 && m.lag.latency.count === m.lag.visible);
    }
    // Server metrics: the stream server's figures cover the separate phases and the mixed phase; the absent trace
    // target is a recorded failure, and the run went on.
    const [s, t] = result.serverMetrics ?? [];
    assert.equal(s?.model, 'stream');
    assert.ok((s?.samples.length ?? 0) >= 2 && s?.failures.length === 0, JSON.stringify(s?.failures));
    assert.equal(s?.groups.length, 2, "the run's group and the mixed phase's");
    const last = s?.samples.at(-1);
    const mixedSpans = (mixed.models[0]?.warmupSpans ?? 0) + (mixed.models[0]?.write.spansSent ?? 0);
    assert.ok((last?.writeMessages ?? 0) >= 600 + mixedSpans, `server saw ${last?.writeMessages} writes`);
    assert.ok((last?.queries ?? 0) > 0);
    assert.equal(t?.model, 'trace');
    assert.equal(t?.samples.length, 0);
    assert.match(t?.failures[0]?.message ?? '', /no answer from http:\/\/127\.0\.0\.1:9\/metrics/);
    // The report: the verdict has the mixed area, the sections show the contrast and the failed scrape.
    const text = formatConsoleReport(result);
    const verdict = text.slice(text.indexOf('== Verdict'), text.indexOf('== Comparison'));
    assert.match(verdict, /Under ingest +one run, no winner by test: stream queries .* mean \(\d+(\.\d)?x of alone\)/);
    assert.match(text, /no-query p99 +slower +separate p99/);
    assert.match(text, /p50 alone +slower/);
    assert.match(text, /trace: \d+ scrapes failed, first: no answer from http:\/\/127\.0\.0\.1:9\/metrics/);
    const html = renderHtmlReport(result);
    assert.match(html, /<td>Under ingest<\/td>/);
    assert.match(html, /<th class="num">p50 alone<\/th>/);
    // Server figures over time, per model (the stream server's; the trace target never answered).
    for (const cls of ['server-writes', 'server-queries', 'server-memory']) assert.match(html, new RegExp(`class="chart ${cls}"`));
    assert.match(html, /<title>stream \(http:\/\/127\.0\.0\.1:\d+\/metrics\)<\/title>/);
  });

  it('bad mixed or metrics options are OptionsErrors before anything is sent', async () => {
    await using target = await openTarget({ kind: 'emulator' });
    const base = { stream: target.stream, trace: target.trace, target: target.info, spans: 100, progress: false };
    await assert.rejects(
      runComparison({ ...base, mixed: { durationMs: -1 } }),
      (e: unknown) => e instanceof OptionsError && e.option === 'mixed.durationMs',
    );
    await assert.rejects(
      runComparison({ ...base, mixed: { payloadBytes: 512 } }),
      (e: unknown) => e instanceof OptionsError && e.option === 'mixed.payloadBytes' && /between 1024 and/.test(e.message),
    );
    await assert.rejects(
      runComparison({ ...base, serverMetrics: { urls: { stream: 'nope' } } }),
      (e: unknown) => e instanceof OptionsError && e.option === 'serverMetrics.urls.stream',
    );
  });
});

describe('the mixed verdict', () => {
  const sample = JSON.parse(readFileSync(new URL('../testdata/results/sample-result.json', import.meta.url), 'utf8')) as BenchmarkResult;
  it('names no winner when the mixed phase failed checks or did not run', () => {
    assert.equal(mixedVerdict(sample), undefined);
    const opts = { ...MIXED_DEFAULTS, mix: { ...MIXED_DEFAULTS.mix }, order: ['stream', 'trace'] } as never;
    const skipped = mixedVerdict({
      ...sample,
      mixed: { options: opts, models: [], skipped: "trace's writes gave up in the separate phases" },
    });
    assert.equal(skipped?.winner, 'none');
    assert.match(skipped?.text ?? '', /^no winner: not run \(trace's writes gave up/);
    const lat = { count: 1, minMs: 1, meanMs: 1, p50Ms: 1, p90Ms: 1, p95Ms: 1, p98Ms: 1, p99Ms: 1, p999Ms: 1, maxMs: 1, stdDevMs: 0 };
    const model = {
      model: 'trace' as const,
      partial: true,
      wallClockMs: 1000,
      warmupSpans: 0,
      write: {
        targetSpansPerSec: 1,
        spansSent: 1,
        spansAcknowledged: 1,
        spansPerSec: 1,
        batches: 1,
        failedBatches: 0,
        errorsByStatus: {},
        batchLatency: lat,
        warmupBatchLatency: lat,
      },
      queries: [
        {
          kind: 'trace-by-id' as const,
          description: '',
          count: 2,
          errors: 0,
          mismatches: 2,
          firstProblem: 'missing span s1',
          latency: lat,
          meanAnswerSpans: 1,
          meanAnswerBytes: 1,
        },
      ],
      lag: { probes: 0, visible: 0, notVisible: 0, timeoutMs: 1, latency: lat },
    };
    const failed = mixedVerdict({ ...sample, mixed: { options: opts, models: [model] } });
    assert.equal(failed?.winner, 'none');
    assert.match(
      failed?.text ?? '',
      /^no winner: failed checks or work under ingest \(trace: trace-by-id: 2 wrong answers \(first: missing span s1\)/,
    );
    const text = formatConsoleReport({ ...sample, mixed: { options: opts, models: [model] } });
    assert.match(text.slice(text.indexOf('== Verdict'), text.indexOf('== Comparison')), /Under ingest +no winner: failed checks/);
  });
});

describe('a CLI run on the in-process emulator', { timeout: 240_000 }, () => {
  let dir: string;
  let garbage: Server;
  let garbageUrl: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'banyandb-perf-mixed-cli-'));
    garbage = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('<html>not metrics</html>\n'));
    await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', r));
    garbageUrl = `http://127.0.0.1:${(garbage.address() as AddressInfo).port}/metrics`;
  });
  after(async () => {
    await new Promise<void>((r) => garbage.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  });

  it('test --mixed: both phases, server figures from the emulator, a malformed scrape target reported, not fatal', async () => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(
      [
        'test',
        '--target',
        'emulator',
        '--json',
        '--no-progress',
        '--spans',
        '600',
        '--warmup',
        '0',
        '--repeats',
        '1',
        '--mixed',
        '--mixed-duration',
        '2s',
        '--mixed-write-rate',
        '200',
        '--mixed-query-rate',
        '10',
        '--trace-metrics-url',
        garbageUrl,
        '--results-dir',
        dir,
      ],
      {
        stdout: (t) => {
          stdout += t;
        },
        stderr: (t) => {
          stderr += t;
        },
        env: {},
      } as CliIo,
    );
    assert.equal(code, EXIT.OK, stderr);
    const result = JSON.parse(stdout) as BenchmarkResult;
    assert.equal(result.mixed?.models.length, 2);
    for (const m of result.mixed?.models ?? []) assert.equal(m.partial, false, `${m.model}: ${JSON.stringify(m.queries)}`);
    const [s, t] = result.serverMetrics ?? [];
    assert.match(s?.url ?? '', /^http:\/\/127\.0\.0\.1:\d+\/metrics$/, "the in-process emulator's endpoint");
    assert.ok((s?.samples.at(-1)?.writeMessages ?? 0) >= 600, 'the stream server counted the writes');
    assert.ok((s?.samples.at(-1)?.residentBytes ?? 0) > 0);
    assert.equal(result.target.servers?.stream.kind, 'emulator', 'the figures say which server made them');
    assert.equal(t?.url, garbageUrl);
    assert.equal(t?.samples.length, 0);
    assert.match(t?.failures[0]?.message ?? '', /did not answer Prometheus text/);
  });
});

describe("the emulator serves /metrics on BanyanDB's observability listener", { timeout: 60_000 }, () => {
  it('--observability-listener-addr opens a metrics port of its own (the emulator image passes :2121); a bad value exits 2', async () => {
    const { spawn } = await import('node:child_process');
    const main = new URL('../src/emulator/main.ts', import.meta.url).pathname;
    const start = (extra: string[]) => {
      const child = spawn(process.execPath, ['--import', 'tsx', main, '--grpc-port=0', '--http-port=0', '--host=127.0.0.1', ...extra], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      const exit = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      return { child, out: () => out, err: () => err, exit };
    };
    const p = start(['--observability-listener-addr=127.0.0.1:0']);
    try {
      const deadline = Date.now() + 30_000;
      let m: RegExpMatchArray | null = null;
      for (;;) {
        m = p.out().match(/metrics on port (\d+) /);
        if (m || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(m, `no metrics port in: ${p.out()} ${p.err()}`);
      const res = await fetch(`http://127.0.0.1:${m[1]}/metrics`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /process_resident_memory_bytes/);
      assert.equal((await fetch(`http://127.0.0.1:${m[1]}/api/healthz`)).status, 404, 'the metrics port serves only /metrics');
    } finally {
      p.child.kill('SIGTERM');
      await p.exit;
    }
    const bad = start(['--observability-listener-addr=everywhere']);
    assert.equal(await bad.exit, 2);
    assert.match(bad.err(), /--observability-listener-addr expects \[host\]:port such as :2121, got "everywhere"/);
    const entry = readFileSync(new URL('../docker/emulator/banyand', import.meta.url), 'utf8');
    assert.match(entry, /--observability-listener-addr=:2121/);
  });
});
