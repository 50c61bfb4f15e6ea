/**
 * Benchmark servers you already run (BanyanDB 0.10.x, or `banyandb-perf emulator` twice): no Docker.
 * The stream schema goes to the first address, the trace schema to the second (they may be the same server).
 *
 *   npx tsx examples/existing-cluster.ts --stream-addr 10.0.0.5:17912 --trace-addr 10.0.0.6:17912 [--spans 20000]
 */
import { parseArgs } from 'node:util';
import { createProgressRenderer, formatConsoleReport, openTarget, runComparison } from 'banyandb-perf';

const { values } = parseArgs({
  options: { 'stream-addr': { type: 'string' }, 'trace-addr': { type: 'string' }, spans: { type: 'string', default: '20000' } },
});
if (!values['stream-addr'] || !values['trace-addr']) {
  console.error('usage: existing-cluster.ts --stream-addr host:port --trace-addr host:port [--spans N]');
  process.exit(2);
}
// Progress on stderr: a redrawn line on a terminal, a plain line every few seconds in a log.
const progress = createProgressRenderer(process.stderr);
await using target = await openTarget({
  kind: 'external',
  addresses: { stream: values['stream-addr'], trace: values['trace-addr'] },
  log: (line) => progress.print(`${line}\n`),
  onProgress: progress.update,
});
console.log(`target: ${target.info.description}`);
const result = await runComparison({
  ...{ stream: target.stream, trace: target.trace, target: target.info, spans: Number(values.spans) },
  ...{ progress: false, onProgress: progress.update },
});
progress.end();
await target.finish(result);
console.log(formatConsoleReport(result));
