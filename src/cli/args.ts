/**
 * Command-line flags: one table of every flag (which verbs take it, what value it expects), strict
 * parsing with node:util parseArgs, and value parsing into typed settings. Every usage problem becomes
 * an {@link OptionsError} naming the flag and what was expected.
 */
import { parseArgs } from 'node:util';
import { OptionsError } from '../errors.js';
import { DEFAULT_SEED } from '../generator/generator.js';
import { MIXED_DEFAULTS } from '../mixed/mixed.js';
import { MIXED_QUERY_KINDS } from '../mixed/queries.js';
import { DEFAULT_SCENARIO, SCENARIO_NAMES, SCENARIOS } from '../mixed/scenarios.js';
import { DEFAULT_RESULTS_DIR } from '../report/files.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, DEFAULT_REPEATS, DEFAULT_SCALE } from '../workload/options.js';
import { DEFAULT_PLAIN_PROGRESS_INTERVAL_MS } from '../workload/progress.js';

/** The verbs of `banyandb-perf` (those of the original harness's run script, plus `emulator`). */
export const VERBS = [
  'all',
  'build',
  'up',
  'test',
  'down',
  'clean',
  'logs',
  'ps',
  'stats',
  'summary',
  'compare',
  'help',
  'emulator',
] as const;
export type Verb = (typeof VERBS)[number];

/** One flag of the CLI. */
export interface FlagSpec {
  name: string;
  type: 'boolean' | 'string';
  short?: string;
  /** Placeholder of the value in help, e.g. `<n>`. */
  value?: string;
  description: string;
  verbs: readonly Verb[];
}

/** `banyandb-perf emulator`'s defaults: BanyanDB's own address and ports. */
export const CLI_EMULATOR_HOST = '127.0.0.1';
export const CLI_EMULATOR_GRPC_PORT = 17912;
export const CLI_EMULATOR_HTTP_PORT = 17913;

/** A duration for help text: `2s`, `500ms`, `2m`. */
function showMs(ms: number): string {
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}

const RUN: readonly Verb[] = ['all', 'test'];
const CLUSTER: readonly Verb[] = ['all', 'build', 'up', 'test', 'down', 'clean', 'logs', 'ps', 'stats'];

