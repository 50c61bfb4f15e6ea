/**
 * Builds the `dataBinary` of a span: a compact JSON SkyWalking-like segment (trace id, segment id,
 * service, instance and 3–8 spans, each with tags, logs, a nested attachment object and a
 * variable-length statement/stack/body text), like the segments of the original harness.
 *
 * Speed: the per-span pieces that do not depend on the span's own strings are pre-rendered
 * templates (a few hundred variants, chosen at random per local span) with fixed-width holes for
 * the ids, timestamps and numbers, which are written per span. A segment is therefore a handful of
 * memcpys plus ~150 short digit writes, straight into shared 1 MiB slabs (each payload is a
 * `subarray` of a slab). Holes every few dozen bytes (ids, 13-digit timestamps, random 2–9 digit
 * numbers) keep successive payloads different, so compression figures stay honest.
 */
import { Sfc32 } from './prng.js';

const encoder = new TextEncoder();
const b = (s: string): Uint8Array => encoder.encode(s);

const SLAB_BYTES = 1 << 20;

/**
 * A slab of uninitialised memory (no zero-fill: every byte handed out is written first), as a plain
 * Uint8Array over its own ArrayBuffer.
 */
function newSlab(bytes: number): Uint8Array {
  return new Uint8Array(Buffer.allocUnsafeSlow(bytes).buffer, 0, bytes);
}

/** Hole kinds of a template. */
const H_SPAN_K = 0; // width 1: the local span's index
const H_PARENT = 1; // width 1: random earlier local span
const H_START = 2; // width 13: start time (ms)
const H_END = 3; // width 13
const H_MID = 4; // width 13
const H_RAND = 5; // width w: random number with w digits (no leading zero)
const H_TRACE = 6; // width 32: trace id
const H_SEGMENT = 7; // width 20: segment (span) id

/** Timestamps are written as exactly 13 digits: ms since the epoch in [1e12, 1e13). */
export const MIN_TIMESTAMP_MS = 1_000_000_000_000;
export const MAX_TIMESTAMP_MS = 9_999_999_999_999;
/** Length of the span ids and trace ids the templates expect. */
export const SPAN_ID_LENGTH = 20;
export const TRACE_ID_LENGTH = 32;

interface Hole {
  hole: number;
  width: number;
}
type Part = string | Hole;
const hole = (kind: number, width: number): Hole => ({ hole: kind, width });

interface Template {
  bytes: Uint8Array;
  offsets: Int32Array;
  kinds: Uint8Array;
  widths: Uint8Array;
}

function compile(parts: Part[]): Template {
  let text = '';
  const offsets: number[] = [];
  const kinds: number[] = [];
  const widths: number[] = [];
  for (const p of parts) {
    if (typeof p === 'string') {
      text += p;
    } else {
      offsets.push(text.length);
      kinds.push(p.hole);
      widths.push(p.width);
      text += '0'.repeat(p.width);
    }
  }
  return { bytes: b(text), offsets: Int32Array.from(offsets), kinds: Uint8Array.from(kinds), widths: Uint8Array.from(widths) };
}

// ---------------------------------------------------------------- vocabulary
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'].map((m) =>
  b(`{"key":"http.method","value":"${m}"},{"key":"http.url","value":"`),
);
const LAYERS = ['Http', 'Database', 'Cache', 'MQ', 'RPCFramework', 'Unknown'];
const ERROR_MESSAGES = [
  'Database connection failed',
  'Invalid input parameters',
  'Service unavailable',
  'Timeout occurred',
  'Authentication failed',
  'Resource not found',
  'Internal server error',
  'Network timeout',
];
const FUNCTION_NAMES = [
  'processRequest',
  'validateInput',
  'parseData',
  'transformData',
  'executeBusinessLogic',
  'saveToDatabase',
  'sendResponse',
  'cleanup',
  'authenticateUser',
  'authorizeRequest',
  'logActivity',
  'updateCache',
  'calculateMetrics',
  'formatOutput',
  'handleException',
  'retryOperation',
];
const EXITS = [
  { layer: 'Database', peer: 'mysql-primary:3306' },
  { layer: 'Cache', peer: 'redis-cache:6379' },
  { layer: 'MQ', peer: 'kafka-broker:9092' },
  { layer: 'RPCFramework', peer: 'grpc-gateway:11800' },
  { layer: 'Http', peer: 'payments-api:8080' },
];
const FILLER_KEYS = ['db.statement', 'http.body', 'stack', 'mq.payload', 'cache.keys'];
const BUSINESS = [
  b('{"key":"user.id","value":"'),
  b('{"key":"request.id","value":"req-'),
  b('{"key":"session.id","value":"sess-'),
  b('{"key":"tenant.id","value":"tenant-'),
  b('{"key":"order.id","value":"ord-'),
];

