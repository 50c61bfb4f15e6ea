/**
 * Builds the `dataBinary` of a span: a compact JSON SkyWalking-like segment (trace id, segment id,
 * service, instance and 3–8 spans, each with tags, logs, a nested attachment object and a
 * variable-length statement/stack/body text), like the segments of the original harness.
 *
 * Approach. The per-span pieces that do not depend on the span's own strings are pre-rendered
 * templates (a few hundred variants, chosen at random per local span) with fixed-width holes for the
 * ids, timestamps and numbers, which are written per span. A segment is therefore a handful of
 * memcpys plus ~90 short hole writes, straight into shared 1 MiB slabs (each payload is a `subarray`
 * of a slab). Holes every few dozen bytes (ids, 13-digit timestamps, random 2–9 digit numbers) keep
 * successive payloads different, so compression figures stay honest.
 *
 * Speed. In optimized V8 code every typed-array or DataView store costs about a dozen instructions of
 * checks, a loop iteration a dozen more, and a `TypedArray.prototype.set` call (a builtin plus a
 * memcpy) as much as a dozen stores, while a segment needs ~300 writes. So the code aims at few, wide
 * stores, few loops and few calls (checked with callgrind instruction counts: a segment now takes
 * well under half the instructions it took with per-byte writes and a per-hole `switch`):
 *
 * - Each template is compiled once: its random-number holes become 4-, 2- and 1-digit slots (three
 *   tight loops, one store per slot), and its other holes (times, span numbers, ids) have fixed
 *   offsets written by straight-line code. Nothing is dispatched per hole.
 * - Stores go through a `DataView` on the slab, 8, 4, 2 or 1 bytes at a time. Short ASCII text is
 *   written as 8-byte words through `setFloat64`: text bytes (all below 0x7f) never form a NaN, so a
 *   double read from them and written back reproduces them exactly. Longer text is copied with `set`.
 * - Random digits: 3 bits per digit (digits 1–8, so no leading zero), spread from a 32-bit draw with
 *   shifts and masks, four digits per store; one draw serves several slots.
 * - Timestamps: all of a segment's times lie in its entry span's window (at most 30 s), so the 8
 *   leading digits are rendered once per segment and the last 5 once per local span; a timestamp
 *   hole is three stores.
 * - The trace id and segment id, with the fixed text around them, are per-segment blocks of bytes
 *   (and words), updated once per span (the trace id once per trace).
 * - The entry span's head is a few such blocks plus the strings of the small vocabularies (services,
 *   instances, operation names, components: drawn from fixed lists), each pre-rendered together with
 *   the fixed text around it the first time it is seen and cached (at most {@link CACHE_ENTRIES} per
 *   vocabulary, so memory does not grow with the number of spans; others are written char by char).
 *
 * Word stores may write up to 7 bytes past the end of their text (see {@link SLACK}); that is safe
 * because a segment is written strictly front to back, so the next write overwrites those bytes.
 */
import { Sfc32 } from './prng.js';

const encoder = new TextEncoder();
const b = (s: string): Uint8Array => encoder.encode(s);

/** Size of a slab payload text is written into (segments of many spans share one). */
const TEXT_SLAB_BYTES = 1 << 20;
/** Bytes a word store may write past the end of its text; kept free after every reservation. */
const SLACK = 8;

/**
 * A slab of uninitialised memory (no zero-fill: every byte handed out is written first), as a plain
 * Uint8Array over its own ArrayBuffer.
 */
function newSlab(bytes: number): Uint8Array {
  return new Uint8Array(Buffer.allocUnsafeSlow(bytes).buffer, 0, bytes);
}

/** Timestamps are written as exactly 13 digits: ms since the epoch in [1e12, 1e13). */
export const MIN_TIMESTAMP_MS = 1_000_000_000_000;
export const MAX_TIMESTAMP_MS = 9_999_999_999_999;
/** Length of the span ids and trace ids the templates expect. */
export const SPAN_ID_LENGTH = 20;
export const TRACE_ID_LENGTH = 32;
// Module-private copies for the hot code: V8 folds private module constants, not exported ones.
const SPAN_ID_CHARS = 20;
const TRACE_ID_CHARS = 32;

// ---------------------------------------------------------------- text and digits
/** Fixed text for {@link put}: its bytes, or (when short) its 8-byte words (little-endian, zero-padded). */
interface Piece {
  readonly bytes: Uint8Array;
  readonly words: Float64Array;
  readonly length: number;
}

/**
 * From this length on, text is copied with one `set` call (a builtin and a memcpy: ~50 ns) rather
 * than stored as words (~4 ns a word).
 */
const SET_MIN_BYTES = 64;

const NO_BYTES = new Uint8Array(0);
const NO_WORDS = new Float64Array(0);
/**
 * Long pieces' bytes are views on shared 64 KiB arenas rather than an ArrayBuffer each (the caches
 * hold thousands of pieces); an arena is freed with the last piece that uses it.
 */
