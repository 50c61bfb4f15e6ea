/**
 * Generated spans straight into the WriteRequest frames their model adapter's requests encode to: the same bytes as
 * `streamAdapter(...).toWriteRequest(span)` / `traceAdapter(...)` encoded by the client (src/wire/requests.ts, or
 * protobufjs), without building the ten TagValue objects per span first. The span's shape is fixed, so this is a
 * straight sequence of writes into slabs shared by the frames of one batch. test/workload-encode.test.ts compares
 * the bytes with protobufjs.
 *
 * Used by the workload's producer thread and by the workload itself when its client takes pre-encoded frames
 * (BanyanDBClient does). Internal: not part of the public API.
 */
import type { Span } from '../generator/generator.js';
import { FrameWriter, int32Len, int64Len, utf8Len, varintLen } from './writer.js';

/** The metadata field (key 1, length, Metadata{group, name}) as protobufjs writes it. */
function metadataField(group: string, name: string): Buffer {
  const g = utf8Len(group);
  const n = utf8Len(name);
  const body = 1 + varintLen(g) + g + 1 + varintLen(n) + n;
  const size = 1 + varintLen(body) + body;
  const w = new FrameWriter();
  w.reserve(size, 1);
  w.byte(0x0a);
  w.varint(body);
  w.strField(0x0a, group, g);
  w.strField(0x12, name, n);
  return Buffer.from(w.frame(size));
}

/**
 * Whole string tags (key, lengths and bytes) as writeStrTag writes them, kept per encoder for the strings that
 * repeat: the generator draws service, instance, operation and component names from fixed vocabularies, and a
 * trace's spans share its trace id. A span then costs one lookup per such tag instead of two passes over its chars
 * (the UTF-8 length, then the bytes), which were about a sixth of the producer thread's encoding time. Bounded: past
 * {@link STR_TAG_CACHE_ENTRIES} strings, the others are encoded each time as before.
 */
class StrTagCache {
  readonly #tags = new Map<string, Uint8Array>();
  readonly #key: number;
  /** The last trace id's tag: a trace's spans come one after another, so one entry is enough. */
  #traceId = '';
  #traceTag: Uint8Array = new Uint8Array(0);

  constructor(key: number) {
    this.#key = key;
  }

