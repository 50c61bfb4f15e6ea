/**
 * A minimal grpc-js client for the emulator's tests, built from the same protobuf descriptor (independent
 * of the SDK's BanyanDBClient), plus schema fixtures.
 */

import type { ClientDuplexStream } from '@grpc/grpc-js';
import { type Client, credentials, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import type { Group, IndexRule, IndexRuleBinding, Stream, TagValue, Trace } from '../src/client/types.js';
import { clientServiceDefinition, SERVICES } from '../src/emulator/grpc-defs.js';

export type ServiceKey = keyof typeof SERVICES;

type AnyClient = Client & Record<string, (...args: unknown[]) => unknown>;

export class TestClient {
  private readonly clients = new Map<ServiceKey, AnyClient>();
  constructor(readonly address: string) {}

  private client(service: ServiceKey): AnyClient {
    let c = this.clients.get(service);
    if (!c) {
      const Ctor = makeGenericClientConstructor(clientServiceDefinition(SERVICES[service]), service);
      c = new Ctor(this.address, credentials.createInsecure()) as unknown as AnyClient;
      this.clients.set(service, c);
    }
    return c;
  }

  /** A unary call; rejects with the grpc ServiceError. */
  call<T = Record<string, unknown>>(service: ServiceKey, method: string, req: object, timeoutMs = 5_000): Promise<T> {
    const c = this.client(service);
    return new Promise<T>((resolve, reject) => {
      c[method]!(req, { deadline: Date.now() + timeoutMs }, (err: ServiceError | null, res: T) => (err ? reject(err) : resolve(res)));
    });
  }

  /** Opens a bidi Write call. */
  openWrite(service: 'streamData' | 'traceData', timeoutMs = 10_000): ClientDuplexStream<object, Record<string, unknown>> {
    return this.client(service).Write!({ deadline: Date.now() + timeoutMs }) as ClientDuplexStream<object, Record<string, unknown>>;
  }

  /**
   * Sends every message, half-closes, and collects responses. `beforeEnd` is the list of responses that
   * arrived before the client half-closed (after waiting `settleMs`).
   */
  async write(
    service: 'streamData' | 'traceData',
    messages: object[],
    settleMs = 100,
  ): Promise<{ responses: Record<string, unknown>[]; beforeEnd: Record<string, unknown>[]; error: ServiceError | undefined }> {
    const call = this.openWrite(service);
    const responses: Record<string, unknown>[] = [];
    let error: ServiceError | undefined;
    const finished = new Promise<void>((resolve) => {
      call.on('data', (r: Record<string, unknown>) => responses.push(r));
      call.on('error', (e: ServiceError) => {
        error = e;
        resolve();
      });
      call.on('status', () => setImmediate(resolve));
    });
    for (const m of messages) call.write(m);
    await Promise.race([finished, new Promise((r) => setTimeout(r, settleMs))]);
    const beforeEnd = [...responses];
    call.end();
    await finished;
    return { responses, beforeEnd, error };
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}

// ---- fixtures ----

export const STREAM_GROUP = 'sw_stream';
export const TRACE_GROUP = 'sw_trace';

const resourceOpts = {
  shardNum: 2,
  segmentInterval: { unit: 'UNIT_DAY', num: 1 },
  ttl: { unit: 'UNIT_DAY', num: 7 },
} as const;

export const streamGroup: Group = { metadata: { name: STREAM_GROUP }, catalog: 'CATALOG_STREAM', resourceOpts: { ...resourceOpts } };
export const traceGroup: Group = { metadata: { name: TRACE_GROUP }, catalog: 'CATALOG_TRACE', resourceOpts: { ...resourceOpts } };

export const segmentStream: Stream = {
  metadata: { group: STREAM_GROUP, name: 'segment' },
  entity: { tagNames: ['serviceId', 'serviceInstanceId'] },
  tagFamilies: [
    {
      name: 'primary',
      tags: [
        { name: 'serviceId', type: 'TAG_TYPE_STRING' },
        { name: 'serviceInstanceId', type: 'TAG_TYPE_STRING' },
        { name: 'traceId', type: 'TAG_TYPE_STRING' },
        { name: 'latency', type: 'TAG_TYPE_INT' },
        { name: 'isError', type: 'TAG_TYPE_INT' },
      ],
    },
    { name: 'data_binary', tags: [{ name: 'dataBinary', type: 'TAG_TYPE_DATA_BINARY' }] },
  ],
};

export const segmentTrace: Trace = {
  metadata: { group: TRACE_GROUP, name: 'segment' },
  tags: [
    { name: 'serviceId', type: 'TAG_TYPE_STRING' },
    { name: 'traceId', type: 'TAG_TYPE_STRING' },
    { name: 'spanId', type: 'TAG_TYPE_STRING' },
    { name: 'startTime', type: 'TAG_TYPE_TIMESTAMP' },
    { name: 'latency', type: 'TAG_TYPE_INT' },
    { name: 'isError', type: 'TAG_TYPE_INT' },
  ],
  traceIdTagName: 'traceId',
  spanIdTagName: 'spanId',
  timestampTagName: 'startTime',
};

export const streamRules: IndexRule[] = [
  { metadata: { group: STREAM_GROUP, name: 'latency_index' }, tags: ['latency'], type: 'TYPE_INVERTED' },
  { metadata: { group: STREAM_GROUP, name: 'trace_id_index' }, tags: ['traceId'], type: 'TYPE_INVERTED' },
];
export const traceRules: IndexRule[] = [
  { metadata: { group: TRACE_GROUP, name: 'time_tree' }, tags: ['serviceId', 'startTime'], type: 'TYPE_TREE' },
  { metadata: { group: TRACE_GROUP, name: 'latency_tree' }, tags: ['serviceId', 'latency'], type: 'TYPE_TREE' },
];

const window = { beginAt: { seconds: 1_704_067_200 }, expireAt: { seconds: 1_893_456_000 } };
export const streamBinding: IndexRuleBinding = {
  metadata: { group: STREAM_GROUP, name: 'segment_binding' },
  rules: streamRules.map((r) => r.metadata?.name ?? ''),
  subject: { catalog: 'CATALOG_STREAM', name: 'segment' },
  ...window,
};
export const traceBinding: IndexRuleBinding = {
  metadata: { group: TRACE_GROUP, name: 'segment_binding' },
  rules: traceRules.map((r) => r.metadata?.name ?? ''),
  subject: { catalog: 'CATALOG_TRACE', name: 'segment' },
  ...window,
};

/** Creates both groups, the stream, the trace, their index rules and bindings. */
export async function loadSchemas(c: TestClient): Promise<void> {
  await c.call('group', 'Create', { group: streamGroup });
  await c.call('group', 'Create', { group: traceGroup });
  await c.call('stream', 'Create', { stream: segmentStream });
  await c.call('trace', 'Create', { trace: segmentTrace });
  for (const r of streamRules) await c.call('indexRule', 'Create', { indexRule: r });
  for (const r of traceRules) await c.call('indexRule', 'Create', { indexRule: r });
  await c.call('indexRuleBinding', 'Create', { indexRuleBinding: streamBinding });
  await c.call('indexRuleBinding', 'Create', { indexRuleBinding: traceBinding });
}

export const str = (value: string): TagValue => ({ str: { value } });
export const int = (value: number): TagValue => ({ int: { value } });
export const ts = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 });
export const tsv = (ms: number): TagValue => ({ timestamp: ts(ms) });

