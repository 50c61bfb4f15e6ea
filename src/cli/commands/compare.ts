/** `banyandb-perf compare <a.json> <b.json>`: two results side by side, what got better or worse beyond the noise. */

import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { formatRunsComparison, renderRunsComparisonHtml } from '../../report/compare.js';
import { readResultsFile } from '../../report/files.js';
import { compareResults } from '../../verdict/runs.js';
import { str } from '../args.js';
import { type CommandContext, EXIT } from '../context.js';

export async function runCompare(ctx: CommandContext): Promise<number> {
  const [fa, fb] = ctx.rest.map((f) => ctx.path(f));
  const a = await readResultsFile(fa!);
  const b = await readResultsFile(fb!);
  // Name the runs by their files; the same base name twice gets A / B prefixes.
  const na = basename(fa!);
  const nb = basename(fb!);
  const labels: [string, string] = na === nb ? [`A (${na})`, `B (${nb})`] : [na, nb];
  const rc = compareResults(a, b, { labels });
  if (ctx.json) ctx.io.stdout(`${JSON.stringify(rc, null, 2)}\n`);
  else ctx.io.stdout(formatRunsComparison(rc));
  const html = str(ctx.flags, 'html');
  if (html !== undefined) {
    const out = ctx.path(html);
    await writeFile(out, renderRunsComparisonHtml(rc), 'utf8');
    ctx.io.stderr(`banyandb-perf: comparison written to ${out}\n`);
  }
  return EXIT.OK;
}
