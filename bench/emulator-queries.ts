/**
 * The emulator's query side at the default scale (not part of `npm run bench`, not a test): starts an
 * in-process emulator, writes the default scale (100,000 spans, ~9.5 KB payloads) to each model with the SDK's
 * workload, then runs the SDK's query patterns and prints each pattern's latency as the workload measured it.
 *
 *   node --import tsx bench/emulator-queries.ts [stream,trace]
 *
 * The figures are the emulator's own (its in-memory indexes), never BanyanDB's; see docs/performance.md.
 */
import { startEmulator } from '../src/emulator/index.js';
import { BanyanDBClient, SchemaLoader, StreamWorkload, TraceWorkload } from '../src/index.js';

const models = (process.argv[2] ?? 'stream,trace').split(',') as ('stream' | 'trace')[];
const emu = await startEmulator();
const client = await BanyanDBClient.connect(emu.grpcAddress);
await new SchemaLoader(client, { models }).load();
const opts = {
  scale: 'small' as const,
  endTimeMs: Math.floor(Date.now() / 1000) * 1000,
  warmupSpans: 0,
  repeats: 1,
  queryIterations: 3,
  progress: false as const,
};
for (const m of models) {
  const w = m === 'stream' ? new StreamWorkload(client, opts) : new TraceWorkload(client, opts);
  const t0 = performance.now();
  const runs = await w.write();
  const t1 = performance.now();
  const [results = []] = await w.query();
  const t2 = performance.now();
  const acked = runs.reduce((a, r) => a + r.spansAcknowledged, 0);
  console.log(`${m}: wrote ${acked} spans in ${((t1 - t0) / 1000).toFixed(1)} s; query phase ${((t2 - t1) / 1000).toFixed(1)} s`);
  for (const r of results) {
    const l = r.latency;
    console.log(
      `  ${m} ${r.pattern.padEnd(18)} ${r.status.padEnd(5)} mean ${l ? l.meanMs.toFixed(1) : '-'} ms, p50 ${l ? l.p50Ms.toFixed(1) : '-'} ms`,
    );
  }
}
await client.close();
await emu.close();
