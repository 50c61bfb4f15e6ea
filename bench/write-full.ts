/**
 * The full write path as users run it, against the same transport sending identical pre-encoded messages,
 * measured in the same run (prints figures, asserts nothing).
 *
 * - full: `TraceWorkload` / `StreamWorkload` (closed loop, default options: spans generated and encoded in the
 *   workload's producer thread, ~9.6 KB payloads) -> one bidi Write stream per batch -> every ack collected. One
 *   workload per model: its warm-up, then one measured repeat per round.
 * - producer + plain loop: the workload's producer thread (`BatchProducer`, same generator options, the depth the
 *   workload gives it) feeding the plain write loop of the pre-encoded path, without the workload around it. Between
 *   it and the full path is what the workload adds (write runner, latency recording, ground truth, progress);
 *   between it and pre-encoded is what a producer thread running beside the event loop costs.
 * - pre-encoded: spans of the same generator (same seed, scale and end time), generated and encoded before the clock
 *   starts, sent with client.writeTraceEncoded / writeStreamEncoded with the same batch size and concurrency.
 *
 * CPU per span counts every thread of the client process (the producer thread included) and the sink process. On
 * Linux the client's share is also split by thread (/proc/self/task): the event loop (the main thread), the producer
 * thread(s) (threads that did not exist before the first workload started) and the rest (V8's platform threads:
 * garbage collection and compilation, plus libuv's), so the bench itself says where the full path's extra
 * microseconds go. The event loop's wall time per span is split too: on a CPU (its CPU time), busy but waiting for a
 * CPU (event-loop utilization's active time beyond its CPU time: runnable while other threads hold both cores) and
 * idle (in epoll, waiting for acknowledgements or the socket). The loop is the path's one serial resource, so its
 * wall time per span is 1 / throughput, and the three parts say what the full path loses it to.
 *
 * All against the do-nothing sink of bench/write-sink.ts in its own process on loopback. Rounds alternate
 * full / producer + plain loop / pre-encoded so a change in machine load hits all three; the figures are the
 * medians. After each round the bench waits until the producer threads are idle: a producer refills its queue once
 * its round ends, and that work must neither count in the next round nor slow it. Each full and plain-loop round
 * still starts with the queue full, as a workload's repeat does after its warm-up. Targets: full >= 20,000 spans/s
 * and full >= 0.9 x pre-encoded (issue 12).
 *
 *   npx tsx bench/write-full.ts [--spans 30000] [--batch 100] [--concurrency 4] [--rounds 3] [--models trace,stream]
 */
import { fork } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BanyanDBClient } from '../src/client/client.js';
import type { StreamWriteRequest, TraceWriteRequest } from '../src/client/types.js';
import { SpanGenerator } from '../src/generator/generator.js';
import { encodeStreamRequests, encodeTraceRequests } from '../src/wire/requests.js';
import { streamAdapter, traceAdapter } from '../src/workload/model.js';
import { BatchProducer } from '../src/workload/producer.js';
import { StreamWorkload, TraceWorkload } from '../src/workload/workload.js';
import { producerDepth } from '../src/workload/writer.js';

const { values } = parseArgs({
  options: {
    spans: { type: 'string', default: '30000' },
    batch: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '3' },
    models: { type: 'string', default: 'trace,stream' },
  },
});
const SPANS = Number(values.spans);
const BATCH = Number(values.batch);
const CONCURRENCY = Number(values.concurrency);
const ROUNDS = Number(values.rounds);
const MODELS = values.models.split(',') as ('trace' | 'stream')[];
const SEED = 7;
// One workload per model writes a warm-up (capped by the workload at 25% of the spans) and then ROUNDS measured
// repeats of about SPANS spans each, as users run it (one producer thread, warm JIT), interleaved with the
// pre-encoded rounds.
const TOTAL = Math.ceil((ROUNDS * SPANS * 4) / 3);
const SCALE = { name: 'bench', spans: TOTAL * 2, traces: TOTAL, services: 100, instances: 500, timeRangeMs: 3_600_000 };
const END_MS = Math.floor(Date.now() / 1000) * 1000;

/** CPU microseconds of each thread of this process so far (Linux; empty elsewhere). */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  const tick = 1_000_000 / 100; // USER_HZ is 100 on Linux
  for (const tid of tids) {
    try {
      // Fields after the parenthesised name: state is the 1st, utime the 12th and stime the 13th.
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, (Number(f[11]) + Number(f[12])) * tick);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}
/** Threads of this process before any workload started: the event loop, V8's platform threads, libuv's. */
const baseThreads = new Set(threadCpu().keys());
const MAIN_TID = String(process.pid);