const ARENA_BYTES = 1 << 16;
let arena = new Uint8Array(ARENA_BYTES);
let arenaUsed = 0;
const wordScratch = new DataView(new ArrayBuffer(8));

/** Fixed text (ASCII) as a piece: bytes if long, 8-byte words if short. */
function piece(text: string): Piece {
  const n = text.length;
  if (n >= SET_MIN_BYTES) {
    if (arenaUsed + n > arena.length) {
      arena = new Uint8Array(Math.max(ARENA_BYTES, n));
      arenaUsed = 0;
    }
    const bytes = arena.subarray(arenaUsed, arenaUsed + n);
    arenaUsed += n;
    for (let i = 0; i < n; i++) bytes[i] = text.charCodeAt(i) & 0x7f;
    return { bytes, words: NO_WORDS, length: n };
  }
  const words = new Float64Array((n + 7) >> 3);
  for (let w = 0; w < words.length; w++) {
    // charCodeAt past the end is NaN, which `&` turns into 0.
    for (let i = 0; i < 8; i++) wordScratch.setUint8(i, text.charCodeAt((w << 3) + i) & 0x7f);
    words[w] = wordScratch.getFloat64(0, true);
  }
  return { bytes: NO_BYTES, words, length: n };
}

/** Writes a piece at `p` (a short one as words, plus up to 7 bytes past it); returns its end. */
function put(buf: Uint8Array, dv: DataView, p: number, x: Piece): number {
  const n = x.length;
  if (n >= SET_MIN_BYTES) {
    buf.set(x.bytes, p);
  } else {
    const w = x.words;
    for (let i = 0; i < w.length; i++) dv.setFloat64(p + (i << 3), w[i]!, true);
  }
  return p + n;
}

/** Packs the first `4 * n` chars of the ASCII string `s` into `n` little-endian words (0 past its end). */
function packAscii(out: Int32Array, s: string, n: number): void {
  for (let i = 0; i < n; i++) {
    const c = i << 2;
    // charCodeAt past the end is NaN, which `&` turns into 0.
    out[i] =
      (s.charCodeAt(c) & 0x7f) |
      ((s.charCodeAt(c + 1) & 0x7f) << 8) |
      ((s.charCodeAt(c + 2) & 0x7f) << 16) |
      ((s.charCodeAt(c + 3) & 0x7f) << 24);
  }
}

/** Writes an ASCII string that is not cached, four chars per store (plus up to 3 bytes past it); returns its end. */
function putAscii(dv: DataView, p: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i += 4) {
    const w =
      (s.charCodeAt(i) & 0x7f) |
      ((s.charCodeAt(i + 1) & 0x7f) << 8) |
      ((s.charCodeAt(i + 2) & 0x7f) << 16) |
      ((s.charCodeAt(i + 3) & 0x7f) << 24);
    dv.setInt32(p + i, w, true);
  }
  return p + n;
}

/** '00'..'99' as little-endian 16-bit words (first digit in the low byte). */
const PAIRS = Int32Array.from({ length: 100 }, (_, i) => (48 + ((i / 10) | 0)) | ((48 + (i % 10)) << 8));

/** `v` in [0, 10^4) as four digits packed into a little-endian word. */
function quad(v: number): number {
  const hi = (v / 100) | 0;
  return PAIRS[hi]! | (PAIRS[v - hi * 100]! << 16);
}

/** Writes a non-negative integer below 2^31 in decimal (exactly its digits); returns its end. */
function putInt(dv: DataView, p: number, n: number): number {
  let digits = 1;
  for (let m = n; m >= 10; m = (m / 10) | 0) digits++;
  const end = p + digits;
  let e = end;
  let v = n | 0;
  while (v >= 100) {
    const q = (v / 100) | 0;
    dv.setUint16(e - 2, PAIRS[v - q * 100]!, true);
    e -= 2;
    v = q;
  }
  if (v >= 10) dv.setUint16(e - 2, PAIRS[v]!, true);
  else dv.setUint8(e - 1, 48 + v);
  return end;
}

/** Four random digits '1'..'8' from the low 12 bits of `u` (3 bits each), as a little-endian word. */
function randomQuad(u: number): number {
  return ((u & 0x7) | ((u << 5) & 0x700) | ((u << 10) & 0x70000) | ((u << 15) & 0x7000000)) + 0x31313131;
}

/** Two random digits from the low 6 bits of `u`. */
function randomPair(u: number): number {
  return ((u & 0x7) | ((u << 5) & 0x700)) + 0x3131;
}

// ---------------------------------------------------------------- templates
/** Hole kinds of a template. */
const H_SPAN_K = 0; // width 1: the local span's index
const H_PARENT = 1; // width 1: random earlier local span
const H_START = 2; // width 13: start time (ms)
const H_END = 3; // width 13
const H_MID = 4; // width 13
const H_RAND = 5; // width w: random number with w digits (no leading zero)
const H_IDS = 6; // width IDS_BYTES: `"<trace id>","segmentId":"<segment id>","spanSeq":`

