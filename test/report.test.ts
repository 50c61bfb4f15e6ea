import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ResultsError } from '../src/errors.js';
import { formatConsoleReport } from '../src/report/console.js';
import { readLastResults, writeResults } from '../src/report/files.js';
import { EMULATOR_WARNING, fmtOptions } from '../src/report/format.js';
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
  it('opens with the tool, the server identity, the target and the emulator warning', async () => {
    const r = await fixture();
    const lines = formatConsoleReport(r).split('\n');
    assert.equal(lines[0], 'banyandb-perf 0.1.0: stream vs trace');
    assert.equal(lines[1], 'Server: banyandb-perf emulator 0.1.0 (emulates BanyanDB 0.10.3) (both models)');
    assert.ok(lines[2]!.startsWith(`Target: ${r.target.description.slice(0, 40)}`));
    assert.ok(lines.slice(0, 6).some((l) => l.includes(EMULATOR_WARNING)));
    assert.equal(EMULATOR_WARNING, "Figures from banyandb-perf's emulator, not BanyanDB");
  });

  it('says the server is unknown when the result does not record it, and names each side when they differ', async () => {
    const r = await fixture();
    delete r.target.servers;
    assert.equal(formatConsoleReport(r).split('\n')[1], 'Server: unknown (not recorded in this result)');
    const s = await fixture();
    s.target.servers!.trace = { kind: 'banyandb', apiVersion: '0.10', revision: '3b4e4d9', label: 'BanyanDB 0.10 (revision 3b4e4d9)' };
    assert.match(
      formatConsoleReport(s).split('\n')[1]!,
      /^Servers: stream banyandb-perf emulator .*; trace BanyanDB 0\.10 \(revision 3b4e4d9\)$/,
    );
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
    assert.ok(text.includes('Target: apache/skywalking-banyandb:0.10.3 in Docker (docker;'));
    assert.ok(!text.includes(EMULATOR_WARNING));
    assert.ok(text.includes('== Disk footprint'));
    assert.ok(!text.includes("Emulator's storage"));
  });

  it('warns for a Docker target running the emulator image too', async () => {
    const r = await fixture();
    r.target = { ...r.target, kind: 'docker', server: 'emulator' };
    assert.ok(
      formatConsoleReport(r)
        .split('\n')
        .slice(0, 6)
        .some((l) => l.includes(EMULATOR_WARNING)),
    );
  });

  it('puts the verdict first: one line per area, before any detailed table', async () => {
    const text = formatConsoleReport(await fixture());
    const verdict = text.indexOf('== Verdict');
    assert.ok(verdict > 0 && verdict < text.indexOf('== Comparison') && verdict < text.indexOf('== Writes'));
    const head = text.slice(verdict, text.indexOf('== Comparison'));
    assert.match(head, /\n {2}Writes {14}no verdict: failed work: trace: 2 writes not acknowledged\n/);
    assert.match(head, /\n {2}trace-by-id {9}trace wins: 1\.37x lower latency p50 \[1\.16–1\.74, 99%\]/);
    assert.match(head, /\n {2}service-time-range {2}stream wins: 1\.31x lower latency p50/);
    assert.match(head, /\n {2}error-spans {9}no verdict: answers failed checks: trace 1 mismatch\n/);
    assert.match(head, /\n {2}slow-spans-sorted {3}no verdict: trace cannot answer this pattern/);
    assert.match(
      head,
      /\n {2}time-whole {10}no verdict: unequal answers: stream 5,000 spans \/ 512 traces \/ 45\.8 MiB \(capped\), trace 802 spans\n {22}\/ 50 traces \/ 7\.3 MiB \(capped\)/,
    );
    assert.match(head, /\n {2}Containers {10}stream wins: 1\.40x lower container CPU per 1,000 spans written \[1\.002–2\.12, 97\.5%\]/);
    assert.match(head, /\n {2}Disk {16}emulator's storage per span \(uncompressed, not BanyanDB's\): one measurement, no winner/);
    assert.match(head, /Method: figures are medians over the repeats; ratio = median ÷ median;/);
    assert.match(head, /Holm–Bonferroni over the 6 compared\s+figures/);
  });

  it('shows medians, CVs and the ratio of the medians shown, with the interval and why', async () => {
    const text = formatConsoleReport(await fixture());
    const writes = lineStarting(text, 'write spans/s ↑');
    assert.match(writes, /2,631 \(2,625–2,697\)\s+2,120 \(2,048–2,157\)\s+2% \/ 3%\s+no winner \(failed work\): stream 1\.24x$/);
    // 2,631 / 2,120 = 1.241: the ratio of the medians in the row, not of the means (2,651 / 2,108 = 1.258).
    assert.match(
      lineStarting(text, 'trace-by-id p50 ↓'),
      /1\.97 \(1\.95–2\.12\) ms\s+1\.44 \(1\.33–1\.49\) ms\s+5% \/ 6%\s+trace wins 1\.37x \[1\.16–1\.74\] at 99%$/,
    );
    assert.match(
      lineStarting(text, 'time-whole p50 ↓'),
      /93 \(52–143\) ms\s+2\.41 \(0\.7–2\.60\) ms\s+47% \/ 55%\s+no winner \(unequal answers\)/,
    );
    assert.match(text, /\n {4}trace-by-id p50, trace-by-id p95: Holm-adjusted p = 0\.009 over 6\n/);
  });

  it('summarizes writes per model with errors by status', async () => {
    const text = formatConsoleReport(await fixture());
    assert.match(lineStarting(text, 'errors by status'), /none\s+STATUS_INTERNAL_ERROR=2/);
    assert.match(lineStarting(text, 'batch latency p95'), /72\.1 \(69\.3–73\.0\) ms\s+82\.0 \(80\.4–92\.3\) ms/);
    assert.match(lineStarting(text, 'partial / failed'), /no\s+no/);
  });

  it('shows each side’s answer size, the pattern descriptions once, n/a reasons and every mismatch', async () => {
    const text = formatConsoleReport(await fixture());
    assert.match(text, /slow-spans-sorted\s+trace\s+n\/a\s+0\n/);
    assert.ok(text.includes('slow-spans-sorted (trace): n/a — fixture: the trace schema has no index rule on latency to sort by'));
    assert.match(text, /error-spans\s+trace\s+10\.6 ms\s+20\.1 ms\s+29\.7 ms\s+343\.3\s+1\s+18 \/ 18, 169 KiB\n/);
    assert.match(text, /time-whole\s+stream\s+93 ms\s+140 ms\s+167 ms\s+10\.8\s+0\s+5,000 \/ 512, 45\.8 MiB \(capped\)\n/);
    assert.match(text, /trace-by-id\s+stream .* 8 \/ 1, 75\.0 KiB\n/);
    assert.equal(text.split('All spans of one trace, by trace id').length, 2, 'description printed once');
    assert.ok(!text.includes('(1 spans)'));
    assert.ok(text.includes('Mismatches: 1\n'));
    assert.ok(text.includes('- [trace, repeat 3] error-spans: span count expected 18, got 17 (against ground-truth)'));
  });

  it('prints container figures whole-run, per phase and per pattern, and where memory peaked', async () => {
    const r = await fixture();
    const text = formatConsoleReport(r);
    const [s, t] = r.containers!.summaries;
    assert.match(lineStarting(text, 'banyandb-perf-stream-1  stream  '), /stream\s+12\s+46\.1%\s+62\.4%/);
    assert.match(lineStarting(text, 'CPU avg  '), new RegExp(`${(s!.cpuPercentAvg / t!.cpuPercentAvg).toFixed(2)}$`));
    assert.match(lineStarting(text, 'Block write'), new RegExp(`${(s!.blockWriteBytes / t!.blockWriteBytes).toFixed(2)}$`));
    assert.match(text, /Per phase/);
    assert.match(lineStarting(text, 'write #1  stream'), /8 s\s+2\s+/);
    assert.match(text, /Per query pattern/);
    assert.ok(text.includes('banyandb-perf-stream-1 (stream): memory peaked at 1.3 GiB during query slow-spans-sorted (repeat 3)'));
    assert.match(lineStarting(text, 'Bytes per span, stream ÷ trace'), /1\.06$/);
  });

  it('labels the emulator’s storage as the emulator’s, never as BanyanDB’s disk', async () => {
    const text = formatConsoleReport(await fixture());
    assert.ok(text.includes("== Emulator's storage (uncompressed; not BanyanDB's disk)"));
    assert.ok(!text.includes('== Disk footprint'));
    assert.match(lineStarting(text, 'Model   Emulator'), /Emulator's storage \(uncompressed\)/);
  });

  it('prints the harness figures with the same columns as the HTML report', async () => {
    const r = await fixture();
    const text = formatConsoleReport(r);
    assert.match(text, /ops\/sec = write batches per\s+second, latency = per-batch P95/);
    assert.match(text, /stream\s+26\.4\s+72\.1 ms\s+25\.3\s+100\s+0/);
    assert.match(text, /trace\s+21\.2\s+82\.0 ms\s+20\.4\s+100\s+2/);
    const html = renderHtmlReport(r);
    for (const h of ['ops/sec', 'P95 latency', 'MB/s', 'batch size', 'errors']) assert.ok(html.includes(`>${h}</th>`), h);
  });

  it('is readable at a glance: every line within 120 columns, options as a short list, durations in one style', async () => {
    const r = await fixture();
    r.options = {
      ...r.options,
      scaleDetail: { name: 'small', spans: 100000, traces: 10000, services: 100, instances: 500, timeRangeMs: 3600000 },
    };
    const text = formatConsoleReport(r);
    for (const line of text.split('\n')) assert.ok([...line].length <= 120, `too wide (${[...line].length}): ${line}`);
    const options = lineStarting(text, 'Options:');
    assert.match(options, /^Options: scale small \(100,000 spans, 10,000 traces, 100 services, over 1 h 00 min\), seed 42, concurrency 4/);
    assert.doesNotMatch(text, /[{}"]/);
    assert.match(lineStarting(text, 'Run:'), /\(1 min 05 s\)$/);
    assert.doesNotMatch(text, /\d,\d{3} ms/, 'no thousands of ms: long durations are in s or min');
  });

  it('lists options it has no special wording for readably, whatever the value type', () => {
    const text = fmtOptions({
      generatorThread: true,
      keepData: false,
      maxQueryResults: { spans: 5000, traces: 50 },
      onProgress: () => 1,
      patterns: ['trace-id-small', 'error-spans', 'latency-range', 'complex', 'time-whole'],
      note: 'x'.repeat(100),
      deep: { a: { b: { c: 1, d: 2 } } },
      statsIntervalMs: 2000,
      none: [],
      chunkBytes: 1024,
      when: new Date(0),
      flushPerSec: 5,
    });
    assert.equal(
      text,
      'generator thread on, keep data off, max query results (spans 5,000; traces 50), on progress (function), ' +
        'patterns [trace-id-small, error-spans, latency-range, complex, +1 more], ' +
        `note ${'x'.repeat(39)}…, deep (a (b (2 settings))), stats interval 2 s, none none, chunk 1.0 KiB, ` +
        'when 1970-01-01T00:00:00Z, flush 5/s',
    );
    assert.doesNotMatch(text, /[{}"]|=>|camel/);
  });

  it('aligns the headers of right-aligned number columns like their cells', async () => {
    const text = formatConsoleReport(await fixture());
    const header = lineStarting(text, 'Model   ops/sec');
    const row = lineStarting(text, 'stream     26.4');
    assert.equal(header.indexOf('ops/sec') + 'ops/sec'.length, row.indexOf('26.4') + '26.4'.length);
  });

  it('notes absent parts instead of failing', async () => {
    const r = await fixture();
    delete r.containers;
    delete r.disk;
    r.queries = { stream: [], trace: [] };
    r.write = { stream: [], trace: [] };
    r.comparisons = [];
    const text = formatConsoleReport(r);
    assert.ok(text.includes('(no container statistics'));
    assert.ok(text.includes('(no disk footprint measured)'));
    assert.ok(text.includes('(no query results in this result)'));
    assert.ok(text.includes('(no comparisons in this result)'));
    assert.ok(text.includes('(nothing was compared in this result)'));
  });

  it('marks partial results', async () => {
    const r = await fixture();
    r.partial = true;
    r.write.trace[2]!.partial = true;
    const text = formatConsoleReport(r);
    assert.ok(text.includes('PARTIAL: the run was aborted'));
    assert.match(lineStarting(text, 'partial / failed'), /no\s+YES \(1 of 3 repeats\)/);
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

  it('puts the target banner with the server and the emulator warning at the top, then the verdict', async () => {
    const r = await fixture();
    const html = renderHtmlReport(r);
    const banner = html.indexOf('id="target"');
    assert.ok(banner > 0 && banner < html.indexOf('<section'));
    assert.ok(html.includes(`${escapeHtml(EMULATOR_WARNING)}.`));
    assert.ok(html.includes(escapeHtml(r.target.description)));
    assert.ok(html.includes(`Server: ${escapeHtml('banyandb-perf emulator 0.1.0 (emulates BanyanDB 0.10.3) (both models)')}`));
    const verdict = html.indexOf('id="verdict"');
    assert.ok(verdict > banner && verdict < html.indexOf('<h2>Comparison</h2>'));
    assert.match(html, /<td>trace-by-id<\/td><td class="win-trace">trace wins: 1\.37x lower latency p50/);
    assert.match(html, /<td>time-whole<\/td><td class="none">no verdict: unequal answers/);
  });

  it('draws the charts: throughput, query latency on a log axis, container CPU and memory, storage per span', async () => {
    const html = renderHtmlReport(await fixture());
    for (const cls of ['throughput', 'query-latency', 'container-cpu', 'container-mem', 'disk']) {
      assert.match(html, new RegExp(`<svg class="chart ${cls}"`), cls);
    }
    // 3 repeats x 2 models of throughput, 2 containers x (CPU, memory).
    assert.equal(html.match(/<path class="series"/g)?.length, 6 + 4);
    // 5 patterns x 6 bars, minus the 3 n/a bars of the trace model, plus 2 disk bars.
    assert.equal(html.match(/<rect class="bar"/g)?.length, 5 * 6 - 3 + 2);
    assert.ok(html.includes('spans acknowledged / s'));
    assert.ok(html.includes('seconds since measured phase started'));
    assert.ok(html.includes('>stream p95</text>'));
    assert.ok(html.includes('latency (log scale)'));
  });

  it('draws every query bar visibly: on the log axis the 1.4 ms bar is not a sliver beside the 167 ms one', async () => {
    const html = renderHtmlReport(await fixture());
    const chart = html.slice(
      html.indexOf('<svg class="chart query-latency"'),
      html.indexOf('</svg>', html.indexOf('<svg class="chart query-latency"')),
    );
    const heights = [...chart.matchAll(/<rect class="bar"[^>]* height="([\d.]+)"/g)].map((m) => Number(m[1]));
    assert.equal(heights.length, 27);
    const max = Math.max(...heights);
    for (const h of heights) assert.ok(h >= max * 0.05, `bar of ${h}px beside ${max}px`);
  });

  it('has the same tables as the console: the comparison with CVs and intervals, answers, harness', async () => {
    const html = renderHtmlReport(await fixture());
    for (const h of ['Metric', 'Stream', 'Trace', 'CV s / t', 'Verdict, ratio [interval]']) assert.ok(html.includes(`${h}</th>`), h);
    assert.match(html, /<td class="win-trace">trace wins 1\.37x \[1\.16–1\.74\] at 99%<\/td>/);
    assert.match(html, /no winner \(unequal answers\): trace 38\.6x/);
    assert.ok(html.includes('<th class="num">p50</th>'), 'numeric headers right-aligned');
    assert.ok(html.includes('answer: spans / traces, size</th>'));
    assert.ok(
      html.includes('<li class="mismatch">[trace, repeat 3] error-spans: span count expected 18, got 17 (against ground-truth)</li>'),
    );
    assert.ok(html.includes('n/a — fixture: the trace schema has no index rule on latency to sort by'));
    assert.ok(html.includes('<h3>Per phase</h3>') && html.includes('<h3>Per query pattern</h3>'));
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
      `${missing}: no such results directory; expected latest.json or banyandb-perf-<timestamp>.json written by \`banyandb-perf test\`: give readLastResults() the directory writeResults() wrote to`,
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
