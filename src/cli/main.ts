/**
 * The `banyandb-perf` executable (bundled to dist/cli.js): wires process I/O and signals to runCli.
 * SIGINT/SIGTERM abort the running verb (partial results are still written, containers removed unless
 * --keep); a second signal exits at once with 130.
 */
import { liveClusters } from '../cluster/live.js';
import { runCli } from './run.js';

const controller = new AbortController();
let signals = 0;
const onSignal = (signal: NodeJS.Signals) => {
  signals++;
  if (signals > 1) {
    const left = liveClusters();
    process.stderr.write(
      left.length === 0
        ? `\nbanyandb-perf: ${signal} again: exiting at once (no containers of this run were left running).\n`
        : `\nbanyandb-perf: ${signal} again: exiting at once; left running: ${left
            .map((c) => `project ${c.project} (remove it with \`${c.remove}\`)`)
            .join(', ')}.\n`,
    );
    process.exit(130);
  }
  process.stderr.write(`\nbanyandb-perf: ${signal}: stopping (again to exit at once)...\n`);
  controller.abort(new Error(`received ${signal}`));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

// `banyandb-perf summary | head`: a closed stdout is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const color = process.stdout.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
void runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
  color: color || process.env.FORCE_COLOR === '1',
  tty: process.stderr.isTTY === true && process.env.TERM !== 'dumb',
}).then((code) => {
  process.exitCode = controller.signal.aborted && code !== 0 ? 130 : code;
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
});
