/**
 * Progress: typed events for every long phase of a run (writes, queries, waiting for a server, teardown), sent to an
 * `onProgress` callback, and one renderer for them: on a terminal one line redrawn in place, elsewhere (a log, a
 * pipe) a plain line every few seconds, with no escape codes. The library sends events; the CLI and the examples
 * render them ({@link createProgressRenderer}); a workload's own `progress` option uses the same renderer.
 */
import { checkOptionKeys, optionKeys } from '../options-check.js';
import type { Model } from '../results.js';

/** How often progress events are sent while a phase runs, ms. */
export const PROGRESS_INTERVAL_MS = 250;
/** How often a plain progress line is written when the output is not a terminal, ms. */
export const DEFAULT_PLAIN_PROGRESS_INTERVAL_MS = 5_000;

/** A write phase (warm-up or a measured repeat) of one model. */
export interface WriteProgress {
  kind: 'write';
  model: Model;
  phase: 'warmup' | 'measure' | 'done';
  /** 0-based repeat index (-1 during warm-up). */
  repeat: number;
  repeats: number;
  /** Spans sent / acknowledged / failed in this phase so far. */
  spansSent: number;
  spansAcknowledged: number;
  errors: number;
  /** Spans this phase writes at most: fixed for the whole phase (the last repeat's rest of the data set included). */
  spansTarget: number;
  /** Acknowledged spans per second of this phase so far. */
  spansPerSec: number;
  /** Estimated time to the end of this phase, ms (`undefined` before the first acknowledgement). */
  etaMs: number | undefined;
  elapsedMs: number;
}

/** A query repeat of one model: the patterns run one after the other, each `iterations` times. */
export interface QueryProgress {
  kind: 'query';
  model: Model;
  /** 0-based repeat index. */
  repeat: number;
  repeats: number;
  /** The pattern running now (`ground truth` while the ground truth is computed before the first pattern). */
  pattern: string;
  /** Patterns finished in this repeat, and how many it runs. */
  patternsDone: number;
  patterns: number;
  /** Timed executions finished of the running pattern, and how many it gets. */
  iterationsDone: number;
  iterations: number;
  elapsedMs: number;
  /** Estimated time to the end of this query repeat, ms (`undefined` until one pattern finished). */
  etaMs: number | undefined;
}

/** A step that waits: a server's health check, containers becoming healthy, containers being removed. */
export interface StepProgress {
  kind: 'step';
  /** What is being waited for, e.g. `waiting for the stream server 127.0.0.1:17912 to answer SERVING`. */
  what: string;
  elapsedMs: number;
  /** The most this step waits, ms, when it has a bound. */
  timeoutMs?: number;
  /** True on the step's last event. */
  done: boolean;
}

/** What a workload sends to `onProgress`. */
export type WorkloadProgress = WriteProgress | QueryProgress;
/** Every progress event: a workload's, and the waiting steps of a target. */
export type ProgressEvent = WorkloadProgress | StepProgress;

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const secs = (ms: number) => `${Math.ceil(ms / 1000)}s`;

/** One line describing an event, without escape codes. */
export function formatProgress(e: ProgressEvent): string {
  if (e.kind === 'step') {
    if (e.done) return `${e.what}: done after ${secs(e.elapsedMs)}`;
    return `${e.what}: ${secs(e.elapsedMs)}${e.timeoutMs === undefined ? '' : ` of at most ${secs(e.timeoutMs)}`}`;
  }
  const eta = e.etaMs === undefined ? '' : `, ETA ${secs(e.etaMs)}`;
  if (e.kind === 'query') {
    const it = e.iterations > 0 && e.pattern !== 'ground truth' ? ` (${e.iterationsDone}/${e.iterations} runs)` : '';
    return `${e.model} queries, repeat ${e.repeat + 1}/${e.repeats}: ${e.patternsDone}/${e.patterns} patterns done, now ${e.pattern}${it}, ${secs(e.elapsedMs)} elapsed${eta}`;
  }
  const what = e.phase === 'warmup' ? 'warm-up' : `repeat ${e.repeat + 1}/${e.repeats}`;
  const pct = e.spansTarget > 0 ? ` (${Math.floor((100 * e.spansAcknowledged) / e.spansTarget)}%)` : '';
  return `${e.model} writes, ${what}: ${int(e.spansAcknowledged)}/${int(e.spansTarget)} spans${pct}, ${int(e.spansPerSec)} spans/s, ${int(e.errors)} errors${eta}`;
}

