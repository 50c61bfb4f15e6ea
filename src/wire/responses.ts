/**
 * The emulator's answers straight from plain objects into bytes: its query answers (`banyandb.stream.v1.QueryResponse`,
 * `banyandb.trace.v1.QueryResponse`) and its write acknowledgements (one `WriteResponse` per written message), exactly
 * what protobufjs' `encode(fromObject(answer))` writes, without building protobufjs' message objects and op lists first.
 * An answer of thousands of elements made ~100 short-lived objects per element that way, and the garbage collector's
 * scavenges that came with them were the largest cost of an emulator query after the search itself.
 *
 * Only the shapes the emulator answers with are handled: elements / traces with string ids, timestamps and tags whose
 * values are null, a string, an int, bytes or a timestamp, with integers that are safe JS integers. Anything else
 * (arrays, Long objects, numeric strings, fields of the wrong type) returns `undefined` and the caller encodes the
 * answer with protobufjs. test/wire-responses.test.ts compares the bytes with protobufjs.
 *
 * Internal: not part of the public API.
 */
import type { StreamQueryResponse, TraceQueryResponse } from '../client/types.js';
import { FrameWriter, int32Len, int64Len, utf8Len, varintLen } from './writer.js';

/** The shape is not one this encoder handles: encode with protobufjs. */
class Unhandled extends Error {}
const UNHANDLED = new Unhandled('unhandled shape');

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null;
const present = (v: unknown): boolean => v !== undefined && v !== null;

/**
 * Message sizes in pre-order: the measuring pass pushes the size of every nested message before its children's, the
 * writing pass reads them back in the same order.
 */
class Sizes {
  a: number[] = [];
  i = 0;
  /** Reserves the slot of a message whose size is known after its children. */
  open(): number {
    this.a.push(0);
    return this.a.length - 1;
  }
  next(): number {
    return this.a[this.i++]!;
  }
}

const field = (body: number): number => 1 + varintLen(body) + body;

function strField(s: unknown): number {
  if (typeof s !== 'string') throw UNHANDLED;
  return field(utf8Len(s));
}

function int64(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw UNHANDLED;
  return int64Len(v);
}

/** Timestamp{seconds (int64) = 1, nanos (int32) = 2} body. */
function measureTimestamp(t: unknown): number {
  if (!isObj(t)) throw UNHANDLED;
  let n = 0;
  if (present(t.seconds)) n += 1 + int64(t.seconds);
  if (present(t.nanos)) {
    if (typeof t.nanos !== 'number' || !Number.isInteger(t.nanos) || t.nanos > 0x7fffffff || t.nanos < -0x80000000) throw UNHANDLED;
    n += 1 + int32Len(t.nanos);
  }
  return n;
}

/** TagValue body: null = 1 (enum), str = 2, int = 4, binary_data = 6, timestamp = 7 (arrays are not handled). */
function measureTagValue(v: unknown, sizes: Sizes): number {
  if (!isObj(v)) throw UNHANDLED;
  const slot = sizes.open();
  let n = 0;
  if (present(v.null)) {
    if (v.null !== 'NULL_VALUE' && v.null !== 0) throw UNHANDLED;
    n += 2;
  }
  if (present(v.str)) {
    const s = v.str;
    if (!isObj(s)) throw UNHANDLED;
    const inner = present(s.value) ? strField(s.value) : 0;
    sizes.a.push(inner);
    n += field(inner);
  }
  if (present(v.strArray) || present(v.intArray)) throw UNHANDLED;
  if (present(v.int)) {
    const i = v.int;
    if (!isObj(i)) throw UNHANDLED;
    const inner = present(i.value) ? 1 + int64(i.value) : 0;
    sizes.a.push(inner);
    n += field(inner);
  }
  if (present(v.binaryData)) {
    if (!(v.binaryData instanceof Uint8Array)) throw UNHANDLED;
    n += field(v.binaryData.length);
  }
  if (present(v.timestamp)) {
    const inner = measureTimestamp(v.timestamp);
    sizes.a.push(inner);
    n += field(inner);
  }
  sizes.a[slot] = n;
  return n;
}

/** Tag{key = 1, value = 2} body. */
function measureTag(t: unknown, sizes: Sizes): number {
  if (!isObj(t)) throw UNHANDLED;
  const slot = sizes.open();
  let n = 0;
  if (present(t.key)) n += strField(t.key);
  if (present(t.value)) n += field(measureTagValue(t.value, sizes));
  sizes.a[slot] = n;
  return n;
}

function measureTags(tags: unknown, sizes: Sizes): number {
  if (!present(tags)) return 0;
  if (!Array.isArray(tags)) throw UNHANDLED;
  let n = 0;
  for (const t of tags) n += field(measureTag(t, sizes));
  return n;
}

