/**
 * `banyandb-perf test`: connect to the target, load the schemas, run the comparison, sample container
 * stats (Docker), measure the disk footprint, write the results and print the report.
 */
import { Cluster } from '../../cluster/cluster.js';
import { type ClusterOptions, DEFAULT_PROJECT_NAME } from '../../cluster/options.js';
import { BanyanDBPerfError, ClusterError, SchemaError } from '../../errors.js';
import { formatConsoleReport } from '../../report/console.js';
import { DEFAULT_RESULTS_DIR, writeResults } from '../../report/files.js';
import { type BenchmarkResult, MODELS } from '../../results.js';
import { type OpenTarget, openTarget, type ResolvedTargetKind, resolveTargetKind } from '../../targets/target.js';
import { runComparison } from '../../workload/compare.js';
import { createProgressRenderer } from '../../workload/progress.js';
import { bool, str } from '../args.js';
import { type CommandContext, EnvironmentError, EXIT } from '../context.js';
import { prepareResultsDir, writeFallbackResult } from '../results-dir.js';
import { metricsUrlFlags, mixedFlags } from './mixed-flags.js';
import { type ClusterFlags, clusterFlags, resolveWorkloadFlags, runProjectName, targetFlags, workloadFlags } from './options.js';

/** True when the result holds failures: query mismatches or errors, rejected writes. */
export function hasFailures(result: BenchmarkResult): string[] {
  const problems: string[] = [];
  for (const f of result.failures ?? []) {
    problems.push(`${f.model}: ${f.message} (${f.code}); skipped: ${f.skipped}`);
  }
  for (const m of MODELS) {
    const rejected = (result.write[m] ?? []).reduce((n, r) => n + Object.values(r.errorsByStatus ?? {}).reduce((a, b) => a + b, 0), 0);
    if (rejected > 0) problems.push(`${m}: ${rejected} write(s) not acknowledged as STATUS_SUCCEED`);
    const queries = (result.queries[m] ?? []).flat();
    const mismatches = queries.reduce((n, q) => n + (q.mismatches?.length ?? 0), 0);
    if (mismatches > 0) problems.push(`${m}: ${mismatches} query mismatch(es)`);
    const errors = queries.filter((q) => q.status === 'error').length;
    if (errors > 0) problems.push(`${m}: ${errors} query pattern run(s) failed`);
    const skipped = queries.filter((q) => q.status === 'skipped').length;
    if (skipped > 0) problems.push(`${m}: ${skipped} query pattern run(s) skipped`);
  }
  const mixed = result.mixed;
  if (mixed?.skipped !== undefined) problems.push(`mixed phase: ${mixed.skipped}`);
  for (const mm of mixed?.models ?? []) {
    if (mm.write.failedBatches > 0) problems.push(`${mm.model}: ${mm.write.failedBatches} mixed-phase write batch(es) failed`);
    const wrong = mm.queries.reduce((n, q) => n + q.mismatches, 0);
    const failed = mm.queries.reduce((n, q) => n + q.errors, 0);
    if (wrong > 0) problems.push(`${mm.model}: ${wrong} wrong answer(s) under ingest (mixed phase)`);
    if (failed > 0) problems.push(`${mm.model}: ${failed} failed quer(ies) under ingest (mixed phase)`);
  }
  return problems;
}

/** Which Docker containers a run uses: attach to a running project, or start its own. */
interface DockerPlan {
  cluster: ClusterOptions;
  reuseRunning: boolean;
}

/**
 * `all` (given `runProject`): a project of its own, on free ports unless told. `test`: the running containers
 * of --project (default banyandb-perf) when banyandb-perf started them with the asked image; otherwise its own
 * containers, in --project when given, else in a new project, on free ports unless told.
 */
async function dockerPlan(ctx: CommandContext, cf: ClusterFlags, runProject: string | undefined): Promise<DockerPlan> {
  const ports: ClusterOptions = cf.ports ?? { ports: 'free' };
  const image = cf.image ? { image: cf.image } : {};
  if (runProject) return { cluster: { ...image, projectName: runProject, ...ports }, reuseRunning: false };
  const name = cf.project ?? DEFAULT_PROJECT_NAME;
  try {
    await Cluster.attach({ ...image, projectName: name, signal: ctx.signal });
    return { cluster: { ...image, projectName: name }, reuseRunning: true };
  } catch (err) {
    if (!(err instanceof ClusterError)) throw err;
    if (err.code === 'PROJECT_MISMATCH') {
      if (cf.project !== undefined) throw err;
      ctx.io.stderr(`banyandb-perf: ${err.messageFor('cli')}\n`);
    } else if (!err.code.startsWith('CONTAINER_')) {
      throw err;
    }
  }
  const projectName = cf.project ?? runProjectName();
  ctx.io.stderr(`banyandb-perf: starting containers of its own in project ${projectName}\n`);
  return { cluster: { ...image, projectName, ...ports }, reuseRunning: false };
}

/**
 * Runs the benchmark; returns the exit code. `forceTarget` and `runProject` are used by `all` (Docker, in a
 * Compose project of its own).
 */
