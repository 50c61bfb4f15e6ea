/**
 * Direct protobuf encoder of BanyanDB write requests (hot path of every write batch).
 *
 * Produces exactly the bytes protobufjs' raw `Type.encode(msg).finish()` produces for the same object (same field
 * order, same presence rules, same int64/int32 varints, same UTF-8 writer for short strings), but measures the
 * message first and writes it straight into one exactly-sized Buffer: no writer op list, no fork/ldelim, no
 * intermediate objects. Anything outside the plain shapes of types.ts (Long objects, numeric strings, base64 bytes,
 * non-array repeated fields...) makes it return `undefined`, and the caller falls back to protobufjs.
 *
 * Internal: not part of the public API.
 */
import protobuf from 'protobufjs';
import type { Metadata, StreamWriteRequest, TagValue, Timestamp, TraceWriteRequest } from './types.js';

/** protobufjs writes strings shorter than this with its own UTF-8 writer (and longer ones with Buffer#utf8Write). */
const SHORT_STRING = 40;
const utf8Write = protobuf.util.utf8.write as (s: string, buf: Uint8Array, pos: number) => number;
const hasOwn = Object.prototype.hasOwnProperty;

/** Set when the size pass meets a value it does not handle; the caller then uses protobufjs. */
let unsupported = false;
/** Sizes of nested messages, in the order the write pass meets them. */
let lens: number[] = [];
let li = 0;
/** Byte length of each string met by the size pass, same order. */
let strLens: number[] = [];
let si = 0;

// ---------------------------------------------------------------------------------------------------------
// Scalars (protobufjs semantics).

function varintLen32(v: number): number {
  return v < 128 ? 1 : v < 16384 ? 2 : v < 2097152 ? 3 : v < 268435456 ? 4 : 5;
}

/** lo/hi of protobufjs' LongBits.fromNumber, kept in module scratch to avoid allocating. */
let bitsLo = 0;
let bitsHi = 0;
function longBits(value: number): void {
  if (value === 0) {
    bitsLo = 0;
    bitsHi = 0;
    return;
  }
  const sign = value < 0;
  if (sign) value = -value;
  let lo = value >>> 0;
  let hi = ((value - lo) / 4294967296) >>> 0;
  if (sign) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
    if (++lo > 4294967295) {
      lo = 0;
      if (++hi > 4294967295) hi = 0;
    }
  }
  bitsLo = lo;
  bitsHi = hi;
}

function varintLen64(): number {
  const part0 = bitsLo;
  const part1 = ((bitsLo >>> 28) | (bitsHi << 4)) >>> 0;
  const part2 = bitsHi >>> 24;
  return part2 === 0
    ? part1 === 0
      ? part0 < 16384
        ? part0 < 128
          ? 1
          : 2
        : part0 < 2097152
          ? 3
          : 4
      : part1 < 16384
        ? part1 < 128
          ? 5
          : 6
        : part1 < 2097152
          ? 7
          : 8
    : part2 < 128
      ? 9
      : 10;
}

/** Size of an int64/uint64 given as a JS number; marks anything else unsupported. */
function sizeInt64(v: unknown): number {
  if (typeof v !== 'number') {
    unsupported = true;
    return 0;
  }
  if (v >= 0 && v < 268435456 && (v | 0) === v) return varintLen32(v);
  longBits(v);
  return varintLen64();
}

function sizeInt32(v: unknown): number {
  if (typeof v !== 'number') {
    unsupported = true;
    return 0;
  }
  const x = v | 0;
  return x < 0 ? 10 : varintLen32(x);
}

function sizeUint32(v: unknown): number {
  if (typeof v !== 'number') {
    unsupported = true;
    return 0;
  }
  return varintLen32(v >>> 0);
}