  /** The encoded tag of a vocabulary string (interned per encoder up to the bound). */
  tag(s: string): Uint8Array {
    const hit = this.#tags.get(s);
    if (hit !== undefined) return hit;
    const tag = encodeStrTag(this.#key, s);
    if (this.#tags.size < STR_TAG_CACHE_ENTRIES) this.#tags.set(s, tag);
    return tag;
  }

  /** The encoded tag of the trace id (the previous span's, when it is the same). */
  traceTag(s: string): Uint8Array {
    if (s !== this.#traceId) {
      this.#traceTag = encodeStrTag(this.#key, s);
      this.#traceId = s;
    }
    return this.#traceTag;
  }
}

/** Most strings one encoder keeps the tags of (a few hundred KB at most). */
const STR_TAG_CACHE_ENTRIES = 8192;

function strTagSize(n: number): number {
  return tagField(strTagBody(n));
}

/** One string tag on its own, exactly as {@link writeStrTag} writes it into a frame. */
function encodeStrTag(key: number, s: string): Uint8Array {
  const n = utf8Len(s);
  const size = strTagSize(n);
  const w = new FrameWriter();
  w.reserve(size, 1);
  writeStrTag(w, key, s, n);
  return new Uint8Array(w.frame(size));
}

/** Per-span sizes shared by the two models: the ten schema tags in order (see src/workload/model.ts spanTagValues). */
interface TagSizes {
  /** Encoded tags of serviceId, serviceInstanceId, traceId, operationName, component (from the encoder's cache). */
  t0: Uint8Array;
  t1: Uint8Array;
  t2: Uint8Array;
  t8: Uint8Array;
  t9: Uint8Array;
  /** UTF-8 lengths of spanId, parentSpanId. */
  s6: number;
  s7: number;
  /** Sum over the ten tags of key + length + TagValue body (with `tagKey` 1 byte per tag). */
  total: number;
  /** TagValue body of the startTime tag (INT or TIMESTAMP). */
  startBody: number;
  latencyBody: number;
  errorBody: number;
  seconds: number;
  nanos: number;
}

const NO_TAG = new Uint8Array(0);
const sizes: TagSizes = {
  t0: NO_TAG,
  t1: NO_TAG,
  t2: NO_TAG,
  t8: NO_TAG,
  t9: NO_TAG,
  s6: 0,
  s7: 0,
  total: 0,
  startBody: 0,
  latencyBody: 0,
  errorBody: 0,
  seconds: 0,
  nanos: 0,
};

/** TagValue{str: Str{value}} body for a string of `n` bytes. */
function strTagBody(n: number): number {
  const inner = 1 + varintLen(n) + n;
  return 1 + varintLen(inner) + inner;
}

/** TagValue{int: Int{value}} body. */
function intTagBody(v: number): number {
  const inner = 1 + int64Len(v);
  return 1 + varintLen(inner) + inner;
}

function tagField(body: number): number {
  return 1 + varintLen(body) + body;
}

function measureTags(s: Span, startAsTimestamp: boolean, cache: StrTagCache): void {
  sizes.t0 = cache.tag(s.serviceId);
  sizes.t1 = cache.tag(s.serviceInstanceId);
  sizes.t2 = cache.traceTag(s.traceId);
  sizes.s6 = utf8Len(s.spanId);
  sizes.s7 = utf8Len(s.parentSpanId);
  sizes.t8 = cache.tag(s.operationName);
  sizes.t9 = cache.tag(s.component);
  if (startAsTimestamp) {
    const seconds = Math.floor(s.startTimeMs / 1000);
    sizes.seconds = seconds;
    sizes.nanos = Math.round((s.startTimeMs - seconds * 1000) * 1e6);
    const ts = 1 + int64Len(seconds) + 1 + int32Len(sizes.nanos);
    sizes.startBody = 1 + varintLen(ts) + ts;
  } else {
    sizes.startBody = intTagBody(s.startTimeMs);
  }
  sizes.latencyBody = intTagBody(s.latencyMs);
  sizes.errorBody = intTagBody(s.isError);
  sizes.total =
    sizes.t0.length +
    sizes.t1.length +
    sizes.t2.length +
    tagField(sizes.startBody) +
    tagField(sizes.latencyBody) +
    tagField(sizes.errorBody) +
    strTagSize(sizes.s6) +
    strTagSize(sizes.s7) +
    sizes.t8.length +
    sizes.t9.length;
}

function writeStrTag(w: FrameWriter, key: number, s: string, n: number): void {
  const inner = 1 + varintLen(n) + n;
  w.byte(key);
  w.varint(1 + varintLen(inner) + inner);
  w.byte(0x12);
  w.varint(inner);
  w.strField(0x0a, s, n);
}

function writeIntTag(w: FrameWriter, key: number, v: number, body: number): void {
  w.byte(key);
  w.varint(body);
  w.byte(0x22);
  w.varint(body - 2);
  w.byte(0x08);
  w.int64(v);
}

function writeTags(w: FrameWriter, key: number, s: Span, startAsTimestamp: boolean): void {
  w.shortBytes(sizes.t0);
  w.shortBytes(sizes.t1);
  w.shortBytes(sizes.t2);
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
  w.shortBytes(sizes.t8);
  w.shortBytes(sizes.t9);
}

/** The key byte of each tag: trace.v1.WriteRequest.tags (field 2), model.v1.TagFamilyForWrite.tags (field 1). */
const TRACE_TAG_KEY = 0x12;
const STREAM_TAG_KEY = 0x0a;

/** Encodes a batch of spans into frames with `encodeOne`, which writes one span's frame and returns its size. */
type EncodeOne = (w: FrameWriter, meta: Buffer, s: Span, id: number, framesLeft: number, cache: StrTagCache) => number;

function frameEncoder(
  group: string,
  name: string,
  alloc: (bytes: number) => Buffer,
  encodeOne: EncodeOne,
  tagKey: number,
): (spans: readonly Span[], ids: readonly number[]) => Buffer[] {
  const meta = metadataField(group, name);
  const cache = new StrTagCache(tagKey);
  return (spans, ids) => {
    const w = new FrameWriter(alloc);
    const frames = new Array<Buffer>(spans.length);
    for (let i = 0; i < spans.length; i++) frames[i] = w.frame(encodeOne(w, meta, spans[i]!, ids[i]!, spans.length - i, cache));
    return frames;
  };
}

/** One `banyandb.trace.v1.WriteRequest` frame: metadata, the ten tags, the payload as `span`, `version` = id. */
function encodeTraceSpan(w: FrameWriter, meta: Buffer, s: Span, id: number, framesLeft: number, cache: StrTagCache): number {
  measureTags(s, true, cache);
  const payload = s.dataBinary;
  const size = meta.length + sizes.total + 1 + varintLen(payload.length) + payload.length + 1 + int64Len(id);
  w.reserve(size, framesLeft);
  w.bytes(meta);
  writeTags(w, TRACE_TAG_KEY, s, true);
  w.bytesField(0x1a, payload);
  w.byte(0x20);
  w.int64(id);
  return size;
}

/** One `banyandb.stream.v1.WriteRequest` frame: metadata, the element (two tag families), `message_id` = id. */
function encodeStreamSpan(w: FrameWriter, meta: Buffer, s: Span, id: number, framesLeft: number, cache: StrTagCache): number {
  measureTags(s, false, cache);
  const seconds = Math.floor(s.startTimeMs / 1000);
  const nanos = Math.round((s.startTimeMs - seconds * 1000) * 1e6);
  const ts = 1 + int64Len(seconds) + 1 + int32Len(nanos);
  const spanIdBytes = sizes.s6;
  const payload = s.dataBinary;
  const binTag = 1 + varintLen(payload.length) + payload.length;
  const fam1 = sizes.total;
  const fam2 = tagField(binTag);
  const element =
    1 + varintLen(spanIdBytes) + spanIdBytes + (1 + varintLen(ts) + ts) + (1 + varintLen(fam1) + fam1) + (1 + varintLen(fam2) + fam2);
  const size = meta.length + 1 + varintLen(element) + element + 1 + int64Len(id);
  w.reserve(size, framesLeft);
  w.bytes(meta);
  w.byte(0x12);
  w.varint(element);
  w.strField(0x0a, s.spanId, spanIdBytes);
  w.byte(0x12);
  w.varint(ts);
  w.byte(0x08);
  w.int64(seconds);
  w.byte(0x10);
  w.int32(nanos);
  w.byte(0x1a);
  w.varint(fam1);
  writeTags(w, STREAM_TAG_KEY, s, false);
  w.byte(0x1a);
  w.varint(fam2);
  w.byte(0x0a);
  w.varint(binTag);
  w.bytesField(0x32, payload);
  w.byte(0x18);
  w.int64(id);
  return size;
}

/** Encodes spans into `banyandb.trace.v1.WriteRequest` frames (metadata in each, `version` = ids[i]). */
export function traceFrameEncoder(
  group: string,
  name: string,
  alloc: (bytes: number) => Buffer = Buffer.allocUnsafe,
): (spans: readonly Span[], ids: readonly number[]) => Buffer[] {
  return frameEncoder(group, name, alloc, encodeTraceSpan, TRACE_TAG_KEY);
}

/** Encodes spans into `banyandb.stream.v1.WriteRequest` frames (metadata in each, `message_id` = ids[i]). */
export function streamFrameEncoder(
  group: string,
  name: string,
  alloc: (bytes: number) => Buffer = Buffer.allocUnsafe,
): (spans: readonly Span[], ids: readonly number[]) => Buffer[] {
  return frameEncoder(group, name, alloc, encodeStreamSpan, STREAM_TAG_KEY);
}
