/**
 * The mixed phase: queries while data is being written, as BanyanDB's own published benchmarks measure it. For each
 * model in turn: a warm-up of a fixed number of spans, then for `durationMs` writes at a fixed rate (open loop,
 * latency from each batch's intended start) while a seeded query schedule runs at its own fixed rate (open loop,
 * at most `queryConcurrency` in flight). Both models get the same span stream, timed the same, and the same query
 * schedule. Every answer is checked against what had been acknowledged before the query was sent; an ingest probe
 * measures how long an acknowledged span takes to become visible to a query.
 *
 * Spans are stamped with the wall clock at their batch's intended send time (a trace keeps its internal offsets), so
 * "the last 15 minutes" is relative to the ingest clock, as it is for a live SkyWalking. Run it on groups that hold
 * no other data in that window (a run's own namespace).
 */
import { performance } from 'node:perf_hooks';
import { BanyanDBPerfError, OptionsError } from '../errors.js';
import { MAX_PAYLOAD_BYTES, MIN_PAYLOAD_BYTES, SpanGenerator } from '../generator/generator.js';
import { resolveScale, type Scale } from '../generator/scale.js';
import { LatencyRecorder } from '../metrics/latency.js';
import { checkOptionKeys, optionKeys } from '../options-check.js';
import type { LatencySummary, Model } from '../results.js';
import type { WorkloadClient, WorkloadSpan } from '../workload/model.js';
import { streamAdapter, traceAdapter } from '../workload/model.js';
import { type IngestSpan, IngestTruth } from './ingest-truth.js';
import {
  checkMixedAnswer,
  MIXED_QUERY_INFO,
  MIXED_QUERY_KINDS,
  type MixedAnswer,
  type MixedQuery,
  type MixedQueryKind,
  type ScheduledQuery,
  streamRequest,
  traceRequest,
} from './queries.js';

/** Options of {@link runMixed}. Every field is optional; defaults in the TSDoc. */
export interface MixedOptions {
  /** Measured time per model, after the warm-up. @default 30000 */
  durationMs?: number;
  /** Spans written before measuring (same count for both models; not in any figure). @default 1000 */
  warmupSpans?: number;
  /** Write rate, spans per second (open loop). @default 1000 */
  writeRatePerSec?: number;
  /** Spans per write batch. @default 50 */
  batchSize?: number;
  /** Most write batches in flight; a batch due while the limit is reached waits (and its latency shows it). @default 8 */
  maxWritesInFlight?: number;
  /** Query rate, queries per second (open loop). @default 20 */
  queryRatePerSec?: number;
  /** Most queries in flight (BanyanDB's own benchmarks run 50 clients). @default 50 */
  queryConcurrency?: number;
  /** Weights of the query kinds. @default { 'recent-service': 4, 'recent-errors': 1, 'recent-slow': 1, 'trace-by-id': 4 } */
  mix?: Partial<Record<MixedQueryKind, number>>;
  /** The list queries' time window, ending at the ingest clock. @default 900000 (15 minutes) */
  windowMs?: number;
  /** recent-slow: the latency threshold. @default 500 */
  slowThresholdMs?: number;
  /**
   * After the measured phase, the same query schedule runs this long with no writes, for the contrast "how much the
   * writes slow the queries" (0: none).
   * @default 10000 (at most `durationMs`)
   */
  quietMs?: number;
  /** Time between ingest-lag probes. @default 250 */
  lagProbeEveryMs?: number;
  /** A probed span not visible after this long counts as not visible. @default 10000 */
  lagTimeoutMs?: number;
  /** Time one write batch or query may take. @default 10000 */
  requestTimeoutMs?: number;
  /** Seed of the spans and of the query schedule. @default 42 */
  seed?: number;
  /** Span payload size, bytes. @default the generator's (~9.6 KB) */
  payloadBytes?: number;
  /** Services and instances of the generated data (the span and trace counts are set by the rate and duration). @default the `small` scale's */
  scale?: Pick<Scale, 'services' | 'instances'>;
  /** Model order. @default ['stream', 'trace'] */
  order?: Model[];
  signal?: AbortSignal;
}