/** The text of an H_IDS hole around the two ids. */
const IDS_TRACE = '"';
const IDS_SEGMENT = '","segmentId":"';
const IDS_END = '","spanSeq":';
/** Width of an H_IDS hole: 80 bytes, exactly the ten 8-byte words {@link PayloadBuilder.template} stores. */
const IDS_BYTES = IDS_TRACE.length + TRACE_ID_CHARS + IDS_SEGMENT.length + SPAN_ID_CHARS + IDS_END.length;
const IDS_SEGMENT_AT = IDS_TRACE.length + TRACE_ID_CHARS + IDS_SEGMENT.length;
if (IDS_BYTES !== 80) throw new Error('payload: the ids hole must be ten words');

interface Hole {
  hole: number;
  width: number;
}
type Part = string | Hole;
const hole = (kind: number, width: number): Hole => ({ hole: kind, width });

/**
 * A pre-rendered template: its bytes (holes zero-filled) and where its holes are. Random holes are
 * split into 4-, 2- and 1-digit slots. The other holes occur at most twice (start, end, span number)
 * or once (mid time, parent, ids) per template; a missing one has offset -1.
 */
interface Template {
  bytes: Uint8Array;
  quads: Int32Array;
  pairs: Int32Array;
  singles: Int32Array;
  start0: number;
  start1: number;
  end0: number;
  end1: number;
  mid: number;
  spanK0: number;
  spanK1: number;
  parent: number;
  ids: number;
}

function compile(parts: Part[]): Template {
  let text = '';
  const quads: number[] = [];
  const pairs: number[] = [];
  const singles: number[] = [];
  const fixed: number[][] = [[], [], [], [], [], [], []]; // offsets per hole kind
  for (const p of parts) {
    if (typeof p === 'string') {
      text += p;
      continue;
    }
    let at = text.length;
    if (p.hole === H_RAND) {
      let w = p.width;
      for (; w >= 4; w -= 4, at += 4) quads.push(at);
      if (w >= 2) {
        pairs.push(at);
        at += 2;
        w -= 2;
      }
      if (w === 1) singles.push(at);
    } else {
      fixed[p.hole]!.push(at);
    }
    text += '0'.repeat(p.width);
  }
  const spanK = fixed[H_SPAN_K]!;
  const parent = fixed[H_PARENT]!;
  const start = fixed[H_START]!;
  const end = fixed[H_END]!;
  const mid = fixed[H_MID]!;
  const ids = fixed[H_IDS]!;
  const between = (xs: number[], min: number, max: number): boolean => xs.length >= min && xs.length <= max;
  if (
    !between(start, 1, 2) ||
    !between(end, 1, 2) ||
    !between(spanK, 1, 2) ||
    !between(mid, 1, 1) ||
    !between(parent, 0, 1) ||
    !between(ids, 1, 1)
  ) {
    throw new Error('payload: unexpected template holes');
  }
  return {
    bytes: b(text),
    quads: Int32Array.from(quads),
    pairs: Int32Array.from(pairs),
    singles: Int32Array.from(singles),
    start0: start[0] ?? -1,
    start1: start[1] ?? -1,
    end0: end[0] ?? -1,
    end1: end[1] ?? -1,
    mid: mid[0] ?? -1,
    spanK0: spanK[0] ?? -1,
    spanK1: spanK[1] ?? -1,
    parent: parent[0] ?? -1,
    ids: ids[0]!,
  };
}

// ---------------------------------------------------------------- vocabulary
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
  parts.push(',"threadCount":', baked(rng, 3), '},"context":{"traceId":', hole(H_IDS, IDS_BYTES), hole(H_SPAN_K, 1), '}}}');
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

