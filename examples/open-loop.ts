/**
 * An open-loop (target rate) run on the trace model: batches are scheduled at their intended times and each
 * batch's latency is measured from its intended start, so a stalled server shows in the percentiles instead
 * of silently lowering the offered load (coordinated omission). Compare the achieved rate with the target.
 *
 *   npx tsx examples/open-loop.ts [--addr host:port] [--rate 2000] [--duration-ms 10000]
 */
import { parseArgs } from 'node:util';
import { BanyanDBClient, SchemaLoader, TraceWorkload } from 'banyandb-perf';
import { startEmulator } from 'banyandb-perf/emulator';

const { values } = parseArgs({
  options: { addr: { type: 'string' }, rate: { type: 'string', default: '2000' }, 'duration-ms': { type: 'string', default: '10000' } },
});
await using emulator = values.addr ? undefined : await startEmulator();
const address = values.addr ?? emulator?.grpcAddress ?? '';
console.log(`target: ${values.addr ? `server at ${address}` : "banyandb-perf's emulator (not BanyanDB)"}`);

await using client = await BanyanDBClient.connect(address);
await new SchemaLoader(client, { models: ['trace'] }).load();

const ratePerSec = Number(values.rate);
const workload = new TraceWorkload(client, {
  ...{ ratePerSec, durationMs: Number(values['duration-ms']), warmupSpans: 2_000, repeats: 1 },
  ...{ scale: 'small', concurrency: 8, batchSize: 100, progress: 'auto' },
});
const [run] = await workload.write();
if (!run) throw new Error('the run produced no result (aborted?)');
const l = run.batchLatency;
console.log(
  `${run.mode}: target ${ratePerSec} spans/s, achieved ${run.spansPerSec.toFixed(0)} spans/s over ${run.wallClockMs.toFixed(0)} ms`,
);
console.log(
  `batch latency from intended start: p50 ${l.p50Ms.toFixed(1)} p99 ${l.p99Ms.toFixed(1)} p99.9 ${l.p999Ms.toFixed(1)} max ${l.maxMs.toFixed(1)} ms`,
);
console.log(`errors: ${JSON.stringify(run.errorsByStatus)}; partial: ${run.partial}`);
