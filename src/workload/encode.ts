/**
 * Direct encoder of generated spans into the WriteRequest frames their model adapter's requests encode to: the same
 * bytes as `streamAdapter(...).toWriteRequest(span)` / `traceAdapter(...)` encoded by the client (protobufjs
 * presence rules, int64 varints, UTF-8 writer), without building the ten TagValue objects per span first. The
 * span's shape is fixed (WorkloadSpan), so this is a straight sequence of writes into slabs shared by the frames of
 * one batch. test/workload-encode.test.ts compares the bytes with protobufjs.
 *
 * Internal: the workload uses it when its client takes pre-encoded frames (BanyanDBClient does).
 */
import protobuf from 'protobufjs';
import type { WorkloadSpan } from './model.js';

/** protobufjs writes strings shorter than this with its own UTF-8 writer, longer ones with Buffer#utf8Write. */
const SHORT_STRING = 40;
const utf8Write = protobuf.util.utf8.write as (s: string, buf: Uint8Array, pos: number) => number;
/** Largest slab the frames of a batch are carved from. */
const BATCH_SLAB_BYTES = 64 * 1024;

type Utf8Buffer = Buffer & { utf8Write(s: string, offset: number, length: number): number };

function vlen(v: number): number {
  return v < 128 ? 1 : v < 16384 ? 2 : v < 2097152 ? 3 : v < 268435456 ? 4 : 5;
}

function strBytes(s: string): number {
  if (s.length < SHORT_STRING) {
    let ascii = true;
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) return s.length;
  }
  return Buffer.byteLength(s);
}

// int64 as protobufjs' LongBits.fromNumber + writeVarint64 (numbers only: the span's fields are numbers).
let lo = 0;
let hi = 0;
function bits(value: number): void {
  if (value === 0) {
    lo = 0;
    hi = 0;
    return;
  }
  const sign = value < 0;
  if (sign) value = -value;
  let l = value >>> 0;
  let h = ((value - l) / 4294967296) >>> 0;
  if (sign) {
    h = ~h >>> 0;
    l = ~l >>> 0;
    if (++l > 4294967295) {
      l = 0;
      if (++h > 4294967295) h = 0;
    }
  }
  lo = l;
  hi = h;
}

function int64Len(v: number): number {
  if (v >= 0 && v < 268435456 && (v | 0) === v) return vlen(v);
  bits(v);
  let n = 1;
  let l = lo;
  let h = hi;
  while (h) {
    n++;
    l = ((l >>> 7) | (h << 25)) >>> 0;
    h >>>= 7;
  }
  while (l > 127) {
    n++;
    l >>>= 7;
  }
  return n;
}

function int32Len(v: number): number {
  const x = v | 0;
  return x < 0 ? 10 : vlen(x);
}

/** Writes frames one after another into slabs; `frame()` returns the bytes written since the last call. */
class SlabWriter {
  buf: Utf8Buffer = Buffer.alloc(0) as Utf8Buffer;
  pos = 0;
  #start = 0;
  readonly #alloc: (bytes: number) => Buffer;

  constructor(alloc: (bytes: number) => Buffer) {
    this.#alloc = alloc;
  }

  /** Makes room for a frame of `size` bytes; `framesLeft` (this one included) sizes a new slab. */
  reserve(size: number, framesLeft: number): void {
    if (this.buf.length - this.pos < size) {
      this.buf = this.#alloc(Math.max(size, Math.min(BATCH_SLAB_BYTES, size * framesLeft))) as Utf8Buffer;
      this.pos = 0;
    }
    this.#start = this.pos;
  }