/** CPU microseconds used so far by the threads started after this process (the producer threads). */
function producerCpu(): number {
  let us = 0;
  for (const [tid, t] of threadCpu()) if (!baseThreads.has(tid)) us += t;
  return us;
}

/**
 * Waits until the producer threads used no CPU for three readings 25 ms apart (they tick in 10 ms), at most 5 s;
 * 200 ms where /proc is not there.
 */
async function producersIdle(): Promise<void> {
  if (threadCpu().size === 0) return new Promise((resolve) => setTimeout(resolve, 200));
  const deadline = performance.now() + 5_000;
  let last = producerCpu();
  for (let still = 0; still < 3 && performance.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    const now = producerCpu();
    still = now === last ? still + 1 : 0;
    last = now;
  }
}

/** Client CPU microseconds per span by thread kind (null where /proc is not there). */
interface ThreadSplit {
  eventLoop: number;
  producer: number;
  other: number;
}

/**
 * The event loop's wall-clock time per span, in three parts (µs): on a CPU (its thread's CPU time), busy but off
 * any CPU (event-loop utilization's active time minus that CPU time: runnable, waiting for a core), and idle
 * (waiting in epoll for the sink's acknowledgements or the socket). Only where /proc gives the thread's CPU time.
 */
interface LoopSplit {
  onCpu: number;
  waitingForCpu: number;
  idle: number;
}

interface Figures {
  threads: ThreadSplit | null;
  loop: LoopSplit | null;
  spansPerSec: number;
  mbPerSec: number;
  /** Client process CPU microseconds per span (all threads). */
  clientCpuUsPerSpan: number;
  /** Sink process CPU microseconds per span. */
  sinkCpuUsPerSpan: number;
  loadavg1: number;
}