/** Filler fragments (JSON-safe: no quotes, no backslashes). */
function buildFragments(): string[] {
  const tables = ['orders', 'order_items', 'customers', 'payments', 'inventory', 'shipments', 'invoices', 'accounts'];
  const cols = ['id', 'status', 'amount', 'customer_id', 'created_at', 'updated_at', 'currency', 'region', 'sku', 'quantity'];
  const pkgs = [
    'com.example.order',
    'com.example.payment',
    'org.springframework.web.servlet',
    'io.grpc.internal',
    'org.apache.kafka.clients',
  ];
  const classes = ['OrderService', 'PaymentGateway', 'DispatcherServlet', 'ClientCallImpl', 'KafkaProducer', 'InventoryRepository'];
  const methods = ['handle', 'process', 'invoke', 'doDispatch', 'send', 'findById', 'save', 'execute'];
  const out: string[] = [];
  for (let i = 0; i < tables.length; i++) {
    const t = tables[i]!;
    const c1 = cols[i % cols.length]!;
    const c2 = cols[(i * 3 + 1) % cols.length]!;
    const c3 = cols[(i * 7 + 2) % cols.length]!;
    out.push(`SELECT t.${c1}, t.${c2}, t.${c3} FROM ${t} t WHERE t.${c1} = `);
    out.push(`UPDATE ${t} SET ${c2} = ?, ${c3} = ? WHERE ${c1} IN (`);
    out.push(`INSERT INTO ${t} (${c1}, ${c2}, ${c3}) VALUES (`);
    out.push(` AND t.${c3} > `);
    out.push(` ORDER BY t.${c2} DESC LIMIT `);
  }
  for (const p of pkgs) {
    for (let i = 0; i < classes.length; i++) {
      const c = classes[i]!;
      const m = methods[(i + p.length) % methods.length]!;
      out.push(` at ${p}.${c}.${m}(${c}.java:`);
    }
  }
  out.push(' {id:', ' ,qty:', ' ,price:', ' ,ts:', ' key=cache:session:', ' key=cache:user:', ' partition=', ' offset=');
  return out;
}
const FRAGMENTS = buildFragments();

function pick<T>(rng: Sfc32, xs: readonly T[]): T {
  return xs[rng.int(xs.length)]!;
}

/** `w` digits fixed at template time (no leading zero): per-code-location constants such as line numbers. */
function baked(rng: Sfc32, w: number): string {
  let out = String(1 + rng.int(9));
  for (let i = 1; i < w; i++) out += String(rng.int(10));
  return out;
}

/**
 * The part of a span after its own first tags: error tags (error variants), the filler tag, logs and
 * the attachment. Starts with `,` (continues the tag list) and closes the span object.
 */
