/**
 * Run-vs-run comparison: compareResults (library), its console and HTML rendering, and
 * `banyandb-perf compare <a.json> <b.json>`.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EXIT } from '../src/cli/context.js';
import { runCli } from '../src/cli/run.js';
import { formatRunsComparison, renderRunsComparisonHtml } from '../src/report/compare.js';
import type { BenchmarkResult } from '../src/results.js';
import { compareResults, type RunsComparisonRow } from '../src/verdict/runs.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', 'testdata', 'results', 'sample-result.json');

async function fixture(): Promise<BenchmarkResult> {
  return JSON.parse(await readFile(FIXTURE, 'utf8')) as BenchmarkResult;
}

/** A copy of the fixture in which trace-by-id on trace got twice as fast and stream's writes 30% slower. */
async function changed(): Promise<BenchmarkResult> {
  const b = await fixture();
  for (const rep of b.queries.trace) {
    const q = rep.find((x) => x.pattern === 'trace-by-id')!;
    for (const k of Object.keys(q.latency!) as (keyof NonNullable<typeof q.latency>)[]) {
      if (k !== 'count') q.latency![k] /= 2;
    }
  }
  for (const w of b.write.stream) {
    w.spansPerSec *= 0.7;
    w.payloadMBPerSec *= 0.7;
  }
  b.target.servers!.trace = { kind: 'banyandb', apiVersion: '0.10', revision: 'abc', label: 'BanyanDB 0.10 (revision abc)' };
  b.options = { ...b.options, concurrency: 8 };
  return b;
}

const row = (rows: readonly RunsComparisonRow[], model: string, metric: string): RunsComparisonRow => {
  const r = rows.find((x) => x.model === model && x.metric === metric);
  assert.ok(r, `no row ${model} ${metric}`);
  return r;
};

describe('compareResults', () => {
  it('the same result twice: nothing better or worse, every figure within noise or not judged', async () => {
    const rc = compareResults(await fixture(), await fixture());
    assert.equal(rc.rows.filter((r) => r.change !== 'unchanged').length, 0);
    assert.deepEqual(rc.differences, []);
    assert.equal(row(rc.rows, 'stream', 'write throughput').why, 'within-noise');
    // The fixture's trace writes had rejections: failed work is never judged.
    assert.equal(row(rc.rows, 'trace', 'write throughput').why, 'failed-work');
    assert.equal(row(rc.rows, 'trace', 'query error-spans latency p50').why, 'failed-checks');
    assert.equal(row(rc.rows, 'trace', 'query slow-spans-sorted latency p50').why, 'not-answerable');
  });

  it('says what got better and worse beyond the noise, and what differs between the runs', async () => {
    const rc = compareResults(await fixture(), await changed(), { labels: ['before', 'after'] });
    const faster = row(rc.rows, 'trace', 'query trace-by-id latency p50');
    assert.equal(faster.change, 'better');
    assert.ok(Math.abs(faster.factor! - 2) < 1e-9);
    assert.ok(faster.ci![0] > 1);
    const slower = row(rc.rows, 'stream', 'write throughput');
    assert.equal(slower.change, 'worse');
    assert.ok(Math.abs(slower.factor! - 1 / 0.7) < 1e-9);
    assert.equal(row(rc.rows, 'stream', 'query trace-by-id latency p50').change, 'unchanged');
    assert.ok(rc.differences.some((d) => d.startsWith('server: banyandb-perf emulator 0.1.0 (emulates BanyanDB 0.10.3) → stream ')));
    assert.ok(rc.differences.includes('concurrency: 4 → 8'));
    assert.equal(rc.a.label, 'before');
  });

  it('never judges unequal answers or too few repeats, and never sets the emulator’s storage beside BanyanDB’s disk', async () => {
    const b = await changed();
    for (const rep of b.queries.trace) rep.find((x) => x.pattern === 'trace-by-id')!.answer = { spans: 4, traces: 1, bytes: 1 };
    b.write.stream = b.write.stream.slice(0, 2);
    b.target = { ...b.target, kind: 'docker', server: 'banyandb' };
    const rc = compareResults(await fixture(), b);
    assert.equal(row(rc.rows, 'trace', 'query trace-by-id latency p50').why, 'unequal-answers');
    assert.match(
      row(rc.rows, 'trace', 'query trace-by-id latency p50').note,
      /^unequal answers: A trace 8 spans \/ 1 trace \/ 75\.0 KiB, B trace 4 spans \/ 1 trace \/ 1 B$/,
    );
    assert.equal(row(rc.rows, 'stream', 'write throughput').why, 'too-few-repeats');
    const disk = rc.rows.filter((r) => r.area === 'disk');
    assert.equal(disk.length, 2);
    for (const d of disk) {
      assert.equal(d.a, null);
      assert.match(d.note, /not compared: one run's figure is the emulator's uncompressed storage/);
    }
    assert.ok(rc.differences.some((d) => d.includes("the emulator's figures are never BanyanDB's")));
  });

  it('is a pure function of the two results', async () => {
    assert.deepEqual(compareResults(await fixture(), await changed()), compareResults(await fixture(), await changed()));
  });
});