/** Every flag, in help order. */
export const FLAGS: readonly FlagSpec[] = [
  { name: 'help', short: 'h', type: 'boolean', description: 'Show help for the verb.', verbs: VERBS },
  {
    name: 'json',
    type: 'boolean',
    description: 'Machine-readable JSON on stdout; human text goes to stderr.',
    verbs: ['all', 'up', 'test', 'ps', 'stats', 'summary', 'build', 'compare'],
  },
  {
    name: 'target',
    type: 'string',
    value: 'docker|emulator|external',
    description:
      'What serves the two models. Default: docker when a Docker engine is reachable, else emulator (one child process per model).',
    verbs: ['all', 'test'],
  },
  {
    name: 'stream-addr',
    type: 'string',
    value: '<host:port>',
    description: 'gRPC address of the stream-model server (--target external).',
    verbs: ['test'],
  },
  {
    name: 'trace-addr',
    type: 'string',
    value: '<host:port>',
    description: 'gRPC address of the trace-model server (--target external).',
    verbs: ['test'],
  },
  {
    name: 'image',
    type: 'string',
    value: 'official|emulator|<name>',
    description: "Image the containers run: BanyanDB's official image (default), banyandb-perf's emulator, or any image name.",
    verbs: CLUSTER,
  },
  {
    name: 'project',
    type: 'string',
    value: '<name>',
    description:
      'Compose project of the containers (lower-case letters, digits, - and _). Default: banyandb-perf; `all` uses a new one per run, and so does `test` when banyandb-perf has no running containers in banyandb-perf.',
    verbs: CLUSTER.filter((v) => v !== 'build'),
  },
  {
    name: 'port-offset',
    type: 'string',
    value: '<n>',
    description:
      'Publish on the default host ports plus n (stream 17912/17913/6060/2121, trace 27912/27913/16060/12121). Default: free ports for `all` and for the containers `test` starts, the default ports for `up`.',
    verbs: ['all', 'up', 'test'],
  },
  {
    name: 'stream-port',
    type: 'string',
    value: '<port>',
    description: "Host port of the stream container's gRPC; HTTP, pprof and metrics take the next three.",
    verbs: ['all', 'up', 'test'],
  },
  {
    name: 'trace-port',
    type: 'string',
    value: '<port>',
    description: "Host port of the trace container's gRPC; HTTP, pprof and metrics take the next three.",
    verbs: ['all', 'up', 'test'],
  },
  {
    name: 'source',
    type: 'string',
    value: '<dir>',
    description: 'Build the image from a BanyanDB checkout (instead of --image).',
    verbs: ['all', 'build', 'up', 'test'],
  },
  {
    name: 'schema-dir',
    type: 'string',
    value: '<dir>',
    description: "Schema directory (protobuf JSON, as testdata/schema) loaded into the servers. Default: the package's testdata/schema.",
    verbs: RUN,
  },
  { name: 'scale', type: 'string', value: 'small|medium|large', description: `Data-set scale. Default: ${DEFAULT_SCALE}.`, verbs: RUN },
  {
    name: 'spans',
    type: 'string',
    value: '<n>',
    description:
      "Spans to write in all (warm-up included); the rest after warm-up is split evenly over the repeats. Default: the scale's span count.",
    verbs: RUN,
  },
  {
    name: 'duration',
    type: 'string',
    value: '<time>',
    description: 'Bound each write repeat by time, e.g. 30s, 2m, 500ms (whichever of --spans/--duration comes first).',
    verbs: RUN,
  },
  {
    name: 'concurrency',
    type: 'string',
    value: '<n>',
    description: `Concurrent write batches per model. Default: ${DEFAULT_CONCURRENCY}.`,
    verbs: RUN,
  },
  { name: 'batch-size', type: 'string', value: '<n>', description: `Spans per write batch. Default: ${DEFAULT_BATCH_SIZE}.`, verbs: RUN },
  {
    name: 'rate',
    type: 'string',
    value: '<spans/s>',
    description: 'Open-loop target rate in spans per second (needs --duration).',
    verbs: RUN,
  },
  {
    name: 'warmup',
    type: 'string',
    value: '<spans>',
    description: 'Spans written before measuring, the same for both models (0: none). Default: 2000, at most 10% of --spans.',
    verbs: RUN,
  },
  {
    name: 'write-timeout',
    type: 'string',
    value: '<time>',
    description: 'Deadline of one write batch, e.g. 20s. Default: 20s.',
    verbs: RUN,
  },
  {
    name: 'stall-timeout',
    type: 'string',
    value: '<time>',
    description: "A model's writes give up after this long without an acknowledged span; its remaining work is skipped. Default: 30s.",
    verbs: RUN,
  },
  {
    name: 'query-timeout',
    type: 'string',
    value: '<time>',
    description: "Deadline of one query, e.g. 20s (3 failed queries in a row end that model's query phase). Default: 20s.",
    verbs: RUN,
  },
  { name: 'repeats', type: 'string', value: '<n>', description: `Measured repeats per model. Default: ${DEFAULT_REPEATS}.`, verbs: RUN },
  { name: 'seed', type: 'string', value: '<n>', description: `Generator seed. Default: ${DEFAULT_SEED}.`, verbs: RUN },
  {
    name: 'scenario',
    type: 'string',
    value: SCENARIO_NAMES.join('|'),
    description: `Which phases run, and the mixed phase's load: ${SCENARIOS.map((x) => `${x.name}: ${x.description}`).join(' ')} Default: ${DEFAULT_SCENARIO}.`,
    verbs: RUN,
  },
  {
    name: 'mixed',
    type: 'boolean',
    description: 'After the separate phases, run the mixed phase: writes at a fixed rate while a query mix runs (--scenario mixed).',
    verbs: RUN,
  },
  {
    name: 'mixed-duration',
    type: 'string',
    value: '<time>',
    description: `Mixed phase: measured time per model, after its warm-up. Default: ${showMs(MIXED_DEFAULTS.durationMs)} (or the scenario's).`,
    verbs: RUN,
  },
  {
    name: 'mixed-write-rate',
    type: 'string',
    value: '<spans/s>',
    description: `Mixed phase: write rate, open loop. Default: ${MIXED_DEFAULTS.writeRatePerSec} (or the scenario's).`,
    verbs: RUN,
  },
  {
    name: 'mixed-query-rate',
    type: 'string',
    value: '<queries/s>',
    description: `Mixed phase: query rate, open loop. Default: ${MIXED_DEFAULTS.queryRatePerSec} (or the scenario's).`,
    verbs: RUN,
  },
  {
    name: 'mixed-concurrency',
    type: 'string',
    value: '<n>',
    description: `Mixed phase: most queries in flight (concurrent clients). Default: ${MIXED_DEFAULTS.queryConcurrency}.`,
    verbs: RUN,
  },
  {
    name: 'mixed-mix',
    type: 'string',
    value: '<kind=weight,...>',
    description: `Mixed phase: query mix weights, kinds ${MIXED_QUERY_KINDS.join(', ')}; unnamed kinds keep theirs. Default: ${Object.entries(
      MIXED_DEFAULTS.mix,
    )
      .map(([k, w]) => `${k}=${w}`)
      .join(',')}.`,
    verbs: RUN,
  },
  {
    name: 'stream-metrics-url',
    type: 'string',
    value: '<url>',
    description:
      "Prometheus URL of the stream server, scraped during the run. Default: the emulator's /metrics, a container's published port 2121; none for --target external.",
    verbs: RUN,
  },
  {
    name: 'trace-metrics-url',
    type: 'string',
    value: '<url>',
    description: 'Prometheus URL of the trace server, scraped during the run. Default: as --stream-metrics-url.',
    verbs: RUN,
  },
  {
    name: 'results-dir',
    type: 'string',
    value: '<dir>',
    description: `Where results are written and read. Default: ${DEFAULT_RESULTS_DIR}.`,
    verbs: ['all', 'test', 'summary'],
  },
  {
    name: 'keep',
    type: 'boolean',
    description: 'Leave the containers (and data) in place after the run, on errors and on Ctrl-C.',
    verbs: ['all', 'test', 'up'],
  },
  {
    name: 'html',
    type: 'string',
    value: '<file>',
    description: 'Also write the comparison as a self-contained HTML file.',
    verbs: ['compare'],
  },
  {
    name: 'keep-data',
    type: 'boolean',
    description: "Leave this run's own groups (<group>_<run id>) and their data on the servers; by default they are deleted at the end.",
    verbs: ['all', 'test'],
  },
  { name: 'no-progress', type: 'boolean', description: 'No progress on stderr.', verbs: RUN },
  {
    name: 'progress-interval',
    type: 'string',
    value: '<time>',
    description: `How often a progress line is written when stderr is not a terminal (on a terminal the line is redrawn). Default: ${showMs(DEFAULT_PLAIN_PROGRESS_INTERVAL_MS)}.`,
    verbs: RUN,
  },
  { name: 'service', type: 'string', value: 'stream|trace', description: 'One model only. Default: both.', verbs: ['logs'] },
  { name: 'tail', type: 'string', value: '<n>|all', description: 'Last lines per container. Default: 100.', verbs: ['logs'] },
  { name: 'follow', short: 'f', type: 'boolean', description: 'Keep streaming the logs until Ctrl-C.', verbs: ['logs'] },
  {
    name: 'host',
    type: 'string',
    value: '<addr>',
    description: `Address the emulator listens on. Default: ${CLI_EMULATOR_HOST}.`,
    verbs: ['emulator'],
  },
  {
    name: 'grpc-port',
    type: 'string',
    value: '<port>',
    description: `Emulator gRPC port. Default: ${CLI_EMULATOR_GRPC_PORT}.`,
    verbs: ['emulator'],
  },
  {
    name: 'http-port',
    type: 'string',
    value: '<port>',
    description: `Emulator HTTP port (/api/healthz). Default: ${CLI_EMULATOR_HTTP_PORT}.`,
    verbs: ['emulator'],
  },
];

