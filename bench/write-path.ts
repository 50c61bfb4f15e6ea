/**
 * Write-path benchmark of the client: a do-nothing gRPC sink in another process (bench/write-sink.ts) on
 * loopback; measures (a) the full path (build requests with ~9.5 KB dataBinary and realistic tags, encode,
 * send, ack) and (b) the same transport sending identical pre-encoded frames, for the trace and the stream
 * model. Prints spans/s, MB/s and the full/pre-encoded ratio. Targets: full >= 20,000 spans/s and >= 0.7x.
 *
 * Usage: npx tsx bench/write-path.ts [--spans 40000] [--batch 100] [--concurrency 4]
 *
 * Requests are built here, not by src/generator, to isolate the client's cost (bench/write-full.ts and
 * bench/workload-write.ts drive the whole generator + workload path).
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BanyanDBClient } from '../src/client/client.js';
import type { StreamWriteRequest, TraceWriteRequest } from '../src/client/types.js';
import { encodeStreamRequests, encodeTraceRequests } from '../src/wire/requests.js';

const { values } = parseArgs({
  options: {
    spans: { type: 'string', default: '40000' },
    batch: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '4' },
    payload: { type: 'string', default: '9500' },
  },
});
const SPANS = Number(values.spans);
const BATCH = Number(values.batch);
const CONCURRENCY = Number(values.concurrency);
const PAYLOAD = Number(values.payload);

// A pool of payloads so building a request does not cost a random-bytes call.
const PAYLOADS = Array.from({ length: 64 }, () => randomBytes(PAYLOAD));
const SERVICES = Array.from({ length: 20 }, (_, i) => `service-${i}`);
const OPERATIONS = Array.from({ length: 50 }, (_, i) => `/api/v1/resource-${i}/{id}`);
const COMPONENTS = ['SpringMVC', 'Dubbo', 'gRPC', 'MySQL', 'Redis', 'Kafka'];
const BASE_MS = Date.UTC(2026, 0, 1);

interface SpanLike {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  serviceId: string;
  serviceInstanceId: string;
  startTimeMs: number;
  latencyMs: number;
  isError: number;
  operationName: string;
  component: string;
  dataBinary: Uint8Array;
}

function span(i: number): SpanLike {
  const svc = SERVICES[i % SERVICES.length]!;
  return {
    traceId: `${(i / 8) | 0}.a1b2c3d4e5f6.${BASE_MS + i}`,
    spanId: `${(i / 8) | 0}.${i % 8}`,
    parentSpanId: i % 8 === 0 ? '' : `${(i / 8) | 0}.${(i % 8) - 1}`,
    serviceId: svc,
    serviceInstanceId: `${svc}-instance-${i % 3}`,
    startTimeMs: BASE_MS + i,
    latencyMs: (i * 7) % 1_000,
    isError: i % 20 === 0 ? 1 : 0,
    operationName: OPERATIONS[i % OPERATIONS.length]!,
    component: COMPONENTS[i % COMPONENTS.length]!,
    dataBinary: PAYLOADS[i % PAYLOADS.length]!,
  };
}

const TRACE_MD = { group: 'trace_performance_test', name: 'segment_trace' };
const STREAM_MD = { group: 'stream_performance_test', name: 'segment_stream' };

function traceRequest(s: SpanLike): TraceWriteRequest {
  return {
    metadata: TRACE_MD,
    tags: [
      { str: { value: s.serviceId } },
      { str: { value: s.serviceInstanceId } },
      { str: { value: s.traceId } },
      { timestamp: { seconds: Math.floor(s.startTimeMs / 1000), nanos: (s.startTimeMs % 1000) * 1_000_000 } },
      { int: { value: s.latencyMs } },
      { int: { value: s.isError } },
      { str: { value: s.spanId } },
      { str: { value: s.parentSpanId } },
      { str: { value: s.operationName } },
      { str: { value: s.component } },
    ],
    span: s.dataBinary,
  };
}

function streamRequest(s: SpanLike): StreamWriteRequest {
  return {
    metadata: STREAM_MD,
    element: {
      elementId: s.spanId,
      timestamp: { seconds: Math.floor(s.startTimeMs / 1000), nanos: (s.startTimeMs % 1000) * 1_000_000 },
      tagFamilies: [
        {
          tags: [
            { str: { value: s.serviceId } },
            { str: { value: s.serviceInstanceId } },
            { str: { value: s.traceId } },
            { int: { value: s.startTimeMs } },
            { int: { value: s.latencyMs } },
            { int: { value: s.isError } },
            { str: { value: s.spanId } },
            { str: { value: s.parentSpanId } },
            { str: { value: s.operationName } },
            { str: { value: s.component } },
          ],
        },
        { tags: [{ binaryData: s.dataBinary }] },
      ],
    },
  };
}

interface Figures {
  spansPerSec: number;
  mbPerSec: number;
  ms: number;
  /** Spans per CPU-second of the client process (robust to a busy machine). */
  spansPerClientCpuSec: number;
  /** Spans per CPU-second of the sink process. */
  spansPerSinkCpuSec: number;
}

