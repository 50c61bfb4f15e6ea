/**
 * Help texts: the general usage and one page per verb (`banyandb-perf <verb> --help`).
 */
import { flagsOf, VERBS, type Verb } from './args.js';

/** One-line summary and longer notes per verb. */
const VERB_HELP: Record<Verb, { summary: string; notes?: string[] }> = {
  all: { summary: 'Run the complete workflow: build, up, test, down (down skipped with --keep).' },
  build: { summary: 'Make the image present: build the emulator image or a --source image, pull others.' },
  up: { summary: 'Start both containers (one per model) and wait until they are healthy; they keep running.' },
  test: {
    summary: 'Run the benchmark: load schemas, write and query both models, write results (JSON + HTML), print the report.',
    notes: [
      'With --target docker the containers are started (or reused when `up` started them) and removed afterwards unless --keep;',
      'container stats are sampled during the run and the disk footprint measured after it.',
      "--target emulator starts two emulators, one child process each: its figures are never BanyanDB's.",
      '--target external needs --stream-addr and --trace-addr.',
    ],
  },
  down: { summary: 'Stop and remove the containers and network (data volumes stay).' },
  clean: { summary: 'Remove the containers, network and data volumes.' },
  logs: { summary: "Show the containers' logs." },
  ps: { summary: "Show the containers' state and health." },
  stats: { summary: 'Print one resource snapshot of both containers (CPU, memory, network, block I/O).' },
  summary: { summary: 'Print the report of the last results in --results-dir (or their JSON with --json).' },
  compare: {
    summary: 'Set two results files side by side, metric by metric: what got better or worse beyond the noise.',
    notes: [
      'Usage: banyandb-perf compare <a.json> <b.json> [--html <file>] [--json]. A is the baseline, B the run judged against it',
      '(e.g. a new BanyanDB version, another schema, other limits). Same statistics as the stream-vs-trace verdict.',
    ],
  },
  help: { summary: 'Show help: `banyandb-perf help [verb]`.' },
  emulator: {
    summary: "Run banyandb-perf's BanyanDB-compatible emulator in the foreground until Ctrl-C.",
    notes: ["For trying the tool without Docker. Figures measured against it are never BanyanDB's."],
  },
};

const EXIT_CODES = [
  'Exit codes: 0 ok; 1 the benchmark ran but found failures (query mismatches, rejected writes, a dead',
  '            container, results not saved) or a runtime error; 2 usage error (bad flag or value, unusable',
  '            results directory), before any work; 3 environment error (Docker or Compose missing or not',
  "            running, a port in use, image missing, a project that is not banyandb-perf's);",
  '            130 interrupted (Ctrl-C; a second one exits at once).',
];

/** The general help: every verb with its summary. */
export function generalHelp(): string {
  const w = Math.max(...VERBS.map((v) => v.length));
  return [
    "banyandb-perf: benchmark BanyanDB's stream and trace models side by side.",
    '',
    'Usage: banyandb-perf <verb> [flags]',
    '',
    'Verbs:',
    ...VERBS.map((v) => `  ${v.padEnd(w)}  ${VERB_HELP[v].summary}`),
    '',
    'Run `banyandb-perf <verb> --help` for the flags of a verb.',
    '',
    'Examples:',
    '  banyandb-perf all                              # build, up, test, down with the official image',
    '  banyandb-perf test --target emulator --scale small --duration 10s --repeats 1',
    '  banyandb-perf test --target external --stream-addr 10.0.0.5:17912 --trace-addr 10.0.0.6:17912',
    '  banyandb-perf summary --json',
    '  banyandb-perf compare results/before.json results/after.json --html compare.html',
    '',
    ...EXIT_CODES,
    '',
  ].join('\n');
}

/** Help of one verb: usage, summary, notes and its flags. */
export function verbHelp(verb: Verb): string {
  const flags = flagsOf(verb);
  const label = (f: (typeof flags)[number]) => `${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.value ? ` ${f.value}` : ''}`;
  const w = Math.max(...flags.map((f) => label(f).length));
  const info = VERB_HELP[verb];
  return [
    `Usage: banyandb-perf ${verb}${verb === 'help' ? ' [verb]' : verb === 'compare' ? ' <a.json> <b.json>' : ''} [flags]`,
    '',
    info.summary,
    ...(info.notes ? ['', ...info.notes] : []),
    '',
    'Flags:',
    ...flags.map((f) => `  ${label(f).padEnd(w)}  ${f.description}`),
    '',
    ...EXIT_CODES,
    '',
  ].join('\n');
}
