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
import { str } from '../args.js';
import { type CommandContext, EnvironmentError, EXIT } from '../context.js';
import { clusterFlags, targetFlags, workloadFlags } from './options.js';

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
  // No --target: Docker when an engine is reachable, else the in-process emulator (openTarget says which).
  const kind = forceTarget ?? tf.kind ?? 'auto';

  let target: OpenTarget;
  try {
    target = await openTarget({
      kind,
      cluster: { ...(cf.image ? { image: cf.image } : {}), keep: cf.keep, handleSignals: false },
      ...(tf.addresses ? { addresses: tf.addresses } : {}),
      signal: ctx.signal,
      log: (line) => ctx.io.stderr(`banyandb-perf: ${line}\n`),
    });
  } catch (err) {
    // A server that cannot be reached or used is an environment problem, not a benchmark failure.
    if (ctx.signal.aborted || !(err instanceof BanyanDBPerfError) || err instanceof ClusterError || err.code === 'OPTIONS_INVALID')
      throw err;
    if (err instanceof SchemaError) throw err;
    throw new EnvironmentError(err.code, `cannot use the target servers: ${err.message}`, { cause: err });
  }
  try {
    target.startObserving();
    const result = await runComparison({
      stream: target.stream,
      trace: target.trace,
      target: target.info,
      ...withoutUndefined(wf),
      signal: AbortSignal.any([ctx.signal, target.failure]),
    });
    for (const note of await target.finish(result)) ctx.io.stderr(`banyandb-perf: ${note}\n`);
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
  }
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
