/**
 * The producer thread's work per span, on one thread, without the transport (prints figures, asserts nothing).
 *
 *   npx tsx bench/producer.ts [--spans 200000] [--rounds 3] [--models trace,stream]
 *
 * The workload's producer thread (src/workload/producer-worker.ts) takes spans from the generator's on-demand cursor
 * (each payload built as its span is taken), encodes them into WriteRequest frames in recycled slabs and recycles
 * the generator's payload memory after each batch. This runs the same steps
 * in a loop on this thread, with the same scale as bench/write-full.ts, and reports CPU microseconds per span:
 *
 * - generate: the generator alone (payloads included), recycling its payload memory per batch of 100 as the
 *   producer does;
 * - generate + encode: what the producer thread does per span; the difference is the encoding.
 *
 * Rounds alternate between the two loops; the figures are the medians. A loop's CPU time is steadier than the
 * write benches' throughput on a busy machine, so this is the bench to read when changing the generator or the
 * frame encoders. It must run from inside the package: from elsewhere, tsx compiles the package's modules as
 * CommonJS and every imported call goes through a getter (encoding then reads ~30% slower).
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { RECYCLE_PAYLOADS, SPANS_ON_DEMAND, type Span, SpanGenerator } from '../src/generator/generator.js';
import { streamFrameEncoder, traceFrameEncoder } from '../src/wire/spans.js';
import { SlabPool } from '../src/workload/frame-slabs.js';

const { values } = parseArgs({
  options: {
    spans: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '3' },
    models: { type: 'string', default: 'trace,stream' },
  },
});
const SPANS = Number(values.spans);
const ROUNDS = Number(values.rounds);
const MODELS = values.models.split(',') as ('trace' | 'stream')[];
const BATCH = 100;
// The scale of bench/write-full.ts (100 services, 500 instances), large enough never to run out.
const SCALE = { name: 'bench', spans: 1e9, traces: 1e8, services: 100, instances: 500, timeRangeMs: 3_600_000 };
const END_MS = 1_700_000_000_000;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** One producer loop: generate (and encode) `n` spans in batches as the producer thread does; CPU µs per span. */
function loop(model: 'trace' | 'stream', encode: boolean) {
  const pool = new SlabPool();
  const alloc = (bytes: number): Buffer => pool.alloc(bytes);
  const enc = model === 'trace' ? traceFrameEncoder('g', 'n', alloc) : streamFrameEncoder('g', 'n', alloc);
  const gen = new SpanGenerator({ seed: 7, scale: SCALE, endTimeMs: END_MS });
  const spans = gen[SPANS_ON_DEMAND]();
  const ids = Array.from({ length: BATCH }, (_, i) => i + 1);
  const run = (n: number): void => {
    for (let done = 0; done < n; done += BATCH) {
      const batch: Span[] = [];
      while (batch.length < BATCH) batch.push(spans.next()!);
      if (encode) {
        const frames = enc(batch, ids);
        const slabs = new Set<ArrayBuffer>();
        for (const f of frames) slabs.add(f.buffer as ArrayBuffer);
        pool.recycle([...slabs]);
      }
      gen[RECYCLE_PAYLOADS]();
    }
  };
  return {
    warm: () => run(Math.min(SPANS, 20_000)),
    measure: (): number => {
      const c0 = process.cpuUsage();
      run(SPANS);
      const c = process.cpuUsage(c0);
      return (c.user + c.system) / SPANS;
    },
  };
}

const result: Record<string, unknown> = { bench: 'producer', spans: SPANS, rounds: ROUNDS };
console.log(`producer bench: ${SPANS.toLocaleString('en-US')} spans per loop, batch ${BATCH}, ${ROUNDS} rounds`);
for (const model of MODELS) {
  const gen = loop(model, false);
  const both = loop(model, true);
  gen.warm();
  both.warm();
  const g: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    g.push(gen.measure());
    b.push(both.measure());
  }
  const generate = median(g);
  const total = median(b);
  console.log(
    `  ${model}: generate ${generate.toFixed(2)} µs/span, generate + encode ${total.toFixed(2)} µs/span, encode ${(total - generate).toFixed(2)} µs/span` +
      ` (rounds: ${g.map((x) => x.toFixed(1)).join(', ')} / ${b.map((x) => x.toFixed(1)).join(', ')})`,
  );
  result[model] = {
    generateUsPerSpan: generate,
    totalUsPerSpan: total,
    encodeUsPerSpan: total - generate,
    generateRounds: g,
    totalRounds: b,
  };
}
console.log(`BENCH_RESULT ${JSON.stringify({ ...result, loadavg: os.loadavg() })}`);