function tailParts(rng: Sfc32, isError: boolean, fillerBytes: number): Part[] {
  const parts: Part[] = [];
  if (isError) parts.push(`,{"key":"error","value":"true"},{"key":"error.message","value":"${pick(rng, ERROR_MESSAGES)}"}`);
  if (fillerBytes > 0) {
    parts.push(`,{"key":"${pick(rng, FILLER_KEYS)}","value":"`);
    let len = 0;
    for (let i = 0; len < fillerBytes; i++) {
      const f = pick(rng, FRAGMENTS);
      const w = 2 + rng.int(5);
      // Every third number varies per span; the others are fixed per template variant.
      parts.push(f, i % 3 === 0 ? hole(H_RAND, w) : baked(rng, w));
      len += f.length + w;
    }
    parts.push('"}');
  }
  parts.push('],"logs":[{"time":', hole(H_START, 13));
  parts.push(',"data":[{"key":"event","value":"span_start"},{"key":"message","value":"Starting operation"}]},{"time":', hole(H_MID, 13));
  parts.push(',"data":[{"key":"event","value":"processing"},{"key":"message","value":"Processing request"},{"key":"progress","value":"');
  parts.push(hole(H_RAND, 2), '%"}]},{"time":', hole(H_END, 13));
  parts.push(
    isError
      ? ',"data":[{"key":"event","value":"error"},{"key":"message","value":"Operation failed"},{"key":"error.code","value":"500"}]}'
      : ',"data":[{"key":"event","value":"span_end"},{"key":"message","value":"Operation completed successfully"}]}',
  );
  parts.push(
    '],"skipAnalysis":false,"attachment":{"version":"1.0","source":"skywalking-agent","collector":"banyandb","metrics":{"cpuUsage":',
  );
  parts.push(hole(H_RAND, 2), '.', hole(H_RAND, 2), ',"memoryUsage":', hole(H_RAND, 9), ',"gcCount":', baked(rng, 2));
  parts.push(',"threadCount":', baked(rng, 3), '},"context":{"traceId":"', hole(H_TRACE, 32), '","segmentId":"', hole(H_SEGMENT, 20));
  parts.push('","spanSeq":', hole(H_SPAN_K, 1), '}}}');
  return parts;
}

/** A complete local (non-entry) span: Local or Exit. */
function localParts(rng: Sfc32, isError: boolean, fillerBytes: number, componentNames: readonly string[]): Part[] {
  const fn = pick(rng, FUNCTION_NAMES);
  const comp = rng.int(componentNames.length);
  const parts: Part[] = ['{"spanId":', hole(H_SPAN_K, 1), ',"parentSpanId":', hole(H_PARENT, 1), ',"startTime":', hole(H_START, 13)];
  parts.push(',"endTime":', hole(H_END, 13), `,"refs":[],"operationName":"${fn}"`);
  if (rng.int(3) === 0) {
    const exit = pick(rng, EXITS);
    parts.push(`,"peer":"${exit.peer}","spanType":"Exit","spanLayer":"${exit.layer}"`);
  } else {
    parts.push(',"peer":"","spanType":"Local","spanLayer":"Unknown"');
  }
  parts.push(`,"componentId":${comp + 1},"component":"${componentNames[comp]}","isError":${isError},"tags":[`);
  parts.push(`{"key":"function.name","value":"${pick(rng, FUNCTION_NAMES)}"},{"key":"thread.name","value":"http-nio-8080-exec-`);
  parts.push(baked(rng, 3), '"},{"key":"function.line","value":"', baked(rng, 4), '"}');
  parts.push(...tailParts(rng, isError, fillerBytes));
  return parts;
}

