import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FLAGS, flagsOf, parseCommand, parseDuration, VERBS } from '../src/cli/args.js';
import { type CliIo, EXIT, runCli } from '../src/cli/index.js';
import { OptionsError } from '../src/errors.js';
import type { BenchmarkResult } from '../src/results.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', 'testdata', 'results', 'sample-result.json');

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(argv: string[], extra: Partial<CliIo> = {}): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env: {},
    ...extra,
  });
  return { code, stdout, stderr };
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'banyandb-perf-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('help', () => {
  it('lists every verb without arguments and with `help`', async () => {
    for (const argv of [[], ['help'], ['--help']]) {
      const r = await cli(argv);
      assert.equal(r.code, EXIT.OK, argv.join(' '));
      assert.ok(r.stdout.startsWith("banyandb-perf: benchmark BanyanDB's stream and trace models side by side."));
      for (const verb of VERBS) assert.match(r.stdout, new RegExp(`^  ${verb} +\\S`, 'm'), verb);
      assert.match(r.stdout, /Exit codes: 0 ok; 1 /);
      assert.equal(r.stderr, '');
    }
  });

  for (const verb of VERBS) {
    it(`${verb} --help shows its usage and its flags only`, async () => {
      const r = await cli([verb, '--help']);
      assert.equal(r.code, EXIT.OK);
      assert.ok(r.stdout.startsWith(`Usage: banyandb-perf ${verb}`), r.stdout);
      for (const f of FLAGS) {
        const shown = new RegExp(`--${f.name}\\b`).test(r.stdout);
        assert.equal(shown, f.verbs.includes(verb), `--${f.name} in ${verb} --help`);
      }
      if (verb !== 'help') assert.equal((await cli(['help', verb])).stdout, r.stdout);
    });
  }

  it('documents the test flags with their expected values', async () => {
    const r = await cli(['test', '--help']);
    assert.match(r.stdout, /--target docker\|emulator\|external/);
    assert.match(r.stdout, /--duration <time> +Bound each write repeat by time, e\.g\. 30s, 2m/);
    assert.match(r.stdout, /--no-progress/);
  });
});

