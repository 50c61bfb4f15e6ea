/**
 * The mixed load's cost to the harness itself: the mixed phase (src/mixed) at its default write and query rates,
 * against the do-nothing sink of bench/write-sink.ts in its own process (writes acknowledged, queries answered
 * empty), so every CPU-second measured is the harness's: generation, encoding, sending, scheduling, answer checks
 * and lag probes. The harness is not the bottleneck when it reaches its target rates while using a fraction of one
 * core. (Answers are empty, so the answer checks flag them; their cost is still counted.)
 *
 * Usage: npx tsx bench/mixed.ts [--seconds 20] [--rate 1000] [--qps 20]
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BanyanDBClient } from '../src/client/client.js';
import { mixedSchedule, resolveMixedOptions, runMixedModel } from '../src/mixed/mixed.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    rate: { type: 'string', default: '1000' },
    qps: { type: 'string', default: '20' },
  },
});

async function main(): Promise<void> {
  const sinkPath = fileURLToPath(new URL('./write-sink.ts', import.meta.url));
  const sink = fork(sinkPath, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    sink.once('message', (m: { port: number }) => resolve(m.port));
    sink.once('exit', (code) => reject(new Error(`sink exited with ${code}`)));
  });
  const client = await BanyanDBClient.connect(`127.0.0.1:${port}`, { connectTimeoutMs: 10_000 });
  const o = resolveMixedOptions({
    durationMs: Number(values.seconds) * 1000,
    writeRatePerSec: Number(values.rate),
    queryRatePerSec: Number(values.qps),
    warmupSpans: 500,
    // Probes would poll until their time-out against an empty answer: one probe per second keeps their share honest.
    lagProbeEveryMs: 1000,
    lagTimeoutMs: 1000,
    // The quiet pass (queries with no writes) is a contrast for servers; the harness's cost is the mixed load's.
    quietMs: 0,
  });
  const schedule = mixedSchedule(o);
  const result: Record<string, unknown> = { seconds: Number(values.seconds), rate: o.writeRatePerSec, qps: o.queryRatePerSec };
  try {
    for (const model of ['stream', 'trace'] as const) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const target = model === 'stream' ? { group: 'g', name: 'segment_stream' } : { group: 'g', name: 'segment_trace' };
      const m = await runMixedModel(model, { client, ...target }, o, schedule);
      const wallS = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const cpuS = (cpu.user + cpu.system) / 1e6;
      const queries = m.queries.reduce((s, q) => s + q.count, 0);
      const figures = {
        spansPerSec: m.write.spansPerSec,
        queries,
        queriesPerSec: queries / (m.wallClockMs / 1000),
        writeP99Ms: m.write.batchLatency.p99Ms,
        queryP99Ms: Math.max(...m.queries.map((q) => q.latency.p99Ms)),
        cpuShareOfCore: cpuS / wallS,
        cpuUsPerSpan: (cpuS * 1e6) / (m.write.spansSent + m.warmupSpans),
      };
      result[model] = figures;
      console.log(
        `${model}: ${figures.spansPerSec.toFixed(0)} spans/s (target ${o.writeRatePerSec}), ${figures.queriesPerSec.toFixed(1)} queries/s (target ${o.queryRatePerSec}), write p99 ${figures.writeP99Ms.toFixed(1)} ms, harness CPU ${(figures.cpuShareOfCore * 100).toFixed(0)}% of one core (${figures.cpuUsPerSpan.toFixed(0)} µs per span, queries included)`,
      );
    }
    console.log(`BENCH_RESULT ${JSON.stringify({ ...result, loadavg: os.loadavg() })}`);
  } finally {
    await client.close();
    sink.kill('SIGTERM');
  }
}

await main();
