/**
 * The seeded, streaming span generator. Every trace is generated from its own sub-seeds derived from
 * `(seed, traceIndex)`, so the data set is never materialised, any trace can be regenerated on its own
 * ({@link SpanGenerator.traceAt}) and the same options always give the same spans, payload bytes included.
 */
import { OptionsError } from '../errors.js';
import { checkOptionKeys, optionKeys } from '../options-check.js';
import { AliasTable, zipfWeights } from './alias.js';
import {
  MAX_TIMESTAMP_MS,
  MIN_TIMESTAMP_MS,
  PayloadBuilder,
  type PayloadParentInfo,
  type PayloadShape,
  type PayloadSpanInfo,
} from './payload.js';
import { hash32, mix32, Sfc32 } from './prng.js';
import { describeValue, resolveScale, type Scale, type ScaleName } from './scale.js';

/** `parentSpanId` of a trace's root span (the only span of its trace whose parent is not another span id). */
export const ROOT_PARENT_SPAN_ID = '-1';

/** Default seed. */
export const DEFAULT_SEED = 42;
/** Default mean `dataBinary` size in bytes. */
export const DEFAULT_PAYLOAD_BYTES = 9_600;
/** Smallest accepted `payloadBytes`; a segment holds at least one span, so tiny means cannot be met exactly. */
export const MIN_PAYLOAD_BYTES = 1_024;
/** Largest accepted `payloadBytes`. */
export const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
/** Default share of error spans. */
export const DEFAULT_ERROR_RATE = 0.05;
/** Default number of distinct operation names (as in the original harness). */
export const DEFAULT_OPERATION_NAMES = 1_000;
/** Default number of distinct components (as in the original harness). */
export const DEFAULT_COMPONENTS = 50;
/** Zipf exponents of the service, operation-name and component popularity. */
export const ZIPF_EXPONENTS = { services: 1.2, operationNames: 1.5, components: 1.1 } as const;
/** Mean of the exponential span latency, ms. */
export const LATENCY_MEAN_MS = 100;
/** Latency cap, ms. */
export const LATENCY_CAP_MS = 30_000;
/**
 * Trace-size buckets: share of traces and inclusive span-count range (uniform inside a bucket).
 * Mean size: 0.2 x 3 + 0.6 x 13 + 0.2 x 60.5 = 20.5 spans.
 */
export const TRACE_SIZE_BUCKETS = [
  { share: 0.2, min: 1, max: 5 },
  { share: 0.6, min: 6, max: 20 },
  { share: 0.2, min: 21, max: 100 },
] as const;
/** Expected spans per trace under {@link TRACE_SIZE_BUCKETS}. */
export const MEAN_SPANS_PER_TRACE = 20.5;

/** Options of {@link SpanGenerator}. */
export interface GeneratorOptions {
  /**
   * Seed (a safe integer). Same seed and options → identical spans, payload bytes included.
   * @default 42
   */
  seed?: number;
  /**
   * Data-set size: a named scale or a custom {@link Scale}.
   * @default 'small'
   */
  scale?: ScaleName | Scale;
  /**
   * End of the time range (ms since the epoch, exclusive); trace start times are uniform over
   * [endTimeMs - scale.timeRangeMs, endTimeMs). Fix it for reproducible data.
   * @default Date.now() floored to the second
   */
  endTimeMs?: number;
  /**
   * Mean `dataBinary` size in bytes (each payload varies around it), between 1024 and 16 MiB.
   * @default 9600
   */
  payloadBytes?: number;
  /**
   * Generate `dataBinary`; `false` leaves it empty (all other fields are unchanged) for cheap ground-truth passes.
   * @default true
   */
  includePayload?: boolean;
  /**
   * Probability that a span is an error span, in [0, 1].
   * @default 0.05
   */
  errorRate?: number;
  /**
   * Distinct operation names (Zipf s = 1.5).
   * @default 1000
   */
  operationNames?: number;
  /**
   * Distinct components (Zipf s = 1.1).
   * @default 50
   */
  components?: number;
}

const GENERATOR_OPTION_KEYS = optionKeys<GeneratorOptions>({
  seed: true,
  scale: true,
  endTimeMs: true,
  payloadBytes: true,
  includePayload: true,
  errorRate: true,
  operationNames: true,
  components: true,
});

