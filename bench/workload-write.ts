/**
 * The full write path through the workload: generate (src/generator, ~9.6 KB payloads) + build requests (the
 * workload's model adapters) + encode + send + collect every ack (src/client), for the trace and the stream model,
 * against the do-nothing sink of bench/write-sink.ts in its own process on loopback. Prints the workload's own
 * figures (spans/s from acknowledged spans over wall-clock time, MB/s, batch latency) and the generator alone, so
 * the cost of each stage can be read against bench/write-path.ts (hand-made requests; pre-encoded frames).
 *
 * Usage: npx tsx bench/workload-write.ts [--spans 40000] [--batch 100] [--concurrency 4] [--repeats 3]
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BanyanDBClient } from '../src/client/client.js';
import { SpanGenerator } from '../src/generator/generator.js';
import { StreamWorkload, TraceWorkload } from '../src/workload/workload.js';

const { values } = parseArgs({
  options: {
    spans: { type: 'string', default: '40000' },
    batch: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '4' },
    repeats: { type: 'string', default: '3' },
  },
});
const SPANS = Number(values.spans);
const REPEATS = Number(values.repeats);
const SCALE = { name: 'bench', spans: SPANS * 2, traces: SPANS, services: 100, instances: 500, timeRangeMs: 3_600_000 };
const END_MS = Math.floor(Date.now() / 1000) * 1000;

const n0 = (x: number): string => Math.round(x).toLocaleString('en-US');

async function main(): Promise<void> {
  const sinkPath = fileURLToPath(new URL('./write-sink.ts', import.meta.url));
  const sink = fork(sinkPath, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    sink.once('message', (m: { port: number }) => resolve(m.port));
    sink.once('exit', (code) => reject(new Error(`sink exited with ${code}`)));
  });
  const client = await BanyanDBClient.connect(`127.0.0.1:${port}`, { connectTimeoutMs: 10_000 });
  try {
    // Generator alone (with payloads): the ceiling the rest of the path works under.
    const gen = new SpanGenerator({ scale: SCALE, endTimeMs: END_MS });
    let t = performance.now();
    let generated = 0;
    let bytes = 0;
    for (const s of gen.spans()) {
      bytes += s.dataBinary.byteLength;
      if (++generated >= SPANS) break;
    }
    t = performance.now() - t;
    console.log(
      `workload write bench: ${n0(SPANS)} spans per repeat, batch ${values.batch}, concurrency ${values.concurrency}, sink pid ${sink.pid}`,
    );
    console.log(`generator only: ${n0((generated / t) * 1000)} spans/s, mean payload ${n0(bytes / generated)} B\n`);
    // Machine-readable figures for bench/run.ts (one `BENCH_RESULT {json}` line at the end).
    const result: Record<string, unknown> = { bench: 'workload-write', spans: SPANS, generatorSpansPerSec: (generated / t) * 1000 };
    for (const Workload of [TraceWorkload, StreamWorkload]) {
      const w = new Workload(client, {
        scale: SCALE,
        endTimeMs: END_MS,
        spans: 10_000 + SPANS * REPEATS,
        warmupSpans: 10_000,
        repeats: REPEATS,
        batchSize: Number(values.batch),
        concurrency: Number(values.concurrency),
        progress: 'auto',
      });
      const runs = await w.write();
      console.log(`${w.model}: warm-up ${n0(w.warmup?.spansSent ?? 0)} spans (not measured)`);
      result[w.model] = runs.map((r) => ({
        spansPerSec: r.spansPerSec,
        payloadMBPerSec: r.payloadMBPerSec,
        acknowledged: r.spansAcknowledged,
      }));
      for (const [i, r] of runs.entries()) {
        console.log(
          `  repeat ${i + 1}: ${n0(r.spansPerSec).padStart(7)} spans/s ${r.payloadMBPerSec.toFixed(1).padStart(6)} MB/s ` +
            `${n0(r.batchesPerSec)} batches/s; batch p50 ${r.batchLatency.p50Ms.toFixed(1)} ms p99 ${r.batchLatency.p99Ms.toFixed(1)} ms; ` +
            `acked ${n0(r.spansAcknowledged)}/${n0(r.spansSent)}${Object.keys(r.errorsByStatus).length ? ` errors ${JSON.stringify(r.errorsByStatus)}` : ''}`,
        );
      }
    }
    const load = os.loadavg().map((l) => l.toFixed(1));
    console.log(`\nload average now: ${load.join(' ')} on ${os.availableParallelism()} CPUs`);
    console.log(`BENCH_RESULT ${JSON.stringify({ ...result, loadavg: os.loadavg() })}`);
  } finally {
    await client.close();
    sink.kill('SIGTERM');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