/** Raw flag values after strict parsing. */
export type RawFlags = Record<string, string | boolean | undefined>;

/** The verb and its raw flags. */
export interface ParsedCommand {
  verb: Verb;
  flags: RawFlags;
  /** Positionals after the verb (`help <verb>` takes one, `compare <a.json> <b.json>` two). */
  rest: string[];
  /** True when no verb was given. */
  implicit: boolean;
}

/** Flags that a verb accepts. */
export function flagsOf(verb: Verb): FlagSpec[] {
  return FLAGS.filter((f) => f.verbs.includes(verb));
}

function isVerb(s: string): s is Verb {
  return (VERBS as readonly string[]).includes(s);
}

/** Turns node:util parseArgs errors into an OptionsError naming the flag and what was expected. */
function mapParseError(err: unknown, verb: Verb): OptionsError {
  const e = err as Error & { code?: string };
  const flag = /'(-{1,2}[^' ]+)/.exec(e.message)?.[1] ?? '';
  const spec = FLAGS.find((f) => `--${f.name}` === flag || (f.short && `-${f.short}` === flag));
  const accepted = flagsOf(verb)
    .map((f) => `--${f.name}`)
    .join(', ');
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      if (spec) {
        return new OptionsError(
          flag,
          `${flag} does not apply to \`banyandb-perf ${verb}\`; it is for: ${spec.verbs.join(', ')}. See \`banyandb-perf ${verb} --help\`.`,
          { cause: err },
        );
      }
      return new OptionsError(
        flag || 'flag',
        `unknown flag ${flag || '(?)'} for \`banyandb-perf ${verb}\`; expected one of: ${accepted}.`,
        {
          cause: err,
        },
      );
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (spec?.type === 'boolean') return new OptionsError(flag, `${flag} takes no value.`, { cause: err });
      if (/ambiguous/.test(e.message)) {
        return new OptionsError(
          flag,
          `${flag} needs a value: expected ${spec?.value ?? 'a value'}; write a value starting with "-" as ${flag}=<value>.`,
          {
            cause: err,
          },
        );
      }
      return new OptionsError(flag, `${flag} needs a value: expected ${spec?.value ?? 'a value'}.`, { cause: err });
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const arg = /'([^']*)'/.exec(e.message)?.[1] ?? '';
      return new OptionsError(
        'verb',
        `unexpected argument ${JSON.stringify(arg)} after \`banyandb-perf ${verb}\`; flags start with --, and only one verb is allowed.`,
        { cause: err },
      );
    }
    default:
      return new OptionsError(flag || 'flag', `${e.message}`, { cause: err });
  }
}