/**
 * Base time of the fixtures: the start of the day before the current UTC hour's day, so every fixture time stays well
 * inside the fixture groups' 7-day TTL (BanyanDB 0.10.3 acknowledges and drops older writes, FACT 21).
 */
export const T0 = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000;

export interface ElementSpec {
  id: string;
  ms: number;
  service: string;
  instance?: string;
  traceId?: string;
  latency: number;
  isError?: number;
}

export function streamWrite(e: ElementSpec, messageId: number, withMetadata = true): object {
  return {
    ...(withMetadata ? { metadata: { group: STREAM_GROUP, name: 'segment' } } : {}),
    messageId,
    element: {
      elementId: e.id,
      timestamp: ts(e.ms),
      tagFamilies: [
        {
          tags: [str(e.service), str(e.instance ?? `${e.service}-1`), str(e.traceId ?? `t-${e.id}`), int(e.latency), int(e.isError ?? 0)],
        },
        { tags: [{ binaryData: Buffer.from(`payload-${e.id}`) }] },
      ],
    },
  };
}

export interface SpanSpec {
  traceId: string;
  spanId: string;
  ms: number;
  service: string;
  latency: number;
  isError?: number;
}

export function traceWrite(s: SpanSpec, version: number, withMetadata = true): object {
  return {
    ...(withMetadata ? { metadata: { group: TRACE_GROUP, name: 'segment' } } : {}),
    version,
    tags: [str(s.service), str(s.traceId), str(s.spanId), tsv(s.ms), int(s.latency), int(s.isError ?? 0)],
    span: Buffer.from(`span-${s.spanId}`),
  };
}

/** Reads a tag's scalar from a decoded TagValue. */
export function scalar(v: unknown): string | number | null {
  const t = v as { str?: { value?: string }; int?: { value?: number }; null?: unknown } | undefined;
  if (t?.str) return t.str.value ?? '';
  if (t?.int) return t.int.value ?? 0;
  return null;
}