/** {@link GeneratorOptions} with every default applied. */
export interface ResolvedGeneratorOptions {
  seed: number;
  scale: Readonly<Scale>;
  endTimeMs: number;
  payloadBytes: number;
  includePayload: boolean;
  errorRate: number;
  operationNames: number;
  components: number;
}

/** One generated span (a SkyWalking segment, in BanyanDB terms). */
export interface Span {
  /** 32 hex chars, unique per trace index for a given seed. */
  traceId: string;
  /** 20 hex chars: the trace's 16-char prefix + the span's position in its trace (4 hex); unique. */
  spanId: string;
  /** {@link ROOT_PARENT_SPAN_ID} for the root, else the spanId of an earlier span of the same trace. */
  parentSpanId: string;
  /** `service_<n>`; n = 0 is the most frequent. */
  serviceId: string;
  /** `service_<n>.instance_<k>`: always an instance of `serviceId`. */
  serviceInstanceId: string;
  /** Integer ms since the epoch; children start inside their parent's [start, start + latency] window. */
  startTimeMs: number;
  /** Integer ms in [1, 30000]: exponential, mean 100 ms, rounded, at least 1, capped. */
  latencyMs: number;
  isError: 0 | 1;
  operationName: string;
  component: string;
  /**
   * Serialized JSON segment (empty when `includePayload` is false). A view on a shared 1 MiB slab:
   * keeping one span alive keeps its slab alive, so copy it (`.slice()`) to hold it long-term.
   */
  dataBinary: Uint8Array;
  /** Number of spans of this span's trace. */
  traceSpanCount: number;
}

/** Summary of what a generator will produce. */
export interface GeneratorDescription {
  options: ResolvedGeneratorOptions;
  startTimeMs: number;
  endTimeMs: number;
  meanSpansPerTrace: number;
  /** Expected number of traces of the stream (the span bound usually comes first). */
  expectedTraces: number;
  /** Calibrated mean payload size in bytes (0 when includePayload is false). */
  meanPayloadBytes: number;
  /** Local spans per segment and mean filler bytes per local span (null when includePayload is false). */
  payloadShape: PayloadShape | null;
}

const EMPTY_PAYLOAD = new Uint8Array(0);
const HEX2: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
function hex8(u: number): string {
  return HEX2[u >>> 24]! + HEX2[(u >>> 16) & 255]! + HEX2[(u >>> 8) & 255]! + HEX2[u & 255]!;
}
function hex4(u: number): string {
  return HEX2[(u >>> 8) & 255]! + HEX2[u & 255]!;
}

const COMPONENT_BASE = [
  'SpringMVC',
  'Tomcat',
  'OKHttp',
  'Feign',
  'gRPC',
  'Dubbo',
  'Mysql',
  'PostgreSQL',
  'Redis',
  'Jedis',
  'Lettuce',
  'Kafka',
  'RocketMQ',
  'RabbitMQ',
  'MongoDB',
  'Elasticsearch',
  'Nginx',
  'Undertow',
  'Jetty',
  'Netty',
  'Hystrix',
  'SpringCloudGateway',
  'Vertx',
  'AsyncHttpClient',
  'HttpClient',
];
const RESOURCES = [
  'orders',
  'customers',
  'payments',
  'inventory',
  'shipments',
  'invoices',
  'accounts',
  'carts',
  'products',
  'reviews',
  'coupons',
  'users',
  'sessions',
  'search',
  'recommendations',
  'notifications',
  'warehouses',
  'refunds',
  'subscriptions',
  'reports',
];
const ACTIONS = ['list', 'get', 'create', 'update', 'delete', 'search', 'export', 'import', 'validate', 'sync'];
const METHODS = ['GET', 'GET', 'POST', 'PUT', 'DELETE'];

function operationName(i: number): string {
  const r = RESOURCES[i % RESOURCES.length]!;
  const a = ACTIONS[Math.floor(i / RESOURCES.length) % ACTIONS.length]!;
  const round = Math.floor(i / (RESOURCES.length * ACTIONS.length));
  const m = METHODS[i % METHODS.length]!;
  return `${m}:/api/v${1 + (round % 3)}/${r}/${a}${round >= 3 ? `/${round}` : ''}`;
}
function componentName(i: number): string {
  const base = COMPONENT_BASE[i % COMPONENT_BASE.length]!;
  const round = Math.floor(i / COMPONENT_BASE.length);
  return round === 0 ? base : `${base}-${round + 1}`;
}

