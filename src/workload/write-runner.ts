/**
 * Runs one write phase (warm-up or a measured repeat) against one model: closed loop (`concurrency` workers, each
 * sending its next batch as soon as the previous one is acknowledged) or open loop (batches start at scheduled
 * times; latency counts from the intended start, so a stalled server shows in the latency instead of being hidden
 * by a slower send rate: no coordinated omission).
 */
import { STATUS_SUCCEED } from '../client/write.js';
import { BanyanDBPerfError, PhaseFailedError } from '../errors.js';
import { LatencyRecorder } from '../metrics/latency.js';
import { ThroughputSeries } from '../metrics/throughput.js';
import type { ModelAdapter, WorkloadClient, WorkloadSpan, WorkloadWriteOptions, WorkloadWriteResult } from './model.js';
import type { BatchProducer } from './producer.js';
import type { ProgressSink, WriteProgress } from './progress.js';

/** After an abort, in-flight batches get this long to settle on their own before they are cancelled. */
export const ABORT_GRACE_MS = 5_000;

/** A cursor over the generator's span stream, shared by consecutive phases so no span is written twice. */
export class SpanCursor {
  #it: Iterator<WorkloadSpan>;
  #taken = 0;
  #done = false;
  constructor(spans: Iterable<WorkloadSpan>) {
    this.#it = spans[Symbol.iterator]();
  }
  /** Spans taken from the stream so far (the length of the written prefix). */
  get taken(): number {
    return this.#taken;
  }
  get exhausted(): boolean {
    return this.#done;
  }
  next(): WorkloadSpan | undefined {
    if (this.#done) return undefined;
    const r = this.#it.next();
    if (r.done) {
      this.#done = true;
      return undefined;
    }
    this.#taken++;
    return r.value;
  }
}

/** One batch taken from a {@link SpanSource}: what it holds and how to write it. */
export interface SourceBatch {
  count: number;
  /** Traces started in this batch (the phase's first batch counts the trace it opens in, too). */
  traces: number;
  payloadBytes: number;
  write(opts: WorkloadWriteOptions): Promise<WorkloadWriteResult>;
  /** Gives a batch taken but not sent back to the head of the stream (sources that prefetch). */
  putBack?(): void;
}

/** Where a phase takes its spans from, in stream order; shared by consecutive phases. */
export interface SpanSource {
  /** Spans taken so far (the written prefix of the span stream). */
  readonly taken: number;
  /** Waits until the source can hand out spans without a start-up delay. */
  primed?(): Promise<void>;
  /** The next up to `n` spans; undefined when the stream has ended. `first`: the phase's first batch. */
  take(n: number, first: boolean): SourceBatch | undefined | Promise<SourceBatch | undefined>;
}

/** Spans generated on this thread, written by the adapter (encoded frames when the client takes them). */
export function cursorSource<Req>(cursor: SpanCursor, client: WorkloadClient, adapter: ModelAdapter<Req>): SpanSource {
  let lastTraceId: string | undefined;
  return {
    get taken() {
      return cursor.taken;
    },
    take(n, first) {
      if (first) lastTraceId = undefined;
      const spans: WorkloadSpan[] = [];
      let traces = 0;
      let payloadBytes = 0;
      for (let i = 0; i < n; i++) {
        const s = cursor.next();
        if (!s) break;
        if (s.traceId !== lastTraceId) {
          traces++;
          lastTraceId = s.traceId;
        }
        payloadBytes += s.dataBinary.byteLength;
        spans.push(s);
      }
      if (spans.length === 0) return undefined;
      return {
        count: spans.length,
        traces,
        payloadBytes,
        // Spans go straight into frames when the client takes them (BanyanDBClient); otherwise as request objects.
        write: (opts) =>
          adapter.writeSpans?.(client, spans, opts) ??
          adapter.write(
            client,
            spans.map((x) => adapter.toWriteRequest(x)),
            opts,
          ),
      };
    },
  };
}

/** Spans generated and encoded by a producer thread, written as pre-encoded frames. */
export function producerSource(producer: BatchProducer, client: WorkloadClient, model: 'stream' | 'trace'): SpanSource {
  const write = model === 'trace' ? client.writeTraceEncoded : client.writeStreamEncoded;
  if (!write) throw new Error(`internal: the client cannot write pre-encoded ${model} frames`);
  return {
    get taken() {
      return producer.taken;
    },
    primed: () => producer.primed(),
    async take(n, first) {
      const b = await producer.take(n);
      if (!b) return undefined;
      let traces = first && b.newTrace[0] === 0 ? 1 : 0;
      let payloadBytes = 0;
      for (let i = 0; i < b.newTrace.length; i++) {
        traces += b.newTrace[i]!;
        payloadBytes += b.payloadSizes[i]!;
      }
      return {
        count: b.frames.length,
        traces,
        payloadBytes,
        // Once the write settled its frames are not read again: the producer may reuse their memory.
        write: (opts) => write.call(client, b.frames, b.ids, opts).finally(() => producer.settled(b)),
        putBack: () => producer.putBack(b),
      };
    },
  };
}

export interface PhaseConfig {
  phase: 'warmup' | 'measure';
  repeat: number;
  /** Most spans this phase may take from the cursor (Infinity: up to the end of the stream). */
  spanLimit: number;
  /** With an infinite `spanLimit`: the spans left to the end of the stream, for a stable progress total and ETA. */
  expectedSpans?: number;
  durationMs: number | undefined;
  ratePerSec: number | undefined;
  concurrency: number;
  batchSize: number;
  signal: AbortSignal | undefined;
  progress: ProgressSink<Omit<WriteProgress, 'kind' | 'model' | 'repeats'>>;
  /** Deadline of one write batch, ms (passed to the client as the batch's `timeoutMs`). */
  batchTimeoutMs: number;
  /** The phase gives up when no span has been acknowledged for this long, ms. */
  stallMs: number;
  /** The phase gives up when this many batches in a row were not fully acknowledged. */
  maxFailedBatches: number;
  /** For the failure's message: the model and the server's address. */
  model: 'stream' | 'trace';
  server: string;
  /**
   * Aborts when the model's server is known to have failed (e.g. its container exited; the reason is the error that
   * says so): the phase gives up at once (`SERVER_FAILED`), cancelling its in-flight batches.
   */
  serverFailed?: AbortSignal | undefined;
}

export interface PhaseOutcome {
  spansSent: number;
  spansAcknowledged: number;
  tracesSent: number;
  payloadBytes: number;
  batches: number;
  errorsByStatus: Record<string, number>;
  retries: number;
  latency: LatencyRecorder;
  series: ThroughputSeries;
  wallClockMs: number;
  /** The caller's signal aborted the phase. */
  aborted: boolean;
  /** The phase gave up on its server (stalled, or batches failing in a row); nothing more was sent after it. */
  failure: PhaseFailedError | undefined;
}

/** The first line of why a server failed (a ClusterError's message may go on with the container's logs). */
export function serverFailureText(reason: unknown): string {
  const text = reason instanceof Error ? reason.message : String(reason ?? 'unknown');
  return text.split('\n')[0] ?? text;
}

function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function runPhase(source: SpanSource, cfg: PhaseConfig): Promise<PhaseOutcome> {
  const start = performance.now();
  const latency = new LatencyRecorder();
  const series = new ThroughputSeries(start);
  const out: PhaseOutcome = {
    spansSent: 0,
    spansAcknowledged: 0,
    tracesSent: 0,
    payloadBytes: 0,
    batches: 0,
    errorsByStatus: {},
    retries: 0,
    latency,
    series,
    wallClockMs: 0,
    aborted: false,
    failure: undefined,
  };
  const userSignal = cfg.signal;
  // Giving up stops the phase like an abort, but cancels the in-flight batches at once (the server is not answering).
  const giveUpCtl = new AbortController();
  const signal = userSignal ? AbortSignal.any([userSignal, giveUpCtl.signal]) : giveUpCtl.signal;
  // In-flight batches are not cancelled at once on abort (their acknowledgements keep the accounting exact);
  // they are cancelled only if they have not settled ABORT_GRACE_MS later.
  const inflightAbort = new AbortController();
  let graceTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    graceTimer = setTimeout(() => inflightAbort.abort(userSignal?.reason), ABORT_GRACE_MS);
  };
  if (userSignal?.aborted) onAbort();
  else userSignal?.addEventListener('abort', onAbort, { once: true });