function writeTimestamp(w: FrameWriter, t: Obj): void {
  if (present(t.seconds)) {
    w.byte(0x08);
    w.int64(t.seconds as number);
  }
  if (present(t.nanos)) {
    w.byte(0x10);
    w.int32(t.nanos as number);
  }
}

function writeTagValue(w: FrameWriter, v: Obj, sizes: Sizes): void {
  if (present(v.null)) {
    w.byte(0x08);
    w.byte(0);
  }
  if (present(v.str)) {
    const s = v.str as Obj;
    w.byte(0x12);
    w.varint(sizes.next());
    if (present(s.value)) {
      const str = s.value as string;
      w.strField(0x0a, str, utf8Len(str));
    }
  }
  if (present(v.int)) {
    const i = v.int as Obj;
    w.byte(0x22);
    w.varint(sizes.next());
    if (present(i.value)) {
      w.byte(0x08);
      w.int64(i.value as number);
    }
  }
  if (present(v.binaryData)) w.bytesField(0x32, v.binaryData as Uint8Array);
  if (present(v.timestamp)) {
    w.byte(0x3a);
    w.varint(sizes.next());
    writeTimestamp(w, v.timestamp as Obj);
  }
}

function writeTags(w: FrameWriter, key: number, tags: unknown, sizes: Sizes): void {
  if (!present(tags)) return;
  for (const t of tags as Obj[]) {
    w.byte(key);
    w.varint(sizes.next());
    if (present(t.key)) {
      const k = t.key as string;
      w.strField(0x0a, k, utf8Len(k));
    }
    if (present(t.value)) {
      w.byte(0x12);
      w.varint(sizes.next());
      writeTagValue(w, t.value as Obj, sizes);
    }
  }
}

function run(measure: (sizes: Sizes) => number, write: (w: FrameWriter, sizes: Sizes) => void): Buffer | undefined {
  const sizes = new Sizes();
  let size: number;
  try {
    size = measure(sizes);
  } catch (err) {
    if (err instanceof Unhandled) return undefined;
    throw err;
  }
  const w = new FrameWriter((bytes) => Buffer.allocUnsafe(bytes));
  w.reserve(size, 1);
  write(w, sizes);
  return w.frame(size);
}

/** `banyandb.stream.v1.QueryResponse{elements = 1}`: Element{element_id = 1, timestamp = 2, tag_families = 3}. */
export function encodeStreamQueryResponse(res: StreamQueryResponse): Buffer | undefined {
  const r = res as Obj;
  if (!isObj(r) || present(r.trace)) return undefined;
  const elements = r.elements;
  if (present(elements) && !Array.isArray(elements)) return undefined;
  const list = (elements ?? []) as unknown[];
  return run(
    (sizes) => {
      let n = 0;
      for (const e of list) {
        if (!isObj(e)) throw UNHANDLED;
        const slot = sizes.open();
        let m = 0;
        if (present(e.elementId)) m += strField(e.elementId);
        if (present(e.timestamp)) {
          const ts = measureTimestamp(e.timestamp);
          sizes.a.push(ts);
          m += field(ts);
        }
        if (present(e.tagFamilies)) {
          if (!Array.isArray(e.tagFamilies)) throw UNHANDLED;
          for (const f of e.tagFamilies) {
            if (!isObj(f)) throw UNHANDLED;
            const fslot = sizes.open();
            const body = (present(f.name) ? strField(f.name) : 0) + measureTags(f.tags, sizes);
            sizes.a[fslot] = body;
            m += field(body);
          }
        }
        sizes.a[slot] = m;
        n += field(m);
      }
      return n;
    },
    (w, sizes) => {
      for (const e of list as Obj[]) {
        w.byte(0x0a);
        w.varint(sizes.next());
        if (present(e.elementId)) {
          const id = e.elementId as string;
          w.strField(0x0a, id, utf8Len(id));
        }
        if (present(e.timestamp)) {
          w.byte(0x12);
          w.varint(sizes.next());
          writeTimestamp(w, e.timestamp as Obj);
        }
        if (present(e.tagFamilies)) {
          for (const f of e.tagFamilies as Obj[]) {
            w.byte(0x1a);
            w.varint(sizes.next());
            if (present(f.name)) {
              const name = f.name as string;
              w.strField(0x0a, name, utf8Len(name));
            }
            writeTags(w, 0x12, f.tags, sizes);
          }
        }
      }
    },
  );
}

