/**
 * Span generator benchmark (prints figures, asserts nothing).
 *
 *   npx tsx bench/generator.ts [--spans N] [--seconds S] [--skip-memory]
 *
 * 1. Throughput on one core: spans/s with default payloads (~9.6 KB) and without payloads, over the
 *    small scale, measured by wall clock and by this process's CPU time (the latter is steadier on a
 *    busy machine).
 * 2. Peak memory: a small pass (100k spans) and a medium-scale pass (10M spans, or --spans N) with
 *    payloads, each in a fresh child process; peak RSS = max(process.resourceUsage().maxRSS, sampled
 *    rss). Streaming means the medium pass should stay within ~1.2x of the small one. Peak RSS also
 *    holds payload slabs that are dead but not yet collected (V8 collects external memory in steps of
 *    tens of MiB), so the children also report heapUsed + arrayBuffers after a forced GC: what is
 *    really retained, which must not grow with the number of spans.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SpanGenerator } from '../src/generator/generator.js';
import { SCALES, type Scale } from '../src/generator/scale.js';

const END_MS = 1_700_000_000_000;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

interface PassResult {
  spans: number;
  payloadBytes: number;
  wallMs: number;
  cpuMs: number;
  peakRssBytes: number;
  /** heapUsed + arrayBuffers after a forced GC at the end of the pass (-1 without --expose-gc): what the pass retains. */
  retainedBytes: number;
}

function pass(scale: Scale, includePayload: boolean, maxSeconds = Number.POSITIVE_INFINITY): PassResult {
  let peak = process.memoryUsage.rss();
  const gen = new SpanGenerator({ scale, endTimeMs: END_MS, includePayload });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let spans = 0;
  let payloadBytes = 0;
  for (const trace of gen.traces()) {
    for (const s of trace) payloadBytes += s.dataBinary.length;
    spans += trace.length;
    if ((spans & 0x3fff) < trace.length) {
      const rss = process.memoryUsage.rss();
      if (rss > peak) peak = rss;
      if (performance.now() - t0 > maxSeconds * 1000) break;
    }
  }
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  peak = Math.max(peak, process.resourceUsage().maxRSS * 1024);
  let retainedBytes = -1;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    const m = process.memoryUsage();
    retainedBytes = m.heapUsed + m.arrayBuffers;
  }
  return { spans, payloadBytes, wallMs, cpuMs: (c.user + c.system) / 1000, peakRssBytes: peak, retainedBytes };
}

function child(kind: string, spans: number): Promise<PassResult> {
  return new Promise((resolve, reject) => {
    const p = fork(fileURLToPath(import.meta.url), ['--child', kind, '--spans', String(spans)], {
      execArgv: ['--import', 'tsx', '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    p.once('message', (m) => resolve(m as PassResult));
    p.once('error', reject);
    p.once('exit', (code) => {
      if (code !== 0) reject(new Error(`child ${kind} exited with ${code}`));
    });
  });
}

async function main(): Promise<void> {
  const childKind = arg('--child');
  if (childKind) {
    const spans = Number(arg('--spans'));
    const scale = childKind === 'small' ? SCALES.small : { ...SCALES.medium, spans };
    const r = pass(scale, true);
    process.send!(r, () => process.exit(0));
    return;
  }

  const seconds = Number(arg('--seconds') ?? 20);
  console.log(
    `node ${process.version}, ${process.arch}; load average ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const g = new SpanGenerator({ endTimeMs: END_MS });
  const d = g.describe();
  console.log(
    `payload shape: ${d.payloadShape?.minLocalSpans}-${d.payloadShape?.maxLocalSpans} local spans, filler ${d.payloadShape?.fillerMeanBytes} B/span, calibrated mean ${fmt(d.meanPayloadBytes)} B`,
  );

  // Machine-readable figures for bench/run.ts (printed as one `BENCH_RESULT {json}` line at the end).
  const result: Record<string, unknown> = { bench: 'generator', node: process.version };
  // warm-up, then three rounds each; the best round is the least disturbed by other processes.
  pass({ ...SCALES.small, spans: 20_000 }, true);
  for (const includePayload of [true, false]) {
    const scale = includePayload ? SCALES.small : { ...SCALES.small, spans: 1_000_000, traces: 1_000_000 };
    const wall: number[] = [];
    const cpu: number[] = [];
    let bytes = 0;
    for (let round = 0; round < 3; round++) {
      const r = pass(scale, includePayload, seconds);
      wall.push((r.spans / r.wallMs) * 1000);
      cpu.push((r.spans / r.cpuMs) * 1000);
      bytes = r.payloadBytes / r.spans;
    }
    const best = (xs: number[]): number => Math.max(...xs);
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[1]!;
    result[includePayload ? 'withPayload' : 'withoutPayload'] = {
      spans: scale.spans,
      bestSpansPerSec: best(wall),
      medianSpansPerSec: median(wall),
      bestSpansPerCpuSec: best(cpu),
      medianSpansPerCpuSec: median(cpu),
      meanPayloadBytes: bytes,
    };
    console.log(
      `throughput ${includePayload ? 'with payload   ' : 'without payload'} (${fmt(scale.spans)} spans x 3 rounds): ` +
        `best ${fmt(best(wall))} spans/s wall (median ${fmt(median(wall))}), best ${fmt(best(cpu))} spans/s per CPU-second (median ${fmt(median(cpu))})` +
        (includePayload ? `; mean payload ${fmt(bytes)} B, best ${((best(wall) * bytes) / 1e6).toFixed(0)} MB/s` : ''),
    );
  }

  const printResult = (): void => console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
  if (process.argv.includes('--skip-memory')) {
    printResult();
    return;
  }
  const mediumSpans = Number(arg('--spans') ?? SCALES.medium.spans);
  const small = await child('small', SCALES.small.spans);
  const mib = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;
  console.log(
    `peak RSS, small pass (${fmt(small.spans)} spans with payload): ${mib(small.peakRssBytes)}; retained after GC ${mib(small.retainedBytes)}`,
  );
  const medium = await child('medium', mediumSpans);
  console.log(
    `peak RSS, medium pass (${fmt(medium.spans)} spans with payload, ${(medium.payloadBytes / 2 ** 30).toFixed(1)} GiB generated, ` +
      `${fmt(medium.wallMs / 1000)} s): ${mib(medium.peakRssBytes)} → ${(medium.peakRssBytes / small.peakRssBytes).toFixed(2)}x the small pass; ` +
      `retained after GC ${mib(medium.retainedBytes)} (${(medium.retainedBytes / small.retainedBytes).toFixed(2)}x)`,
  );
  result.memory = { small, medium, peakRssRatio: medium.peakRssBytes / small.peakRssBytes };
  printResult();
}

await main();
