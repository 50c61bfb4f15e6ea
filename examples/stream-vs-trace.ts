/**
 * The whole stream-vs-trace comparison: start the target, load the schemas, write identical spans to both
 * models, time every query pattern with mitata, then print and save the comparison report.
 *
 *   npx tsx examples/stream-vs-trace.ts [--target auto|docker|emulator|external] [--image official|emulator|<name>]
 *     [--stream-addr host:port --trace-addr host:port] [--scale small] [--spans N] [--duration-ms N]
 *     [--concurrency 4] [--batch-size 100] [--mixed-duration-ms N]
 * Each flag can come from the environment instead: --batch-size as BANYANDB_PERF_BATCH_SIZE, and so on.
 * --mixed-duration-ms adds the mixed phase (queries under ingest, docs/mixed.md) after the separate phases.
 */
import { parseArgs } from 'node:util';
import { createProgressRenderer, formatConsoleReport, openTarget, runComparison, type TargetKind, writeResults } from 'banyandb-perf';
import { bench, group, run } from 'mitata';

const flags = 'target image stream-addr trace-addr scale spans duration-ms concurrency batch-size mixed-duration-ms'.split(' ');
const opt: Record<string, string | undefined> = {};
try {
  const { values } = parseArgs({ options: Object.fromEntries(flags.map((f) => [f, { type: 'string' as const }])) });
  for (const f of flags) opt[f] = (values[f] as string | undefined) ?? process.env[`BANYANDB_PERF_${f.toUpperCase().replaceAll('-', '_')}`];
} catch (e) {
  // A flag this example does not know, or one without its value: say which, and what it takes.
  console.error(`examples/stream-vs-trace.ts: ${(e as Error).message}; the flags are --${flags.join(' <v>, --')} <v>`);
  process.exit(2);
}
const num = (f: string) => (opt[f] === undefined ? undefined : Number(opt[f]));
const image = opt.image === 'official' || opt.image === 'emulator' ? opt.image : opt.image && { name: opt.image };
const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
// Progress of every long phase on stderr: a redrawn line on a terminal, a plain line every few seconds in a log.
const progress = createProgressRenderer(process.stderr);
// mitata colours its tables unless told otherwise: only on a terminal, and never with NO_COLOR.
const colors = process.env.FORCE_COLOR ? true : process.stdout.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== 'dumb';

await using target = await openTarget({
  kind: (opt.target ?? 'auto') as TargetKind,
  ...(image ? { cluster: { image } } : {}),
  ...(opt['stream-addr'] ? { addresses: { stream: opt['stream-addr'], trace: opt['trace-addr'] ?? '' } } : {}),
  ...{ signal: stop.signal, log: (line: string) => progress.print(`${line}\n`), onProgress: progress.update },
});
console.log(`target: ${target.info.description}`);
target.startObserving();
const result = await runComparison({
  ...{ stream: target.stream, trace: target.trace, target: target.info, signal: stop.signal, serverFailures: target.failures },
  ...{ scale: (opt.scale ?? 'small') as 'small', spans: num('spans'), durationMs: num('duration-ms'), progress: false },
  ...{ concurrency: num('concurrency'), batchSize: num('batch-size'), onProgress: progress.update },
  // The servers' own metrics during the run, where the target knows their endpoint (emulator, Docker).
  ...(Object.keys(target.metricsUrls).length > 0 ? { serverMetrics: { urls: target.metricsUrls } } : {}),
  ...(opt['mixed-duration-ms'] !== undefined ? { mixed: { durationMs: num('mixed-duration-ms') } } : {}),
  onWritten: async ({ stream, trace }) => {
    progress.end();
    for (const { name } of stream.patterns) {
      group(name, () => {
        bench(`stream ${name}`, () => stream.queryOnce(name));
        bench(`trace  ${name}`, () => trace.queryOnce(name));
      });
    }
    await run({ throw: false, colors });
  },
});
progress.end();
await target.finish(result);
const files = await writeResults(result);
console.log(formatConsoleReport(result));
console.error(`results: ${files.jsonPath} ${files.htmlPath}`);