export type ResolvedMixedOptions = Required<Omit<MixedOptions, 'payloadBytes' | 'signal' | 'mix' | 'scale'>> & {
  payloadBytes: number | undefined;
  signal: AbortSignal | undefined;
  mix: Record<MixedQueryKind, number>;
  scale: Pick<Scale, 'services' | 'instances'>;
};

export const MIXED_DEFAULTS = {
  durationMs: 30_000,
  warmupSpans: 1_000,
  writeRatePerSec: 1_000,
  batchSize: 50,
  maxWritesInFlight: 8,
  queryRatePerSec: 20,
  queryConcurrency: 50,
  mix: { 'recent-service': 4, 'recent-errors': 1, 'recent-slow': 1, 'trace-by-id': 4 } as Record<MixedQueryKind, number>,
  windowMs: 15 * 60_000,
  slowThresholdMs: 500,
  quietMs: 10_000,
  lagProbeEveryMs: 250,
  lagTimeoutMs: 10_000,
  requestTimeoutMs: 10_000,
  seed: 42,
  order: ['stream', 'trace'] as Model[],
} as const;

const POSITIVE_INT_KEYS = [
  'durationMs',
  'batchSize',
  'maxWritesInFlight',
  'queryConcurrency',
  'windowMs',
  'slowThresholdMs',
  'lagProbeEveryMs',
  'lagTimeoutMs',
  'requestTimeoutMs',
] as const;
const MIXED_OPTION_KEYS = optionKeys<MixedOptions>({
  durationMs: true,
  warmupSpans: true,
  writeRatePerSec: true,
  batchSize: true,
  maxWritesInFlight: true,
  queryRatePerSec: true,
  queryConcurrency: true,
  mix: true,
  windowMs: true,
  slowThresholdMs: true,
  quietMs: true,
  lagProbeEveryMs: true,
  lagTimeoutMs: true,
  requestTimeoutMs: true,
  seed: true,
  payloadBytes: true,
  scale: true,
  order: true,
  signal: true,
});

/** Resolves and checks mixed-phase options once; names the option and what was expected. */
export function resolveMixedOptions(options: MixedOptions = {}): ResolvedMixedOptions {
  checkOptionKeys(options, MIXED_OPTION_KEYS, 'the mixed phase (runMixed(), mixed: of runComparison())');
  const o = { ...MIXED_DEFAULTS, ...options } as MixedOptions & typeof MIXED_DEFAULTS;
  for (const key of POSITIVE_INT_KEYS) {
    const v = o[key];
    if (!Number.isSafeInteger(v) || (v as number) <= 0)
      throw new OptionsError(key, `mixed.${key}: expected a positive integer, got ${String(v)}`);
  }
  if (
    o.payloadBytes !== undefined &&
    (!Number.isSafeInteger(o.payloadBytes) || o.payloadBytes < MIN_PAYLOAD_BYTES || o.payloadBytes > MAX_PAYLOAD_BYTES)
  ) {
    throw new OptionsError(
      'payloadBytes',
      `mixed.payloadBytes: expected an integer between ${MIN_PAYLOAD_BYTES} and ${MAX_PAYLOAD_BYTES}, got ${String(o.payloadBytes)}`,
    );
  }
  if (!Number.isSafeInteger(o.quietMs) || o.quietMs < 0) {
    throw new OptionsError('quietMs', `mixed.quietMs: expected an integer >= 0, got ${String(o.quietMs)}`);
  }
  if (!Number.isSafeInteger(o.warmupSpans) || o.warmupSpans < 0) {
    throw new OptionsError('warmupSpans', `mixed.warmupSpans: expected an integer >= 0, got ${String(o.warmupSpans)}`);
  }
  for (const key of ['writeRatePerSec', 'queryRatePerSec'] as const) {
    if (typeof o[key] !== 'number' || !Number.isFinite(o[key]) || o[key] <= 0) {
      throw new OptionsError(key, `mixed.${key}: expected a positive number, got ${String(o[key])}`);
    }
  }
  const mix = { ...MIXED_DEFAULTS.mix };
  for (const [kind, w] of Object.entries(options.mix ?? {})) {
    if (!(MIXED_QUERY_KINDS as readonly string[]).includes(kind)) {
      throw new OptionsError(`mix.${kind}`, `mixed.mix: unknown query kind \`${kind}\`; expected one of ${MIXED_QUERY_KINDS.join(', ')}`);
    }
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0)
      throw new OptionsError(`mix.${kind}`, `mixed.mix.${kind}: expected a weight >= 0, got ${String(w)}`);
    mix[kind as MixedQueryKind] = w;
  }
  if (Object.values(mix).every((w) => w === 0)) throw new OptionsError('mix', 'mixed.mix: at least one query kind needs a weight above 0');
  const order = o.order;
  if (
    !Array.isArray(order) ||
    order.length === 0 ||
    order.some((m) => m !== 'stream' && m !== 'trace') ||
    new Set(order).size !== order.length
  ) {
    throw new OptionsError('order', `mixed.order: expected distinct models out of stream, trace, got ${JSON.stringify(order)}`);
  }
  const small = resolveScale('small');
  return {
    durationMs: o.durationMs,
    warmupSpans: o.warmupSpans,
    writeRatePerSec: o.writeRatePerSec,
    batchSize: o.batchSize,
    maxWritesInFlight: o.maxWritesInFlight,
    queryRatePerSec: o.queryRatePerSec,
    queryConcurrency: o.queryConcurrency,
    mix,
    windowMs: o.windowMs,
    slowThresholdMs: o.slowThresholdMs,
    quietMs: Math.min(o.quietMs, o.durationMs),
    lagProbeEveryMs: o.lagProbeEveryMs,
    lagTimeoutMs: o.lagTimeoutMs,
    requestTimeoutMs: o.requestTimeoutMs,
    seed: o.seed,
    payloadBytes: o.payloadBytes,
    scale: o.scale ?? { services: small.services, instances: small.instances },
    order: [...order],
    signal: o.signal,
  };
}