// ---------------------------------------------------------------- entry-span text
// Blocks (fixed text with the ids, refreshed per span; see IdBlock), in the order they are written:
const HEAD_TRACE = '{"traceId":"';
const HEAD_SEGMENT = '","traceSegmentId":"';
const HEAD_SERVICE = '","service":"';
/** `{"traceId":"<trace>","traceSegmentId":"<segment>","service":"` */
const HEAD_TEXT = `${HEAD_TRACE}${' '.repeat(TRACE_ID_CHARS)}${HEAD_SEGMENT}${' '.repeat(SPAN_ID_CHARS)}${HEAD_SERVICE}`;
const HEAD_SEGMENT_AT = HEAD_TRACE.length + TRACE_ID_CHARS + HEAD_SEGMENT.length;
const REF_TRACE = ',"refs":[{"refType":"CrossProcess","traceId":"';
const REF_SEGMENT = '","parentTraceSegmentId":"';
const REF_SPAN = '","parentSpanId":';
/** `,"refs":[{...,"traceId":"<trace>","parentTraceSegmentId":"<parent segment>","parentSpanId":<n>,"parentService":"` */
const REF_TEXT = `${REF_TRACE}${' '.repeat(TRACE_ID_CHARS)}${REF_SEGMENT}${' '.repeat(SPAN_ID_CHARS)}${REF_SPAN}0,"parentService":"`;
const REF_SEGMENT_AT = REF_TRACE.length + TRACE_ID_CHARS + REF_SEGMENT.length;
const REF_DIGIT_AT = REF_SEGMENT_AT + SPAN_ID_CHARS + REF_SPAN.length;
// Fixed text around the vocabulary strings:
const SEG_INSTANCE = '","serviceInstance":"';
const SEG_SPANS = '","spans":[{"spanId":0,"parentSpanId":-1,"startTime":';
const REF_INSTANCE = '","parentServiceInstance":"';
const REF_ENDPOINT = '","parentEndpoint":"';
const REF_ADDR = '","networkAddressUsedAtPeer":"10.';
const E_TYPE = '","peer":"","spanType":"Entry","spanLayer":"Http","componentId":';
const E_COMPONENT = ',"component":"';
const E_OK = '","isError":false,"tags":[';
const E_ERR = '","isError":true,"tags":[';
const E_STATUS_OK = '"},{"key":"http.status_code","value":"200"},{"key":"component","value":"';
const E_STATUS_ERR = '"},{"key":"http.status_code","value":"500"},{"key":"component","value":"';
const E_LAYERS = LAYERS.map((l) => `"},{"key":"layer","value":"${l}"}`);
// Fixed pieces:
const E_END = piece(',"endTime":');
const E_REFS_EMPTY = piece(',"refs":[],"operationName":"');
const E_REF_CLOSE = piece('"}],"operationName":"');
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'].map((m) =>
  piece(`{"key":"http.method","value":"${m}"},{"key":"http.url","value":"`),
);
/** Business tags (2–4 of them): each an 8-digit random id, at the offsets in `digits`. */
const BUSINESS_TAGS = [
  ',{"key":"user.id","value":"',
  ',{"key":"request.id","value":"req-',
  ',{"key":"session.id","value":"sess-',
  ',{"key":"tenant.id","value":"tenant-',
  ',{"key":"order.id","value":"ord-',
];
const BUSINESS = [2, 3, 4].map((n) => {
  let text = '';
  const digits: number[] = [];
  for (const tag of BUSINESS_TAGS.slice(0, n)) {
    digits.push(text.length + tag.length);
    text += `${tag}00000000"}`;
  }
  return { text: piece(text), digits: Int32Array.from(digits) };
});
const SEG_CLOSE = piece('],"isSizeLimited":false}');
/** Upper bound of the entry span's bytes besides its strings (every fixed text once, numbers, slack). */
const HEAD_MAX_BYTES =
  [HEAD_TEXT, REF_TEXT, SEG_INSTANCE, SEG_SPANS, REF_INSTANCE, REF_ENDPOINT, REF_ADDR, E_TYPE, E_COMPONENT, E_OK, E_STATUS_OK, ...E_LAYERS]
    .map((s) => s.length)
    .reduce((a, n) => a + n, 0) +
  [E_END, E_REF_CLOSE, ...HTTP_METHODS, ...BUSINESS.map((x) => x.text)].reduce((a, x) => a + x.length, 0) +
  2 * 13 +
  64;

/** At most this many strings per vocabulary are cached; the others are written char by char. */
const CACHE_ENTRIES = 1024;
/** Longer strings are never cached. */
const CACHE_MAX_LENGTH = 256;

/** An instance with the text around it (`<service>","serviceInstance":"<instance>","spans":[...,"startTime":`). */
interface InstanceText {
  service: string;
  text: Piece;
}
/** An operation name with the text around each of its uses. */
interface OperationText {
  /** `<op>","peer":"",...,"componentId":` (the entry span's own name). */
  name: Piece;
  /** `<op>"},{"key":"http.status_code","value":"200"},{"key":"component","value":"` (the http.url tag). */
  urlOk: Piece;
  urlError: Piece;
  /** `<op>","networkAddressUsedAtPeer":"10.` (the parent endpoint of a ref). */
  parentEndpoint: Piece;
}
/** A component with the text around each of its uses. */
interface ComponentText {
  component: string;
  /** `<n>,"component":"<name>","isError":false,"tags":[` */
  ok: Piece;
  error: Piece;
  /** `<name>"},{"key":"layer","value":"<layer>"}` per layer (made on first use). */
  layers: (Piece | null)[];
}

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

/** Fixed text with places for ids: its bytes (written with `set`), a view to update them, and its 8-byte words. */
class IdBlock {
  readonly bytes: Uint8Array;
  readonly words: Float64Array;
  private readonly view: DataView;

  constructor(text: string) {
    this.view = new DataView(new ArrayBuffer((text.length + 7) & ~7));
    this.bytes = new Uint8Array(this.view.buffer, 0, text.length);
    this.bytes.set(b(text));
    this.words = new Float64Array(this.view.byteLength >> 3);
    this.pack(0, text.length);
  }

  /** Writes `n` words packed by {@link packAscii} at byte `at`. */
  setWords(at: number, w: Int32Array, n: number): void {
    const view = this.view;
    for (let i = 0; i < n; i++) view.setInt32(at + (i << 2), w[i]!, true);
  }

  setByte(at: number, v: number): void {
    this.view.setUint8(at, v);
  }

