/**
 * The protobuf writer the SDK's hand-written encoders share (src/wire/requests.ts: write-request objects -> bytes,
 * src/wire/spans.ts: generated spans -> bytes): field sizes and scalar writes with protobufjs' semantics (int64 and
 * int32 varints as `LongBits.fromNumber` + `writeVarint64`, strings shorter than 40 chars through protobufjs' own
 * UTF-8 writer and longer ones through `Buffer#utf8Write`), and {@link FrameWriter}, which writes frames one after
 * another into slabs shared by the frames of one batch.
 *
 * Every encoder measures a message first and then writes it in one pass, so nothing here grows a buffer or builds
 * an op list. test/client-wire.test.ts and test/workload-encode.test.ts compare the bytes with protobufjs.
 *
 * Internal: not part of the public API.
 */
import protobuf from 'protobufjs';

/** protobufjs writes strings shorter than this with its own UTF-8 writer, longer ones with Buffer#utf8Write. */
const SHORT_STRING = 40;
const utf8Write = protobuf.util.utf8.write as (s: string, buf: Uint8Array, pos: number) => number;

/**
 * Largest slab the frames of one batch are carved from: one ArrayBuffer per ~6 frames of 10 KB instead of one
 * each, below glibc's mmap threshold so malloc recycles them. Slabs are sized from the frames still to come in
 * the batch, so a small batch does not pin a large slab.
 */
export const BATCH_SLAB_BYTES = 64 * 1024;

type Utf8Buffer = Buffer & { utf8Write(s: string, offset: number, length: number): number };

/** Bytes of a varint of a uint32 (a length, a field key, a non-negative int32). */
export function varintLen(v: number): number {
  return v < 128 ? 1 : v < 16384 ? 2 : v < 2097152 ? 3 : v < 268435456 ? 4 : 5;
}

/** UTF-8 bytes of a string, as protobufjs counts them. */
export function utf8Len(s: string): number {
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

// The two 32-bit halves of protobufjs' LongBits.fromNumber, kept in module scratch so no call allocates.
let lo = 0;
let hi = 0;
function longBits(value: number): void {
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

/** Bytes of the varint of the last {@link longBits}. */
function longLen(): number {
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

/** Bytes of an int64 given as a JS number. */
export function int64Len(v: number): number {
  if (v >= 0 && v < 268435456 && (v | 0) === v) return varintLen(v);
  longBits(v);
  return longLen();
}

/** Bytes of an int32 (negative ones take 10, as sign-extended 64-bit varints). */
export function int32Len(v: number): number {
  const x = v | 0;
  return x < 0 ? 10 : varintLen(x);
}

/**
 * Writes frames one after another into slabs; `frame()` returns the bytes written since `reserve()`. One writer per
 * batch: a slab is shared by frames of the same batch only, and never outlives them.
 */
export class FrameWriter {
  buf: Utf8Buffer = Buffer.alloc(0) as Utf8Buffer;
  pos = 0;
  #start = 0;
  readonly #alloc: (bytes: number) => Buffer;

  /** `alloc` gives the slabs (the producer thread passes its recycling pool). */
  constructor(alloc: (bytes: number) => Buffer = Buffer.allocUnsafe) {
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

  /** The frame written since `reserve()`; throws when its length is not the measured `expected`. */
  frame(expected: number): Buffer {
    if (this.pos - this.#start !== expected) {
      throw new Error(`internal error: encoded ${this.pos - this.#start} bytes, measured ${expected}`);
    }
    return this.buf.subarray(this.#start, this.pos);
  }

  byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  /** A uint32 varint (lengths, keys, non-negative values). */
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
    longBits(v);
    this.#long();
  }

  int32(v: number): void {
    const x = v | 0;
    if (x < 0) {
      longBits(x);
      this.#long();
    } else this.varint(x);
  }

  #long(): void {
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

  /** String bytes (key and length already written); `n` is its {@link utf8Len}. */
  str(s: string, n: number): void {
    if (n === 0) return;
    if (s.length < SHORT_STRING) utf8Write(s, this.buf, this.pos);
    else this.buf.utf8Write(s, this.pos, n);
    this.pos += n;
  }

  /** A string field: key, length `n` (its {@link utf8Len}), bytes. */
  strField(key: number, s: string, n: number): void {
    this.buf[this.pos++] = key;
    this.varint(n);
    this.str(s, n);
  }

  /** Raw bytes (the caller wrote key and length, or they are a prepared field). */
  bytes(b: Uint8Array): void {
    if (b.length > 0) this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Raw bytes, short ones (a cached tag) copied in a loop rather than through `set` (a builtin call each). */
  shortBytes(b: Uint8Array): void {
    const n = b.length;
    if (n >= 64) {
      this.buf.set(b, this.pos);
    } else {
      const buf = this.buf;
      const p = this.pos;
      for (let i = 0; i < n; i++) buf[p + i] = b[i]!;
    }
    this.pos += n;
  }

  /** A bytes field: key, length, bytes. */
  bytesField(key: number, b: Uint8Array): void {
    this.buf[this.pos++] = key;
    this.varint(b.length);
    this.bytes(b);
  }
}