// ---------------------------------------------------------------- entry-span constants (written per span)
const SEG_OPEN = b('{"traceId":"');
const SEG_SEGMENT = b('","traceSegmentId":"');
const SEG_SERVICE = b('","service":"');
const SEG_INSTANCE = b('","serviceInstance":"');
const SEG_SPANS = b('","spans":[{"spanId":0,"parentSpanId":-1,"startTime":');
const SEG_CLOSE = b('],"isSizeLimited":false}');
const E_END = b(',"endTime":');
const E_REFS_EMPTY = b(',"refs":[],"operationName":"');
const E_REF_OPEN = b(',"refs":[{"refType":"CrossProcess","traceId":"');
const E_REF_SEGMENT = b('","parentTraceSegmentId":"');
const E_REF_SPAN = b('","parentSpanId":');
const E_REF_SERVICE = b(',"parentService":"');
const E_REF_INSTANCE = b('","parentServiceInstance":"');
const E_REF_ENDPOINT = b('","parentEndpoint":"');
const E_REF_ADDR = b('","networkAddressUsedAtPeer":"10.');
const E_REF_CLOSE = b('"}],"operationName":"');
const E_TYPE = b('","peer":"","spanType":"Entry","spanLayer":"Http","componentId":');
const E_COMPONENT = b(',"component":"');
const E_OK = b('","isError":false,"tags":[');
const E_ERR = b('","isError":true,"tags":[');
const E_STATUS_OK = b('"},{"key":"http.status_code","value":"200"},{"key":"component","value":"');
const E_STATUS_ERR = b('"},{"key":"http.status_code","value":"500"},{"key":"component","value":"');
const E_LAYERS = LAYERS.map((l) => b(`"},{"key":"layer","value":"${l}"}`));
const TAG_CLOSE = b('"}');
const COMMA = b(',');
const DOT = b('.');
const COLON = b(':');
/** '00'..'99' as byte pairs. */
const DIGIT_PAIRS = b(Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0')).join(''));

/** What the payload of one span needs to know about the span (strings are ASCII). */
export interface PayloadSpanInfo {
  traceId: string;
  spanId: string;
  serviceId: string;
  serviceInstanceId: string;
  operationName: string;
  component: string;
  componentIndex: number;
  startTimeMs: number;
  latencyMs: number;
  isError: boolean;
}

/** Parent span information for the cross-process ref (null for the trace's root span). */
export interface PayloadParentInfo {
  spanId: string;
  serviceId: string;
  serviceInstanceId: string;
  operationName: string;
}

/** Shape knobs of the segments: local-span count range (1..8) and mean filler bytes per span. */
export interface PayloadShape {
  minLocalSpans: number;
  maxLocalSpans: number;
  fillerMeanBytes: number;
}

const LOCAL_OK_VARIANTS = 256;
const LOCAL_ERROR_VARIANTS = 32;
const TAIL_OK_VARIANTS = 64;
const TAIL_ERROR_VARIANTS = 16;

/** Writes segments into shared slabs. One instance per generator; not re-entrant. */
export class PayloadBuilder {
  private buf: Uint8Array = newSlab(SLAB_BYTES);
  private pos = 0;
  private start = 0;
  private readonly traceBytes = new Uint8Array(TRACE_ID_LENGTH);
  private readonly segmentBytes = new Uint8Array(SPAN_ID_LENGTH);
  private localOk: Template[] = [];
  private localError: Template[] = [];
  private tailOk: Template[] = [];
  private tailError: Template[] = [];
  private maxTemplate = 0;
  private shapeValue: PayloadShape = { minLocalSpans: 3, maxLocalSpans: 8, fillerMeanBytes: 0 };
  // per-segment timing context used by the holes
  private tStart = 0;
  private tEnd = 0;

  constructor(
    private readonly templateSeed: number,
    private readonly componentNames: readonly string[],
    shape: PayloadShape,
  ) {
    this.shape = shape;
  }

  get shape(): PayloadShape {
    return this.shapeValue;
  }

  /** Sets the shape and re-renders the templates (deterministically from the template seed). */
  set shape(shape: PayloadShape) {
    this.shapeValue = { ...shape };
    const rng = new Sfc32(this.templateSeed);
    const filler = shape.fillerMeanBytes;
    // Filler length uniform in [0.5, 1.5) x mean, so sizes vary from span to span.
    const len = (): number => (filler > 0 ? Math.floor(filler * (0.5 + rng.float())) : 0);
    this.localOk = Array.from({ length: LOCAL_OK_VARIANTS }, () => compile(localParts(rng, false, len(), this.componentNames)));
    this.localError = Array.from({ length: LOCAL_ERROR_VARIANTS }, () => compile(localParts(rng, true, len(), this.componentNames)));
    this.tailOk = Array.from({ length: TAIL_OK_VARIANTS }, () => compile(tailParts(rng, false, len())));
    this.tailError = Array.from({ length: TAIL_ERROR_VARIANTS }, () => compile(tailParts(rng, true, len())));
    let max = 0;
    for (const t of [...this.localOk, ...this.localError, ...this.tailOk, ...this.tailError]) max = Math.max(max, t.bytes.length);
    this.maxTemplate = max;
  }

  /**
   * Expected bytes of the templated parts under the current shape: the entry span's tail and one
   * local span (plus its separating comma), weighted by the chance of their error variants.
   */
  templateMeans(errorRate: number): { tail: number; local: number } {
    const mean = (ts: Template[]): number => ts.reduce((a, t) => a + t.bytes.length, 0) / ts.length;
    const localError = errorRate / 4;
    return {
      tail: (1 - errorRate) * mean(this.tailOk) + errorRate * mean(this.tailError),
      local: 1 + (1 - localError) * mean(this.localOk) + localError * mean(this.localError),
    };
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const used = this.pos - this.start;
    const next = newSlab(Math.max(SLAB_BYTES, (used + n) * 2));
    next.set(this.buf.subarray(this.start, this.pos));
    this.buf = next;
    this.start = 0;
    this.pos = used;
  }

  private raw(x: Uint8Array): void {
    const n = x.length;
    if (n > 24) {
      this.buf.set(x, this.pos);
      this.pos += n;
      return;
    }
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = x[i]!;
    this.pos = p;
  }

  private ascii(s: string): void {
    const buf = this.buf;
    let p = this.pos;
    const n = s.length;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i) & 0x7f;
    this.pos = p;
  }

  /** Writes a non-negative integer below 2^31 in decimal. */
  private small(n: number): void {
    const buf = this.buf;
    let digits = 1;
    for (let m = n; m >= 10; m = (m / 10) | 0) digits++;
    let p = this.pos + digits;
    this.pos = p;
    let v = n | 0;
    do {
      const q = (v / 10) | 0;
      buf[--p] = 48 + v - q * 10;
      v = q;
    } while (v > 0);
  }

  /** Writes `v` as exactly `w` digits ending before `end` (v < 10^w, w <= 9), two digits per step. */
  private fixed(end: number, v: number, w: number): void {
    const buf = this.buf;
    while (w >= 2) {
      const q = (v / 100) | 0;
      const r = (v - q * 100) << 1;
      buf[--end] = DIGIT_PAIRS[r + 1]!;
      buf[--end] = DIGIT_PAIRS[r]!;
      v = q;
      w -= 2;
    }
    if (w === 1) buf[end - 1] = 48 + (v % 10);
  }

  /** Writes a 13-digit timestamp at `at`. */
  private ts(at: number, v: number): void {
    const hi = Math.floor(v / 1_000_000);
    this.fixed(at + 7, hi, 7);
    this.fixed(at + 13, v - hi * 1_000_000, 6);
  }

  /**
   * Writes `w` random digits at `at` from 3 bits each of one draw per 10 digits: digits 1–8, so no
   * leading zero and ~3 bits of entropy per digit (what a compressor sees), with no division.
   */
  private randomDigits(at: number, w: number, rng: Sfc32): void {
    const buf = this.buf;
    let u = rng.nextU32();
    for (let i = 0; i < w; i++) {
      if (i === 10) u = rng.nextU32();
      buf[at + i] = 49 + (u & 7);
      u >>>= 3;
    }
  }

  private template(t: Template, rng: Sfc32, k: number): void {
    const base = this.pos;
    const buf = this.buf;
    buf.set(t.bytes, base);
    this.pos = base + t.bytes.length;
    const { offsets, kinds, widths } = t;
    const n = offsets.length;
    const tStart = this.tStart;
    const tEnd = this.tEnd;
    for (let h = 0; h < n; h++) {
      const at = base + offsets[h]!;
      switch (kinds[h]) {
        case H_RAND:
          this.randomDigits(at, widths[h]!, rng);
          break;
        case H_START:
          this.ts(at, tStart);
          break;
        case H_END:
          this.ts(at, tEnd);
          break;
        case H_MID:
          this.ts(at, tStart + Math.floor((tEnd - tStart) / 2));
          break;
        case H_SPAN_K:
          buf[at] = 48 + k;
          break;
        case H_PARENT:
          buf[at] = 48 + rng.int(k);
          break;
        case H_TRACE:
          buf.set(this.traceBytes, at);
          break;
        case H_SEGMENT:
          buf.set(this.segmentBytes, at);
          break;
      }
    }
  }

  /**
   * Writes one segment and returns it as a view on the current slab. `rng` must be the trace's payload
   * stream so the bytes depend only on (seed, trace index, span position). `traceId` must have 32
   * chars and `spanId` 20; timestamps must be 13-digit ms.
   */
  build(rng: Sfc32, span: PayloadSpanInfo, parent: PayloadParentInfo | null): Uint8Array {
    const shape = this.shapeValue;
    this.start = this.pos;
    this.ensure(4096 + this.maxTemplate);
    const tb = this.traceBytes;
    const sb = this.segmentBytes;
    const traceId = span.traceId;
    const spanId = span.spanId;
    for (let i = 0; i < TRACE_ID_LENGTH; i++) tb[i] = traceId.charCodeAt(i);
    for (let i = 0; i < SPAN_ID_LENGTH; i++) sb[i] = spanId.charCodeAt(i);

    // header + entry span head
    this.raw(SEG_OPEN);
    this.raw(tb);
    this.raw(SEG_SEGMENT);
    this.raw(sb);
    this.raw(SEG_SERVICE);
    this.ascii(span.serviceId);
    this.raw(SEG_INSTANCE);
    this.ascii(span.serviceInstanceId);
    this.raw(SEG_SPANS);
    const entryStart = span.startTimeMs;
    const entryEnd = entryStart + span.latencyMs;
    this.ts(this.pos, entryStart);
    this.pos += 13;
    this.raw(E_END);
    this.ts(this.pos, entryEnd);
    this.pos += 13;
    if (parent) {
      this.raw(E_REF_OPEN);
      this.raw(tb);
      this.raw(E_REF_SEGMENT);
      this.ascii(parent.spanId);
      this.raw(E_REF_SPAN);
      this.small(rng.int(8));
      this.raw(E_REF_SERVICE);
      this.ascii(parent.serviceId);
      this.raw(E_REF_INSTANCE);
      this.ascii(parent.serviceInstanceId);
      this.raw(E_REF_ENDPOINT);
      this.ascii(parent.operationName);
      this.raw(E_REF_ADDR);
      this.small(rng.int(256));
      this.raw(DOT);
      this.small(rng.int(256));
      this.raw(DOT);
      this.small(1 + rng.int(254));
      this.raw(COLON);
      this.small(1024 + rng.int(60_000));
      this.raw(E_REF_CLOSE);
    } else {
      this.raw(E_REFS_EMPTY);
    }
    this.ascii(span.operationName);
    this.raw(E_TYPE);
    this.small(span.componentIndex + 1);
    this.raw(E_COMPONENT);
    this.ascii(span.component);
    this.raw(span.isError ? E_ERR : E_OK);
    this.raw(HTTP_METHODS[rng.int(HTTP_METHODS.length)]!);
    this.ascii(span.operationName);
    this.raw(span.isError ? E_STATUS_ERR : E_STATUS_OK);
    this.ascii(span.component);
    this.raw(E_LAYERS[rng.int(E_LAYERS.length)]!);
    const nBusiness = 2 + rng.int(3);
    for (let t = 0; t < nBusiness; t++) {
      this.raw(COMMA);
      this.raw(BUSINESS[t]!);
      this.small(rng.int(100_000_000));
      this.raw(TAG_CLOSE);
    }
    this.tStart = entryStart;
    this.tEnd = entryEnd;
    const tails = span.isError ? this.tailError : this.tailOk;
    this.template(tails[rng.int(tails.length)]!, rng, 0);

    // local spans, nested in the entry span's window
    const locals = shape.minLocalSpans + rng.int(shape.maxLocalSpans - shape.minLocalSpans + 1);
    for (let k = 1; k < locals; k++) {
      this.ensure(this.maxTemplate + 16);
      this.buf[this.pos++] = 44; // ','
      const start = entryStart + rng.int(span.latencyMs + 1);
      this.tStart = start;
      this.tEnd = start + rng.int(entryEnd - start + 1);
      const pool = span.isError && rng.int(4) === 0 ? this.localError : this.localOk;
      this.template(pool[rng.int(pool.length)]!, rng, k);
    }
    this.ensure(SEG_CLOSE.length);
    this.raw(SEG_CLOSE);
    const out = this.buf.subarray(this.start, this.pos);
    this.start = this.pos;
    return out;
  }
}
