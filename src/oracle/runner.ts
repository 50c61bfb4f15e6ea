/**
 * QueryRunner: runs the pattern catalogue against one model and checks every answer against the generator's ground
 * truth. It knows nothing of the model: requests, answer reading and answer checks come from the model's
 * {@link QueryModel}.
 */
import { AbortedError, BanyanDBPerfError, OptionsError, PhaseFailedError } from '../errors.js';
import { type Span, SpanGenerator } from '../generator/generator.js';
import { LatencyRecorder } from '../metrics/latency.js';
import type { Model, QueryMismatch, QueryPatternResult } from '../results.js';
import { answerBytes, type QueryAnswer } from './answer.js';
import { buildPatterns, type ConcretePattern, PATTERN_INFO, type QueryPatternInfo } from './catalogue.js';
import { checkValues } from './checks.js';
import { collectFacts } from './facts.js';
import type { QueryModel, QueryModelFactory } from './query-model.js';
import { computeGroundTruth, type GroundTruth, GroundTruthStore, type TruthEntry } from './truth.js';
import type { OracleOptions, QueryClient } from './types.js';

/** Answer of one pattern kept for the cross-model comparison. */
export interface PatternAnswerRecord {
  /** Trace ids answered (stream: distinct trace ids of the returned spans). */
  traceIds: Set<string>;
  /** True when the ground truth exceeded the query limit, so the answer is a subset. */
  truncated: boolean;
}

/** How a {@link QueryRunner} is wired. */
export interface QueryRunnerConfig {
  client: QueryClient;
  /** The model's query side. */
  model: QueryModelFactory;
  resource: { group: string; name: string };
  options: OracleOptions;
  /** Spans written so far (the written prefix of the span stream that ground truth is computed from). */
  writtenSpans: () => number;
  /**
   * Where ground truths are computed and kept; pass one store to runners over the same data to compute it once.
   * @default a store of this runner's own
   */
  truth?: GroundTruthStore;
  /**
   * Progress of each query repeat: called once per repeat with its index and pattern count; the observer hears of
   * every pattern and timed execution as they run.
   * @default none
   */
  observe?: (repeat: number, patterns: number) => QueryObserver;
  /**
   * Aborts when the model's server is known to have failed (e.g. its container exited; the reason says so): the
   * query in flight is cancelled and the runner gives up at once (`SERVER_FAILED`); every pattern not run since is
   * reported as `skipped`.
   * @default none
   */
  serverFailed?: AbortSignal;
}

/** Hears how a query repeat advances (see {@link QueryRunnerConfig.observe}). */
export interface QueryObserver {
  /** `patternsDone` patterns finished; `pattern` runs now, `iterationsDone` of its timed executions finished. */
  at(patternsDone: number, pattern: string, iterationsDone: number, force?: boolean): void;
  end(): void;
}

const NO_OBSERVER: QueryObserver = { at: () => {}, end: () => {} };

/** Deadline of one query when the options do not say, ms. */
const QUERY_TIMEOUT_MS = 20_000;
/** Queries failing in a row before the runner gives up, when the options do not say. */
const MAX_FAILED_QUERIES = 3;

function prefix<T>(it: Iterable<T>, n: number): Iterable<T> {
  return {
    *[Symbol.iterator]() {
      if (n <= 0) return;
      let i = 0;
      for (const x of it) {
        yield x;
        if (++i >= n) return;
      }
    },
  };
}

export class QueryRunner {
  readonly model: Model;
  /** The query patterns (same list on both models; a model that cannot answer one reports it as `n/a`). */
  readonly patterns: QueryPatternInfo[] = PATTERN_INFO.map((p) => ({ ...p }));
  readonly #options: OracleOptions;
  readonly #queries: QueryModel;
  readonly #writtenSpans: () => number;
  readonly #store: GroundTruthStore;
  readonly #observe: QueryRunnerConfig['observe'];
  #truth: TruthEntry | undefined;
  readonly #answers = new Map<string, PatternAnswerRecord>();
  /** Regenerated traces (with payloads) that trace-by-id answers are read back against, by trace index. */
  readonly #writtenTraces = new Map<number, Map<string, Span>>();
  #payloadGenerator: SpanGenerator | undefined;
  #failure: PhaseFailedError | undefined;
  /** Why the runner skips everything (its own failure, or the model's writes giving up: see {@link skipAll}). */
  #skipReason: string | undefined;
  #failedInARow = 0;
  readonly #server: string;
  readonly #serverFailed: AbortSignal | undefined;