  /** Recomputes the 8-byte words covering bytes [from, to). */
  pack(from: number, to: number): void {
    const words = this.words;
    const view = this.view;
    for (let i = from >> 3; i < (to + 7) >> 3; i++) words[i] = view.getFloat64(i << 3, true);
  }
}

/** Writes segments into shared slabs. One instance per generator; not re-entrant. */
export class PayloadBuilder {
  private buf: Uint8Array = newSlab(TEXT_SLAB_BYTES);
  private dv: DataView = new DataView(this.buf.buffer, 0, this.buf.length);
  private pos = 0;
  private start = 0;
  /** Payload bytes built since the last {@link recycle} (sizes the slab it keeps). */
  private sinceRecycle = 0;
  /** The trace id the id blocks hold ('' before the first segment). */
  private blockTrace = '';
  /** Scratch: an id packed into words. */
  private readonly idWords = new Int32Array(TRACE_ID_CHARS / 4);
  private readonly headIds = new IdBlock(HEAD_TEXT);
  private readonly refIds = new IdBlock(REF_TEXT);
  /** The H_IDS hole of the current segment (written as words). */
  private readonly holeIds = new IdBlock(`${IDS_TRACE}${' '.repeat(TRACE_ID_CHARS)}${IDS_SEGMENT}${' '.repeat(SPAN_ID_CHARS)}${IDS_END}`);
  /** The segment's time base (see {@link setTimeBase}): a multiple of 10^5 ms and its 8 leading digits as a word. */
  private tsBase = 0;
  private tsWord = 0;
  private readonly tsScratch = new DataView(new ArrayBuffer(8));
  private readonly instances = new Map<string, InstanceText>();
  private readonly parentInstances = new Map<string, InstanceText>();
  private readonly operations = new Map<string, OperationText>();
  private readonly components = new Map<number, ComponentText>();
  private localOk: Template[] = [];
  private localError: Template[] = [];
  private tailOk: Template[] = [];
  private tailError: Template[] = [];
  private maxTemplate = 0;
  private shapeValue: PayloadShape = {
    minLocalSpans: 3,
    maxLocalSpans: 8,
    fillerMeanBytes: 0,
  };

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

  /**
   * Makes room for `n` more bytes (plus {@link SLACK}) after `pos`, moving the segment started at
   * `start` to a fresh slab if the current one is full.
   */
  private ensure(n: number): void {
    if (this.pos + n + SLACK <= this.buf.length) return;
    const used = this.pos - this.start;
    const next = newSlab(Math.max(TEXT_SLAB_BYTES, (used + n + SLACK) * 2));
    next.set(this.buf.subarray(this.start, this.pos));
    this.buf = next;
    this.dv = new DataView(next.buffer, 0, next.length);
    this.start = 0;
    this.pos = used;
  }

  /** Puts this span's trace id and segment id (and its parent's) into the id blocks. */
  private setIds(traceId: string, spanId: string, parentSpanId: string | null): void {
    if (
      traceId.length !== TRACE_ID_CHARS ||
      spanId.length !== SPAN_ID_CHARS ||
      (parentSpanId !== null && parentSpanId.length !== SPAN_ID_CHARS)
    ) {
      throw new RangeError(`payload: trace ids must have ${TRACE_ID_CHARS} chars and span ids ${SPAN_ID_CHARS}`);
    }
    const words = this.idWords;
    const holeIds = this.holeIds;
    if (traceId !== this.blockTrace) {
      this.blockTrace = traceId;
      packAscii(words, traceId, TRACE_ID_CHARS / 4);
      this.headIds.setWords(HEAD_TRACE.length, words, TRACE_ID_CHARS / 4);
      this.refIds.setWords(REF_TRACE.length, words, TRACE_ID_CHARS / 4);
      holeIds.setWords(IDS_TRACE.length, words, TRACE_ID_CHARS / 4);
      holeIds.pack(0, IDS_SEGMENT_AT);
    }
    packAscii(words, spanId, SPAN_ID_CHARS / 4);
    this.headIds.setWords(HEAD_SEGMENT_AT, words, SPAN_ID_CHARS / 4);
    holeIds.setWords(IDS_SEGMENT_AT, words, SPAN_ID_CHARS / 4);
    holeIds.pack(IDS_SEGMENT_AT, IDS_SEGMENT_AT + SPAN_ID_CHARS);
    if (parentSpanId !== null) {
      packAscii(words, parentSpanId, SPAN_ID_CHARS / 4);
      this.refIds.setWords(REF_SEGMENT_AT, words, SPAN_ID_CHARS / 4);
    }
  }

  /** Renders the 8 leading digits of the times near `t` (see {@link putTs}). */
  private setTimeBase(t: number): void {
    const hi = Math.floor(t / 100_000); // 8 digits
    const h1 = (hi / 10_000) | 0;
    const scratch = this.tsScratch;
    scratch.setInt32(0, quad(h1), true);
    scratch.setInt32(4, quad(hi - h1 * 10_000), true);
    this.tsWord = scratch.getFloat64(0, true);
    this.tsBase = hi * 100_000;
  }