  let lastProgress = start;
  let failedInARow = 0;
  let lastStatus: string | undefined;
  let lastError: unknown;
  const phaseName = cfg.phase === 'warmup' ? 'warm-up' : `write repeat ${cfg.repeat + 1}`;
  const giveUp = (code: 'WRITE_STALLED' | 'WRITE_FAILING' | 'SERVER_FAILED', why: string) => {
    if (out.failure || userSignal?.aborted) return;
    out.failure = new PhaseFailedError(
      code,
      `${cfg.model} ${phaseName} gave up on ${cfg.server}: ${why}; last status ${lastStatus ?? 'none'}`,
      { model: cfg.model, phase: cfg.phase === 'warmup' ? 'warmup' : 'write', server: cfg.server, lastStatus },
      lastError === undefined ? undefined : { cause: lastError },
    );
    giveUpCtl.abort(out.failure);
    inflightAbort.abort(out.failure);
  };
  const watchdog = setInterval(
    () => {
      const idle = performance.now() - lastProgress;
      if (idle >= cfg.stallMs) giveUp('WRITE_STALLED', `no span acknowledged for ${Math.round(idle / 1000)} s`);
    },
    Math.max(10, Math.min(1_000, cfg.stallMs / 4)),
  );
  watchdog.unref();
  // A server known to be dead (its container exited): no need to wait for the stall window or the failures in a row.
  const serverFailed = cfg.serverFailed;
  const onServerFailed = () => {
    const reason: unknown = serverFailed?.reason;
    lastError = reason;
    lastStatus = (reason as { code?: unknown } | undefined)?.code?.toString() ?? 'SERVER_FAILED';
    giveUp('SERVER_FAILED', `the server failed: ${serverFailureText(reason)}`);
  };
  if (serverFailed?.aborted) onServerFailed();
  else serverFailed?.addEventListener('abort', onServerFailed, { once: true });

