/** `banyandb-perf summary`: the report (or JSON) of the last results, naming the file it read. */

import { formatConsoleReport } from '../../report/console.js';
import { DEFAULT_RESULTS_DIR, lastResultsFile, readResultsFile } from '../../report/files.js';
import { str } from '../args.js';
import { type CommandContext, EXIT } from '../context.js';

export async function runSummary(ctx: CommandContext): Promise<number> {
  const dir = ctx.path(str(ctx.flags, 'results-dir') ?? DEFAULT_RESULTS_DIR);
  const file = await lastResultsFile(dir);
  const result = await readResultsFile(file);
  // Which file was read, always: latest.json and the newest timestamped file can be different runs' results.
  if (ctx.json) {
    ctx.io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    ctx.io.stderr(`banyandb-perf summary: report of ${file}\n`);
  } else {
    ctx.io.stdout(`${formatConsoleReport(result, { color: ctx.io.color === true })}`);
    ctx.io.stdout(`report of ${file}\n`);
  }
  return EXIT.OK;
}