  /**
   * Writes the 13-digit timestamp `v` at `at`: the 8 leading digits from the segment's time base
   * when `v` shares them (all of a segment's times but those of a window straddling a multiple of
   * 10^5 ms), else rendered afresh.
   */
  private putTs(dv: DataView, at: number, v: number): void {
    let d = v - this.tsBase;
    if (d >= 0 && d < 100_000) {
      dv.setFloat64(at, this.tsWord, true);
    } else {
      const hi = Math.floor(v / 100_000);
      const h1 = (hi / 10_000) | 0;
      dv.setInt32(at, quad(h1), true);
      dv.setInt32(at + 4, quad(hi - h1 * 10_000), true);
      d = v - hi * 100_000;
    }
    const lo = d | 0;
    const l1 = (lo / 10) | 0;
    dv.setInt32(at + 8, quad(l1), true);
    dv.setUint8(at + 12, 48 + lo - l1 * 10);
  }

  /** Writes `<service>","serviceInstance":"<instance>","spans":[...,"startTime":`. */
  private putInstance(buf: Uint8Array, dv: DataView, p: number, service: string, instance: string): number {
    const cached = this.instances.get(instance);
    if (cached !== undefined && cached.service === service) return put(buf, dv, p, cached.text);
    const text = `${service}${SEG_INSTANCE}${instance}${SEG_SPANS}`;
    if (text.length <= CACHE_MAX_LENGTH && this.instances.size < CACHE_ENTRIES) {
      const entry = { service, text: piece(text) };
      this.instances.set(instance, entry);
      return put(buf, dv, p, entry.text);
    }
    return putAscii(dv, p, text);
  }

  /** Writes `<service>","parentServiceInstance":"<instance>","parentEndpoint":"`. */
  private putParentInstance(buf: Uint8Array, dv: DataView, p: number, service: string, instance: string): number {
    const cached = this.parentInstances.get(instance);
    if (cached !== undefined && cached.service === service) return put(buf, dv, p, cached.text);
    const text = `${service}${REF_INSTANCE}${instance}${REF_ENDPOINT}`;
    if (text.length <= CACHE_MAX_LENGTH && this.parentInstances.size < CACHE_ENTRIES) {
      const entry = { service, text: piece(text) };
      this.parentInstances.set(instance, entry);
      return put(buf, dv, p, entry.text);
    }
    return putAscii(dv, p, text);
  }

  /** The texts around an operation name (undefined past the cache's bound: write those with putAscii). */
  private operation(name: string): OperationText | undefined {
    const cached = this.operations.get(name);
    if (cached !== undefined || name.length > CACHE_MAX_LENGTH || this.operations.size >= CACHE_ENTRIES) return cached;
    const entry = {
      name: piece(`${name}${E_TYPE}`),
      urlOk: piece(`${name}${E_STATUS_OK}`),
      urlError: piece(`${name}${E_STATUS_ERR}`),
      parentEndpoint: piece(`${name}${REF_ADDR}`),
    };
    this.operations.set(name, entry);
    return entry;
  }

  /** The texts around a component (undefined past the cache's bound: write those with putAscii). */
  private component(index: number, name: string): ComponentText | undefined {
    const cached = this.components.get(index);
    if (cached !== undefined && cached.component === name) return cached;
    if (name.length > CACHE_MAX_LENGTH || this.components.size >= CACHE_ENTRIES) return undefined;
    const entry = {
      component: name,
      ok: piece(`${index + 1}${E_COMPONENT}${name}${E_OK}`),
      error: piece(`${index + 1}${E_COMPONENT}${name}${E_ERR}`),
      layers: E_LAYERS.map(() => null),
    };
    this.components.set(index, entry);
    return entry;
  }