let sinkCpu: () => Promise<number> = async () => 0;

/** Runs `total` spans in batches with `concurrency` batches in flight; `batchFn(start, n)` writes one batch. */
async function run(total: number, batchFn: (start: number, n: number) => Promise<number>, bytesPerSpan: number): Promise<Figures> {
  let next = 0;
  let acked = 0;
  const sink0 = await sinkCpu();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < total) {
      const start = next;
      const n = Math.min(BATCH, total - start);
      next += n;
      const got = await batchFn(start, n);
      acked += got;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const sinkMicros = (await sinkCpu()) - sink0;
  if (acked !== total) throw new Error(`acknowledged ${acked} of ${total}`);
  return {
    spansPerSec: (total / ms) * 1000,
    mbPerSec: (total * bytesPerSpan) / ms / 1000,
    ms,
    spansPerClientCpuSec: total / ((cpu.user + cpu.system) / 1e6),
    spansPerSinkCpuSec: sinkMicros > 0 ? total / (sinkMicros / 1e6) : 0,
  };
}

const n0 = (x: number): string => Math.round(x).toLocaleString('en-US');
function fmt(f: Figures): string {
  return `${n0(f.spansPerSec).padStart(8)} spans/s ${f.mbPerSec.toFixed(1).padStart(6)} MB/s (${f.ms.toFixed(0)} ms); per CPU-second: client ${n0(f.spansPerClientCpuSec)}, sink ${n0(f.spansPerSinkCpuSec)} spans`;
}