/** Latency figures as BanyanDB's benchmark reports give them. */
export type MixedLatency = LatencySummary & { p98Ms: number };

/** One query kind's figures on one model under write load. */
export interface MixedQueryFigures {
  kind: MixedQueryKind;
  description: string;
  /** Queries sent. */
  count: number;
  /** Queries that failed (an error status or a time-out). */
  errors: number;
  /** Answers that failed the check under ingest. */
  mismatches: number;
  /** The first failed check or error, for the report. */
  firstProblem?: string;
  /** From each query's intended start to its answer (open loop). */
  latency: MixedLatency;
  /** Mean spans per answer, and bytes per answer (the span payloads a trace answer carries included). */
  meanAnswerSpans: number;
  meanAnswerBytes: number;
  /**
   * The same kind in the quiet pass (the same schedule, no writes, right after): the contrast "how much the writes
   * slow this query". Absent with `quietMs: 0`.
   */
  alone?: { count: number; errors: number; mismatches: number; latency: MixedLatency };
}

/** One model's mixed-phase figures. */
export interface MixedModelResult {
  model: Model;
  /** True when something failed: a failed write batch, a failed query or a wrong answer. */
  partial: boolean;
  wallClockMs: number;
  warmupSpans: number;
  write: {
    targetSpansPerSec: number;
    spansSent: number;
    spansAcknowledged: number;
    /** Acknowledged spans per second of wall-clock time. */
    spansPerSec: number;
    batches: number;
    failedBatches: number;
    errorsByStatus: Record<string, number>;
    /** From each batch's intended start to its last acknowledgement. */
    batchLatency: MixedLatency;
    /**
     * The warm-up's batches: the same rate and batch size with no query running, the contrast "how much the
     * queries slow the writes" (few batches, and the first writes to fresh groups).
     */
    warmupBatchLatency: MixedLatency;
  };
  queries: MixedQueryFigures[];
  /** Ingest-to-queryable lag: from a span's acknowledgement until a query first found it. */
  lag: { probes: number; visible: number; notVisible: number; timeoutMs: number; latency: MixedLatency };
}