describe('usage errors exit 2 naming the flag', () => {
  const cases: [string[], string][] = [
    [['frob'], 'unknown verb "frob"; expected one of: all, build, up, test'],
    [['test', '--bogus'], 'unknown flag --bogus for `banyandb-perf test`; expected one of: --help, --json, --target'],
    [['ps', '--scale', 'small'], '--scale does not apply to `banyandb-perf ps`; it is for: all, test.'],
    [['test', '--scale'], '--scale needs a value: expected small|medium|large.'],
    [['test', '--json=yes'], '--json takes no value.'],
    [['test', '--scale', 'huge'], '--scale expects one of small, medium, large, got "huge".'],
    [['test', '--duration', '10'], '--duration expects a duration such as 500ms, 30s, 2m or 1h, got "10".'],
    [['test', '--warmup', 'soon'], '--warmup expects an integer >= 0, got "soon".'],
    [['test', '--stall-timeout', '0s'], '--stall-timeout expects a duration above 0, such as 10s.'],
    [['test', '--write-timeout', 'soon'], '--write-timeout expects a duration such as 500ms, 30s, 2m or 1h, got "soon".'],
    [['test', '--concurrency', '0'], '--concurrency expects an integer from 1 to 1024, got "0".'],
    [['test', '--batch-size', 'ten'], '--batch-size expects an integer from 1 to 100000, got "ten".'],
    [['test', '--spans', '-5'], '--spans needs a value: expected <n>; write a value starting with "-" as --spans=<value>.'],
    [['test', '--spans=-5'], '--spans expects an integer >= 1, got "-5".'],
    [['test', '--rate', '100'], '--rate (open loop) requires --duration'],
    [['test', '--duration', '0s'], '--duration must be a finite number > 0, got 0'],
    [
      ['test', '--rate', '1000', '--duration', '10m', '--spans', '5000'],
      '--duration (600000 ms) at --rate (1000 spans/s) needs 600000 spans per repeat, but --spans (5000) leaves',
    ],
    [['test', '--progress-interval', 'often'], '--progress-interval expects a duration such as 500ms, 30s, 2m or 1h, got "often".'],
    [['test', '--rate', '0', '--duration', '1s'], '--rate expects a positive number, got "0".'],
    [['test', '--target', 'cloud'], '--target expects one of docker, emulator, external, got "cloud".'],
    [['test', '--target', 'external', '--stream-addr', '127.0.0.1:1'], '--target external needs --trace-addr <host:port>'],
    [
      ['test', '--stream-addr', 'nohost', '--trace-addr', '127.0.0.1:2'],
      '--stream-addr expects host:port such as 127.0.0.1:17912, got "nohost".',
    ],
    [['test', '--target', 'emulator', '--stream-addr', '127.0.0.1:1'], '--stream-addr/--trace-addr only apply to --target external'],
    [['test', '--target', 'emulator', '--image', 'official'], '--image/--source only apply to --target docker'],
    [['up', '--image', 'emulator', '--source', '/src'], '--source and --image exclude each other'],
    [['test', 'extra'], 'unexpected argument "extra" after `banyandb-perf test`'],
    [['help', 'frob'], 'unknown verb "frob"'],
  ];
  for (const [argv, message] of cases) {
    it(argv.join(' '), async () => {
      const r = await cli(argv);
      assert.equal(r.code, EXIT.USAGE, r.stderr);
      assert.ok(r.stderr.includes(message), `stderr:\n${r.stderr}\nexpected to include:\n${message}`);
      assert.match(r.stderr, /Run `banyandb-perf .*--help` for usage\./);
      assert.equal(r.stdout, '');
    });
  }

  it('the OptionsError names the flag', () => {
    assert.throws(
      () => parseCommand(['test', '--batch-size']),
      (err: unknown) => err instanceof OptionsError && err.option === '--batch-size',
    );
    assert.throws(
      () => parseCommand(['logs', '--repeats', '2']),
      (err: unknown) => err instanceof OptionsError && err.option === '--repeats',
    );
  });
});

describe('argument parsing', () => {
  it('reads durations into milliseconds', () => {
    assert.equal(parseDuration('--duration', '30s'), 30_000);
    assert.equal(parseDuration('--duration', '2m'), 120_000);
    assert.equal(parseDuration('--duration', '500ms'), 500);
    assert.equal(parseDuration('--duration', '1.5s'), 1_500);
    assert.equal(parseDuration('--duration', '1h'), 3_600_000);
  });

  it('finds the verb wherever it stands', () => {
    assert.equal(parseCommand(['--json', 'summary']).verb, 'summary');
    assert.equal(parseCommand(['--scale', 'small', 'test']).verb, 'test');
    assert.deepEqual({ ...parseCommand(['test', '--scale', 'small', '--no-progress']).flags }, { scale: 'small', 'no-progress': true });
  });

  it('every verb accepts --help', () => {
    for (const verb of VERBS)
      assert.ok(
        flagsOf(verb).some((f) => f.name === 'help'),
        verb,
      );
  });
});