  frame(expected: number): Buffer {
    if (this.pos - this.#start !== expected) {
      throw new Error(`internal error: encoded ${this.pos - this.#start} bytes, measured ${expected}`);
    }
    return this.buf.subarray(this.#start, this.pos);
  }

  byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  varint(v: number): void {
    const buf = this.buf;
    let pos = this.pos;
    while (v > 127) {
      buf[pos++] = (v & 127) | 128;
      v >>>= 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  int64(v: number): void {
    if (v >= 0 && v < 268435456 && (v | 0) === v) {
      this.varint(v);
      return;
    }
    bits(v);
    this.#varint64();
  }

  int32(v: number): void {
    const x = v | 0;
    if (x < 0) {
      bits(x);
      this.#varint64();
    } else this.varint(x);
  }

  #varint64(): void {
    const buf = this.buf;
    let pos = this.pos;
    let l = lo;
    let h = hi;
    while (h) {
      buf[pos++] = (l & 127) | 128;
      l = ((l >>> 7) | (h << 25)) >>> 0;
      h >>>= 7;
    }
    while (l > 127) {
      buf[pos++] = (l & 127) | 128;
      l >>>= 7;
    }
    buf[pos++] = l;
    this.pos = pos;
  }

  /** String bytes (length already written); `n` is its UTF-8 length. */
  str(s: string, n: number): void {
    if (n === 0) return;
    if (s.length < SHORT_STRING) utf8Write(s, this.buf, this.pos);
    else this.buf.utf8Write(s, this.pos, n);
    this.pos += n;
  }

  bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Raw bytes prepared in advance (the metadata field). */
  raw(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}

/** The metadata field (key 1, length, Metadata{group, name}) as protobufjs writes it. */
function metadataField(group: string, name: string): Buffer {
  const g = Buffer.from(group, 'utf8');
  const n = Buffer.from(name, 'utf8');
  const body = 1 + vlen(g.length) + g.length + 1 + vlen(n.length) + n.length;
  const w = new SlabWriter(Buffer.allocUnsafe);
  const size = 1 + vlen(body) + body;
  w.reserve(size, 1);
  w.byte(0x0a);
  w.varint(body);
  w.byte(0x0a);
  w.varint(g.length);
  w.str(group, g.length);
  w.byte(0x12);
  w.varint(n.length);
  w.str(name, n.length);
  return Buffer.from(w.frame(size));
}

/** Per-span sizes shared by the two models: the ten schema tags in order (see model.ts spanTagValues). */
interface TagSizes {
  /** UTF-8 lengths of serviceId, serviceInstanceId, traceId, spanId, parentSpanId, operationName, component. */
  s0: number;
  s1: number;
  s2: number;
  s6: number;
  s7: number;
  s8: number;
  s9: number;
  /** Sum over the ten tags of key + length + TagValue body (with `tagKey` 1 byte per tag). */
  total: number;
  /** TagValue body of the startTime tag (INT or TIMESTAMP). */
  startBody: number;
  latencyBody: number;
  errorBody: number;
  seconds: number;
  nanos: number;
}

const sizes: TagSizes = {
  s0: 0,
  s1: 0,
  s2: 0,
  s6: 0,
  s7: 0,
  s8: 0,
  s9: 0,
  total: 0,
  startBody: 0,
  latencyBody: 0,
  errorBody: 0,
  seconds: 0,
  nanos: 0,
};

/** TagValue{str: Str{value}} body for a string of `n` bytes. */
function strTagBody(n: number): number {
  const inner = 1 + vlen(n) + n;
  return 1 + vlen(inner) + inner;
}

/** TagValue{int: Int{value}} body. */
function intTagBody(v: number): number {
  const inner = 1 + int64Len(v);
  return 1 + vlen(inner) + inner;
}

function tagField(body: number): number {
  return 1 + vlen(body) + body;
}

function measureTags(s: WorkloadSpan, startAsTimestamp: boolean): void {
  sizes.s0 = strBytes(s.serviceId);
  sizes.s1 = strBytes(s.serviceInstanceId);
  sizes.s2 = strBytes(s.traceId);
  sizes.s6 = strBytes(s.spanId);
  sizes.s7 = strBytes(s.parentSpanId);
  sizes.s8 = strBytes(s.operationName);
  sizes.s9 = strBytes(s.component);
  if (startAsTimestamp) {
    const seconds = Math.floor(s.startTimeMs / 1000);
    sizes.seconds = seconds;
    sizes.nanos = Math.round((s.startTimeMs - seconds * 1000) * 1e6);
    const ts = 1 + int64Len(seconds) + 1 + int32Len(sizes.nanos);
    sizes.startBody = 1 + vlen(ts) + ts;
  } else {
    sizes.startBody = intTagBody(s.startTimeMs);
  }
  sizes.latencyBody = intTagBody(s.latencyMs);
  sizes.errorBody = intTagBody(s.isError);
  sizes.total =
    tagField(strTagBody(sizes.s0)) +
    tagField(strTagBody(sizes.s1)) +
    tagField(strTagBody(sizes.s2)) +
    tagField(sizes.startBody) +
    tagField(sizes.latencyBody) +
    tagField(sizes.errorBody) +
    tagField(strTagBody(sizes.s6)) +
    tagField(strTagBody(sizes.s7)) +
    tagField(strTagBody(sizes.s8)) +
    tagField(strTagBody(sizes.s9));
}

function writeStrTag(w: SlabWriter, key: number, s: string, n: number): void {
  const inner = 1 + vlen(n) + n;
  w.byte(key);
  w.varint(1 + vlen(inner) + inner);
  w.byte(0x12);
  w.varint(inner);
  w.byte(0x0a);
  w.varint(n);
  w.str(s, n);
}

function writeIntTag(w: SlabWriter, key: number, v: number, body: number): void {
  w.byte(key);
  w.varint(body);
  w.byte(0x22);
  w.varint(body - 2);
  w.byte(0x08);
  w.int64(v);
}

function writeTags(w: SlabWriter, key: number, s: WorkloadSpan, startAsTimestamp: boolean): void {
  writeStrTag(w, key, s.serviceId, sizes.s0);
  writeStrTag(w, key, s.serviceInstanceId, sizes.s1);
  writeStrTag(w, key, s.traceId, sizes.s2);
  if (startAsTimestamp) {
    const ts = sizes.startBody - 2;
    w.byte(key);
    w.varint(sizes.startBody);
    w.byte(0x3a);
    w.varint(ts);
    w.byte(0x08);
    w.int64(sizes.seconds);
    w.byte(0x10);
    w.int32(sizes.nanos);
  } else {
    writeIntTag(w, key, s.startTimeMs, sizes.startBody);
  }
  writeIntTag(w, key, s.latencyMs, sizes.latencyBody);
  writeIntTag(w, key, s.isError, sizes.errorBody);
  writeStrTag(w, key, s.spanId, sizes.s6);
  writeStrTag(w, key, s.parentSpanId, sizes.s7);
  writeStrTag(w, key, s.operationName, sizes.s8);
  writeStrTag(w, key, s.component, sizes.s9);
}

/** Encodes spans into `banyandb.trace.v1.WriteRequest` frames (metadata in each, `version` = ids[i]). */
export function traceFrameEncoder(
  group: string,
  name: string,
  alloc: (bytes: number) => Buffer = Buffer.allocUnsafe,
): (spans: readonly WorkloadSpan[], ids: readonly number[]) => Buffer[] {
  const meta = metadataField(group, name);
  return (spans, ids) => {
    const w = new SlabWriter(alloc);
    const frames = new Array<Buffer>(spans.length);
    for (let i = 0; i < spans.length; i++) {
      const s = spans[i]!;
      const id = ids[i]!;
      measureTags(s, true);
      const payload = s.dataBinary;
      const size = meta.length + sizes.total + 1 + vlen(payload.length) + payload.length + 1 + int64Len(id);
      w.reserve(size, spans.length - i);
      w.raw(meta);
      writeTags(w, 0x12, s, true);
      w.byte(0x1a);
      w.varint(payload.length);
      w.bytes(payload);
      w.byte(0x20);
      w.int64(id);
      frames[i] = w.frame(size);
    }
    return frames;
  };
}

/** Encodes spans into `banyandb.stream.v1.WriteRequest` frames (metadata in each, `message_id` = ids[i]). */
export function streamFrameEncoder(
  group: string,
  name: string,
  alloc: (bytes: number) => Buffer = Buffer.allocUnsafe,
): (spans: readonly WorkloadSpan[], ids: readonly number[]) => Buffer[] {
  const meta = metadataField(group, name);
  return (spans, ids) => {
    const w = new SlabWriter(alloc);
    const frames = new Array<Buffer>(spans.length);
    for (let i = 0; i < spans.length; i++) {
      const s = spans[i]!;
      const id = ids[i]!;
      measureTags(s, false);
      const seconds = Math.floor(s.startTimeMs / 1000);
      const nanos = Math.round((s.startTimeMs - seconds * 1000) * 1e6);
      const ts = 1 + int64Len(seconds) + 1 + int32Len(nanos);
      const spanIdBytes = sizes.s6;
      const payload = s.dataBinary;
      const binTag = 1 + vlen(payload.length) + payload.length;
      const fam1 = sizes.total;
      const fam2 = tagField(binTag);
      const element = 1 + vlen(spanIdBytes) + spanIdBytes + (1 + vlen(ts) + ts) + (1 + vlen(fam1) + fam1) + (1 + vlen(fam2) + fam2);
      const size = meta.length + 1 + vlen(element) + element + 1 + int64Len(id);
      w.reserve(size, spans.length - i);
      w.raw(meta);
      w.byte(0x12);
      w.varint(element);
      w.byte(0x0a);
      w.varint(spanIdBytes);
      w.str(s.spanId, spanIdBytes);
      w.byte(0x12);
      w.varint(ts);
      w.byte(0x08);
      w.int64(seconds);
      w.byte(0x10);
      w.int32(nanos);
      w.byte(0x1a);
      w.varint(fam1);
      writeTags(w, 0x0a, s, false);
      w.byte(0x1a);
      w.varint(fam2);
      w.byte(0x0a);
      w.varint(binTag);
      w.byte(0x32);
      w.varint(payload.length);
      w.bytes(payload);
      w.byte(0x18);
      w.int64(id);
      frames[i] = w.frame(size);
    }
    return frames;
  };
}