/**
 * Splits argv into the verb and its flags, strictly: an unknown flag, a flag of another verb, a missing
 * value or an extra positional throws {@link OptionsError}.
 */
export function parseCommand(argv: readonly string[]): ParsedCommand {
  let verb: Verb = 'help';
  let implicit = true;
  let args = [...argv];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') break;
    if (word.startsWith('-')) {
      // Skip the value of a string flag given as `--flag value`.
      const spec = !word.includes('=') ? FLAGS.find((f) => `--${f.name}` === word || (f.short && `-${f.short}` === word)) : undefined;
      if (spec?.type === 'string') i++;
      continue;
    }
    if (!isVerb(word)) throw new OptionsError('verb', `unknown verb ${JSON.stringify(word)}; expected one of: ${VERBS.join(', ')}.`);
    verb = word;
    implicit = false;
    args = [...argv.slice(0, i), ...argv.slice(i + 1)];
    break;
  }
  const options: Record<string, { type: 'boolean' | 'string'; short?: string }> = {};
  for (const f of flagsOf(verb)) options[f.name] = f.short ? { type: f.type, short: f.short } : { type: f.type };
  let parsed: { values: RawFlags; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: verb === 'help' || verb === 'compare' }) as {
      values: RawFlags;
      positionals: string[];
    };
  } catch (err) {
    throw mapParseError(err, verb);
  }
  if (verb === 'compare' && parsed.positionals.length !== 2 && parsed.values.help !== true) {
    throw new OptionsError(
      'compare',
      `\`banyandb-perf compare\` takes two results files (<a.json> <b.json>), got ${parsed.positionals.length}.`,
    );
  }
  if (verb === 'help' && parsed.positionals.length > 1) {
    throw new OptionsError('verb', `\`banyandb-perf help\` takes at most one verb, got ${parsed.positionals.length}.`);
  }
  return { verb, flags: parsed.values, rest: parsed.positionals, implicit };
}

// ---------------------------------------------------------------------------------------------------------------
// Value parsers.

/** Parses a duration such as `500ms`, `30s`, `2m`, `1h` (decimals allowed) into milliseconds. */
export function parseDuration(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!m) throw new OptionsError(flag, `${flag} expects a duration such as 500ms, 30s, 2m or 1h, got ${JSON.stringify(text)}.`);
  const factor = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  const ms = Math.round(Number(m[1]) * factor);
  return ms;
}

/** Parses an integer >= min. */
export function parseInteger(flag: string, text: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const t = text.trim().replace(/_/g, '');
  if (!/^-?\d+$/.test(t) || Number(t) < min || Number(t) > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new OptionsError(flag, `${flag} expects an integer ${range}, got ${JSON.stringify(text)}.`);
  }
  return Number(t);
}

/** Parses a positive finite number. */
export function parsePositive(flag: string, text: string): number {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new OptionsError(flag, `${flag} expects a positive number, got ${JSON.stringify(text)}.`);
  }
  return n;
}

/** Parses one of a fixed set of words. */
export function parseChoice<T extends string>(flag: string, text: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) {
    throw new OptionsError(flag, `${flag} expects one of ${choices.join(', ')}, got ${JSON.stringify(text)}.`);
  }
  return text as T;
}

/** Parses `host:port` (IPv6 as `[::1]:port`). */
export function parseAddress(flag: string, text: string): string {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text.trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65_535) {
    throw new OptionsError(flag, `${flag} expects host:port such as 127.0.0.1:17912, got ${JSON.stringify(text)}.`);
  }
  return text.trim();
}

/** Reads a string flag (undefined when absent). */
export function str(flags: RawFlags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

/** Reads a boolean flag. */
export function bool(flags: RawFlags, name: string): boolean {
  return flags[name] === true;
}

/** The verb argv names (first word that is a verb), for messages about argv that failed to parse. */
export function verbOf(argv: readonly string[]): Verb {
  return (argv.find((a) => isVerb(a)) as Verb | undefined) ?? 'help';
}