function positiveInt(option: string, v: unknown, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0 || v > max) {
    throw new OptionsError(
      option,
      `${option}: expected a positive integer${max < Number.MAX_SAFE_INTEGER ? ` <= ${max}` : ''}, got ${describeValue(v)}`,
    );
  }
  return v;
}

/**
 * Applies defaults and validates (the one place defaults are resolved).
 * @throws OptionsError naming the option and what was expected.
 */
export function resolveGeneratorOptions(options: GeneratorOptions = {}): ResolvedGeneratorOptions {
  if (typeof options !== 'object' || options === null) {
    throw new OptionsError('options', `options: expected an object, got ${describeValue(options)}`);
  }
  checkOptionKeys(options, GENERATOR_OPTION_KEYS, 'the span generator');
  const seed = options.seed ?? DEFAULT_SEED;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new OptionsError('seed', `seed: expected a safe integer, got ${describeValue(seed)}`);
  }
  const scale = resolveScale(options.scale, 'scale');
  const endTimeMs = options.endTimeMs ?? Math.floor(Date.now() / 1000) * 1000;
  const minEnd = MIN_TIMESTAMP_MS + scale.timeRangeMs;
  const maxEnd = MAX_TIMESTAMP_MS - LATENCY_CAP_MS;
  if (typeof endTimeMs !== 'number' || !Number.isSafeInteger(endTimeMs) || endTimeMs < minEnd || endTimeMs > maxEnd) {
    throw new OptionsError(
      'endTimeMs',
      `endTimeMs: expected an integer (ms since the epoch) between ${minEnd} (1e12 + scale.timeRangeMs) and ${maxEnd}, got ${describeValue(endTimeMs)}`,
    );
  }
  const payloadBytes = options.payloadBytes ?? DEFAULT_PAYLOAD_BYTES;
  if (
    typeof payloadBytes !== 'number' ||
    !Number.isSafeInteger(payloadBytes) ||
    payloadBytes < MIN_PAYLOAD_BYTES ||
    payloadBytes > MAX_PAYLOAD_BYTES
  ) {
    throw new OptionsError(
      'payloadBytes',
      `payloadBytes: expected an integer between ${MIN_PAYLOAD_BYTES} and ${MAX_PAYLOAD_BYTES}, got ${describeValue(payloadBytes)}`,
    );
  }
  const includePayload = options.includePayload ?? true;
  if (typeof includePayload !== 'boolean') {
    throw new OptionsError('includePayload', `includePayload: expected a boolean, got ${describeValue(includePayload)}`);
  }
  const errorRate = options.errorRate ?? DEFAULT_ERROR_RATE;
  if (typeof errorRate !== 'number' || !(errorRate >= 0 && errorRate <= 1)) {
    throw new OptionsError('errorRate', `errorRate: expected a number between 0 and 1, got ${describeValue(errorRate)}`);
  }
  const operationNames = positiveInt('operationNames', options.operationNames, DEFAULT_OPERATION_NAMES, 1_000_000);
  const components = positiveInt('components', options.components, DEFAULT_COMPONENTS, 100_000);
  return { seed, scale, endTimeMs, payloadBytes, includePayload, errorRate, operationNames, components };
}

/** Internal per-iteration state: own generators so concurrent iterations never share random state. */
interface TraceRngs {
  trace: Sfc32;
  payload: Sfc32;
}

/**
 * Internal (not exported by the package): `generator[RECYCLE_PAYLOADS]()` declares the `dataBinary` of every span
 * generated so far dead, so the next payloads are written over it (see PayloadBuilder.recycle). {@link traces}
 * builds a trace's payloads whole, so spans of it not consumed yet would need copies of theirs first; the cursor of
 * {@link SPANS_ON_DEMAND} builds none ahead. The workload's producer thread calls it after encoding each batch.
 */
export const RECYCLE_PAYLOADS: unique symbol = Symbol('banyandb-perf.recyclePayloads');

