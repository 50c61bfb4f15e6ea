/**
 * The verdict builder: from the per-repeat figures of both models to the table of comparisons (one row per
 * metric) with winner, ratio, interval and, when there is no winner, why. The statistics are those of
 * src/metrics/stats.ts ({@link judgeFamily}: ratio of medians, log-ratio interval, Holm–Bonferroni over the
 * whole table, a minimum number of repeats); this module decides which figures are compared and which rows
 * must not name a winner whatever the figures say (failed checks, failed work, unequal answers, a model
 * that cannot answer). A pure function of its input.
 */
import { type Candidate, judgeFamily, judgementToComparison } from '../metrics/stats.js';
import {
  type AnswerSize,
  type BenchmarkResult,
  type Comparison,
  type ContainerStatsSample,
  MODELS,
  type Model,
  type NoWinnerReason,
  type QueryPatternResult,
  type TargetInfo,
  type WriteRunResult,
} from '../results.js';

/** What the comparisons are built from: the parts of a {@link BenchmarkResult} that hold figures. */
export interface VerdictInput {
  write: Record<Model, WriteRunResult[]>;
  queries: Record<Model, QueryPatternResult[][]>;
  disk?: BenchmarkResult['disk'];
  containers?: BenchmarkResult['containers'];
  /** Used to label the emulator's storage figures as the emulator's. */
  target?: Pick<TargetInfo, 'kind' | 'server'>;
}

interface Row {
  base: Pick<Comparison, 'metric' | 'unit' | 'better' | 'area'> & { pattern?: string; answers?: Comparison['answers'] };
  candidate: Candidate;
  /** Rows outside the statistics (one measurement per model). */
  single?: { why: NoWinnerReason; note: string };
}

/** True when the emulator served the figures. */
export function isEmulator(target: VerdictInput['target']): boolean {
  return target?.kind === 'emulator' || target?.server === 'emulator';
}

/**
 * Builds the comparisons of a run: writes (throughput, payload throughput, batch latency p95 and p99),
 * per query pattern (latency p50 and p95), container resources during the write repeats (when samples and
 * phase windows are there), and disk (one measurement per model: never a winner). Every row that reaches
 * the test is one member of the Holm–Bonferroni family.
 */
export function buildComparisons(input: VerdictInput): Comparison[] {
  const rows: Row[] = [...writeRows(input), ...queryRows(input), ...resourceRows(input)];
  const judged = judgeFamily(
    rows.map((r) => r.candidate),
    { names: ['stream', 'trace'] },
  );
  const out = rows.map((r, i) => judgementToComparison(r.base, judged[i]!));
  return [...out, ...diskRows(input)];
}

// ---------------------------------------------------------------- writes

/** Why a model's write figures cannot be judged (a phase gave up, a partial repeat, rejected writes), or null. */
export function writeTrouble(model: Model, runs: readonly WriteRunResult[]): string | null {
  const failed = runs.find((r) => r.failure);
  if (failed?.failure) return `${model} write phase failed (${failed.failure.code}: ${failed.failure.message})`;
  const partial = runs.filter((r) => r.partial).length;
  if (partial > 0) return `${model}: ${partial} of ${runs.length} write repeats partial`;
  const rejected = runs.reduce((n, r) => n + Object.values(r.errorsByStatus ?? {}).reduce((a, b) => a + b, 0), 0);
  if (rejected > 0) return `${model}: ${rejected} writes not acknowledged`;
  return null;
}

function writeRows(input: VerdictInput): Row[] {
  const runs = (m: Model) => (input.write[m] ?? []).filter((r) => r.batches > 0);
  const trouble = MODELS.map((m) => writeTrouble(m, input.write[m] ?? [])).filter((t): t is string => t !== null);
  const blocked = trouble.length > 0 ? { why: 'failed-work', note: `failed work: ${trouble.join('; ')}` } : undefined;
  const row = (metric: string, unit: string, better: 'higher' | 'lower', f: (r: WriteRunResult) => number | undefined): Row => ({
    base: { metric, unit, better, area: 'writes' },
    candidate: {
      better,
      a: values(runs('stream').map(f)),
      b: values(runs('trace').map(f)),
      ...(blocked ? { blocked } : {}),
    },
  });
  return [
    row('write throughput', 'spans/s', 'higher', (r) => r.spansPerSec),
    row('write payload throughput', 'MB/s', 'higher', (r) => r.payloadMBPerSec),
    row('write batch latency p95', 'ms', 'lower', (r) => r.batchLatency?.p95Ms),
    row('write batch latency p99', 'ms', 'lower', (r) => r.batchLatency?.p99Ms),
  ];
}