/** The mixed phase of both models. */
export interface MixedResult {
  options: Omit<ResolvedMixedOptions, 'signal'>;
  /** In the order they ran. */
  models: MixedModelResult[];
  /** The namespace its groups were created in (runMixedInNamespace, runComparison). */
  namespace?: string;
  /** Why the phase did not run, or stopped: then `models` holds what was done (runComparison). */
  skipped?: string;
}

/** Where one model's mixed phase writes and reads. */
export interface MixedTarget {
  client: WorkloadClient;
  group: string;
  name: string;
  /** trace model: the time-ordered tree index rule. @default 'time_based_index' */
  timeRule?: string;
}

function latencyOf(r: LatencyRecorder): MixedLatency {
  return { ...r.summary(), p98Ms: r.percentile(98) };
}

/** The query schedule both models get: seeded, evenly spaced at the query rate, kinds drawn by weight. */
export function mixedSchedule(o: ResolvedMixedOptions): ScheduledQuery[] {
  let state = (o.seed ^ 0x9e3779b9) >>> 0 || 1;
  const rand = (): number => {
    // xorshift32: small, seeded, the same on every platform.
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
  const kinds = MIXED_QUERY_KINDS.filter((k) => o.mix[k] > 0);
  const total = kinds.reduce((s, k) => s + o.mix[k], 0);
  const out: ScheduledQuery[] = [];
  const every = 1000 / o.queryRatePerSec;
  for (let at = every / 2; at < o.durationMs; at += every) {
    let r = rand() * total;
    let kind = kinds[kinds.length - 1] as MixedQueryKind;
    for (const k of kinds) {
      r -= o.mix[k];
      if (r < 0) {
        kind = k;
        break;
      }
    }
    out.push({ atMs: Math.round(at), kind, serviceRank: Math.floor(rand() * Math.min(5, o.scale.services)), pick: rand() });
  }
  return out;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (ms <= 0) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

function readAnswer(model: Model, res: unknown): MixedAnswer {
  const rows: MixedAnswer['rows'] = [];
  let spans = 0;
  let bytes = 0;
  if (model === 'stream') {
    for (const e of (res as { elements?: { tagFamilies?: { tags?: { key?: string; value?: unknown }[] }[] }[] }).elements ?? []) {
      let spanId = '';
      let traceId = '';
      for (const f of e.tagFamilies ?? []) {
        for (const t of f.tags ?? []) {
          const v = t.value as { str?: { value?: string } } | undefined;
          if (t.key === 'spanId') spanId = v?.str?.value ?? '';
          if (t.key === 'traceId') traceId = v?.str?.value ?? '';
        }
      }
      rows.push({ traceId, spanIds: [spanId] });
      spans++;
      bytes += spanId.length + traceId.length;
    }
  } else {
    for (const t of (res as { traces?: { traceId?: string; spans?: { spanId?: string; span?: Uint8Array }[] }[] }).traces ?? []) {
      const ids = (t.spans ?? []).map((s) => s.spanId ?? '');
      for (const s of t.spans ?? []) bytes += (s.span?.byteLength ?? 0) + (s.spanId?.length ?? 0);
      rows.push({ traceId: t.traceId ?? '', spanIds: ids });
      spans += ids.length;
    }
  }
  return { rows, spans, bytes };
}

/** Runs one model's mixed phase. */
export async function runMixedModel(
  model: Model,
  target: MixedTarget,
  o: ResolvedMixedOptions,
  schedule: readonly ScheduledQuery[],
): Promise<MixedModelResult> {
  const adapter = model === 'stream' ? streamAdapter(target.group, target.name) : traceAdapter(target.group, target.name);
  const client = target.client;
  const timeRule = target.timeRule ?? 'time_based_index';
  const truth = new IngestTruth();
  const services = Array.from({ length: o.scale.services }, (_, i) => `service_${i}`);
  const measuredSpans = Math.ceil((o.writeRatePerSec * o.durationMs) / 1000);
  const totalSpans = o.warmupSpans + measuredSpans + o.batchSize;
  const gen = new SpanGenerator({
    seed: o.seed,
    scale: {
      name: 'mixed',
      spans: totalSpans,
      traces: totalSpans,
      services: o.scale.services,
      instances: o.scale.instances,
      timeRangeMs: 3_600_000,
    },
    endTimeMs: Math.floor(Date.now() / 1000) * 1000,
    ...(o.payloadBytes !== undefined ? { payloadBytes: o.payloadBytes } : {}),
  });
  const spans = gen.spans();
  let traceShift: { traceId: string; deltaMs: number } | undefined;
  const nextBatch = (wallMs: number): WorkloadSpan[] => {
    const out: WorkloadSpan[] = [];
    while (out.length < o.batchSize) {
      const n = spans.next();
      if (n.done) break;
      const s = n.value;
      if (traceShift?.traceId !== s.traceId) traceShift = { traceId: s.traceId, deltaMs: wallMs - s.startTimeMs };
      out.push({ ...s, startTimeMs: s.startTimeMs + traceShift.deltaMs });
    }
    return out;
  };

  const errorsByStatus: Record<string, number> = {};
  const batchLatency = new LatencyRecorder();
  const warmupLatency = new LatencyRecorder();
  let spansSent = 0;
  let spansAcknowledged = 0;
  let batches = 0;
  let failedBatches = 0;
  let writesInFlight = 0;
  const writeSlots: (() => void)[] = [];
  const lag = new LatencyRecorder();
  let lagProbes = 0;
  let lagVisible = 0;
  let lagNotVisible = 0;
  let lastProbeAt = Number.NEGATIVE_INFINITY;
  const pending = new Set<Promise<void>>();
  const track = (p: Promise<void>): void => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  let measuring = false;

  const findSpan = async (traceId: string, spanId: string): Promise<boolean> => {
    const q: MixedQuery = { kind: 'trace-by-id', traceId, windowBeginMs: 0, windowEndMs: 0, slowThresholdMs: o.slowThresholdMs };
    const opts = { timeoutMs: o.requestTimeoutMs };
    const res =
      model === 'stream'
        ? await client.queryStream(streamRequest(q, target.group, target.name), opts)
        : await client.queryTrace(traceRequest(q, target.group, target.name, timeRule), opts);
    return readAnswer(model, res).rows.some((r) => r.spanIds.includes(spanId));
  };
  const probe = async (s: IngestSpan, ackedAtMs: number): Promise<void> => {
    lagProbes++;
    const deadline = ackedAtMs + o.lagTimeoutMs;
    for (;;) {
      try {
        if (await findSpan(s.traceId, s.spanId)) {
          lag.record(performance.now() - ackedAtMs);
          lagVisible++;
          return;
        }
      } catch {
        // A failed probe query is retried until the deadline; query errors are counted by the query mix.
      }
      if (performance.now() >= deadline || o.signal?.aborted) {
        lagNotVisible++;
        return;
      }
      await sleep(5, o.signal);
    }
  };

  const writeBatch = async (intendedMs: number): Promise<void> => {
    while (writesInFlight >= o.maxWritesInFlight) await new Promise<void>((r) => writeSlots.push(r));
    writesInFlight++;
    try {
      const batch = nextBatch(Math.floor(performance.timeOrigin + intendedMs));
      if (batch.length === 0) return;
      const facts: IngestSpan[] = batch.map((s) => ({
        traceId: s.traceId,
        spanId: s.spanId,
        serviceId: s.serviceId,
        startTimeMs: s.startTimeMs,
        latencyMs: s.latencyMs,
        isError: s.isError,
      }));
      const first = truth.sent(facts, performance.now());
      const counted = measuring;
      if (counted) {
        spansSent += batch.length;
        batches++;
      }
      try {
        const res = await adapter.write(
          client,
          batch.map((s) => adapter.toWriteRequest(s)),
          { timeoutMs: o.requestTimeoutMs, signal: o.signal },
        );
        const ackedAt = performance.now();
        // A partly rejected batch proves nothing about which of its spans are stored: none must be visible.
        const allAcked = res.acknowledged === batch.length;
        truth.acknowledged(first, batch.length, ackedAt, () => allAcked);
        if (!counted && res.acknowledged === batch.length) warmupLatency.record(ackedAt - intendedMs);
        if (counted) {
          spansAcknowledged += res.acknowledged;
          for (const [status, n] of Object.entries(res.statusCounts))
            if (status !== 'STATUS_SUCCEED') errorsByStatus[status] = (errorsByStatus[status] ?? 0) + n;
          if (res.acknowledged < batch.length) failedBatches++;
          batchLatency.record(ackedAt - intendedMs);
          if (ackedAt - lastProbeAt >= o.lagProbeEveryMs && allAcked) {
            lastProbeAt = ackedAt;
            const last = facts[facts.length - 1];
            if (last !== undefined) track(probe(last, ackedAt));
          }
        }
      } catch (err) {
        if (counted) {
          failedBatches++;
          const code = err instanceof BanyanDBPerfError ? err.code : 'ERROR';
          errorsByStatus[code] = (errorsByStatus[code] ?? 0) + batch.length;
          batchLatency.record(performance.now() - intendedMs);
        }
      }
    } finally {
      writesInFlight--;
      writeSlots.shift()?.();
    }
  };

  // Warm-up: a fixed number of spans at the write rate; no figure, no query.
  const batchEveryMs = (o.batchSize * 1000) / o.writeRatePerSec;
  const warmBatches = Math.ceil(o.warmupSpans / o.batchSize);
  const warmStart = performance.now();
  for (let k = 0; k < warmBatches && !o.signal?.aborted; k++) {
    const intended = warmStart + k * batchEveryMs;
    await sleep(intended - performance.now(), o.signal);
    track(writeBatch(intended));
  }
  await Promise.all([...pending]);

  // Measured: writes and the query schedule at once.
  type KindFigures = { rec: LatencyRecorder; f: MixedQueryFigures; spans: number; bytes: number };
  const newKindFigures = (): Map<MixedQueryKind, KindFigures> => {
    const perKind = new Map<MixedQueryKind, KindFigures>();
    for (const kind of MIXED_QUERY_KINDS) {
      perKind.set(kind, {
        rec: new LatencyRecorder(),
        spans: 0,
        bytes: 0,
        f: {
          kind,
          description: MIXED_QUERY_INFO[kind],
          count: 0,
          errors: 0,
          mismatches: 0,
          latency: latencyOf(new LatencyRecorder()),
          meanAnswerSpans: 0,
          meanAnswerBytes: 0,
        },
      });
    }
    return perKind;
  };
  const perKind = newKindFigures();
  // Where runQuery counts: the measured phase's figures, then the quiet pass's.
  let current = perKind;
  let queriesInFlight = 0;
  const querySlots: (() => void)[] = [];
  const runQuery = async (sq: ScheduledQuery, intendedMs: number): Promise<void> => {
    while (queriesInFlight >= o.queryConcurrency) await new Promise<void>((r) => querySlots.push(r));
    queriesInFlight++;
    const k = current.get(sq.kind);
    if (k === undefined) return;
    try {
      const sentAt = performance.now();
      const clock = Math.floor(performance.timeOrigin + sentAt);
      const q: MixedQuery = { kind: sq.kind, windowBeginMs: clock - o.windowMs, windowEndMs: clock, slowThresholdMs: o.slowThresholdMs };
      if (sq.kind === 'recent-service') q.serviceId = services[sq.serviceRank] ?? services[0];
      if (sq.kind === 'trace-by-id') {
        // A span acknowledged before now, picked by the schedule; its trace is the one opened.
        let i = Math.floor(sq.pick * truth.size);
        while (i > 0 && !truth.ackedBefore(i, sentAt)) i--;
        q.traceId = truth.spans[i]?.traceId ?? '';
      }
      k.f.count++;
      try {
        const opts = { timeoutMs: o.requestTimeoutMs };
        const res =
          model === 'stream'
            ? await client.queryStream(streamRequest(q, target.group, target.name), opts)
            : await client.queryTrace(traceRequest(q, target.group, target.name, timeRule), opts);
        const answeredAt = performance.now();
        k.rec.record(answeredAt - intendedMs);
        const answer = readAnswer(model, res);
        k.spans += answer.spans;
        k.bytes += answer.bytes;
        const problem = checkMixedAnswer(q, model, answer, truth, sentAt, answeredAt);
        if (problem !== undefined) {
          k.f.mismatches++;
          k.f.firstProblem ??= problem;
        }
      } catch (err) {
        k.rec.record(performance.now() - intendedMs);
        k.f.errors++;
        k.f.firstProblem ??= err instanceof Error ? err.message : String(err);
      }
    } finally {
      queriesInFlight--;
      querySlots.shift()?.();
    }
  };

  measuring = true;
  const t0 = performance.now();
  let nextWrite = 0;
  let nextQuery = 0;
  for (;;) {
    if (o.signal?.aborted) break;
    const writeAt = nextWrite * batchEveryMs;
    const queryAt = schedule[nextQuery]?.atMs ?? Number.POSITIVE_INFINITY;
    const at = Math.min(writeAt, queryAt);
    if (at >= o.durationMs) break;
    await sleep(t0 + at - performance.now(), o.signal);
    if (writeAt <= queryAt) {
      track(writeBatch(t0 + writeAt));
      nextWrite++;
    } else {
      const sq = schedule[nextQuery] as ScheduledQuery;
      track(runQuery(sq, t0 + sq.atMs));
      nextQuery++;
    }
  }
  while (pending.size > 0) await Promise.all([...pending]);
  const wallClockMs = performance.now() - t0;
  measuring = false;

  // The quiet pass: the same schedule's first `quietMs`, no writes, on the data just written.
  const quiet = newKindFigures();
  if (o.quietMs > 0 && !o.signal?.aborted) {
    current = quiet;
    const q0 = performance.now();
    for (const sq of schedule) {
      if (sq.atMs >= o.quietMs || o.signal?.aborted) break;
      await sleep(q0 + sq.atMs - performance.now(), o.signal);
      track(runQuery(sq, q0 + sq.atMs));
    }
    while (pending.size > 0) await Promise.all([...pending]);
  }

  const queries: MixedQueryFigures[] = [];
  for (const { rec, f, spans: nSpans, bytes } of perKind.values()) {
    if (f.count === 0) continue;
    const answered = f.count - f.errors;
    const alone = quiet.get(f.kind);
    queries.push({
      ...f,
      latency: latencyOf(rec),
      meanAnswerSpans: answered > 0 ? nSpans / answered : 0,
      meanAnswerBytes: answered > 0 ? bytes / answered : 0,
      ...(alone !== undefined && alone.f.count > 0
        ? { alone: { count: alone.f.count, errors: alone.f.errors, mismatches: alone.f.mismatches, latency: latencyOf(alone.rec) } }
        : {}),
    });
  }
  const partial =
    failedBatches > 0 ||
    queries.some((q) => q.errors > 0 || q.mismatches > 0 || (q.alone?.errors ?? 0) > 0 || (q.alone?.mismatches ?? 0) > 0) ||
    o.signal?.aborted === true;
  return {
    model,
    partial,
    wallClockMs,
    warmupSpans: warmBatches * o.batchSize,
    write: {
      targetSpansPerSec: o.writeRatePerSec,
      spansSent,
      spansAcknowledged,
      spansPerSec: spansAcknowledged / (wallClockMs / 1000),
      batches,
      failedBatches,
      errorsByStatus,
      batchLatency: latencyOf(batchLatency),
      warmupBatchLatency: latencyOf(warmupLatency),
    },
    queries,
    lag: { probes: lagProbes, visible: lagVisible, notVisible: lagNotVisible, timeoutMs: o.lagTimeoutMs, latency: latencyOf(lag) },
  };
}

/** Runs the mixed phase on both models, one after the other, with the same spans and the same query schedule. */
export async function runMixed(targets: Record<Model, MixedTarget>, options: MixedOptions = {}): Promise<MixedResult> {
  const o = resolveMixedOptions(options);
  const schedule = mixedSchedule(o);
  const models: MixedModelResult[] = [];
  for (const model of o.order) {
    if (o.signal?.aborted) break;
    models.push(await runMixedModel(model, targets[model], o, schedule));
  }
  const { signal: _signal, ...rest } = o;
  return { options: rest, models };
}
