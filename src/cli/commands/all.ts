/** `banyandb-perf all`: build, up, test, down: the original harness's complete workflow, on Docker. */
import { Cluster } from '../../cluster/cluster.js';
import { liveClusters } from '../../cluster/live.js';
import { DEFAULT_RESULTS_DIR } from '../../report/files.js';
import { str } from '../args.js';
import { type CommandContext, EXIT } from '../context.js';
import { prepareResultsDir } from '../results-dir.js';
import { runBuild } from './cluster.js';
import { metricsUrlFlags, mixedFlags } from './mixed-flags.js';
import { clusterFlags, runProjectName } from './options.js';
import { runTest } from './test.js';

/**
 * Every run has a Compose project of its own (--project, else a new name) on free host ports (unless
 * --port-offset/--stream-port/--trace-port), so two `all` runs on one machine never meet; only that project is
 * removed at the end.
 */
export async function runAll(ctx: CommandContext): Promise<number> {
  const cf = clusterFlags(ctx.flags);
  // The mixed-phase and metrics flags are usage errors before the build too.
  mixedFlags(ctx.flags, undefined);
  metricsUrlFlags(ctx.flags);
  // Usage errors before any work: the results directory too.
  await prepareResultsDir(ctx.path(str(ctx.flags, 'results-dir') ?? DEFAULT_RESULTS_DIR));
  const project = cf.project ?? runProjectName();
  ctx.io.stderr('banyandb-perf all: build\n');
  // The build step's own output must not mix with the result JSON on stdout.
  const built = await runBuild({ ...ctx, json: false, say: (t) => ctx.io.stderr(t) });
  if (built !== EXIT.OK) return built;
  ctx.io.stderr(`banyandb-perf all: up + test (project ${project})\n`);
  let code: number;
  try {
    code = await runTest(ctx, 'docker', project);
  } finally {
    if (!cf.keep) {
      // The test step removes what it started; this only acts when that failed, and only on this run's project.
      if (liveClusters().some((c) => c.project === project)) {
        await Cluster.clean({ projectName: project }).catch((err: Error) =>
          ctx.io.stderr(`banyandb-perf all: removing project ${project} failed: ${err.message}\n`),
        );
      }
      ctx.io.stderr(`banyandb-perf all: down (project ${project} removed)\n`);
    }
  }
  return code;
}