export async function runTest(ctx: CommandContext, forceTarget?: ResolvedTargetKind, runProject?: string): Promise<number> {
  const tf = targetFlags(ctx.flags);
  const cf = clusterFlags(ctx.flags);
  const wf = workloadFlags(ctx.flags);
  const mixed = mixedFlags(ctx.flags, wf.options.seed);
  const metricsUrls = metricsUrlFlags(ctx.flags);
  const resultsDir = ctx.path(str(ctx.flags, 'results-dir') ?? DEFAULT_RESULTS_DIR);
  const schemaDir = str(ctx.flags, 'schema-dir');
  // Before any work: a run must never end with nowhere to put its result.
  await prepareResultsDir(resultsDir);
  // No --target: Docker when an engine is reachable, else the emulator (openTarget says which).
  const kind = forceTarget ?? tf.kind ?? 'auto';
  // Progress of every long phase on stderr: a redrawn line on a terminal, plain lines every few seconds elsewhere.
  const progress = wf.progress
    ? createProgressRenderer(
        { write: (t) => ctx.io.stderr(t), isTTY: ctx.io.tty === true },
        { tty: ctx.io.tty === true, ...(wf.progressIntervalMs !== undefined ? { intervalMs: wf.progressIntervalMs } : {}) },
      )
    : undefined;
  const note = (line: string) => (progress ? progress.print(`banyandb-perf: ${line}\n`) : ctx.io.stderr(`banyandb-perf: ${line}\n`));
  // The workload options are resolved once, here, before any target is opened: a bad combination is a usage error
  // at once, and runComparison takes the resolved object as it is. Ctrl-C stops the run; a container that fails stops
  // only its own model's work (serverFailures below).
  const workload = resolveWorkloadFlags(wf, { signal: ctx.signal, ...(progress ? { onProgress: progress.update } : {}) });
  const plan = (await resolveTargetKind(kind, ctx.signal)) === 'docker' ? await dockerPlan(ctx, cf, runProject) : undefined;

  let target: OpenTarget;
  try {
    target = await openTarget({
      kind,
      cluster: { ...(cf.image ? { image: cf.image } : {}), ...plan?.cluster, keep: cf.keep, handleSignals: false },
      reuseRunning: plan?.reuseRunning ?? true,
      ...(tf.addresses ? { addresses: tf.addresses } : {}),
      ...(schemaDir !== undefined ? { schemaDir: ctx.path(schemaDir) } : {}),
      keepData: bool(ctx.flags, 'keep-data'),
      signal: ctx.signal,
      log: note,
      adviceFor: 'cli',
      ...(progress ? { onProgress: progress.update } : {}),
    });
  } catch (err) {
    // A server that cannot be reached or used is an environment problem, not a benchmark failure.
    if (ctx.signal.aborted || !(err instanceof BanyanDBPerfError) || err instanceof ClusterError || err.code === 'OPTIONS_INVALID')
      throw err;
    if (err instanceof SchemaError) throw err;
    throw new EnvironmentError(err.code, `cannot use the target servers: ${err.problem}`, { cause: err, advice: err.advice });
  }
  try {
    await target.startObserving();
    // Each server's own metrics, scraped during the whole run: the target's endpoints, or the ones the flags name.
    const urls = { ...target.metricsUrls, ...metricsUrls };
    if (mixed !== undefined) note('the mixed phase (queries under ingest) runs after the separate write and query phases');
    const result = await runComparison({
      stream: target.stream,
      trace: target.trace,
      target: target.info,
      workload,
      ...(mixed !== undefined ? { mixed } : {}),
      ...(schemaDir !== undefined ? { schemaDir: ctx.path(schemaDir) } : {}),
      ...(Object.keys(urls).length > 0 ? { serverMetrics: { urls } } : {}),
      serverFailures: target.failures,
    });
    progress?.end();
    for (const n of await target.finish(result)) note(n);
    for (const m of MODELS) for (const r of result.write[m]) if (r.boundNote) note(`${m}: ${r.boundNote}`);
    if (ctx.signal.aborted) result.partial = true;

    // The report first: whatever happens to the files, the run is on screen.
    if (ctx.json) ctx.io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    else ctx.io.stdout(formatConsoleReport(result, { color: ctx.io.color === true }));
    let saved = true;
    try {
      const files = await writeResults(result, resultsDir);
      ctx.io.stderr(`banyandb-perf: results written to ${files.jsonPath} and ${files.htmlPath}\n`);
    } catch (err) {
      saved = false;
      const fallback = await writeFallbackResult(result, ctx.path('.'));
      ctx.io.stderr(
        `banyandb-perf: could not save the results in ${resultsDir} (${(err as Error).message}); ` +
          (fallback ? `the results JSON was written to ${fallback} instead\n` : 'no fallback location took them either\n'),
      );
    }
    if (cf.keep && target.cluster && !plan?.reuseRunning) {
      ctx.io.stderr(
        `banyandb-perf: containers of project ${target.cluster.projectName} left running (--keep): ` +
          `\`banyandb-perf down --project ${target.cluster.projectName}\` or \`clean --project ...\` removes them\n`,
      );
    }

    if (ctx.signal.aborted) {
      ctx.io.stderr('banyandb-perf: interrupted; the results above are partial.\n');
      return EXIT.INTERRUPTED;
    }
    const problems = hasFailures(result);
    // A container that failed after its model's work was done still fails the run (finish() named it).
    for (const m of MODELS) {
      if (target.failures[m].aborted && !problems.some((p) => p.startsWith(`${m}: `)))
        problems.push(`${m}: its container failed during the run`);
    }
    if (problems.length > 0) {
      ctx.io.stderr(`banyandb-perf: the benchmark found failures:\n${problems.map((p) => `  - ${p}\n`).join('')}`);
      return EXIT.FAILURES;
    }
    return saved ? EXIT.OK : EXIT.FAILURES;
  } finally {
    try {
      await target.close();
    } catch (err) {
      ctx.io.stderr(`banyandb-perf: cleanup failed: ${(err as Error).message}\n`);
    }
    progress?.end();
  }
}