  const deadline = cfg.durationMs === undefined ? Number.POSITIVE_INFINITY : start + cfg.durationMs;
  let remaining = cfg.spanLimit;
  let firstTake = true;
  let lastSettle = start;
  let errors = 0;

  const take = async (): Promise<SourceBatch | undefined> => {
    const n = Math.min(cfg.batchSize, remaining);
    if (n <= 0) return undefined;
    remaining -= n;
    const first = firstTake;
    firstTake = false;
    const b = await source.take(n, first);
    remaining += n - (b?.count ?? 0);
    return b;
  };

  const report = (force: boolean) => {
    const elapsedMs = performance.now() - start;
    const rate = elapsedMs > 0 ? (out.spansAcknowledged / elapsedMs) * 1000 : 0;
    const bound = Number.isFinite(cfg.spanLimit) ? cfg.spanLimit : cfg.expectedSpans;
    const target = Math.max(bound ?? 0, out.spansSent);
    let etaMs: number | undefined;
    if (rate > 0 && bound !== undefined) etaMs = (Math.max(0, target - out.spansAcknowledged - errors) / rate) * 1000;
    if (Number.isFinite(deadline)) etaMs = Math.min(etaMs ?? Number.POSITIVE_INFINITY, deadline - performance.now());
    cfg.progress.update(
      {
        phase: cfg.phase,
        repeat: cfg.repeat,
        spansSent: out.spansSent,
        spansAcknowledged: out.spansAcknowledged,
        errors,
        spansTarget: target,
        spansPerSec: rate,
        etaMs: etaMs === undefined ? undefined : Math.max(0, etaMs),
        elapsedMs,
      },
      force,
    );
  };

