/**
 * `banyandb-perf test`: connect to the target, load the schemas, run the comparison, sample container
 * stats (Docker), measure the disk footprint, write the results and print the report.
 */
import { BanyanDBPerfError, ClusterError, SchemaError } from '../../errors.js';
import { formatConsoleReport } from '../../report/console.js';
import { DEFAULT_RESULTS_DIR, writeResults } from '../../report/files.js';
import { type BenchmarkResult, MODELS } from '../../results.js';
import type { ResolvedTargetKind } from '../../targets/target.js';
import { type OpenTarget, openTarget } from '../../targets/target.js';
import { runComparison } from '../../workload/compare.js';
import { createProgressRenderer } from '../../workload/progress.js';
import { str } from '../args.js';
import { type CommandContext, EnvironmentError, EXIT } from '../context.js';
import { clusterFlags, resolveWorkloadFlags, targetFlags, workloadFlags } from './options.js';

/** True when the result holds failures: query mismatches or errors, rejected writes. */
export function hasFailures(result: BenchmarkResult): string[] {
  const problems: string[] = [];
  for (const m of MODELS) {
    const rejected = (result.write[m] ?? []).reduce((n, r) => n + Object.values(r.errorsByStatus ?? {}).reduce((a, b) => a + b, 0), 0);
    if (rejected > 0) problems.push(`${m}: ${rejected} write(s) not acknowledged as STATUS_SUCCEED`);
    const queries = (result.queries[m] ?? []).flat();
    const mismatches = queries.reduce((n, q) => n + (q.mismatches?.length ?? 0), 0);
    if (mismatches > 0) problems.push(`${m}: ${mismatches} query mismatch(es)`);
    const errors = queries.filter((q) => q.status === 'error').length;
    if (errors > 0) problems.push(`${m}: ${errors} query pattern run(s) failed`);
  }
  return problems;
}

/** Runs the benchmark; returns the exit code. `forceTarget` is used by `all` (Docker). */
export async function runTest(ctx: CommandContext, forceTarget?: ResolvedTargetKind): Promise<number> {
  const tf = targetFlags(ctx.flags);
  const cf = clusterFlags(ctx.flags);
  const wf = workloadFlags(ctx.flags);
  const resultsDir = ctx.path(str(ctx.flags, 'results-dir') ?? DEFAULT_RESULTS_DIR);
  const schemaDir = str(ctx.flags, 'schema-dir');
  // No --target: Docker when an engine is reachable, else the in-process emulator (openTarget says which).
  const kind = forceTarget ?? tf.kind ?? 'auto';
  // Progress of every long phase on stderr: a redrawn line on a terminal, plain lines every few seconds elsewhere.
  const progress = wf.progress
    ? createProgressRenderer(
        { write: (t) => ctx.io.stderr(t), isTTY: ctx.io.tty === true },
        { tty: ctx.io.tty === true, ...(wf.progressIntervalMs !== undefined ? { intervalMs: wf.progressIntervalMs } : {}) },
      )
    : undefined;
  const note = (line: string) => (progress ? progress.print(`banyandb-perf: ${line}\n`) : ctx.io.stderr(`banyandb-perf: ${line}\n`));
  // The run stops on Ctrl-C or when a container fails (wired once the target is open).
  const containerFailed = new AbortController();
  const runSignal = AbortSignal.any([ctx.signal, containerFailed.signal]);
  // The workload options are resolved once, here, before any target is opened: a bad combination is a usage error
  // at once, and runComparison takes the resolved object as it is.
  const workload = resolveWorkloadFlags(wf, { signal: runSignal, ...(progress ? { onProgress: progress.update } : {}) });

  let target: OpenTarget;
  try {
    target = await openTarget({
      kind,
      cluster: { ...(cf.image ? { image: cf.image } : {}), keep: cf.keep, handleSignals: false },
      ...(tf.addresses ? { addresses: tf.addresses } : {}),
      ...(schemaDir !== undefined ? { schemaDir: ctx.path(schemaDir) } : {}),
      signal: ctx.signal,
      log: note,
      ...(progress ? { onProgress: progress.update } : {}),
    });
  } catch (err) {
    // A server that cannot be reached or used is an environment problem, not a benchmark failure.
    if (ctx.signal.aborted || !(err instanceof BanyanDBPerfError) || err instanceof ClusterError || err.code === 'OPTIONS_INVALID')
      throw err;
    if (err instanceof SchemaError) throw err;
    throw new EnvironmentError(err.code, `cannot use the target servers: ${err.message}`, { cause: err });
  }
  try {
    const failure = target.failure;
    if (failure.aborted) containerFailed.abort(failure.reason);
    else failure.addEventListener('abort', () => containerFailed.abort(failure.reason), { once: true });
    target.startObserving();
    const result = await runComparison({ stream: target.stream, trace: target.trace, target: target.info, workload });
    progress?.end();
    for (const n of await target.finish(result)) note(n);
    for (const m of MODELS) for (const r of result.write[m]) if (r.boundNote) note(`${m}: ${r.boundNote}`);
    if (ctx.signal.aborted) result.partial = true;

    const files = await writeResults(result, resultsDir);
    if (ctx.json) ctx.io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    else ctx.io.stdout(formatConsoleReport(result, { color: ctx.io.color === true }));
    ctx.io.stderr(`banyandb-perf: results written to ${files.jsonPath} and ${files.htmlPath}\n`);

    if (target.failure.aborted) return EXIT.FAILURES;
    if (ctx.signal.aborted) {
      ctx.io.stderr('banyandb-perf: interrupted; the results above are partial.\n');
      return EXIT.INTERRUPTED;
    }
    const problems = hasFailures(result);
    if (problems.length > 0) {
      ctx.io.stderr(`banyandb-perf: the benchmark found failures:\n${problems.map((p) => `  - ${p}\n`).join('')}`);
      return EXIT.FAILURES;
    }
    return EXIT.OK;
  } finally {
    try {
      await target.close();
    } catch (err) {
      ctx.io.stderr(`banyandb-perf: cleanup failed: ${(err as Error).message}\n`);
    }
    progress?.end();
  }
}