/** Field key + length prefix + bytes of a string; remembers the byte length for the write pass. */
function sizeString(s: unknown): number {
  if (typeof s !== 'string') {
    unsupported = true;
    return 0;
  }
  const n = s.length < SHORT_STRING && isAscii(s) ? s.length : Buffer.byteLength(s);
  strLens.push(n);
  return 1 + varintLen32(n) + n;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function sizeBytes(b: unknown): number {
  if (!(b instanceof Uint8Array)) {
    unsupported = true;
    return 0;
  }
  return 1 + varintLen32(b.length) + b.length;
}

/**
 * Nested messages: `open()` reserves the length slot before the children are measured (so the write pass, which
 * meets the outer message first, reads the lengths in the order they were reserved); `close()` fills it in and
 * returns key + length prefix + body.
 */
function open(): number {
  lens.push(0);
  return lens.length - 1;
}
function close(slot: number, body: number): number {
  lens[slot] = body;
  return 1 + varintLen32(body) + body;
}

// ---------------------------------------------------------------------------------------------------------
// Size pass: message bodies. Field presence as protobufjs: singular `x != null && own property`, repeated
// `x != null && x.length` (arrays only here).

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function present(m: object, key: string, v: unknown): boolean {
  return v != null && hasOwn.call(m, key);
}

function repeated(v: unknown): v is unknown[] {
  if (v == null) return false;
  if (!Array.isArray(v)) {
    unsupported = true;
    return false;
  }
  return v.length > 0;
}

function sizeMetadata(m: unknown): number {
  if (!isObject(m)) {
    unsupported = true;
    return 0;
  }
  let n = 0;
  if (present(m, 'group', m.group)) n += sizeString(m.group);
  if (present(m, 'name', m.name)) n += sizeString(m.name);
  if (present(m, 'id', m.id)) n += 1 + sizeUint32(m.id);
  if (present(m, 'createRevision', m.createRevision)) n += 1 + sizeInt64(m.createRevision);
  if (present(m, 'modRevision', m.modRevision)) n += 1 + sizeInt64(m.modRevision);
  return n;
}

function sizeTimestamp(t: unknown): number {
  if (!isObject(t)) {
    unsupported = true;
    return 0;
  }
  let n = 0;
  if (present(t, 'seconds', t.seconds)) n += 1 + sizeInt64(t.seconds);
  if (present(t, 'nanos', t.nanos)) n += 1 + sizeInt32(t.nanos);
  return n;
}

/** A tag whose `null` is set but not a number: the client sends it as `{ null: 0 }` (see write.ts). */
function isNullFix(t: Record<string, unknown>): boolean {
  const v = t.null;
  return v !== undefined && typeof v !== 'number';
}

function sizeTagValue(t: unknown): number {
  if (!isObject(t)) {
    unsupported = true;
    return 0;
  }
  if (isNullFix(t)) return 2;
  let n = 0;
  if (present(t, 'null', t.null)) n += 1 + sizeInt32(t.null);
  if (present(t, 'str', t.str)) {
    const s = t.str;
    if (!isObject(s)) unsupported = true;
    else n += close(open(), present(s, 'value', s.value) ? sizeString(s.value) : 0);
  }
  if (present(t, 'strArray', t.strArray)) {
    const a = t.strArray;
    const slot = open();
    let body = 0;
    if (!isObject(a)) unsupported = true;
    else if (repeated(a.value)) for (const s of a.value) body += sizeString(s);
    n += close(slot, body);
  }
  if (present(t, 'int', t.int)) {
    const x = t.int;
    if (!isObject(x)) unsupported = true;
    else n += close(open(), present(x, 'value', x.value) ? 1 + sizeInt64(x.value) : 0);
  }
  if (present(t, 'intArray', t.intArray)) {
    const a = t.intArray;
    const slot = open();
    let body = 0;
    if (!isObject(a)) unsupported = true;
    else if (repeated(a.value)) {
      const packedSlot = open();
      let packed = 0;
      for (const v of a.value) packed += sizeInt64(v);
      body = close(packedSlot, packed);
    }
    n += close(slot, body);
  }
  if (present(t, 'binaryData', t.binaryData)) n += sizeBytes(t.binaryData);
  if (present(t, 'timestamp', t.timestamp)) {
    const slot = open();
    n += close(slot, sizeTimestamp(t.timestamp));
  }
  return n;
}

function sizeTags(tags: unknown[]): number {
  let n = 0;
  for (const t of tags) {
    const slot = open();
    n += close(slot, sizeTagValue(t));
  }
  return n;
}

function sizeStringList(list: unknown[]): number {
  let n = 0;
  for (const s of list) n += sizeString(s);
  return n;
}

// ---------------------------------------------------------------------------------------------------------
// Write pass: mirrors the size pass exactly, consuming `lens` and `strLens` in the same order.

const EMPTY = Buffer.alloc(0);
let buf: Buffer = EMPTY;
let pos = 0;

function writeVarint32(v: number): void {
  while (v > 127) {
    buf[pos++] = (v & 127) | 128;
    v >>>= 7;
  }
  buf[pos++] = v;
}

function writeVarint64(): void {
  let lo = bitsLo;
  let hi = bitsHi;
  while (hi) {
    buf[pos++] = (lo & 127) | 128;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  while (lo > 127) {
    buf[pos++] = (lo & 127) | 128;
    lo >>>= 7;
  }
  buf[pos++] = lo;
}

function writeInt64(v: number): void {
  if (v >= 0 && v < 268435456 && (v | 0) === v) writeVarint32(v);
  else {
    longBits(v);
    writeVarint64();
  }
}

function writeInt32(v: number): void {
  const x = v | 0;
  if (x < 0) {
    longBits(x);
    writeVarint64();
  } else writeVarint32(x);
}

function writeString(key: number, s: string): void {
  const n = strLens[si++]!;
  buf[pos++] = key;
  writeVarint32(n);
  if (n === 0) return;
  if (s.length < SHORT_STRING) utf8Write(s, buf, pos);
  else (buf as Buffer & { utf8Write(s: string, offset: number, length: number): number }).utf8Write(s, pos, n);
  pos += n;
}

function writeBytes(key: number, b: Uint8Array): void {
  buf[pos++] = key;
  writeVarint32(b.length);
  if (b.length > 0) buf.set(b, pos);
  pos += b.length;
}

function writeNested(key: number): void {
  buf[pos++] = key;
  writeVarint32(lens[li++]!);
}

function writeMetadata(m: Metadata & Record<string, unknown>): void {
  if (present(m, 'group', m.group)) writeString(0x0a, m.group as string);
  if (present(m, 'name', m.name)) writeString(0x12, m.name as string);
  if (present(m, 'id', m.id)) {
    buf[pos++] = 0x18;
    writeVarint32((m.id as number) >>> 0);
  }
  if (present(m, 'createRevision', m.createRevision)) {
    buf[pos++] = 0x20;
    writeInt64(m.createRevision as number);
  }
  if (present(m, 'modRevision', m.modRevision)) {
    buf[pos++] = 0x28;
    writeInt64(m.modRevision as number);
  }
}

function writeTimestamp(t: Timestamp & Record<string, unknown>): void {
  if (present(t, 'seconds', t.seconds)) {
    buf[pos++] = 0x08;
    writeInt64(t.seconds as number);
  }
  if (present(t, 'nanos', t.nanos)) {
    buf[pos++] = 0x10;
    writeInt32(t.nanos as number);
  }
}

function writeTagValue(t: Record<string, unknown>): void {
  if (isNullFix(t)) {
    buf[pos++] = 0x08;
    buf[pos++] = 0;
    return;
  }
  if (present(t, 'null', t.null)) {
    buf[pos++] = 0x08;
    writeInt32(t.null as number);
  }
  if (present(t, 'str', t.str)) {
    const s = t.str as Record<string, unknown>;
    writeNested(0x12);
    if (present(s, 'value', s.value)) writeString(0x0a, s.value as string);
  }
  if (present(t, 'strArray', t.strArray)) {
    const a = t.strArray as Record<string, unknown>;
    writeNested(0x1a);
    const v = a.value as string[] | null | undefined;
    if (v != null) for (const s of v) writeString(0x0a, s);
  }
  if (present(t, 'int', t.int)) {
    const x = t.int as Record<string, unknown>;
    writeNested(0x22);
    if (present(x, 'value', x.value)) {
      buf[pos++] = 0x08;
      writeInt64(x.value as number);
    }
  }
  if (present(t, 'intArray', t.intArray)) {
    const a = t.intArray as Record<string, unknown>;
    writeNested(0x2a);
    const v = a.value as number[] | null | undefined;
    if (v != null && v.length > 0) {
      writeNested(0x0a);
      for (const x of v) writeInt64(x);
    }
  }
  if (present(t, 'binaryData', t.binaryData)) writeBytes(0x32, t.binaryData as Uint8Array);
  if (present(t, 'timestamp', t.timestamp)) {
    writeNested(0x3a);
    writeTimestamp(t.timestamp as Timestamp & Record<string, unknown>);
  }
}

function writeTags(key: number, tags: readonly TagValue[]): void {
  for (const t of tags) {
    writeNested(key);
    writeTagValue(t as Record<string, unknown>);
  }
}

function begin(): void {
  unsupported = false;
  lens.length = 0;
  strLens.length = 0;
}

// Frames of one batch are carved out of shared slabs of up to ARENA_BYTES: one ArrayBuffer per ~6 frames of
// 10 KB instead of one each (fewer backing-store allocations and less external-memory GC pressure). A slab
// never outlives the frames cut from it, and slabs are sized from the messages still to come in the batch, so
// a small batch does not pin a large slab.
/** Largest slab frames are carved from (below glibc's mmap threshold, so slabs are recycled by malloc). */
const ARENA_BYTES = 64 * 1024;
let arena: Buffer = Buffer.alloc(0);
let arenaOff = 0;
/** Messages still to encode in the current batch (sizes the next slab). */
let batchLeft = 1;
let start = 0;

/** Starts a batch of `messages` frames: later frames share slabs with each other, never with earlier batches. */
export function beginBatch(messages: number): void {
  arena = Buffer.alloc(0);
  arenaOff = 0;
  batchLeft = Math.max(1, messages);
}

/** Ends a batch: forgets the last slab so it is freed with the batch's frames. */
export function endBatch(): void {
  arena = Buffer.alloc(0);
  arenaOff = 0;
  batchLeft = 1;
  // Drop references held by scratch arrays that grew large.
  if (lens.length > 4096) lens = [];
  if (strLens.length > 4096) strLens = [];
}

function allocate(size: number): void {
  if (arena.length - arenaOff < size) {
    arena = Buffer.allocUnsafe(Math.max(size, Math.min(ARENA_BYTES, size * batchLeft)));
    arenaOff = 0;
  }
  buf = arena;
  start = arenaOff;
  pos = arenaOff;
  li = 0;
  si = 0;
}

function finish(size: number): Buffer {
  if (pos !== start + size) throw new Error(`internal error: encoded ${pos - start} bytes, measured ${size}`);
  arenaOff = pos;
  if (batchLeft > 1) batchLeft--;
  buf = EMPTY;
  return arena.subarray(start, pos);
}

// ---------------------------------------------------------------------------------------------------------
// Messages.

/**
 * Encodes a `banyandb.trace.v1.WriteRequest` with the given metadata and version, or returns undefined when a
 * value is outside the shapes this encoder handles (the caller then uses protobufjs).
 */
export function encodeTraceWrite(metadata: Metadata | undefined, req: TraceWriteRequest, version: number | undefined): Buffer | undefined {
  begin();
  let size = 0;
  if (metadata != null) {
    const slot = open();
    size += close(slot, sizeMetadata(metadata));
  }
  const tags = req.tags;
  if (repeated(tags)) size += sizeTags(tags);
  const span = req.span;
  if (span != null) size += sizeBytes(span);
  if (version != null) size += 1 + sizeInt64(version);
  const tagSpec = req.tagSpec;
  if (tagSpec != null) {
    const slot = open();
    let body = 0;
    if (!isObject(tagSpec)) unsupported = true;
    else if (repeated(tagSpec.tagNames)) body = sizeStringList(tagSpec.tagNames);
    size += close(slot, body);
  }
  if (unsupported) return undefined;

  allocate(size);
  if (metadata != null) {
    writeNested(0x0a);
    writeMetadata(metadata as Metadata & Record<string, unknown>);
  }
  if (tags != null && tags.length > 0) writeTags(0x12, tags);
  if (span != null) writeBytes(0x1a, span);
  if (version != null) {
    buf[pos++] = 0x20;
    writeInt64(version);
  }
  if (tagSpec != null) {
    writeNested(0x2a);
    const names = tagSpec.tagNames;
    if (names != null) for (const s of names) writeString(0x0a, s);
  }
  return finish(size);
}

/**
 * Encodes a `banyandb.stream.v1.WriteRequest` with the given metadata and message id, or returns undefined when a
 * value is outside the shapes this encoder handles (the caller then uses protobufjs).
 */
export function encodeStreamWrite(
  metadata: Metadata | undefined,
  req: StreamWriteRequest,
  messageId: number | undefined,
): Buffer | undefined {
  begin();
  let size = 0;
  if (metadata != null) {
    const slot = open();
    size += close(slot, sizeMetadata(metadata));
  }
  const element = req.element;
  if (element != null) {
    const slot = open();
    let body = 0;
    if (!isObject(element)) unsupported = true;
    else {
      const e = element as Record<string, unknown>;
      if (present(e, 'elementId', e.elementId)) body += sizeString(e.elementId);
      if (present(e, 'timestamp', e.timestamp)) {
        const ts = open();
        body += close(ts, sizeTimestamp(e.timestamp));
      }
      const families = e.tagFamilies;
      if (repeated(families)) {
        for (const f of families) {
          const fs = open();
          let fb = 0;
          if (!isObject(f)) unsupported = true;
          else if (repeated(f.tags)) fb = sizeTags(f.tags);
          body += close(fs, fb);
        }
      }
    }
    size += close(slot, body);
  }
  if (messageId != null) size += 1 + sizeInt64(messageId);
  const specs = req.tagFamilySpec;
  if (repeated(specs)) {
    for (const s of specs) {
      const slot = open();
      let body = 0;
      if (!isObject(s)) unsupported = true;
      else {
        if (present(s, 'name', s.name)) body += sizeString(s.name);
        if (repeated(s.tagNames)) body += sizeStringList(s.tagNames);
      }
      size += close(slot, body);
    }
  }
  if (unsupported) return undefined;

  allocate(size);
  if (metadata != null) {
    writeNested(0x0a);
    writeMetadata(metadata as Metadata & Record<string, unknown>);
  }
  if (element != null) {
    const e = element as Record<string, unknown>;
    writeNested(0x12);
    if (present(e, 'elementId', e.elementId)) writeString(0x0a, e.elementId as string);
    if (present(e, 'timestamp', e.timestamp)) {
      writeNested(0x12);
      writeTimestamp(e.timestamp as Timestamp & Record<string, unknown>);
    }
    const families = e.tagFamilies as { tags?: TagValue[] }[] | null | undefined;
    if (families != null) {
      for (const f of families) {
        writeNested(0x1a);
        if (f.tags != null) writeTags(0x0a, f.tags);
      }
    }
  }
  if (messageId != null) {
    buf[pos++] = 0x18;
    writeInt64(messageId);
  }
  if (specs != null) {
    for (const s of specs) {
      writeNested(0x22);
      if (present(s, 'name', s.name)) writeString(0x0a, s.name as string);
      if (s.tagNames != null) for (const n of s.tagNames) writeString(0x12, n);
    }
  }
  return finish(size);
}