  const send = async (b: SourceBatch, intendedStart: number): Promise<void> => {
    const n = b.count;
    out.spansSent += n;
    out.tracesSent += b.traces;
    out.payloadBytes += b.payloadBytes;
    out.batches++;
    let ack = 0;
    try {
      const res = await b.write({ throwOnReject: false, signal: inflightAbort.signal, timeoutMs: cfg.batchTimeoutMs });
      ack = Math.min(res.acknowledged, n);
      out.retries += res.retries;
      let counted = 0;
      for (const [status, count] of Object.entries(res.statusCounts)) {
        if (status === STATUS_SUCCEED || count <= 0) continue;
        out.errorsByStatus[status] = (out.errorsByStatus[status] ?? 0) + count;
        counted += count;
        lastStatus = status;
      }
      // Anything neither acknowledged nor given a status is still an error, never silently dropped.
      const unaccounted = n - ack - counted;
      if (unaccounted > 0) {
        out.errorsByStatus.UNACCOUNTED = (out.errorsByStatus.UNACCOUNTED ?? 0) + unaccounted;
        lastStatus ??= 'UNACCOUNTED';
      }
    } catch (err) {
      const e = BanyanDBPerfError.from(err);
      out.errorsByStatus[e.code] = (out.errorsByStatus[e.code] ?? 0) + n;
      // Our own cancellation after giving up is not the server's status.
      if (!out.failure) {
        lastStatus = e.code;
        lastError = err;
      }
    }
    const end = performance.now();
    out.spansAcknowledged += ack;
    errors += n - ack;
    if (ack > 0) lastProgress = Math.max(lastProgress, end);
    if (ack === n) failedInARow = 0;
    else if (++failedInARow >= cfg.maxFailedBatches) {
      giveUp('WRITE_FAILING', `${failedInARow} write batches in a row not fully acknowledged`);
    }
    latency.record(end - intendedStart);
    series.add(end, ack, n - ack, end - intendedStart);
    if (end > lastSettle) lastSettle = end;
    report(false);
  };

  const stopped = () => signal.aborted;
  /** A batch taken while the phase was being stopped goes back unsent (prefetching sources can take it back). */
  const cancelled = (b: SourceBatch): boolean => {
    if (!stopped() || !b.putBack) return false;
    b.putBack();
    remaining += b.count;
    return true;
  };

  try {
    if (cfg.ratePerSec === undefined) {
      const worker = async () => {
        while (!stopped() && performance.now() < deadline) {
          const b = await take();
          if (!b || cancelled(b)) return;
          await send(b, performance.now());
        }
      };
      await Promise.all(Array.from({ length: cfg.concurrency }, worker));
    } else {
      const intervalMs = (cfg.batchSize / cfg.ratePerSec) * 1000;
      const inflight = new Set<Promise<void>>();
      for (let k = 0; ; k++) {
        const intended = start + k * intervalMs;
        if (intended >= deadline || stopped()) break;
        await abortableSleep(intended - performance.now(), signal);
        if (stopped()) break;
        // Behind schedule: wait for a free slot, then send at once; the wait counts in this batch's latency.
        while (inflight.size >= cfg.concurrency) await Promise.race(inflight);
        if (stopped()) break;
        const b = await take();
        if (!b || cancelled(b)) break;
        const p: Promise<void> = send(b, intended).finally(() => inflight.delete(p));
        inflight.add(p);
      }
      await Promise.all(inflight);
    }
  } finally {
    clearInterval(watchdog);
    userSignal?.removeEventListener('abort', onAbort);
    serverFailed?.removeEventListener('abort', onServerFailed);
    if (graceTimer) clearTimeout(graceTimer);
  }
  out.aborted = userSignal?.aborted === true;
  out.wallClockMs = out.batches > 0 ? lastSettle - start : 0;
  report(true);
  return out;
}
