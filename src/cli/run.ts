/**
 * `runCli(argv, io)`: the whole CLI as a function, for main.ts and for tests (no subprocess needed).
 */
import { OptionsError } from '../errors.js';
import { parseCommand, VERBS, type Verb, verbOf } from './args.js';
import { type CliIo, type CommandContext, describeError, EXIT, exitCodeFor, makeContext } from './context.js';
import { generalHelp, verbHelp } from './help.js';

export { type CliIo, EXIT } from './context.js';

/** Dispatches one verb (modules are loaded lazily so `help` stays fast). */
async function dispatch(ctx: CommandContext): Promise<number> {
  switch (ctx.verb) {
    case 'test':
      return (await import('./commands/test.js')).runTest(ctx);
    case 'all':
      return (await import('./commands/all.js')).runAll(ctx);
    case 'summary':
      return (await import('./commands/summary.js')).runSummary(ctx);
    case 'compare':
      return (await import('./commands/compare.js')).runCompare(ctx);
    case 'emulator':
      return (await import('./commands/emulator.js')).runEmulator(ctx);
    case 'build':
      return (await import('./commands/cluster.js')).runBuild(ctx);
    case 'up':
      return (await import('./commands/cluster.js')).runUp(ctx);
    case 'down':
      return (await import('./commands/cluster.js')).runDown(ctx);
    case 'clean':
      return (await import('./commands/cluster.js')).runClean(ctx);
    case 'logs':
      return (await import('./commands/cluster.js')).runLogs(ctx);
    case 'ps':
      return (await import('./commands/cluster.js')).runPs(ctx);
    case 'stats':
      return (await import('./commands/cluster.js')).runStats(ctx);
    case 'help':
      return EXIT.OK;
  }
}

/**
 * Runs `banyandb-perf` with `argv` (without the node and script paths) and returns the exit code:
 * 0 ok, 1 failures found or runtime error, 2 usage error, 3 environment error, 130 interrupted.
 * Never calls process.exit; output goes to `io`.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let verb: Verb = verbOf(argv);
  const signal = io.signal ?? new AbortController().signal;
  try {
    const cmd = parseCommand(argv);
    verb = cmd.verb;
    if (cmd.verb === 'help') {
      const topic = cmd.rest[0];
      if (topic !== undefined && !(VERBS as readonly string[]).includes(topic)) {
        throw new OptionsError('verb', `unknown verb ${JSON.stringify(topic)}; expected one of: ${VERBS.join(', ')}.`);
      }
      io.stdout(
        topic !== undefined ? verbHelp(topic as Verb) : cmd.flags.help === true && !cmd.implicit ? verbHelp('help') : generalHelp(),
      );
      return EXIT.OK;
    }
    if (cmd.flags.help === true) {
      io.stdout(verbHelp(cmd.verb));
      return EXIT.OK;
    }
    return await dispatch(makeContext(cmd.verb, cmd.flags, io, signal, cmd.rest));
  } catch (err) {
    const code = exitCodeFor(err, signal);
    if (code === EXIT.INTERRUPTED) io.stderr(`banyandb-perf ${verb}: interrupted.\n`);
    else io.stderr(describeError(err, verb));
    return code;
  }
}