/** The phase an event belongs to: a plain renderer writes the first event of every phase at once. */
function phaseKey(e: ProgressEvent): string {
  if (e.kind === 'step') return `step ${e.what}`;
  if (e.kind === 'query') return `query ${e.model} ${e.repeat}`;
  return `write ${e.model} ${e.phase === 'warmup' ? 'warmup' : e.repeat}`;
}

/** Where a renderer writes. `process.stderr` is one. */
export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Options of {@link createProgressRenderer}. */
export interface ProgressRendererOptions {
  /**
   * Redraw one line in place (a terminal) instead of writing plain lines.
   * @default output.isTTY === true && TERM is not `dumb`
   */
  tty?: boolean;
  /**
   * Plain mode: the most often a line is written while a phase runs, ms (a phase's first and last events are
   * always written).
   * @default 5000
   */
  intervalMs?: number;
  /** Clock, ms. @default performance.now */
  now?: () => number;
}

/** Renders progress events to an output; see {@link createProgressRenderer}. */
export interface ProgressRenderer {
  /** Renders one event (pass it as `onProgress`). */
  readonly update: (e: ProgressEvent) => void;
  /** Writes a line of other text without breaking the live line (it is redrawn after). */
  print(text: string): void;
  /** Ends the live line, if one is drawn. */
  end(): void;
}

/**
 * A renderer of progress events. On a terminal: one line, redrawn in place (`\r` + erase line) at most every 250 ms.
 * Elsewhere: plain lines, no escape codes; the first event of each phase, its last one (a step's `done`, a write's
 * final count) and otherwise one line every `intervalMs`.
 */
export function createProgressRenderer(output: ProgressOutput, options: ProgressRendererOptions = {}): ProgressRenderer {
  checkOptionKeys(options, optionKeys<ProgressRendererOptions>({ tty: true, intervalMs: true, now: true }), 'createProgressRenderer()');
  const tty = options.tty ?? (output.isTTY === true && process.env.TERM !== 'dumb');
  const interval = tty ? PROGRESS_INTERVAL_MS : (options.intervalMs ?? DEFAULT_PLAIN_PROGRESS_INTERVAL_MS);
  const now = options.now ?? (() => performance.now());
  let last = Number.NEGATIVE_INFINITY;
  let key = '';
  let drawn: string | undefined;
  const finished = (e: ProgressEvent) =>
    e.kind === 'step' ? e.done : e.kind === 'write' ? e.spansAcknowledged + e.errors >= e.spansTarget : false;
  return {
    update: (e) => {
      const k = phaseKey(e);
      const t = now();
      if (k === key && t - last < interval && !finished(e)) return;
      key = k;
      last = t;
      const line = formatProgress(e);
      if (tty) {
        output.write(`\r\x1b[2K${line}`);
        drawn = line;
      } else {
        output.write(`${line}\n`);
      }
    },
    print(text) {
      if (tty && drawn !== undefined) {
        output.write(`\r\x1b[2K${text}${text.endsWith('\n') ? '' : '\n'}${drawn}`);
      } else output.write(text);
    },
    end() {
      if (tty && drawn !== undefined) output.write('\n');
      drawn = undefined;
      key = '';
    },
  };
}

/** What a phase hands its progress to: events (throttled) to `onProgress` and, when shown, to a renderer. */
export interface ProgressSink<E> {
  update(p: E, force?: boolean): void;
  end(): void;
}