  constructor(config: QueryRunnerConfig) {
    this.#serverFailed = config.serverFailed;
    const a = (config.client as { address?: unknown }).address;
    this.#server = typeof a === 'string' ? a : 'unknown';
    this.#options = config.options;
    this.#queries = config.model(config.client, config.resource);
    this.model = this.#queries.model;
    this.#writtenSpans = config.writtenSpans;
    this.#store = config.truth ?? new GroundTruthStore();
    this.#observe = config.observe;
  }

  /** Cross-model record of each pattern's first checked answer. */
  get answers(): ReadonlyMap<string, PatternAnswerRecord> {
    return this.#answers;
  }

  /**
   * Set when this model's query phase gave up on the server: `maxFailedQueries` queries failed in a row
   * (`QUERY_FAILING`), or the server is known to have failed (`SERVER_FAILED`). Every pattern not run since is
   * reported with status `skipped`.
   */
  get failure(): PhaseFailedError | undefined {
    return this.#failure;
  }

  /** From now on, report every pattern as `skipped` with this reason and send nothing (e.g. the model's writes gave up). */
  skipAll(reason: string): void {
    this.#skipReason ??= reason;
  }

  /** Gives up on a server known to have failed (once; nothing else skipped the runner before): SERVER_FAILED. */
  #giveUpOnServer(): PhaseFailedError | undefined {
    if (this.#skipReason !== undefined || this.#failure) return this.#failure;
    const reason: unknown = this.#serverFailed?.reason;
    const text = (reason instanceof Error ? reason.message : String(reason ?? 'unknown')).split('\n')[0];
    const lastStatus = (reason as { code?: unknown } | undefined)?.code?.toString() ?? 'SERVER_FAILED';
    this.#failure = new PhaseFailedError(
      'SERVER_FAILED',
      `${this.model} query phase gave up on ${this.#server}: the server failed: ${text}; last status ${lastStatus}`,
      { model: this.model, phase: 'query', server: this.#server, lastStatus },
      { cause: reason },
    );
    this.skipAll(this.#failure.message);
    return this.#failure;
  }

  #generator(includePayload: boolean): SpanGenerator {
    const o = this.#options;
    return new SpanGenerator({
      seed: o.seed,
      scale: o.scale,
      endTimeMs: o.endTimeMs,
      includePayload,
      ...(o.payloadBytes !== undefined ? { payloadBytes: o.payloadBytes } : {}),
    });
  }