function values(list: readonly (number | undefined)[]): number[] {
  return list.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

// ---------------------------------------------------------------- queries

/** Pattern names in first-seen order over both models' repeats. */
export function patternNames(queries: Record<Model, QueryPatternResult[][]>): string[] {
  const names: string[] = [];
  for (const m of MODELS) for (const rep of queries[m] ?? []) for (const r of rep) if (!names.includes(r.pattern)) names.push(r.pattern);
  return names;
}

/** Every repeat's result of one pattern for one model. */
export function patternRuns(queries: Record<Model, QueryPatternResult[][]>, model: Model, pattern: string): QueryPatternResult[] {
  return (queries[model] ?? []).map((rep) => rep.find((r) => r.pattern === pattern)).filter((r): r is QueryPatternResult => !!r);
}

/** A model's answer size for a pattern: the median over its ok repeats of `answer`, capped when any repeat was. */
export function answerSize(runs: readonly QueryPatternResult[]): AnswerSize | undefined {
  const ok = runs.filter((r) => r.status === 'ok');
  const withAnswer = ok.filter((r) => r.answer);
  if (withAnswer.length === 0) return undefined;
  const med = (f: (r: QueryPatternResult) => number) => {
    const v = withAnswer.map(f).sort((a, b) => a - b);
    const n = v.length;
    return n % 2 === 1 ? v[(n - 1) / 2]! : (v[n / 2 - 1]! + v[n / 2]!) / 2;
  };
  return {
    spans: med((r) => r.answer!.spans),
    traces: med((r) => r.answer!.traces),
    bytes: med((r) => r.answer!.bytes),
    capped: ok.some((r) => r.capped === true),
  };
}

/**
 * Answers carrying the same spans may still be shaped differently: the bytes per answer (payloads and tag values)
 * differing by more than this share of the larger mean one side carried content the other did not (e.g. the trace
 * model returns each span's payload where the stream model projected its tags only), and the row names no winner.
 */
export const ANSWER_BYTES_TOLERANCE = 0.25;

/**
 * Unequal answers: the spans or traces per query differ (by more than 0.1%), one side was capped and the other not,
 * or the bytes per answer differ by more than {@link ANSWER_BYTES_TOLERANCE} (the same spans, shaped differently).
 */
export function answersDiffer(s: AnswerSize | undefined, t: AnswerSize | undefined): boolean {
  if (!s || !t) return false;
  const differ = (x: number, y: number, share: number) => Math.abs(x - y) > share * Math.max(Math.abs(x), Math.abs(y), 1);
  return (
    s.capped !== t.capped ||
    differ(s.spans, t.spans, 0.001) ||
    differ(s.traces, t.traces, 0.001) ||
    differ(s.bytes, t.bytes, ANSWER_BYTES_TOLERANCE)
  );
}

/** `1.5 MiB`: the bytes of an answer, binary units. */
function answerBytesText(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let x = bytes;
  let i = 0;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${i === 0 ? Math.round(x) : x.toFixed(x >= 100 ? 0 : 1)} ${units[i]}`;
}

/** `5,000 spans / 50 traces / 45.8 MiB (capped)`. */
export function fmtAnswer(a: AnswerSize): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return `${n(a.spans)} span${Math.round(a.spans) === 1 ? '' : 's'} / ${n(a.traces)} trace${Math.round(a.traces) === 1 ? '' : 's'} / ${answerBytesText(a.bytes)}${a.capped ? ' (capped)' : ''}`;
}

/**
 * Why one side's figures of a pattern cannot be judged, or undefined: the model cannot answer (`n/a`), a
 * repeat failed, or an answer failed a check. `who` names the side in the note (`trace`, `run B: trace`).
 */
export function sideTrouble(who: string, runs: readonly QueryPatternResult[]): { why: NoWinnerReason; note: string } | undefined {
  const na = runs.find((r) => r.status === 'n/a');
  if (na) return { why: 'not-answerable', note: `${who} cannot answer this pattern${na.reason ? `: ${na.reason}` : ''}` };
  const failed = runs.filter((r) => r.status === 'error' || r.status === 'skipped');
  if (failed.length > 0) {
    const verb = failed.every((r) => r.status === 'skipped') ? 'was skipped' : 'failed';
    return {
      why: 'failed-work',
      note: `failed work: ${who} query ${verb} in ${failed.length} of ${runs.length} repeats${failed[0]?.reason ? ` (${failed[0].reason})` : ''}`,
    };
  }
  const n = runs.reduce((k, r) => k + (r.mismatches?.length ?? 0), 0);
  if (n > 0) return { why: 'failed-checks', note: `answers failed checks: ${who} ${n} mismatch${n === 1 ? '' : 'es'}` };
  return undefined;
}

const PRECEDENCE: NoWinnerReason[] = ['not-answerable', 'failed-work', 'failed-checks'];

/** Why a pattern's figures cannot name a winner (in order: n/a, failed work, failed checks, unequal answers), or undefined. */
export function queryBlock(
  sides: readonly { who: string; runs: readonly QueryPatternResult[] }[],
  answers: readonly (AnswerSize | undefined)[],
): { why: NoWinnerReason; note: string } | undefined {
  const troubles = sides.map((s) => sideTrouble(s.who, s.runs)).filter((t): t is NonNullable<typeof t> => t !== undefined);
  for (const why of PRECEDENCE) {
    const list = troubles.filter((t) => t.why === why);
    if (list.length === 0) continue;
    if (why === 'failed-checks') {
      return { why, note: `answers failed checks: ${list.map((t) => t.note.replace('answers failed checks: ', '')).join(', ')}` };
    }
    return list[0];
  }
  const [x, y] = answers;
  if (answersDiffer(x, y)) {
    return { why: 'unequal-answers', note: `unequal answers: ${sides[0]!.who} ${fmtAnswer(x!)}, ${sides[1]!.who} ${fmtAnswer(y!)}` };
  }
  return undefined;
}

function queryRows(input: VerdictInput): Row[] {
  const rows: Row[] = [];
  for (const p of patternNames(input.queries)) {
    const runs = { stream: patternRuns(input.queries, 'stream', p), trace: patternRuns(input.queries, 'trace', p) };
    const answers: Partial<Record<Model, AnswerSize>> = {};
    for (const m of MODELS) {
      const a = answerSize(runs[m]);
      if (a) answers[m] = a;
    }
    const blocked = queryBlock(
      MODELS.map((m) => ({ who: m, runs: runs[m] })),
      [answers.stream, answers.trace],
    );
    for (const [label, f] of [
      ['p50', (r: QueryPatternResult) => r.latency?.p50Ms],
      ['p95', (r: QueryPatternResult) => r.latency?.p95Ms],
    ] as const) {
      const ok = (m: Model) => values(runs[m].filter((r) => r.status === 'ok').map(f));
      rows.push({
        base: {
          metric: `query ${p} latency ${label}`,
          unit: 'ms',
          better: 'lower',
          area: 'queries',
          pattern: p,
          ...(Object.keys(answers).length > 0 ? { answers } : {}),
        },
        candidate: { better: 'lower', a: ok('stream'), b: ok('trace'), ...(blocked ? { blocked } : {}) },
      });
    }
  }
  return rows;
}

// ---------------------------------------------------------------- container resources

/** Samples of one model's containers inside a window. */
export function samplesIn(
  samples: readonly ContainerStatsSample[],
  model: Model,
  w: { startMs: number; endMs: number },
): ContainerStatsSample[] {
  return samples.filter((s) => s.model === model && s.timestampMs >= w.startMs && s.timestampMs <= w.endMs);
}

function resourceRows(input: VerdictInput): Row[] {
  const samples = input.containers?.samples ?? [];
  if (samples.length === 0) return [];
  const perRepeat = (m: Model) =>
    (input.write[m] ?? [])
      .filter((r) => r.window && r.spansAcknowledged > 0)
      .map((r) => ({ run: r, s: samplesIn(samples, m, r.window!) }))
      .filter((x) => x.s.length > 0);
  const has = MODELS.every((m) => perRepeat(m).length > 0);
  if (!has) return [];
  const cpuPerKSpans = (x: { run: WriteRunResult; s: ContainerStatsSample[] }) => {
    const avg = x.s.reduce((a, s) => a + s.cpuPercent, 0) / x.s.length;
    // CPU % (100 = one core) × seconds = core-seconds; per 1,000 spans, in core-ms.
    return ((avg / 100) * x.run.wallClockMs) / (x.run.spansAcknowledged / 1000);
  };
  const memPeak = (x: { s: ContainerStatsSample[] }) => Math.max(...x.s.map((s) => s.memBytes));
  return [
    {
      base: { metric: 'container CPU per 1,000 spans written', unit: 'core-ms', better: 'lower', area: 'resources' },
      candidate: { better: 'lower', a: perRepeat('stream').map(cpuPerKSpans), b: perRepeat('trace').map(cpuPerKSpans) },
    },
    {
      base: { metric: 'container memory peak during writes', unit: 'bytes', better: 'lower', area: 'resources' },
      candidate: { better: 'lower', a: perRepeat('stream').map(memPeak), b: perRepeat('trace').map(memPeak) },
    },
  ];
}

// ---------------------------------------------------------------- disk

/** Metric name of the disk row: the emulator's storage is never called BanyanDB's disk. */
export function diskMetric(target: VerdictInput['target']): string {
  return isEmulator(target) ? "emulator's storage per span (uncompressed, not BanyanDB's)" : 'disk bytes per span';
}

function diskRows(input: VerdictInput): Comparison[] {
  const disk = input.disk ?? [];
  const s = disk.find((d) => d.model === 'stream');
  const t = disk.find((d) => d.model === 'trace');
  if (!s && !t) return [];
  const one = (v: number | undefined) => (v === undefined ? [] : [v]);
  const [j] = judgeFamily(
    [
      {
        better: 'lower',
        a: one(s?.bytesPerSpan),
        b: one(t?.bytesPerSpan),
        blocked: { why: 'single-measurement', note: 'one measurement per model: no noise estimate, so no winner' },
      },
    ],
    { names: ['stream', 'trace'] },
  );
  return [judgementToComparison({ metric: diskMetric(input.target), unit: 'B', better: 'lower', area: 'disk' }, j!)];
}