/**
 * Internal (not exported by the package): `generator[SPANS_ON_DEMAND]()` is a cursor over the same span stream as
 * {@link SpanGenerator.spans} (same spans, same payload bytes) that builds each span's payload only when the span
 * is taken. A trace's other fields are still drawn whole, but payloads of spans not taken yet do not exist, so
 * {@link RECYCLE_PAYLOADS} after each batch needs no copies of them. The workload's producer thread uses it.
 */
export const SPANS_ON_DEMAND: unique symbol = Symbol('banyandb-perf.spansOnDemand');

/** See {@link SPANS_ON_DEMAND}. */
export interface SpanCursor {
  /** The next span of the stream, its payload built now; undefined at the end of the stream. */
  next(): Span | undefined;
}

/** A trace's spans without payloads yet, with what building them needs (see SpanGenerator.traceFields). */
interface TraceFields {
  spans: Span[];
  /** Index of each span's parent in `spans` (-1 for the root). */
  parents: Int32Array;
  /** Component index of each span. */
  components: Int32Array;
}

/**
 * Seeded, deterministic, streaming generator of SkyWalking-like spans.
 *
 * The stream is traces 0, 1, 2, ... and stops after the trace that brings the span total to at least
 * `scale.spans`, or after `scale.traces` traces, whichever comes first (traces are never truncated).
 * With the built-in size mix (mean 20.5 spans per trace) the span bound comes first for the named
 * scales: e.g. about 4,900 traces for `small`.
 */

export class SpanGenerator {
  readonly options: ResolvedGeneratorOptions;
  private readonly seedLo: number;
  private readonly seedHi: number;
  private readonly idKey: number;
  private readonly services: string[];
  private readonly instances: string[];
  private readonly operations: string[];
  private readonly componentNames: string[];
  private readonly serviceTable: AliasTable;
  private readonly operationTable: AliasTable;
  private readonly componentTable: AliasTable;
  private readonly payload: PayloadBuilder | null = null;
  private shape: PayloadShape | null = null;
  private meanPayload = 0;
  private extent: { traces: number; spans: number } | null = null;
  /** Scratch for {@link buildPayload} and calibrate (filled and used at once, so calls never share it across spans). */
  private readonly payloadInfo: PayloadSpanInfo = {
    traceId: '',
    spanId: '',
    serviceId: '',
    serviceInstanceId: '',
    operationName: '',
    component: '',
    componentIndex: 0,
    startTimeMs: 0,
    latencyMs: 0,
    isError: false,
  };
  private readonly parentPayloadInfo: PayloadParentInfo = { spanId: '', serviceId: '', serviceInstanceId: '', operationName: '' };

  constructor(options?: GeneratorOptions) {
    this.options = Object.freeze(resolveGeneratorOptions(options));
    const { seed, scale } = this.options;
    this.seedLo = seed >>> 0;
    this.seedHi = Math.floor(seed / 4294967296) >>> 0;
    this.idKey = hash32(this.seedLo, this.seedHi, 0x1d1d1d1d, 0x7a7a7a7a);
    this.services = Array.from({ length: scale.services }, (_, i) => `service_${i}`);
    this.instances = Array.from({ length: scale.instances }, (_, g) => {
      const s = g % scale.services;
      return `service_${s}.instance_${Math.floor(g / scale.services)}`;
    });
    this.operations = Array.from({ length: this.options.operationNames }, (_, i) => operationName(i));
    this.componentNames = Array.from({ length: this.options.components }, (_, i) => componentName(i));
    this.serviceTable = new AliasTable(zipfWeights(scale.services, ZIPF_EXPONENTS.services));
    this.operationTable = new AliasTable(zipfWeights(this.options.operationNames, ZIPF_EXPONENTS.operationNames));
    this.componentTable = new AliasTable(zipfWeights(this.options.components, ZIPF_EXPONENTS.components));
    if (this.options.includePayload) {
      const templateSeed = hash32(this.seedLo, this.seedHi, 0x7e3a1a7e, 2);
      this.payload = new PayloadBuilder(templateSeed, this.componentNames, { minLocalSpans: 3, maxLocalSpans: 8, fillerMeanBytes: 0 });
      this.calibrate();
    }
  }