/**
 * A phase's sink: events at most every {@link PROGRESS_INTERVAL_MS} (or when forced) to `onProgress`, and drawn on
 * `stream` when `show` is true (plain lines off a terminal) or `'auto'` and the stream is a terminal.
 */
function sink<E extends WorkloadProgress>(
  show: boolean | 'auto',
  onProgress: ((e: WorkloadProgress) => void) | undefined,
  stream: ProgressOutput,
): ProgressSink<E> {
  const visible = show === true || (show === 'auto' && stream.isTTY === true);
  const renderer = visible ? createProgressRenderer(stream) : undefined;
  let last = Number.NEGATIVE_INFINITY;
  return {
    update(e, force = false) {
      const t = performance.now();
      if (!force && t - last < PROGRESS_INTERVAL_MS) return;
      last = t;
      onProgress?.(e);
      renderer?.update(e);
    },
    end() {
      renderer?.end();
    },
  };
}

/** A write phase's progress (the writer adds model and repeats). */
export function createProgress(
  model: Model,
  repeats: number,
  show: boolean | 'auto',
  onProgress: ((e: WorkloadProgress) => void) | undefined,
  stream: ProgressOutput = process.stderr,
): ProgressSink<Omit<WriteProgress, 'kind' | 'model' | 'repeats'>> {
  const s = sink<WriteProgress>(show, onProgress, stream);
  return {
    update: (p, force) => s.update({ kind: 'write', model, repeats, ...p }, force),
    end: () => s.end(),
  };
}

/** A query repeat's progress: call `at(patternsDone, pattern, iterationsDone)` as it goes, `end()` after. */
export function createQueryProgress(
  model: Model,
  repeat: number,
  options: {
    repeats: number;
    queryIterations: number;
    progress: boolean | 'auto';
    onProgress: ((e: WorkloadProgress) => void) | undefined;
  },
  patterns: number,
  stream: ProgressOutput = process.stderr,
): { at(patternsDone: number, pattern: string, iterationsDone: number, force?: boolean): void; end(): void } {
  const s = sink<QueryProgress>(options.progress, options.onProgress, stream);
  const start = performance.now();
  return {
    at(patternsDone, pattern, iterationsDone, force = false) {
      const elapsedMs = performance.now() - start;
      // Time per pattern so far (finished patterns plus the running one's share of its iterations).
      const done = patternsDone + (options.queryIterations > 0 ? iterationsDone / options.queryIterations : 0);
      const etaMs = patternsDone > 0 && done > 0 ? (elapsedMs / done) * Math.max(0, patterns - done) : undefined;
      s.update(
        {
          kind: 'query',
          model,
          repeat,
          repeats: options.repeats,
          pattern,
          patternsDone,
          patterns,
          iterationsDone,
          iterations: options.queryIterations,
          elapsedMs,
          etaMs,
        },
        force,
      );
    },
    end: () => s.end(),
  };
}

/** A step that ends within this long sends no event at all (a server that answers at once is no wait), ms. */
export const STEP_QUIET_MS = 1_000;

/**
 * Runs `work` and, while it runs, sends a {@link StepProgress} for `what` every `everyMs`: the first after
 * {@link STEP_QUIET_MS}, a `done` one at the end (also when it fails) when any was sent. For waits that otherwise show
 * nothing: health checks, containers starting, teardown.
 */
export async function trackStep<T>(
  what: string,
  onProgress: ((e: StepProgress) => void) | undefined,
  work: () => Promise<T>,
  options: { timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  if (!onProgress) return work();
  const start = performance.now();
  let sent = false;
  const emit = (done: boolean) => {
    sent = true;
    onProgress({
      kind: 'step',
      what,
      elapsedMs: performance.now() - start,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      done,
    });
  };
  let timer: NodeJS.Timeout | undefined;
  const first = setTimeout(() => {
    emit(false);
    timer = setInterval(() => emit(false), options.everyMs ?? 1_000);
  }, STEP_QUIET_MS);
  try {
    return await work();
  } finally {
    clearTimeout(first);
    if (timer) clearInterval(timer);
    if (sent) emit(true);
  }
}