/** `banyandb.trace.v1.QueryResponse{traces = 1}`: Trace{spans = 1, trace_id = 2}, Span{tags = 1, span = 2, span_id = 3}. */
export function encodeTraceQueryResponse(res: TraceQueryResponse): Buffer | undefined {
  const r = res as Obj;
  if (!isObj(r) || present(r.traceQueryResult)) return undefined;
  const traces = r.traces;
  if (present(traces) && !Array.isArray(traces)) return undefined;
  const list = (traces ?? []) as unknown[];
  return run(
    (sizes) => {
      let n = 0;
      for (const t of list) {
        if (!isObj(t)) throw UNHANDLED;
        const slot = sizes.open();
        let m = 0;
        if (present(t.spans)) {
          if (!Array.isArray(t.spans)) throw UNHANDLED;
          for (const s of t.spans) {
            if (!isObj(s)) throw UNHANDLED;
            const sslot = sizes.open();
            let body = measureTags(s.tags, sizes);
            if (present(s.span)) {
              if (!(s.span instanceof Uint8Array)) throw UNHANDLED;
              body += field(s.span.length);
            }
            if (present(s.spanId)) body += strField(s.spanId);
            sizes.a[sslot] = body;
            m += field(body);
          }
        }
        if (present(t.traceId)) m += strField(t.traceId);
        sizes.a[slot] = m;
        n += field(m);
      }
      return n;
    },
    (w, sizes) => {
      for (const t of list as Obj[]) {
        w.byte(0x0a);
        w.varint(sizes.next());
        if (present(t.spans)) {
          for (const s of t.spans as Obj[]) {
            w.byte(0x0a);
            w.varint(sizes.next());
            writeTags(w, 0x0a, s.tags, sizes);
            if (present(s.span)) w.bytesField(0x12, s.span as Uint8Array);
            if (present(s.spanId)) {
              const id = s.spanId as string;
              w.strField(0x1a, id, utf8Len(id));
            }
          }
        }
        if (present(t.traceId)) {
          const id = t.traceId as string;
          w.strField(0x12, id, utf8Len(id));
        }
      }
    },
  );
}

/** Metadata{group = 1, name = 2, id = 3 (uint32), create_revision = 4, mod_revision = 5} body. */
function measureMetadata(md: unknown): number {
  if (!isObj(md)) throw UNHANDLED;
  let n = 0;
  if (present(md.group)) n += strField(md.group);
  if (present(md.name)) n += strField(md.name);
  if (present(md.id)) {
    if (typeof md.id !== 'number' || !Number.isInteger(md.id) || md.id < 0 || md.id > 0xffffffff) throw UNHANDLED;
    n += 1 + varintLen(md.id);
  }
  if (present(md.createRevision)) n += 1 + int64(md.createRevision);
  if (present(md.modRevision)) n += 1 + int64(md.modRevision);
  return n;
}

function writeMetadata(w: FrameWriter, key: number, md: Obj, size: number): void {
  w.byte(key);
  w.varint(size);
  if (present(md.group)) {
    const g = md.group as string;
    w.strField(0x0a, g, utf8Len(g));
  }
  if (present(md.name)) {
    const n = md.name as string;
    w.strField(0x12, n, utf8Len(n));
  }
  if (present(md.id)) {
    w.byte(0x18);
    w.varint(md.id as number);
  }
  if (present(md.createRevision)) {
    w.byte(0x20);
    w.int64(md.createRevision as number);
  }
  if (present(md.modRevision)) {
    w.byte(0x28);
    w.int64(md.modRevision as number);
  }
}

/**
 * One write acknowledgement: `banyandb.stream.v1.WriteResponse{message_id = 1, status = 2, metadata = 3}` or
 * `banyandb.trace.v1.WriteResponse{metadata = 1, version = 2, status = 3}`; the emulator sends one per written
 * message. `undefined` for shapes left to protobufjs.
 */
export function encodeWriteResponse(kind: 'stream' | 'trace', res: object): Buffer | undefined {
  const r = res as Obj;
  if (!isObj(r)) return undefined;
  const id = kind === 'stream' ? r.messageId : r.version;
  // uint64: protobufjs converts a negative number otherwise than a two's complement; left to it.
  if (typeof id === 'number' && id < 0) return undefined;
  let size = 0;
  let mdSize = 0;
  try {
    if (present(id)) size += 1 + int64(id);
    if (present(r.status)) size += strField(r.status);
    if (present(r.metadata)) {
      mdSize = measureMetadata(r.metadata);
      size += field(mdSize);
    }
  } catch (err) {
    if (err instanceof Unhandled) return undefined;
    throw err;
  }
  const w = new FrameWriter((bytes) => Buffer.allocUnsafe(bytes));
  w.reserve(size, 1);
  const writeId = (key: number) => {
    if (!present(id)) return;
    w.byte(key);
    w.int64(id as number);
  };
  const writeStatus = (key: number) => {
    if (!present(r.status)) return;
    const s = r.status as string;
    w.strField(key, s, utf8Len(s));
  };
  if (kind === 'stream') {
    writeId(0x08);
    writeStatus(0x12);
    if (present(r.metadata)) writeMetadata(w, 0x1a, r.metadata as Obj, mdSize);
  } else {
    if (present(r.metadata)) writeMetadata(w, 0x0a, r.metadata as Obj, mdSize);
    writeId(0x10);
    writeStatus(0x1a);
  }
  return w.frame(size);
}