  /** Probability of each service index (index 0 = `service_0`, the most frequent). */
  serviceProbabilities(): Float64Array {
    return this.serviceTable.probabilities;
  }
  /** Probability of each operation-name index. */
  operationProbabilities(): Float64Array {
    return this.operationTable.probabilities;
  }
  /** Probability of each component index. */
  componentProbabilities(): Float64Array {
    return this.componentTable.probabilities;
  }

  /** Yields the traces of the stream one at a time (O(1) memory in the number of spans). */
  *traces(opts: { fromTrace?: number } = {}): Generator<Span[]> {
    const from = opts.fromTrace ?? 0;
    const { scale } = this.options;
    if (!Number.isSafeInteger(from) || from < 0) {
      throw new OptionsError('fromTrace', `fromTrace: expected a non-negative integer, got ${describeValue(from)}`);
    }
    const rngs = this.newRngs();
    let spans = 0;
    for (let i = 0; i < from && i < scale.traces && spans < scale.spans; i++) spans += this.sizeOf(rngs.trace, i);
    for (let i = from; i < scale.traces && spans < scale.spans; i++) {
      const trace = this.generate(rngs, i);
      spans += trace.length;
      yield trace;
    }
  }

  /** Yields the spans of the stream one at a time, trace by trace, parents before children. */
  *spans(opts: { fromTrace?: number } = {}): Generator<Span> {
    for (const trace of this.traces(opts)) yield* trace;
  }

  /**
   * Regenerates trace `index` on its own (identical to the `index`-th trace of {@link traces}).
   * Any index below `scale.traces` is valid, even past the span bound (see {@link extentOf}).
   */
  traceAt(index: number): Span[] {
    this.checkIndex(index);
    return this.generate(this.newRngs(), index);
  }

  /** Number of spans of trace `index`, without generating it. */
  traceSizeAt(index: number): number {
    this.checkIndex(index);
    return this.sizeOf(new Sfc32(), index);
  }

  /** Trace and span counts of the whole stream (computed once by drawing trace sizes only; cached). */
  extentOf(): { traces: number; spans: number } {
    if (this.extent) return this.extent;
    const { scale } = this.options;
    const rng = new Sfc32();
    let spans = 0;
    let traces = 0;
    while (traces < scale.traces && spans < scale.spans) spans += this.sizeOf(rng, traces++);
    this.extent = { traces, spans };
    return this.extent;
  }

  /** @internal See {@link SPANS_ON_DEMAND}. */
  [SPANS_ON_DEMAND](): SpanCursor {
    const { scale } = this.options;
    const rngs = this.newRngs();
    let index = 0;
    let spans = 0;
    let trace: TraceFields | null = null;
    let j = 0;
    return {
      next: (): Span | undefined => {
        if (trace === null || j >= trace.spans.length) {
          if (index >= scale.traces || spans >= scale.spans) return undefined;
          trace = this.traceFields(rngs, index++);
          spans += trace.spans.length;
          j = 0;
        }
        const k = j++;
        if (this.payload) this.buildPayload(rngs.payload, trace, k);
        return trace.spans[k];
      },
    };
  }

  /** @internal See {@link RECYCLE_PAYLOADS}. */
  [RECYCLE_PAYLOADS](): void {
    this.payload?.recycle();
  }

  /** Summary of what the generator produces (payload figures from a fixed calibration sample). */
  describe(): GeneratorDescription {
    const { scale, endTimeMs } = this.options;
    return {
      options: this.options,
      startTimeMs: endTimeMs - scale.timeRangeMs,
      endTimeMs,
      meanSpansPerTrace: MEAN_SPANS_PER_TRACE,
      expectedTraces: Math.min(scale.traces, Math.ceil(scale.spans / MEAN_SPANS_PER_TRACE)),
      meanPayloadBytes: this.meanPayload,
      payloadShape: this.shape ? { ...this.shape } : null,
    };
  }