async function main(): Promise<void> {
  const sinkPath = fileURLToPath(new URL('./write-sink.ts', import.meta.url));
  const sink = fork(sinkPath, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    sink.once('message', (m: { port: number }) => resolve(m.port));
    sink.once('exit', (code) => reject(new Error(`sink exited with ${code}`)));
  });
  sinkCpu = () =>
    new Promise<number>((resolve) => {
      sink.once('message', (m: { cpuMicros: number }) => resolve(m.cpuMicros));
      sink.send('cpu');
    });
  const client = await BanyanDBClient.connect(`127.0.0.1:${port}`, { connectTimeoutMs: 10_000 });
  console.log(
    `write-path bench: ${SPANS} spans/run, batch ${BATCH}, concurrency ${CONCURRENCY}, dataBinary ${PAYLOAD} B, sink pid ${sink.pid}`,
  );
  console.log('(requests built by the bench itself, isolating the client; bench/workload-write.ts drives src/generator)\n');
  // Machine-readable figures for bench/run.ts (one `BENCH_RESULT {json}` line at the end).
  const result: Record<string, unknown> = {
    bench: 'write-path',
    spans: SPANS,
    batch: BATCH,
    concurrency: CONCURRENCY,
    payloadBytes: PAYLOAD,
  };
  try {
    for (const model of ['trace', 'stream'] as const) {
      const build = model === 'trace' ? (i: number) => traceRequest(span(i)) : (i: number) => streamRequest(span(i));
      // encode-only (in process, no transport)
      const sample = Array.from({ length: BATCH }, (_, i) => build(i));
      const sampleIds = sample.map((_, i) => i + 1);
      const frames =
        model === 'trace'
          ? encodeTraceRequests(sample as TraceWriteRequest[], sampleIds)
          : encodeStreamRequests(sample as StreamWriteRequest[], sampleIds);
      const frameBytes = frames.reduce((a, f) => a + f.length, 0) / frames.length;
      let t = performance.now();
      const encCpu0 = process.cpuUsage();
      let encoded = 0;
      while (performance.now() - t < 1_000) {
        const b = Array.from({ length: BATCH }, (_, i) => build(encoded + i));
        if (model === 'trace') encodeTraceRequests(b as TraceWriteRequest[], sampleIds);
        else encodeStreamRequests(b as StreamWriteRequest[], sampleIds);
        encoded += BATCH;
      }
      const encodePerSec = (encoded / (performance.now() - t)) * 1000;
      const encCpu = process.cpuUsage(encCpu0);
      const encodePerCpuSec = encoded / ((encCpu.user + encCpu.system) / 1e6);
      t = 0;

      const full = (start: number, n: number): Promise<number> => {
        const batch = new Array(n);
        for (let i = 0; i < n; i++) batch[i] = build(start + i);
        const p = model === 'trace' ? client.writeTrace(batch as TraceWriteRequest[]) : client.writeStream(batch as StreamWriteRequest[]);
        return p.then((r) => r.acknowledged);
      };
      const pre = (_start: number, n: number): Promise<number> => {
        const f = n === frames.length ? frames : frames.slice(0, n);
        const ids = n === sampleIds.length ? sampleIds : sampleIds.slice(0, n);
        const p = model === 'trace' ? client.writeTraceEncoded(f, ids) : client.writeStreamEncoded(f, ids);
        return p.then((r) => r.acknowledged);
      };
      // warm-up both paths
      await run(Math.min(SPANS, 5_000), full, frameBytes);
      await run(Math.min(SPANS, 5_000), pre, frameBytes);
      const fullRuns: Figures[] = [];
      const preRuns: Figures[] = [];
      for (let r = 0; r < 3; r++) {
        fullRuns.push(await run(SPANS, full, frameBytes));
        preRuns.push(await run(SPANS, pre, frameBytes));
      }
      const best = (xs: Figures[]): Figures => xs.reduce((a, b) => (b.spansPerSec > a.spansPerSec ? b : a));
      const median = (xs: Figures[]): Figures => [...xs].sort((a, b) => a.spansPerSec - b.spansPerSec)[1]!;
      const f = median(fullRuns);
      const p = median(preRuns);
      console.log(`${model}: frame ${frameBytes.toFixed(0)} B/span`);
      console.log(
        `  encode only (build + encode, no transport): ${n0(encodePerSec)} spans/s; ${n0(encodePerCpuSec)} spans per CPU-second` +
          ` (= ${((20_000 / encodePerCpuSec) * 100).toFixed(0)}% of a core at 20,000 spans/s)`,
      );
      const cpuRatio = f.spansPerClientCpuSec / p.spansPerClientCpuSec;
      console.log(`  full path   (median of 3): ${fmt(f)}; best ${n0(best(fullRuns).spansPerSec)} spans/s`);
      console.log(`  pre-encoded (median of 3): ${fmt(p)}; best ${n0(best(preRuns).spansPerSec)} spans/s`);
      console.log(
        `  ratio full / pre-encoded: wall ${(f.spansPerSec / p.spansPerSec).toFixed(2)}, client CPU ${cpuRatio.toFixed(2)}` +
          `   targets: full >= 20,000 spans/s ${f.spansPerSec >= 20_000 ? 'MET' : 'NOT MET'}, ratio >= 0.7 ${f.spansPerSec / p.spansPerSec >= 0.7 ? 'MET' : 'NOT MET'}`,
      );
      result[model] = {
        frameBytes,
        encodeSpansPerCpuSec: encodePerCpuSec,
        full: f,
        pre: p,
        ratioWall: f.spansPerSec / p.spansPerSec,
        ratioClientCpu: cpuRatio,
        loadavg: os.loadavg(),
      };
      console.log(
        `  load average now: ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')} on ${os.availableParallelism()} CPUs\n`,
      );
    }
    console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
  } finally {
    await client.close();
    sink.kill('SIGTERM');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