  /** The spans of trace `index` as the generator wrote them, payloads included (copied: they outlive the generator's slabs). */
  #writtenTrace(index: number): ReadonlyMap<string, Span> {
    let spans = this.#writtenTraces.get(index);
    if (!spans) {
      this.#payloadGenerator ??= this.#generator(true);
      spans = new Map();
      for (const sp of this.#payloadGenerator.traceAt(index)) {
        spans.set(sp.spanId, { ...sp, dataBinary: Uint8Array.from(sp.dataBinary) });
      }
      this.#writtenTraces.set(index, spans);
    }
    return spans;
  }

  /**
   * Ground truth of the written prefix (two passes over the generator without payloads, yielding to the event loop
   * and honouring the abort signal), computed once per written length and shared through the store.
   */
  async #ensureTruth(): Promise<TruthEntry> {
    const written = this.#writtenSpans();
    if (this.#truth && this.#truth.written === written) return this.#truth;
    const o = this.#options;
    const key = {
      seed: o.seed,
      scale: o.scale,
      endTimeMs: o.endTimeMs,
      written,
      maxQuerySpans: o.maxQuerySpans,
      maxQueryTraces: o.maxQueryTraces,
    };
    this.#truth = await this.#store.get(key, async () => {
      const spans = () => prefix(this.#generator(false).spans(), written);
      const facts = await collectFacts(spans(), o.signal);
      const patterns = buildPatterns(facts);
      const truth = await computeGroundTruth(spans(), patterns, facts, o.maxQuerySpans, o.maxQueryTraces, o.signal);
      return { written, facts, patterns, truth };
    });
    return this.#truth;
  }

  #selected(entry: TruthEntry, names: string[] | undefined): ConcretePattern[] {
    const { patterns } = entry;
    if (!names) return patterns;
    return names.map((n) => {
      const p = patterns.find((x) => x.name === n);
      if (!p) {
        throw new OptionsError(
          'patterns',
          `unknown query pattern ${JSON.stringify(n)}; expected one of ${patterns.map((x) => x.name).join(', ')}`,
        );
      }
      return p;
    });
  }

  #plan(entry: TruthEntry, p: ConcretePattern) {
    return this.#queries.plan(p, entry.truth.get(p.name) as GroundTruth, entry, this.#options);
  }

  /**
   * Runs one pattern once and returns the number of spans returned (for external timing, e.g. mitata).
   * @throws {@link BanyanDBPerfError} when the pattern is unknown or the model cannot answer it (`n/a`).
   */
  async queryOnce(pattern: string): Promise<number> {
    await this.#queries.prepare();
    const entry = await this.#ensureTruth();
    const [p] = this.#selected(entry, [pattern]);
    const r = this.#plan(entry, p as ConcretePattern);
    if ('na' in r) throw new BanyanDBPerfError('FAILED_PRECONDITION', `${this.model} model cannot answer ${pattern}: ${r.na}`);
    return (await r.run(this.#options.signal)).spans.length;
  }

  /** Runs every selected pattern `queryIterations` times, for each of the `repeats` repeats. */
  async query(patterns?: string[]): Promise<QueryPatternResult[][]> {
    const out: QueryPatternResult[][] = [];
    for (let i = 0; i < this.#options.repeats; i++) {
      if (this.#options.signal?.aborted) break;
      const rep = await this.queryRepeat(i, patterns);
      if (rep.length === 0 && this.#options.signal?.aborted) break;
      out.push(rep);
    }
    return out;
  }

  /** One query repeat: every selected pattern, `queryIterations` timed executions each, answers checked. */
  async queryRepeat(index: number, patterns?: string[]): Promise<QueryPatternResult[]> {
    const progress = this.#observe?.(index, patterns?.length ?? this.patterns.length) ?? NO_OBSERVER;
    try {
      return await this.#queryRepeat(index, patterns, progress);
    } finally {
      progress.end();
    }
  }

  async #queryRepeat(index: number, patterns: string[] | undefined, progress: QueryObserver): Promise<QueryPatternResult[]> {
    progress.at(0, 'ground truth', 0, true);
    await this.#queries.prepare();
    let entry: TruthEntry;
    try {
      entry = await this.#ensureTruth();
    } catch (err) {
      if (err instanceof AbortedError) return [];
      throw err;
    }
    const selected = this.#selected(entry, patterns);
    const results: QueryPatternResult[] = [];
    const signal = this.#options.signal;
    const timeoutMs = this.#options.queryTimeoutMs ?? QUERY_TIMEOUT_MS;
    const serverFailed = this.#serverFailed;
    for (const p of selected) {
      if (signal?.aborted) break;
      if (serverFailed?.aborted) this.#giveUpOnServer();
      progress.at(results.length, p.name, 0, true);
      const base = { pattern: p.name, description: p.description, model: this.model };
      if (this.#skipReason !== undefined) {
        results.push({ ...base, status: 'skipped', reason: this.#skipReason, iterations: 0, mismatches: [] });
        continue;
      }
      const r = this.#plan(entry, p);
      if ('na' in r) {
        results.push({ ...base, status: 'n/a', reason: r.na, iterations: 0, mismatches: [] });
        continue;
      }
      const latency = new LatencyRecorder();
      const mismatches: QueryMismatch[] = [];
      let spansTotal = 0;
      let tracesTotal = 0;
      let bytesTotal = 0;
      let done = 0;
      let firstSize: number | undefined;
      let error: string | undefined;
      let lastStatus: string | undefined;
      let lastError: unknown;
      const t0 = performance.now();
      const startMs = Date.now();
      for (let it = 0; it < this.#options.queryIterations; it++) {
        if (signal?.aborted) break;
        const s = performance.now();
        let answer: QueryAnswer;
        // Each query has its own deadline, so a server that stops answering fails the query instead of hanging.
        const deadline = AbortSignal.timeout(timeoutMs);
        try {
          answer = await r.run(AbortSignal.any([deadline, ...(signal ? [signal] : []), ...(serverFailed ? [serverFailed] : [])]));
        } catch (err) {
          if (signal?.aborted) break;
          if (serverFailed?.aborted) {
            // The server died under this query: it failed, and everything after it is skipped.
            const f = this.#giveUpOnServer();
            error = f?.message ?? 'SERVER_FAILED';
            lastStatus = f?.lastStatus;
          } else if (deadline.aborted) {
            error = `DEADLINE_EXCEEDED: no answer within the query timeout (${timeoutMs} ms)`;
            lastStatus = 'DEADLINE_EXCEEDED';
          } else if (err instanceof AbortedError) break;
          else {
            error = err instanceof Error ? err.message : String(err);
            lastStatus = BanyanDBPerfError.from(err).code;
          }
          lastError = err;
          break;
        }
        latency.record(performance.now() - s);
        done++;
        progress.at(results.length, p.name, done);
        spansTotal += answer.spans.length;
        tracesTotal += answer.traceIds.length;
        bytesTotal += answerBytes(answer);
        if (firstSize === undefined) {
          firstSize = answer.spans.length;
          const findings = r.check(answer);
          if (p.traceIndex !== undefined && p.traceIndex >= 0) {
            findings.push(...checkValues(answer, this.#writtenTrace(p.traceIndex), true));
          }
          for (const f of findings) mismatches.push({ pattern: p.name, model: this.model, against: 'ground-truth', ...f });
          if (index === 0 || !this.#answers.has(p.name)) {
            this.#answers.set(p.name, { traceIds: new Set(answer.traceIds), truncated: r.truncated });
          }
        } else if (answer.spans.length !== firstSize) {
          mismatches.push({
            pattern: p.name,
            model: this.model,
            against: 'ground-truth',
            what: `spans returned by iteration ${it + 1} vs iteration 1`,
            expected: String(firstSize),
            actual: String(answer.spans.length),
          });
        }
      }
      const wallSec = (performance.now() - t0) / 1000;
      const sized =
        done > 0
          ? {
              answer: { spans: spansTotal / done, traces: tracesTotal / done, bytes: bytesTotal / done },
              capped: r.truncated,
              window: { startMs, endMs: Date.now() },
            }
          : {};
      if (done === 0 && error === undefined) break; // aborted before any answer: no figures to report
      if (error !== undefined) {
        results.push({
          ...base,
          status: 'error',
          reason: error,
          iterations: done,
          ...(done > 0 ? { latency: latency.summary(), meanResultSpans: spansTotal / done } : {}),
          ...sized,
          mismatches,
        });
        const max = this.#options.maxFailedQueries ?? MAX_FAILED_QUERIES;
        if (++this.#failedInARow >= max && !this.#failure) {
          this.#failure = new PhaseFailedError(
            'QUERY_FAILING',
            `${this.model} query phase gave up on ${this.#server}: ${this.#failedInARow} queries in a row failed; last status ${lastStatus ?? 'unknown'}`,
            { model: this.model, phase: 'query', server: this.#server, lastStatus },
            { cause: lastError },
          );
          this.skipAll(this.#failure.message);
        }
        continue;
      }
      this.#failedInARow = 0;
      results.push({
        ...base,
        status: 'ok',
        iterations: done,
        latency: latency.summary(),
        queriesPerSec: wallSec > 0 ? done / wallSec : 0,
        meanResultSpans: done > 0 ? spansTotal / done : 0,
        ...sized,
        mismatches,
      });
    }
    return results;
  }
}