describe('summary', () => {
  it('prints the report of the last results', async () => {
    const results = join(dir, 'summary', 'results');
    await mkdir(results, { recursive: true });
    await copyFile(FIXTURE, join(results, 'latest.json'));
    const fixture = JSON.parse(await readFile(FIXTURE, 'utf8')) as BenchmarkResult;
    const r = await cli(['summary', '--results-dir', results]);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.ok(r.stdout.startsWith('banyandb-perf 0.1.0: stream vs trace\nServer: '));
    assert.ok(r.stdout.includes(`Target: ${fixture.target.description.slice(0, 50)}`));
    assert.ok(r.stdout.includes("Figures from banyandb-perf's emulator, not BanyanDB"));
    assert.ok(r.stdout.includes('- [trace, repeat 3] error-spans: span count expected 18, got 17 (against ground-truth)'));
    // It names the file it read, on the last line.
    assert.equal(r.stdout.trimEnd().split('\n').at(-1), `report of ${join(results, 'latest.json')}`);
    // --results-dir is resolved against io.cwd.
    const rel = await cli(['summary', '--results-dir', 'results'], { cwd: join(dir, 'summary') });
    assert.equal(rel.code, EXIT.OK, rel.stderr);
    assert.equal(rel.stdout, r.stdout);
    // The default ./results of the working directory.
    const def = await cli(['summary'], { cwd: join(dir, 'summary') });
    assert.equal(def.stdout, r.stdout);
  });

  it('--json prints the result JSON on stdout', async () => {
    const results = join(dir, 'summary', 'results');
    const r = await cli(['summary', '--json', '--results-dir', results]);
    assert.equal(r.code, EXIT.OK);
    assert.deepEqual(JSON.parse(r.stdout), JSON.parse(await readFile(FIXTURE, 'utf8')));
    // stdout stays pure JSON; the file read is named on stderr.
    assert.equal(r.stderr, `banyandb-perf summary: report of ${join(results, 'latest.json')}\n`);
  });

  it('without latest.json it reads, and names, the newest timestamped results file', async () => {
    const d = join(dir, 'summary-timestamped');
    await mkdir(d, { recursive: true });
    await copyFile(FIXTURE, join(d, 'banyandb-perf-2026-01-01T00-00-00.000Z.json'));
    await copyFile(FIXTURE, join(d, 'banyandb-perf-2026-01-02T00-00-00.000Z.json'));
    const r = await cli(['summary', '--results-dir', d]);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.equal(r.stdout.trimEnd().split('\n').at(-1), `report of ${join(d, 'banyandb-perf-2026-01-02T00-00-00.000Z.json')}`);
  });

  it('fails with exit 1 naming the directory when there are no results', async () => {
    const missing = join(dir, 'nothing-here');
    const r = await cli(['summary', '--results-dir', missing]);
    assert.equal(r.code, EXIT.FAILURES);
    assert.ok(r.stderr.startsWith(`banyandb-perf summary: ${missing}: no such results directory; expected latest.json`), r.stderr);
  });

  it('fails with exit 1 on a results file of another schema version', async () => {
    const d = join(dir, 'v2');
    await mkdir(d);
    const fixture = JSON.parse(await readFile(FIXTURE, 'utf8')) as BenchmarkResult;
    await writeFile(join(d, 'latest.json'), JSON.stringify({ ...fixture, schemaVersion: 2 }));
    const r = await cli(['summary', '--results-dir', d]);
    assert.equal(r.code, EXIT.FAILURES);
    assert.ok(r.stderr.includes('schemaVersion 2 is not supported; expected schemaVersion 1'), r.stderr);
  });
});

