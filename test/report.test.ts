import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ResultsError } from '../src/errors.js';
import { formatConsoleReport } from '../src/report/console.js';
import { readLastResults, writeResults } from '../src/report/files.js';
import { EMULATOR_WARNING } from '../src/report/format.js';
import { renderHtmlReport } from '../src/report/html.js';
import { escapeHtml } from '../src/report/svg.js';
import type { BenchmarkResult } from '../src/results.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', 'testdata', 'results', 'sample-result.json');

async function fixture(): Promise<BenchmarkResult> {
  return JSON.parse(await readFile(FIXTURE, 'utf8')) as BenchmarkResult;
}

/** The console line of a table row that starts with `label`. */
function lineStarting(text: string, label: string): string {
  const line = text.split('\n').find((l) => l.trimStart().startsWith(label));
  assert.ok(line, `no line starting with ${JSON.stringify(label)} in:\n${text}`);
  return line;
}

describe('formatConsoleReport', () => {
  it('says first which target produced the figures, with the emulator warning', async () => {
    const r = await fixture();
    const lines = formatConsoleReport(r).split('\n');
    assert.equal(lines[0], `Target: ${r.target.description} (kind: emulator, server: emulator)`);
    assert.match(lines[1]!, new RegExp(EMULATOR_WARNING.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.equal(EMULATOR_WARNING, "Figures from banyandb-perf's emulator, not BanyanDB");
  });

  it('gives no emulator warning for a real BanyanDB target', async () => {
    const r = await fixture();
    r.target = {
      kind: 'docker',
      server: 'banyandb',
      description: 'apache/skywalking-banyandb:0.10.3 in Docker',
      addresses: r.target.addresses,
    };
    const text = formatConsoleReport(r);
    assert.ok(text.startsWith('Target: apache/skywalking-banyandb:0.10.3 in Docker (kind: docker, server: banyandb)\n'));
    assert.ok(!text.includes(EMULATOR_WARNING));
  });

  it('warns for a Docker target running the emulator image too', async () => {
    const r = await fixture();
    r.target = { ...r.target, kind: 'docker', server: 'emulator' };
    assert.ok(formatConsoleReport(r).split('\n')[1]!.includes(EMULATOR_WARNING));
  });

  it('shows winner and ratio, or no clear winner with the note', async () => {
    const text = formatConsoleReport(await fixture());
    const writes = lineStarting(text, 'write spans/s (higher is better)');
    assert.match(writes, /2,631 \(2,625–2,697\) spans\/s/);
    assert.match(writes, /stream wins, 1\.24x higher \(confidence intervals do not overlap\)/);
    assert.match(lineStarting(text, 'query trace-by-id p95'), /trace wins, 1\.50x lower/);
    assert.match(lineStarting(text, 'query error-spans p95'), /no clear winner — within noise: confidence intervals overlap/);
    assert.match(lineStarting(text, 'query slow-spans-sorted p95'), /no clear winner — trace: n\/a/);
  });

  it('summarizes writes per model with errors by status', async () => {
    const text = formatConsoleReport(await fixture());
    assert.match(lineStarting(text, 'errors by status'), /none\s+STATUS_INTERNAL_ERROR=2/);
    assert.match(lineStarting(text, 'batch latency p95'), /72\.1 ms \(69\.3 ms–73\.0 ms\)/);
    assert.match(lineStarting(text, 'partial'), /no\s+no/);
  });

  it('marks n/a query rows with their reason and lists every mismatch', async () => {
    const text = formatConsoleReport(await fixture());
    assert.match(text, /slow-spans-sorted\s+trace\s+n\/a\s+0/);
    assert.ok(text.includes('slow-spans-sorted (trace): n/a — fixture: the trace schema has no index rule on latency to sort by'));
    assert.match(text, /error-spans\s+trace\s+10\.6 ms\s+20\.1 ms\s+29\.7 ms\s+343\.3\s+18\s+1/);
    assert.ok(text.includes('Mismatches: 1\n'));
    assert.ok(text.includes('- [trace, repeat 3] error-spans: span count expected 18, got 17 (against ground-truth)'));
  });

  it('prints container figures with Stream/Trace ratios, disk bytes per span and the harness figures', async () => {
    const r = await fixture();
    const text = formatConsoleReport(r);
    const [s, t] = r.containers!.summaries;
    assert.match(lineStarting(text, 'banyandb-perf-stream-1'), /stream\s+12\s+46\.1%\s+62\.4%/);
    assert.match(lineStarting(text, 'CPU avg  '), new RegExp(`${(s!.cpuPercentAvg / t!.cpuPercentAvg).toFixed(2)}$`));
    assert.match(lineStarting(text, 'Block write'), new RegExp(`${(s!.blockWriteBytes / t!.blockWriteBytes).toFixed(2)}$`));
    assert.match(lineStarting(text, 'Bytes per span, Stream/Trace'), /1\.06$/);
    assert.match(text, /ops\/sec = write batches per second, latency = per-batch P95/);
    assert.match(text, /stream\s+26\.4\s+72\.1 ms\s+25\.3\s+100\s+0/);
    assert.match(text, /trace\s+21\.2\s+82\.0 ms\s+20\.4\s+100\s+2/);
  });

  it('notes absent parts instead of failing', async () => {
    const r = await fixture();
    delete r.containers;
    delete r.disk;
    r.queries = { stream: [], trace: [] };
    r.comparisons = [];
    const text = formatConsoleReport(r);
    assert.ok(text.includes('(no container statistics'));
    assert.ok(text.includes('(no disk footprint measured)'));
    assert.ok(text.includes('(no query results in this result)'));
    assert.ok(text.includes('(no comparisons in this result)'));
  });

  it('marks partial results', async () => {
    const r = await fixture();
    r.partial = true;
    r.write.trace[2]!.partial = true;
    const text = formatConsoleReport(r);
    assert.ok(text.includes('PARTIAL: the run was aborted'));
    assert.match(lineStarting(text, 'partial'), /no\s+YES \(1 of 3 repeats\)/);
  });

  it('uses ANSI colour only when asked', async () => {
    const r = await fixture();
    assert.ok(!formatConsoleReport(r).includes('\x1b['));
    assert.ok(!formatConsoleReport(r, { color: false }).includes('\x1b['));
    assert.ok(formatConsoleReport(r, { color: true }).includes('\x1b[31m'));
  });
});

describe('renderHtmlReport', () => {
  it('is one self-contained document: no external src/href/url, no scripts', async () => {
    const html = renderHtmlReport(await fixture());
    assert.ok(html.startsWith('<!DOCTYPE html>'));
    assert.doesNotMatch(html, /\b(src|href|xlink:href)\s*=/i);
    assert.doesNotMatch(html, /url\(/i);
    assert.doesNotMatch(html, /@import/i);
    assert.doesNotMatch(html, /<script|<link|<iframe|<img/i);
    assert.doesNotMatch(html, /https?:\/\//i);
  });

  it('puts the target banner with the emulator warning at the top', async () => {
    const r = await fixture();
    const html = renderHtmlReport(r);
    const banner = html.indexOf('id="target"');
    assert.ok(banner > 0 && banner < html.indexOf('<section'));
    assert.ok(html.includes(`${escapeHtml(EMULATOR_WARNING)}.`));
    assert.ok(html.includes(escapeHtml(r.target.description)));
  });

  it('draws the charts: throughput, query latency, container CPU and memory, disk bytes per span', async () => {
    const html = renderHtmlReport(await fixture());
    for (const cls of ['throughput', 'query-latency', 'container-cpu', 'container-mem', 'disk']) {
      assert.match(html, new RegExp(`<svg class="chart ${cls}"`), cls);
    }
    // 3 repeats x 2 models of throughput, 2 containers x (CPU, memory).
    assert.equal(html.match(/<path class="series"/g)?.length, 6 + 4);
    // 4 patterns x 6 bars, minus the 3 n/a bars of the trace model, plus 2 disk bars.
    assert.equal(html.match(/<rect class="bar"/g)?.length, 4 * 6 - 3 + 2);
    assert.ok(html.includes('spans acknowledged / s'));
    assert.ok(html.includes('seconds since measured phase started'));
    assert.ok(html.includes('>stream p95</text>'));
  });

  it('has the comparison table and lists mismatches', async () => {
    const html = renderHtmlReport(await fixture());
    assert.match(html, /<span class="win-stream">stream wins, 1\.24× higher<\/span>/);
    assert.match(html, /no clear winner — within noise: confidence intervals overlap/);
    assert.ok(
      html.includes('<li class="mismatch">[trace, repeat 3] error-spans: span count expected 18, got 17 (against ground-truth)</li>'),
    );
    assert.ok(html.includes('n/a: fixture: the trace schema has no index rule on latency to sort by'));
  });

  it('escapes every string from the result', async () => {
    const r = await fixture();
    const evil = '<script>alert("x")</script>&\'';
    r.target.description = evil;
    r.options = { [evil]: evil };
    r.queries.trace[0]![0]!.pattern = evil;
    r.queries.trace[0]![0]!.mismatches = [
      { pattern: evil, model: 'trace', what: evil, expected: evil, actual: evil, against: 'other-model' },
    ];
    r.containers!.summaries[0]!.container = evil;
    for (const s of r.containers!.samples) s.container = evil;
    r.comparisons[0]!.metric = evil;
    r.comparisons[0]!.note = evil;
    const html = renderHtmlReport(r);
    assert.ok(!html.includes('<script'));
    assert.ok(!html.includes('alert("x")'));
    assert.ok(html.includes('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#38;&#39;'));
  });

  it('notes absent containers, disk and queries', async () => {
    const r = await fixture();
    delete r.containers;
    delete r.disk;
    r.queries = { stream: [], trace: [] };
    const html = renderHtmlReport(r);
    assert.ok(html.includes('No container statistics: the run did not use containers started by banyandb-perf.'));
    assert.ok(html.includes('No disk footprint measured.'));
    assert.ok(html.includes('No query results in this result.'));
    assert.doesNotMatch(html, /class="chart (container-cpu|disk|query-latency)"/);
  });
});

describe('writeResults / readLastResults', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'banyandb-perf-report-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes timestamped JSON + HTML, updates latest.json, never overwrites', async () => {
    const r = await fixture();
    const out = join(dir, 'w', 'results');
    const first = await writeResults(r, out);
    assert.equal(first.jsonPath, join(out, 'banyandb-perf-2026-01-15T10-26-35-000Z.json'));
    assert.equal(first.htmlPath, join(out, 'banyandb-perf-2026-01-15T10-26-35-000Z.html'));
    assert.deepEqual(JSON.parse(await readFile(first.jsonPath, 'utf8')), r);
    assert.deepEqual(JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')), r);
    assert.equal(await readFile(first.htmlPath, 'utf8'), renderHtmlReport(r));
    const second = await writeResults({ ...r, partial: true }, out);
    assert.equal(second.jsonPath, join(out, 'banyandb-perf-2026-01-15T10-26-35-000Z-2.json'));
    assert.equal((await readLastResults(out)).partial, true);
    assert.deepEqual((await readdir(out)).sort(), [
      'banyandb-perf-2026-01-15T10-26-35-000Z-2.html',
      'banyandb-perf-2026-01-15T10-26-35-000Z-2.json',
      'banyandb-perf-2026-01-15T10-26-35-000Z.html',
      'banyandb-perf-2026-01-15T10-26-35-000Z.json',
      'latest.json',
    ]);
  });

  it('reads the newest timestamped file when latest.json is absent', async () => {
    const out = join(dir, 'nolatest');
    await mkdir(out);
    const r = await fixture();
    await writeFile(join(out, 'banyandb-perf-2026-01-01T00-00-00-000Z.json'), JSON.stringify({ ...r, partial: false }));
    await writeFile(join(out, 'banyandb-perf-2026-02-01T00-00-00-000Z.json'), JSON.stringify({ ...r, partial: true }));
    assert.equal((await readLastResults(out)).partial, true);
    // A clash suffix is newer than the plain name of the same timestamp.
    await writeFile(
      join(out, 'banyandb-perf-2026-02-01T00-00-00-000Z-2.json'),
      JSON.stringify({ ...r, partial: false, seedNote: 'second' }),
    );
    assert.equal((await readLastResults(out)).partial, false);
  });

  async function rejects(p: Promise<unknown>, code: string, message: string | RegExp): Promise<void> {
    await assert.rejects(p, (err: unknown) => {
      assert.ok(err instanceof ResultsError, String(err));
      assert.equal(err.code, code);
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    });
  }

  it('names the missing directory and what was expected', async () => {
    const missing = join(dir, 'does-not-exist');
    await rejects(
      readLastResults(missing),
      'RESULTS_NOT_FOUND',
      `${missing}: no such results directory; expected latest.json or banyandb-perf-<timestamp>.json written by \`banyandb-perf test\` (or pass --results-dir).`,
    );
  });

  it('names an empty directory', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty);
    await rejects(
      readLastResults(empty),
      'RESULTS_NOT_FOUND',
      `${empty}: no results found; expected latest.json or banyandb-perf-<timestamp>.json written by \`banyandb-perf test\`.`,
    );
  });

  it('rejects invalid JSON naming the file', async () => {
    const d = join(dir, 'badjson');
    await mkdir(d);
    await writeFile(join(d, 'latest.json'), '{"schemaVersion": 1,');
    const file = join(d, 'latest.json');
    await rejects(
      readLastResults(d),
      'RESULTS_INVALID',
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON \\(.+\\); expected a banyandb-perf results file with schemaVersion 1\\.$`,
      ),
    );
  });

  it('rejects a missing or different schemaVersion', async () => {
    const d = join(dir, 'version');
    await mkdir(d);
    const file = join(d, 'latest.json');
    const r = await fixture();
    await writeFile(file, JSON.stringify({ ...r, schemaVersion: 2 }));
    await rejects(
      readLastResults(d),
      'RESULTS_INVALID',
      `${file}: schemaVersion 2 is not supported; expected schemaVersion 1 (re-run the benchmark, or read it with the banyandb-perf version that wrote it).`,
    );
    const { schemaVersion: _drop, ...noVersion } = r;
    await writeFile(file, JSON.stringify(noVersion));
    await rejects(
      readLastResults(d),
      'RESULTS_INVALID',
      `${file}: no "schemaVersion" field; expected a banyandb-perf results file with schemaVersion 1.`,
    );
    await writeFile(file, JSON.stringify([1, 2]));
    await rejects(
      readLastResults(d),
      'RESULTS_INVALID',
      `${file}: the top level is not a JSON object; expected a banyandb-perf results file with schemaVersion 1.`,
    );
    await writeFile(file, JSON.stringify({ ...r, comparisons: undefined }));
    await rejects(
      readLastResults(d),
      'RESULTS_INVALID',
      `${file}: field "comparisons" is missing or not an array; expected a banyandb-perf results file with schemaVersion 1.`,
    );
  });

  it('reads the fixture file as a valid result', async () => {
    const d = join(dir, 'fixture');
    await mkdir(d);
    await writeFile(join(d, 'latest.json'), await readFile(FIXTURE, 'utf8'));
    const r = await readLastResults(d);
    assert.equal(r.schemaVersion, 1);
    assert.equal(r.target.kind, 'emulator');
  });
});
