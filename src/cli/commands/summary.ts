/** `banyandb-perf summary`: the report (or JSON) of the last results. */

import { formatConsoleReport } from '../../report/console.js';
import { DEFAULT_RESULTS_DIR, readLastResults } from '../../report/files.js';
import { str } from '../args.js';
import { type CommandContext, EXIT } from '../context.js';

export async function runSummary(ctx: CommandContext): Promise<number> {
  const dir = ctx.path(str(ctx.flags, 'results-dir') ?? DEFAULT_RESULTS_DIR);
  const result = await readLastResults(dir);
  if (ctx.json) ctx.io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else ctx.io.stdout(formatConsoleReport(result, { color: ctx.io.color === true }));
  return EXIT.OK;
}
