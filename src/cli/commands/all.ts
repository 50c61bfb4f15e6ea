/** `banyandb-perf all`: build, up, test, down: the original harness's complete workflow, on Docker. */
import { Cluster } from '../../cluster/cluster.js';
import { type CommandContext, EXIT } from '../context.js';
import { runBuild } from './cluster.js';
import { clusterFlags } from './options.js';
import { runTest } from './test.js';

export async function runAll(ctx: CommandContext): Promise<number> {
  const cf = clusterFlags(ctx.flags);
  ctx.io.stderr('banyandb-perf all: build\n');
  // The build step's own output must not mix with the result JSON on stdout.
  const built = await runBuild({ ...ctx, json: false, say: (t) => ctx.io.stderr(t) });
  if (built !== EXIT.OK) return built;
  ctx.io.stderr('banyandb-perf all: up + test\n');
  let code: number;
  try {
    code = await runTest(ctx, 'docker');
  } finally {
    if (!cf.keep) {
      ctx.io.stderr('banyandb-perf all: down\n');
      await Cluster.down({ ...(cf.image ? { image: cf.image } : {}) }).catch((err: Error) =>
        ctx.io.stderr(`banyandb-perf all: down failed: ${err.message}\n`),
      );
    }
  }
  return code;
}