describe('run-vs-run rendering', () => {
  it('console: the verdict first, within 120 columns; the figures after', async () => {
    const text = formatRunsComparison(compareResults(await fixture(), await changed(), { labels: ['before.json', 'after.json'] }));
    const lines = text.split('\n');
    assert.equal(lines[0], 'banyandb-perf: run before.json vs run after.json');
    for (const l of lines) assert.ok([...l].length <= 120, `too wide: ${l}`);
    const verdict = text.indexOf('== Verdict (after.json against before.json)');
    assert.ok(verdict > 0 && verdict < text.indexOf('== Figures'));
    assert.match(text, /\n {2}Better in after\.json \(2\): trace trace-by-id p50 2\.00x \[[\d.]+–[\d.]+\]; trace trace-by-id p95 2\.00x/);
    assert.match(text, /\n {2}Worse in after\.json \(2\): stream write spans\/s 1\.43x/);
    assert.match(
      text,
      /\n {2}stream\s+write spans\/s ↑\s+2,631 \(2,625–2,697\)\s+1,84\d \(1,83\d–1,88\d\)\s+2% \/ 2%\s+worse in after\.json: 1\.43x/,
    );
  });

  it('HTML: one self-contained page, verdict first, the same columns', async () => {
    const html = renderRunsComparisonHtml(compareResults(await fixture(), await changed()));
    assert.ok(html.startsWith('<!DOCTYPE html>'));
    assert.doesNotMatch(html, /<script|https?:\/\/|\b(src|href)\s*=/i);
    assert.ok(html.indexOf('id="verdict"') < html.indexOf('<h2>Figures</h2>'));
    for (const h of ['Model', 'Metric', 'A', 'B', 'CV a / b', 'Change, ratio [interval]']) assert.ok(html.includes(`${h}</th>`), h);
    assert.match(html, /<td class="better">better in B: 2\.00x/);
    assert.match(html, /<td class="worse">worse in B: 1\.43x/);
  });
});

describe('banyandb-perf compare', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'banyandb-perf-compare-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
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
      cwd: dir,
    });
    return { code, stdout, stderr };
  }

  it('prints the comparison of two files, writes --html, and --json gives the library’s object', async () => {
    await writeFile(join(dir, 'a.json'), JSON.stringify(await fixture()));
    await writeFile(join(dir, 'b.json'), JSON.stringify(await changed()));
    const r = await cli(['compare', 'a.json', 'b.json', '--html', 'cmp.html']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.ok(r.stdout.startsWith('banyandb-perf: run a.json vs run b.json\n'));
    assert.match(r.stdout, /Better in b\.json \(2\)/);
    assert.match(r.stderr, /comparison written to .*cmp\.html/);
    assert.match(await readFile(join(dir, 'cmp.html'), 'utf8'), /<td class="better">better in b\.json/);
    const j = await cli(['compare', 'a.json', 'b.json', '--json']);
    assert.equal(j.code, EXIT.OK);
    const parsed = JSON.parse(j.stdout) as ReturnType<typeof compareResults>;
    assert.equal(parsed.rows.filter((x) => x.change === 'better').length, 2);
  });

  it('needs exactly two files, and names a file that is not a results file', async () => {
    const one = await cli(['compare', 'a.json']);
    assert.equal(one.code, EXIT.USAGE);
    assert.match(one.stderr, /`banyandb-perf compare` takes two results files \(<a\.json> <b\.json>\), got 1\./);
    await writeFile(join(dir, 'bad.json'), '{}');
    const bad = await cli(['compare', 'a.json', 'bad.json']);
    assert.equal(bad.code, EXIT.FAILURES);
    assert.match(bad.stderr, /bad\.json: no "schemaVersion" field/);
  });
});
