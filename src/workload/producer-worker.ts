/**
 * The span-producer thread (see producer.ts): generates the workload's spans with the same generator options as the
 * main thread would, encodes each batch straight into WriteRequest frames with the ids the main thread reserved, and
 * transfers the frames' memory (no copy) back. Spans come out in generator order, so the written data set is exactly
 * the one the main thread's ground truth describes.
 *
 * Protocol (plain objects, see producer.ts): `workerData` = ProducerInit; each `{ ids }` message asks for the next
 * `ids.length` spans (fewer at the end of the stream or of `maxSpans`), answered by one ProducedMessage.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RECYCLE_PAYLOADS, SPANS_ON_DEMAND, SpanGenerator } from '../generator/generator.js';
import { streamFrameEncoder, traceFrameEncoder } from '../wire/spans.js';
import { SlabPool } from './frame-slabs.js';
import type { ProducedMessage, ProduceRequest, ProducerInit } from './producer.js';

const init = workerData as ProducerInit;
const port = parentPort;
if (!port) throw new Error('producer-worker.ts runs only as a worker thread');

// Frames go into slabs that are never pooled by Node (so each can be transferred whole) and that the event loop
// sends back once the frames were written (frame-slabs.ts).
const pool = new SlabPool();
const alloc = (bytes: number): Buffer => pool.alloc(bytes);
let seq = 0;
const encode = init.model === 'trace' ? traceFrameEncoder(init.group, init.name, alloc) : streamFrameEncoder(init.group, init.name, alloc);
const generator = new SpanGenerator(init.generator);
// Each span's payload is built when the span is taken, so none exists for spans not encoded yet.
const spans = generator[SPANS_ON_DEMAND]();
const maxSpans = init.maxSpans ?? Number.POSITIVE_INFINITY;
let produced = 0;
let lastTraceId: string | undefined;
let ended = false;

function produce(ids: readonly number[]): ProducedMessage {
  const want = Math.max(0, Math.min(ids.length, maxSpans - produced));
  const batch = [];
  const newTrace = new Uint8Array(want);
  const payloadSizes = new Int32Array(want);
  while (!ended && batch.length < want) {
    const s = spans.next();
    if (!s) {
      ended = true;
      break;
    }
    const i = batch.length;
    newTrace[i] = s.traceId === lastTraceId ? 0 : 1;
    lastTraceId = s.traceId;
    payloadSizes[i] = s.dataBinary.byteLength;
    batch.push(s);
  }
  produced += batch.length;
  const count = batch.length;
  const frames = count > 0 ? encode(batch, ids.slice(0, count)) : [];
  // The payloads are in the frames now: the generator may write the next ones over them.
  generator[RECYCLE_PAYLOADS]();
  const slabs: ArrayBuffer[] = [];
  const layout = new Int32Array(count * 3);
  for (let i = 0; i < count; i++) {
    const f = frames[i]!;
    const ab = f.buffer as ArrayBuffer;
    let k = slabs.length - 1;
    if (k < 0 || slabs[k] !== ab) {
      k = slabs.indexOf(ab);
      if (k < 0) k = slabs.push(ab) - 1;
    }
    layout[i * 3] = k;
    layout[i * 3 + 1] = f.byteOffset;
    layout[i * 3 + 2] = f.byteLength;
  }
  return {
    seq: seq++,
    count,
    done: ended || produced >= maxSpans,
    slabs,
    layout,
    newTrace: newTrace.subarray(0, count),
    payloadSizes: payloadSizes.subarray(0, count),
  };
}

port.on('message', (req: ProduceRequest) => {
  if (req.recycle) {
    pool.recycle(req.recycle);
    return;
  }
  const msg = produce(Array.from(req.ids ?? []));
  port.postMessage(msg, [
    ...msg.slabs,
    msg.layout.buffer as ArrayBuffer,
    msg.newTrace.buffer as ArrayBuffer,
    msg.payloadSizes.buffer as ArrayBuffer,
  ]);
});