describe('test against the emulator (end to end)', () => {
  it('runs a tiny comparison, writes JSON + HTML + latest.json and prints JSON', {
    timeout: 240_000,
  }, async () => {
    const results = join(dir, 'e2e');
    const r = await cli(
      [
        'test',
        '--target',
        'emulator',
        '--scale',
        'small',
        '--spans',
        '200',
        '--duration',
        '5s',
        '--repeats',
        '1',
        '--warmup',
        '0',
        '--no-progress',
        '--json',
        '--results-dir',
        results,
      ],
      { signal: AbortSignal.timeout(230_000) },
    );
    assert.equal(r.code, EXIT.OK, r.stderr);
    const result = JSON.parse(r.stdout) as BenchmarkResult;
    assert.equal(result.schemaVersion, 1);
    assert.equal(result.target.kind, 'emulator');
    assert.equal(result.target.server, 'emulator');
    assert.equal(result.partial, false);
    assert.equal(result.write.stream.length, 1);
    assert.equal(result.write.trace.length, 1);
    assert.ok(result.write.stream[0]!.spansAcknowledged > 0);
    assert.ok(result.queries.stream[0]!.length > 0);
    assert.equal(result.disk?.length, 2);
    assert.ok(result.disk!.every((d) => d.bytes > 0 && d.bytesPerSpan > 0));
    const files = (await readdir(results)).sort();
    assert.equal(files.length, 3, files.join(', '));
    assert.ok(files.includes('latest.json'));
    assert.ok(files.some((f) => /^banyandb-perf-.+\.html$/.test(f)));
    assert.deepEqual(JSON.parse(await readFile(join(results, 'latest.json'), 'utf8')), result);
    assert.match(r.stderr, /results written to .+\.json and .+\.html/);

    // `summary` then reads what `test` wrote.
    const s = await cli(['summary', '--results-dir', results]);
    assert.equal(s.code, EXIT.OK);
    const head = s.stdout.split('\n').slice(0, 6);
    assert.ok(
      head.some((l) => l.startsWith("Target: banyandb-perf's emulator, one child process per model")),
      head.join('\n'),
    );
    assert.ok(head.some((l) => l.includes("Figures from banyandb-perf's emulator, not BanyanDB")));
    assert.ok(s.stdout.indexOf('== Verdict') < s.stdout.indexOf('== Comparison'));
  });

  it('exits 130 when interrupted, still writing the partial results', { timeout: 240_000 }, async () => {
    const results = join(dir, 'aborted');
    const controller = new AbortController();
    const argv = ['test', '--target', 'emulator', '--spans', '100000', '--duration', '2m', '--repeats', '3', '--warmup', '0'];
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const code = await runCli([...argv, '--no-progress', '--results-dir', results], {
      stdout: () => {},
      stderr: (t) => {
        stderr += t;
        // Both schemas are loaded: the writes (2 minutes' worth) start now; interrupt them shortly after.
        if (t.includes('loading the trace schema') && !timer)
          timer = setTimeout(() => controller.abort(new Error('test interrupt')), 2_000);
      },
      signal: controller.signal,
    });
    clearTimeout(timer);
    assert.equal(code, EXIT.INTERRUPTED, stderr);
    assert.match(stderr, /interrupted; the results above are partial/);
    const result = JSON.parse(await readFile(join(results, 'latest.json'), 'utf8')) as BenchmarkResult;
    assert.equal(result.partial, true);
    assert.ok(result.write.stream.length + result.write.trace.length >= 1);
  });
});

describe('progress off a terminal', () => {
  it('writes plain progress lines for the writes and the queries, and no escape codes', { timeout: 240_000 }, async () => {
    const results = join(dir, 'progress');
    const schemaDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'testdata', 'schema');
    const r = await cli(
      [
        'test',
        '--target',
        'emulator',
        '--spans',
        '1500',
        '--repeats',
        '1',
        '--warmup',
        '0',
        '--progress-interval',
        '200ms',
        '--schema-dir',
        schemaDir,
        '--results-dir',
        results,
      ],
      { signal: AbortSignal.timeout(230_000) },
    );
    assert.equal(r.code, EXIT.OK, r.stderr);
    const lines = r.stderr.split('\n');
    const loaded = lines.findIndex((l) => l.includes('loading the trace schema'));
    const written = lines.findIndex((l) => l.includes('results written to'));
    assert.ok(loaded >= 0 && written > loaded, r.stderr);
    const between = lines.slice(loaded + 1, written);
    for (const m of ['stream', 'trace']) {
      assert.ok(
        between.some((l) => new RegExp(`^${m} writes, repeat 1/1: [\\d,]+/[\\d,]+ spans \\(\\d+%\\)`).test(l)),
        `${m} write progress in:\n${between.join('\n')}`,
      );
      assert.ok(
        between.some((l) => new RegExp(`^${m} queries, repeat 1/1: \\d+/10 patterns done, now `).test(l)),
        `${m} query progress in:\n${between.join('\n')}`,
      );
    }
    assert.ok(!r.stderr.includes('\x1b') && !r.stdout.includes('\x1b'), 'no escape codes when not on a terminal');
  });

  it('--no-progress writes none', { timeout: 240_000 }, async () => {
    const r = await cli(
      [
        'test',
        '--target',
        'emulator',
        '--spans',
        '300',
        '--repeats',
        '1',
        '--warmup',
        '0',
        '--no-progress',
        '--results-dir',
        join(dir, 'np'),
      ],
      { signal: AbortSignal.timeout(230_000) },
    );
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.doesNotMatch(r.stderr, / writes, repeat | queries, repeat /);
  });

  it('--schema-dir names a missing directory', async () => {
    const missing = join(dir, 'no-schema-here');
    const r = await cli(['test', '--target', 'emulator', '--schema-dir', missing, '--results-dir', join(dir, 'sd')]);
    assert.notEqual(r.code, EXIT.OK);
    assert.ok(r.stderr.includes(missing), r.stderr);
  });
});