  /**
   * Copies template `t` at `pos` and fills its holes: `k` is the local span's index, [tStart, tEnd]
   * its time window (inside the segment's).
   */
  private template(t: Template, rng: Sfc32, k: number, tStart: number, tEnd: number): void {
    const base = this.pos;
    const bytes = t.bytes;
    this.buf.set(bytes, base);
    this.pos = base + bytes.length;
    const dv = this.dv;

    // Random digits, 3 bits each, from 32-bit draws (a draw serves several slots).
    let u = rng.nextU32();
    let bits = 32;
    const quads = t.quads;
    for (let i = 0; i < quads.length; i++) {
      if (bits < 12) {
        u = rng.nextU32();
        bits = 32;
      }
      dv.setInt32(base + quads[i]!, randomQuad(u), true);
      u >>>= 12;
      bits -= 12;
    }
    const pairs = t.pairs;
    for (let i = 0; i < pairs.length; i++) {
      if (bits < 6) {
        u = rng.nextU32();
        bits = 32;
      }
      dv.setUint16(base + pairs[i]!, randomPair(u), true);
      u >>>= 6;
      bits -= 6;
    }
    const singles = t.singles;
    for (let i = 0; i < singles.length; i++) {
      if (bits < 3) {
        u = rng.nextU32();
        bits = 32;
      }
      dv.setUint8(base + singles[i]!, 49 + (u & 7));
      u >>>= 3;
      bits -= 3;
    }
    if (t.parent >= 0) {
      if (bits < 8) u = rng.nextU32();
      dv.setUint8(base + t.parent, 48 + (((u & 0xff) * k) >>> 8));
    }

    // Span number and ids.
    dv.setUint8(base + t.spanK0, 48 + k);
    if (t.spanK1 >= 0) dv.setUint8(base + t.spanK1, 48 + k);
    const ids = this.holeIds.words;
    const at = base + t.ids;
    dv.setFloat64(at, ids[0]!, true);
    dv.setFloat64(at + 8, ids[1]!, true);
    dv.setFloat64(at + 16, ids[2]!, true);
    dv.setFloat64(at + 24, ids[3]!, true);
    dv.setFloat64(at + 32, ids[4]!, true);
    dv.setFloat64(at + 40, ids[5]!, true);
    dv.setFloat64(at + 48, ids[6]!, true);
    dv.setFloat64(at + 56, ids[7]!, true);
    dv.setFloat64(at + 64, ids[8]!, true);
    dv.setFloat64(at + 72, ids[9]!, true);

    // Times: the 8 leading digits are the segment's and the last 5 are rendered once per time (when
    // the window straddles a multiple of 10^5 ms, putTs renders them all).
    const tMid = tStart + Math.floor((tEnd - tStart) / 2);
    const tsBase = this.tsBase;
    if (tStart < tsBase || tEnd - tsBase >= 100_000) {
      this.putTsSlow(base, t, tStart, tEnd, tMid);
      return;
    }
    const tsWord = this.tsWord;
    const s5 = tStart - tsBase;
    const e5 = tEnd - tsBase;
    const m5 = tMid - tsBase;
    const s4 = (s5 / 10) | 0;
    const e4 = (e5 / 10) | 0;
    const m4 = (m5 / 10) | 0;
    const sWord = quad(s4);
    const eWord = quad(e4);
    const sLast = 48 + s5 - s4 * 10;
    const eLast = 48 + e5 - e4 * 10;
    let ts = base + t.start0;
    dv.setFloat64(ts, tsWord, true);
    dv.setInt32(ts + 8, sWord, true);
    dv.setUint8(ts + 12, sLast);
    ts = base + t.end0;
    dv.setFloat64(ts, tsWord, true);
    dv.setInt32(ts + 8, eWord, true);
    dv.setUint8(ts + 12, eLast);
    ts = base + t.mid;
    dv.setFloat64(ts, tsWord, true);
    dv.setInt32(ts + 8, quad(m4), true);
    dv.setUint8(ts + 12, 48 + m5 - m4 * 10);
    if (t.start1 >= 0) {
      ts = base + t.start1;
      dv.setFloat64(ts, tsWord, true);
      dv.setInt32(ts + 8, sWord, true);
      dv.setUint8(ts + 12, sLast);
    }
    if (t.end1 >= 0) {
      ts = base + t.end1;
      dv.setFloat64(ts, tsWord, true);
      dv.setInt32(ts + 8, eWord, true);
      dv.setUint8(ts + 12, eLast);
    }
  }

  /** The times of a template whose window straddles a multiple of 10^5 ms (rare; kept out of the hot path). */
  private putTsSlow(base: number, t: Template, tStart: number, tEnd: number, tMid: number): void {
    const dv = this.dv;
    this.putTs(dv, base + t.start0, tStart);
    this.putTs(dv, base + t.end0, tEnd);
    this.putTs(dv, base + t.mid, tMid);
    if (t.start1 >= 0) this.putTs(dv, base + t.start1, tStart);
    if (t.end1 >= 0) this.putTs(dv, base + t.end1, tEnd);
  }