const n0 = (x: number): string => Math.round(x).toLocaleString('en-US');
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main(): Promise<void> {
  const sink = fork(fileURLToPath(new URL('./write-sink.ts', import.meta.url)), [], {
    // BENCH_SINK_NODE_ARGS adds node flags to the sink, e.g. '--cpu-prof --cpu-prof-dir=/tmp/sink-prof' to profile it.
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_SINK_NODE_ARGS?.split(' ').filter(Boolean) ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    sink.once('message', (m: { port: number }) => resolve(m.port));
    sink.once('exit', (code) => reject(new Error(`sink exited with ${code}`)));
  });
  const sinkCpu = (): Promise<number> =>
    new Promise((resolve) => {
      sink.once('message', (m: { cpuMicros: number }) => resolve(m.cpuMicros));
      sink.send('cpu');
    });
  const client = await BanyanDBClient.connect(`127.0.0.1:${port}`, { connectTimeoutMs: 10_000 });
  console.log(
    `write-full bench: ${n0(SPANS)} spans per round, batch ${BATCH}, concurrency ${CONCURRENCY}, ${ROUNDS} rounds per path, sink pid ${sink.pid}`,
  );

  /** Measures `body` (which writes `spans` spans and returns the acknowledged count and payload bytes). */
  const measure = async (body: () => Promise<{ acked: number; sent: number; payloadBytes: number; wallMs?: number }>): Promise<Figures> => {
    const s0 = await sinkCpu();
    const c0 = process.cpuUsage();
    const k0 = threadCpu();
    const u0 = performance.eventLoopUtilization();
    const t0 = performance.now();
    const r = await body();
    const wallMs = r.wallMs ?? performance.now() - t0;
    const u = performance.eventLoopUtilization(u0);
    const c = process.cpuUsage(c0);
    const k1 = threadCpu();
    const s = (await sinkCpu()) - s0;
    if (r.acked !== r.sent) throw new Error(`acknowledged ${r.acked} of ${r.sent} spans`);
    let threads: ThreadSplit | null = null;
    if (k1.size > 0) {
      threads = { eventLoop: 0, producer: 0, other: 0 };
      for (const [tid, us] of k1) {
        const d = (us - (k0.get(tid) ?? 0)) / r.acked;
        if (tid === MAIN_TID) threads.eventLoop += d;
        else if (baseThreads.has(tid)) threads.other += d;
        else threads.producer += d;
      }
      // A producer thread that ended before the second reading (the workload stops it after its last repeat) is
      // gone from /proc, but its CPU time is still in the process's: it is then what the listed threads leave.
      if ([...k0.keys()].some((tid) => !k1.has(tid))) {
        threads.producer = Math.max(0, (c.user + c.system) / r.acked - threads.eventLoop - threads.other);
      }
    }
    let loop: LoopSplit | null = null;
    if (threads) {
      // Utilization's idle + active is the loop's wall time over the same interval as its thread's CPU time.
      const activeUs = (u.active * 1000) / r.acked;
      loop = { onCpu: threads.eventLoop, waitingForCpu: Math.max(0, activeUs - threads.eventLoop), idle: (u.idle * 1000) / r.acked };
    }
    return {
      threads,
      loop,
      spansPerSec: (r.acked / wallMs) * 1000,
      mbPerSec: r.payloadBytes / wallMs / 1000,
      clientCpuUsPerSpan: (c.user + c.system) / r.acked,
      sinkCpuUsPerSpan: s / r.acked,
      loadavg1: os.loadavg()[0]!,
    };
  };

  const result: Record<string, unknown> = { bench: 'write-full', spans: SPANS, batch: BATCH, concurrency: CONCURRENCY, rounds: ROUNDS };
  try {
    for (const model of MODELS) {
      const options = {
        seed: SEED,
        scale: SCALE,
        endTimeMs: END_MS,
        spans: TOTAL,
        repeats: ROUNDS,
        warmupSpans: TOTAL - ROUNDS * SPANS,
        batchSize: BATCH,
        concurrency: CONCURRENCY,
        progress: false,
      };
      const workload = model === 'trace' ? new TraceWorkload(client, options) : new StreamWorkload(client, options);
      const full = async (round: number): Promise<{ acked: number; sent: number; payloadBytes: number; wallMs: number }> => {
        const run = await workload.writeRepeat(round);
        return { acked: run.spansAcknowledged, sent: run.spansSent, payloadBytes: run.payloadBytes, wallMs: run.wallClockMs };
      };

      // Spans of the same generator, encoded before the clock starts (ids reserved from the client, as it would).
      const gen = new SpanGenerator({ seed: SEED, scale: SCALE, endTimeMs: END_MS });
      const { group, name } = workload.resource;
      const adapter = model === 'trace' ? traceAdapter(group, name) : streamAdapter(group, name);
      const batches: Buffer[][] = [];
      const batchIds: number[][] = [];
      let pending: (TraceWriteRequest | StreamWriteRequest)[] = [];
      let payloadBytes = 0;
      let taken = 0;
      const flush = (): void => {
        const ids = client.reserveIds(pending.length);
        batches.push(
          model === 'trace'
            ? encodeTraceRequests(pending as TraceWriteRequest[], ids)
            : encodeStreamRequests(pending as StreamWriteRequest[], ids),
        );
        batchIds.push(ids);
        pending = [];
      };
      for (const s of gen.spans()) {
        payloadBytes += s.dataBinary.byteLength;
        pending.push(adapter.toWriteRequest(s));
        if (pending.length === BATCH) flush();
        if (++taken >= SPANS) break;
      }
      if (pending.length > 0) flush();
      const frameBytes = batches.reduce((a, b) => a + b.reduce((x, f) => x + f.length, 0), 0) / SPANS;
      const pre = async (): Promise<{ acked: number; sent: number; payloadBytes: number }> => {
        let next = 0;
        let acked = 0;
        const worker = async (): Promise<void> => {
          while (next < batches.length) {
            const k = next++;
            const r =
              model === 'trace'
                ? await client.writeTraceEncoded(batches[k]!, batchIds[k]!)
                : await client.writeStreamEncoded(batches[k]!, batchIds[k]!);
            acked += r.acknowledged;
          }
        };
        await Promise.all(Array.from({ length: CONCURRENCY }, worker));
        return { acked, sent: SPANS, payloadBytes };
      };

      // The same producer thread as the workload's, feeding the plain loop above (ids reserved from the client).
      const producer = new BatchProducer({
        generator: { seed: SEED, scale: SCALE, endTimeMs: END_MS },
        model,
        group,
        name,
        maxSpans: null,
        batchSize: BATCH,
        depth: producerDepth(CONCURRENCY),
        reserveIds: (n) => client.reserveIds(n),
      });
      const plain = async (): Promise<{ acked: number; sent: number; payloadBytes: number }> => {
        let left = Math.ceil(SPANS / BATCH);
        let acked = 0;
        let sent = 0;
        let bytes = 0;
        const worker = async (): Promise<void> => {
          while (left-- > 0) {
            const b = await producer.take(BATCH);
            if (!b) break;
            sent += b.ids.length;
            for (const n of b.payloadSizes) bytes += n;
            try {
              const r =
                model === 'trace' ? await client.writeTraceEncoded(b.frames, b.ids) : await client.writeStreamEncoded(b.frames, b.ids);
              acked += r.acknowledged;
            } finally {
              producer.settled(b);
            }
          }
        };
        await Promise.all(Array.from({ length: CONCURRENCY }, worker));
        return { acked, sent, payloadBytes: bytes };
      };

      // Warm-up of the three paths (JIT, connection, allocator), not measured.
      await workload.writeWarmup();
      await producer.primed();
      await plain();
      await pre();
      const fullRuns: Figures[] = [];
      const plainRuns: Figures[] = [];
      const preRuns: Figures[] = [];
      await producersIdle();
      for (let r = 0; r < ROUNDS; r++) {
        fullRuns.push(await measure(() => full(r)));
        await producersIdle();
        plainRuns.push(await measure(plain));
        await producersIdle();
        preRuns.push(await measure(pre));
        await producersIdle();
      }
      await producer.close();
      const med = (xs: Figures[]): Figures => ({
        threads: xs.every((x) => x.threads)
          ? {
              eventLoop: median(xs.map((x) => x.threads!.eventLoop)),
              producer: median(xs.map((x) => x.threads!.producer)),
              other: median(xs.map((x) => x.threads!.other)),
            }
          : null,
        loop: xs.every((x) => x.loop)
          ? {
              onCpu: median(xs.map((x) => x.loop!.onCpu)),
              waitingForCpu: median(xs.map((x) => x.loop!.waitingForCpu)),
              idle: median(xs.map((x) => x.loop!.idle)),
            }
          : null,
        spansPerSec: median(xs.map((x) => x.spansPerSec)),
        mbPerSec: median(xs.map((x) => x.mbPerSec)),
        clientCpuUsPerSpan: median(xs.map((x) => x.clientCpuUsPerSpan)),
        sinkCpuUsPerSpan: median(xs.map((x) => x.sinkCpuUsPerSpan)),
        loadavg1: median(xs.map((x) => x.loadavg1)),
      });
      const f = med(fullRuns);
      const t = med(plainRuns);
      const p = med(preRuns);
      const line = (name: string, x: Figures, xs: Figures[]): string =>
        `  ${name.padEnd(21)} ${n0(x.spansPerSec).padStart(7)} spans/s ${x.mbPerSec.toFixed(1).padStart(6)} MB/s payload; CPU per span: client ${x.clientCpuUsPerSpan.toFixed(1)} µs, sink ${x.sinkCpuUsPerSpan.toFixed(1)} µs` +
        ` (rounds: ${xs.map((r) => n0(r.spansPerSec)).join(', ')}; load ${xs.map((r) => r.loadavg1.toFixed(1)).join(', ')})` +
        (x.threads
          ? `\n                client CPU by thread: event loop ${x.threads.eventLoop.toFixed(1)} µs, producer thread ${x.threads.producer.toFixed(1)} µs, V8/libuv threads (GC, compiler) ${x.threads.other.toFixed(1)} µs`
          : '') +
        (x.loop
          ? `\n                event loop wall time per span: on a CPU ${x.loop.onCpu.toFixed(1)} µs, busy waiting for a CPU ${x.loop.waitingForCpu.toFixed(1)} µs, idle (awaiting acks or the socket) ${x.loop.idle.toFixed(1)} µs`
          : '');
      console.log(`${model}: frame ${frameBytes.toFixed(0)} B/span`);
      console.log(line('full path', f, fullRuns));
      console.log(line('producer + plain loop', t, plainRuns));
      console.log(line('pre-encoded', p, preRuns));
      const ratio = f.spansPerSec / p.spansPerSec;
      console.log(
        `  ratio full / pre-encoded ${ratio.toFixed(2)} (client CPU per span ${(p.clientCpuUsPerSpan / f.clientCpuUsPerSpan).toFixed(2)})` +
          `; targets: full >= 20,000 spans/s ${f.spansPerSec >= 20_000 ? 'MET' : 'NOT MET'}, ratio >= 0.9 ${ratio >= 0.9 ? 'MET' : 'NOT MET'}`,
      );
      console.log(
        `  producer + plain loop / pre-encoded ${(t.spansPerSec / p.spansPerSec).toFixed(2)}; full / producer + plain loop ${(f.spansPerSec / t.spansPerSec).toFixed(2)}\n`,
      );
      result[model] = {
        frameBytes,
        full: f,
        plain: t,
        pre: p,
        ratio,
        plainRatio: t.spansPerSec / p.spansPerSec,
        fullRuns,
        plainRuns,
        preRuns,
      };
    }
    console.log(
      `load average now: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${os.availableParallelism()} CPUs`,
    );
    console.log(`BENCH_RESULT ${JSON.stringify({ ...result, loadavg: os.loadavg() })}`);
  } finally {
    await client.close();
    sink.kill('SIGTERM');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