describe('emulator', () => {
  it('serves in the foreground until aborted, answering /api/healthz', { timeout: 60_000 }, async () => {
    const controller = new AbortController();
    let stderr = '';
    let health: Promise<string> | undefined;
    const code = await runCli(['emulator', '--grpc-port', '0', '--http-port', '0'], {
      stdout: () => {},
      stderr: (t) => {
        stderr += t;
        const http = /HTTP on (http:\/\/\S+) /.exec(t)?.[1];
        if (http && !health) {
          health = fetch(`${http}/api/healthz`)
            .then((res) => res.text())
            .finally(() => controller.abort());
        }
      },
      signal: controller.signal,
    });
    assert.equal(code, EXIT.OK, stderr);
    assert.ok(health, stderr);
    assert.match(await health, /SERVING/);
    assert.match(stderr, /serving gRPC on 127\.0\.0\.1:\d+, HTTP on http:\/\/127\.0\.0\.1:\d+ \(not BanyanDB; Ctrl-C to stop\)/);
    assert.match(stderr, /banyandb-perf emulator stopped\./);
  });

  it('rejects a bad port with exit 2', async () => {
    const r = await cli(['emulator', '--grpc-port', '70000']);
    assert.equal(r.code, EXIT.USAGE);
    assert.ok(r.stderr.includes('--grpc-port expects an integer from 0 to 65535, got "70000".'), r.stderr);
  });
});

describe('exit codes', () => {
  it('maps errors to 1, 2, 3 and 130', async () => {
    const { exitCodeFor, EnvironmentError } = await import('../src/cli/context.js');
    const { AbortedError, BanyanDBPerfError, ClusterError } = await import('../src/errors.js');
    assert.equal(exitCodeFor(new OptionsError('--x', 'bad')), EXIT.USAGE);
    assert.equal(exitCodeFor(new ClusterError('DOCKER_NOT_RUNNING', 'no engine')), EXIT.ENVIRONMENT);
    assert.equal(exitCodeFor(new ClusterError('DOCKER_NOT_INSTALLED', 'no docker')), EXIT.ENVIRONMENT);
    assert.equal(exitCodeFor(new ClusterError('IMAGE_MISSING', 'no image')), EXIT.ENVIRONMENT);
    assert.equal(exitCodeFor(new ClusterError('CONTAINER_EXITED', 'died')), EXIT.FAILURES);
    assert.equal(exitCodeFor(new EnvironmentError('UNAVAILABLE', 'cannot use the stream server')), EXIT.ENVIRONMENT);
    assert.equal(exitCodeFor(new BanyanDBPerfError('INTERNAL', 'boom')), EXIT.FAILURES);
    assert.equal(exitCodeFor(new Error('plain')), EXIT.FAILURES);
    assert.equal(exitCodeFor(new AbortedError()), EXIT.INTERRUPTED);
    assert.equal(exitCodeFor(new Error('any'), AbortSignal.abort()), EXIT.INTERRUPTED);
  });
});