  /**
   * Writes one segment and returns it as a view on the current slab. `rng` must be the trace's payload
   * stream so the bytes depend only on (seed, trace index, span position). `traceId` must have 32
   * chars and span ids 20; timestamps must be 13-digit ms.
   */
  build(rng: Sfc32, span: PayloadSpanInfo, parent: PayloadParentInfo | null): Uint8Array {
    const shape = this.shapeValue;
    const { serviceId, serviceInstanceId, operationName, isError } = span;
    this.setIds(span.traceId, span.spanId, parent === null ? null : parent.spanId);
    let strings = serviceId.length + serviceInstanceId.length + 2 * (operationName.length + span.component.length) + 16;
    if (parent) strings += parent.serviceId.length + parent.serviceInstanceId.length + parent.operationName.length;
    this.start = this.pos;
    this.ensure(HEAD_MAX_BYTES + strings + this.maxTemplate);
    const buf = this.buf;
    const dv = this.dv;
    let p = this.pos;
    const entryStart = span.startTimeMs;
    const entryEnd = entryStart + span.latencyMs;
    this.setTimeBase(entryStart);
    const op = this.operation(operationName);
    const componentName = span.component;
    const component = this.component(span.componentIndex, componentName);

    // header + entry span head
    buf.set(this.headIds.bytes, p);
    p = this.putInstance(buf, dv, p + HEAD_TEXT.length, serviceId, serviceInstanceId);
    this.putTs(dv, p, entryStart);
    p = put(buf, dv, p + 13, E_END);
    this.putTs(dv, p, entryEnd);
    p += 13;
    if (parent) {
      const bits = rng.nextU32();
      const ref = this.refIds;
      ref.setByte(REF_DIGIT_AT, 48 + (bits & 7));
      buf.set(ref.bytes, p);
      p = this.putParentInstance(buf, dv, p + REF_TEXT.length, parent.serviceId, parent.serviceInstanceId);
      const parentOp = this.operation(parent.operationName);
      p = parentOp ? put(buf, dv, p, parentOp.parentEndpoint) : putAscii(dv, p, `${parent.operationName}${REF_ADDR}`);
      // 10.a.b.c:port
      p = putInt(dv, p, (bits >>> 3) & 0xff);
      dv.setUint8(p++, 46); // '.'
      p = putInt(dv, p, (bits >>> 11) & 0xff);
      dv.setUint8(p++, 46);
      p = putInt(dv, p, 1 + ((((bits >>> 19) & 0xff) * 254) >>> 8));
      dv.setUint8(p++, 58); // ':'
      p = putInt(dv, p, 1024 + rng.int(60_000));
      p = put(buf, dv, p, E_REF_CLOSE);
    } else {
      p = put(buf, dv, p, E_REFS_EMPTY);
    }
    const bits = rng.nextU32();
    const layer = (((bits >>> 8) & 0xff) * E_LAYERS.length) >>> 8;
    if (op) {
      p = put(buf, dv, p, op.name);
    } else {
      p = putAscii(dv, p, `${operationName}${E_TYPE}`);
    }
    if (component) {
      p = put(buf, dv, p, isError ? component.error : component.ok);
    } else {
      p = putAscii(dv, p, `${span.componentIndex + 1}${E_COMPONENT}${componentName}${isError ? E_ERR : E_OK}`);
    }
    p = put(buf, dv, p, HTTP_METHODS[((bits & 0xff) * HTTP_METHODS.length) >>> 8]!);
    if (op) {
      p = put(buf, dv, p, isError ? op.urlError : op.urlOk);
    } else {
      p = putAscii(dv, p, `${operationName}${isError ? E_STATUS_ERR : E_STATUS_OK}`);
    }
    if (component) {
      let text = component.layers[layer];
      if (!text) {
        text = piece(`${componentName}${E_LAYERS[layer]}`);
        component.layers[layer] = text;
      }
      p = put(buf, dv, p, text);
    } else {
      p = putAscii(dv, p, `${componentName}${E_LAYERS[layer]}`);
    }
    const business = BUSINESS[(((bits >>> 16) & 0xff) * BUSINESS.length) >>> 8]!;
    const digits = business.digits;
    put(buf, dv, p, business.text);
    for (let t = 0; t < digits.length; t++) {
      const r = rng.nextU32();
      const at = p + digits[t]!;
      dv.setInt32(at, randomQuad(r), true);
      dv.setInt32(at + 4, randomQuad(r >>> 12), true);
    }
    p += business.text.length;
    this.pos = p;
    const tails = isError ? this.tailError : this.tailOk;
    this.template(tails[(((bits >>> 24) & 0xff) * tails.length) >>> 8]!, rng, 0, entryStart, entryEnd);

    // local spans, nested in the entry span's window
    const locals = shape.minLocalSpans + rng.int(shape.maxLocalSpans - shape.minLocalSpans + 1);
    for (let k = 1; k < locals; k++) {
      this.ensure(this.maxTemplate + 1);
      this.buf[this.pos++] = 44; // ','
      const start = entryStart + rng.int(span.latencyMs + 1);
      const end = start + rng.int(entryEnd - start + 1);
      const u = rng.nextU32();
      const pool = isError && (u & 3) === 0 ? this.localError : this.localOk;
      this.template(pool[((u >>> 16) * pool.length) >>> 16]!, rng, k, start, end);
    }
    this.ensure(SEG_CLOSE.length);
    const end = put(this.buf, this.dv, this.pos, SEG_CLOSE);
    const out = this.buf.subarray(this.start, end);
    this.start = this.pos = end;
    this.sinceRecycle += out.length;
    return out;
  }

  /**
   * Declares every payload built so far dead (copied or dropped by the caller): the next payloads are written
   * over them, from the start of one slab large enough for as many bytes as were built since the last call,
   * instead of into fresh slabs. A producer that encodes batch after batch thus allocates no payload memory.
   */
  recycle(): void {
    const used = this.sinceRecycle;
    this.sinceRecycle = 0;
    if (used + SLACK > this.buf.length) {
      this.buf = newSlab(Math.max(TEXT_SLAB_BYTES, Math.ceil(used * 1.25) + SLACK));
      this.dv = new DataView(this.buf.buffer, 0, this.buf.length);
    }
    this.start = this.pos = 0;
  }
}
