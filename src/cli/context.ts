/**
 * What every verb gets: the I/O of the CLI (so tests need no subprocess), its flags, an abort signal,
 * and the exit codes.
 */
import { resolve } from 'node:path';
import { AbortedError, BanyanDBPerfError, ClusterError, OptionsError, ResultsError } from '../errors.js';
import type { RawFlags, Verb } from './args.js';

/** Exit codes of `banyandb-perf`. */
export const EXIT = {
  /** Everything ran and nothing failed. */
  OK: 0,
  /** The benchmark ran but found failures (query mismatches, rejected writes), or a runtime error happened. */
  FAILURES: 1,
  /** Bad verb, flag or flag value (a --results-dir that is a file or cannot be created included), before any work. */
  USAGE: 2,
  /**
   * The environment is not able to run it: Docker missing or not running, Compose missing, a host port in use (every
   * verb, the emulator's too), the image missing, a project whose containers banyandb-perf did not start.
   */
  ENVIRONMENT: 3,
  /** Interrupted (SIGINT/SIGTERM). */
  INTERRUPTED: 130,
} as const;

/** Where the CLI writes and what it runs in. `runCli` never touches process.stdout/exit itself. */
export interface CliIo {
  /** Machine output (and the human report when not --json). */
  stdout(text: string): void;
  /** Human messages, progress and errors. */
  stderr(text: string): void;
  /** Environment variables. @default process.env */
  env?: Record<string, string | undefined>;
  /** Working directory that relative paths (e.g. --results-dir) resolve against. @default process.cwd() */
  cwd?: string;
  /** Aborts the running verb (main.ts wires SIGINT/SIGTERM to it). */
  signal?: AbortSignal;
  /** Colour the console report. @default false */
  color?: boolean;
  /**
   * stderr is a terminal: progress is one line redrawn in place; otherwise plain lines, no escape codes.
   * @default false
   */
  tty?: boolean;
}

/** A verb's view of the invocation. */
export interface CommandContext {
  verb: Verb;
  flags: RawFlags;
  io: CliIo;
  signal: AbortSignal;
  json: boolean;
  /** Human text: stderr when --json (stdout is for the JSON), stdout otherwise. */
  say(text: string): void;
  /** A path resolved against io.cwd. */
  path(p: string): string;
  /** Positional arguments after the verb (e.g. the two files of `compare`). */
  rest: string[];
}

export function makeContext(verb: Verb, flags: RawFlags, io: CliIo, signal: AbortSignal, rest: string[] = []): CommandContext {
  const json = flags.json === true;
  return {
    verb,
    flags,
    io,
    signal,
    json,
    say: (text) => (json ? io.stderr(text) : io.stdout(text)),
    path: (p) => resolve(io.cwd ?? process.cwd(), p),
    rest,
  };
}

/** The target could not be reached or used at all (before any benchmark work): exit code 3. */
export class EnvironmentError extends BanyanDBPerfError {
  override readonly name = 'EnvironmentError';
}

const ENVIRONMENT_CODES = new Set([
  'DOCKER_NOT_INSTALLED',
  'DOCKER_NOT_RUNNING',
  'COMPOSE_MISSING',
  'PORT_IN_USE',
  'IMAGE_MISSING',
  'PROJECT_MISMATCH',
]);

/** The exit code for an error that ended a verb. */
export function exitCodeFor(err: unknown, signal?: AbortSignal): number {
  if (err instanceof OptionsError) return EXIT.USAGE;
  if (err instanceof AbortedError || signal?.aborted) return EXIT.INTERRUPTED;
  if (err instanceof EnvironmentError) return EXIT.ENVIRONMENT;
  if (err instanceof ClusterError && ENVIRONMENT_CODES.has(err.code)) return EXIT.ENVIRONMENT;
  if (err instanceof BanyanDBPerfError && ENVIRONMENT_CODES.has(err.code)) return EXIT.ENVIRONMENT;
  if (err instanceof ResultsError) return EXIT.FAILURES;
  return EXIT.FAILURES;
}

/** A one-paragraph description of an error for stderr (with container logs when there are some). */
export function describeError(err: unknown, verb: Verb): string {
  const e = err instanceof Error ? err : new Error(String(err));
  // On the command line the advice names flags and verbs, not the library's options and calls.
  const message = err instanceof BanyanDBPerfError ? err.messageFor('cli') : e.message;
  const lines = [`banyandb-perf${verb === 'help' ? '' : ` ${verb}`}: ${message}`];
  if (err instanceof OptionsError)
    lines.push(`Run \`banyandb-perf ${verb === 'help' ? '' : `${verb} `}--help\` for usage.`.replace('  ', ' '));
  if (err instanceof ClusterError && err.logs && !message.includes(err.logs.trim()))
    lines.push(`Last log lines of ${err.service ?? 'the container'}:`, err.logs.trimEnd());
  const cause = (e as { cause?: unknown }).cause;
  if (
    cause instanceof Error &&
    !(err instanceof OptionsError) &&
    cause.message &&
    !message.includes(cause.message) &&
    !e.message.includes(cause.message)
  ) {
    lines.push(`  caused by: ${cause.message}`);
  }
  return `${lines.join('\n')}\n`;
}