  private checkIndex(index: number): void {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.options.scale.traces) {
      throw new OptionsError(
        'traceIndex',
        `traceIndex: expected an integer in [0, ${this.options.scale.traces}), got ${describeValue(index)}`,
      );
    }
  }

  private newRngs(): TraceRngs {
    return { trace: new Sfc32(), payload: new Sfc32() };
  }

  private sizeOf(rng: Sfc32, index: number): number {
    rng.reseed(hash32(this.seedLo, this.seedHi, index, 0), index);
    return drawSize(rng);
  }

  private generate(rngs: TraceRngs, index: number): Span[] {
    const trace = this.traceFields(rngs, index);
    if (this.payload) for (let j = 0; j < trace.spans.length; j++) this.buildPayload(rngs.payload, trace, j);
    return trace.spans;
  }

  /**
   * Trace `index` without payloads: every field of its spans, with each span's parent and component index kept for
   * {@link buildPayload}, and the payload random stream (`rngs.payload`) reseeded for this trace. The payloads
   * draw from that stream only, span after span, so building them at once or one at a time later (in span order)
   * gives the same bytes.
   */
  private traceFields(rngs: TraceRngs, index: number): TraceFields {
    const rng = rngs.trace;
    const { scale, endTimeMs, errorRate } = this.options;
    rng.reseed(hash32(this.seedLo, this.seedHi, index, 0), index);
    const size = drawSize(rng);
    const idPart = mix32((index ^ this.idKey) >>> 0);
    const w1 = rng.nextU32();
    const prefix = hex8(idPart) + hex8(w1);
    const traceId = prefix + hex8(rng.nextU32()) + hex8(rng.nextU32());
    const startMin = endTimeMs - scale.timeRangeMs;
    const lastMs = endTimeMs - 1;
    const rootStart = startMin + Math.floor(rng.float53() * scale.timeRangeMs);
    if (this.payload) rngs.payload.reseed(hash32(this.seedLo, this.seedHi, index, 1), ~index >>> 0);
    const nServices = scale.services;
    const nInstances = scale.instances;
    const spans: Span[] = new Array(size);
    const parents = new Int32Array(size);
    const components = new Int32Array(size);
    for (let j = 0; j < size; j++) {
      const parentIdx = j === 0 ? -1 : rng.int(j);
      const s = this.serviceTable.sample(rng);
      const perService = Math.floor((nInstances - 1 - s) / nServices) + 1;
      const inst = s + rng.int(perService) * nServices;
      const op = this.operationTable.sample(rng);
      const comp = this.componentTable.sample(rng);
      const raw = -LATENCY_MEAN_MS * Math.log(1 - rng.float());
      const latencyMs = Math.min(LATENCY_CAP_MS, Math.max(1, Math.round(raw)));
      const isError = rng.float() < errorRate ? 1 : 0;
      let startTimeMs: number;
      let parentSpanId: string;
      const parent = parentIdx >= 0 ? spans[parentIdx]! : null;
      if (parent) {
        const window = Math.min(parent.latencyMs, lastMs - parent.startTimeMs);
        startTimeMs = parent.startTimeMs + Math.floor(rng.float() * (window + 1));
        parentSpanId = parent.spanId;
      } else {
        startTimeMs = rootStart;
        parentSpanId = ROOT_PARENT_SPAN_ID;
      }
      spans[j] = {
        traceId,
        spanId: prefix + hex4(j),
        parentSpanId,
        serviceId: this.services[s]!,
        serviceInstanceId: this.instances[inst]!,
        startTimeMs,
        latencyMs,
        isError,
        operationName: this.operations[op]!,
        component: this.componentNames[comp]!,
        dataBinary: EMPTY_PAYLOAD,
        traceSpanCount: size,
      };
      parents[j] = parentIdx;
      components[j] = comp;
    }
    return { spans, parents, components };
  }

  /** Builds the payload of span `j` of `trace` (after those of spans 0..j-1, from the trace's payload stream). */
  private buildPayload(prng: Sfc32, trace: TraceFields, j: number): void {
    const span = trace.spans[j]!;
    const info = this.payloadInfo;
    info.traceId = span.traceId;
    info.spanId = span.spanId;
    info.serviceId = span.serviceId;
    info.serviceInstanceId = span.serviceInstanceId;
    info.operationName = span.operationName;
    info.component = span.component;
    info.componentIndex = trace.components[j]!;
    info.startTimeMs = span.startTimeMs;
    info.latencyMs = span.latencyMs;
    info.isError = span.isError === 1;
    const parentIdx = trace.parents[j]!;
    let p: PayloadParentInfo | null = null;
    if (parentIdx >= 0) {
      const parent = trace.spans[parentIdx]!;
      p = this.parentPayloadInfo;
      p.spanId = parent.spanId;
      p.serviceId = parent.serviceId;
      p.serviceInstanceId = parent.serviceInstanceId;
      p.operationName = parent.operationName;
    }
    span.dataBinary = this.payload!.build(prng, info, p);
  }

  /**
   * Picks the segment shape so the mean payload size matches `payloadBytes`. The templated parts have
   * exactly known sizes, so only the entry span's head (names, ids, ref) is measured, on a fixed
   * sample independent of the seed; the expected size of a shape is then
   * head + entry tail + (E[local spans] - 1) x local span, and the filler size is solved from it.
   */
  private calibrate(): void {
    const payload = this.payload!;
    const { payloadBytes: target, errorRate } = this.options;
    payload.shape = { minLocalSpans: 1, maxLocalSpans: 1, fillerMeanBytes: 0 };
    const rng = new Sfc32(0xc0ffee);
    // The payload scratch of buildPayload, free here: calibration runs in the constructor, before any span.
    const info = this.payloadInfo;
    info.traceId = hex8(rng.nextU32()) + hex8(rng.nextU32()) + hex8(rng.nextU32()) + hex8(rng.nextU32());
    info.startTimeMs = this.options.endTimeMs - 1000;
    info.latencyMs = LATENCY_MEAN_MS;
    const parent = this.parentPayloadInfo;
    const samples = 2000;
    let total = 0;
    for (let i = 0; i < samples; i++) {
      info.spanId = info.traceId.slice(0, 16) + hex4(i);
      const s = this.serviceTable.sample(rng);
      const perService = Math.floor((this.options.scale.instances - 1 - s) / this.options.scale.services) + 1;
      info.serviceId = this.services[s]!;
      info.serviceInstanceId = this.instances[s + rng.int(perService) * this.options.scale.services]!;
      info.componentIndex = this.componentTable.sample(rng);
      info.component = this.componentNames[info.componentIndex]!;
      info.operationName = this.operations[this.operationTable.sample(rng)]!;
      info.isError = rng.float() < errorRate;
      parent.spanId = info.spanId;
      parent.serviceId = this.services[this.serviceTable.sample(rng)]!;
      parent.serviceInstanceId = info.serviceInstanceId;
      parent.operationName = this.operations[this.operationTable.sample(rng)]!;
      // Roots (no ref) are 1 in MEAN_SPANS_PER_TRACE spans.
      total += payload.build(rng, info, i % 20 === 0 ? null : parent).length;
    }
    const head = total / samples - payload.templateMeans(errorRate).tail;
    const expected = (shape: PayloadShape): number => {
      payload.shape = shape;
      const m = payload.templateMeans(errorRate);
      return head + m.tail + ((shape.minLocalSpans + shape.maxLocalSpans) / 2 - 1) * m.local;
    };
    let shape: PayloadShape = { minLocalSpans: 3, maxLocalSpans: 8, fillerMeanBytes: 0 };
    let size = expected(shape);
    if (size > target) {
      // Fewer local spans: the largest 1..m range whose bare mean still fits (m = 1 is the floor).
      for (let m = 7; m >= 1; m--) {
        shape = { minLocalSpans: 1, maxLocalSpans: m, fillerMeanBytes: 0 };
        size = expected(shape);
        if (size <= target || m === 1) break;
      }
    }
    if (size < target) {
      // Every span of a segment (entry included) carries one filler text.
      const fillers = (shape.minLocalSpans + shape.maxLocalSpans) / 2;
      for (let round = 0; round < 4; round++) {
        const f = Math.max(0, shape.fillerMeanBytes + (target - size) / fillers);
        shape = { ...shape, fillerMeanBytes: Math.round(f) };
        size = expected(shape);
      }
    }
    payload.shape = shape;
    this.shape = shape;
    this.meanPayload = Math.round(size);
  }
}

function drawSize(rng: Sfc32): number {
  const u = rng.float();
  if (u < 0.2) return 1 + rng.int(5);
  if (u < 0.8) return 6 + rng.int(15);
  return 21 + rng.int(80);
}
