/**
 * A custom schema and workload: a stream-only schema of your own (examples/custom-schema/, written in
 * protobuf JSON with snake_case names: 4 shards, hourly segments, two index rules), a custom scale and
 * payload size, and a subset of the query patterns — on one server.
 *
 *   npx tsx examples/custom-schema.ts [--addr host:port]     (default: an in-process emulator)
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BanyanDBClient, type Scale, SchemaLoader, StreamWorkload } from 'banyandb-perf';
import { startEmulator } from 'banyandb-perf/emulator';

const { values } = parseArgs({ options: { addr: { type: 'string' } } });
await using emulator = values.addr ? undefined : await startEmulator();
const address = values.addr ?? emulator?.grpcAddress ?? '';
console.log(`target: ${values.addr ? `server at ${address}` : "banyandb-perf's emulator (not BanyanDB)"}`);

await using client = await BanyanDBClient.connect(address);
const schemaDir = fileURLToPath(new URL('./custom-schema/', import.meta.url));
const loaded = await new SchemaLoader(client, { dir: schemaDir, models: ['stream'] }).load();
for (const r of loaded.resources) console.log(`${r.outcome.padEnd(7)} ${r.kind} ${r.group}/${r.name}`);

// 30 services with 90 instances over the last 10 minutes; 2 KB segments.
const scale: Scale = { name: 'ten-minutes', spans: 4_000, traces: 400, services: 30, instances: 90, timeRangeMs: 600_000 };
const workload = new StreamWorkload(client, {
  ...{ group: 'spans_hourly', name: 'segments', scale, payloadBytes: 2_048, seed: 7 },
  ...{ concurrency: 2, batchSize: 200, repeats: 2, queryIterations: 5, progress: false },
});
for (const run of await workload.write()) {
  console.log(`write: ${run.spansAcknowledged} spans, ${run.spansPerSec.toFixed(0)} spans/s, p99 ${run.batchLatency.p99Ms.toFixed(1)} ms`);
}
for (const result of (await workload.query(['trace-id-medium', 'error-spans', 'latency-range'])).flat()) {
  const figures = result.latency ? `p50 ${result.latency.p50Ms.toFixed(1)} ms, ${result.meanResultSpans} spans` : result.reason;
  console.log(`query ${result.pattern}: ${result.status} (${figures}), mismatches ${result.mismatches.length}`);
}
