/**
 * BanyanDBClient: a typed BanyanDB gRPC client over @grpc/grpc-js, messages encoded through the protobufjs
 * Root of proto.ts. One generic grpc.Client (one channel) per connection.
 */
import * as grpc from '@grpc/grpc-js';
import {
  AbortedError,
  type BanyanDBPerfError,
  ClosedError,
  DeadlineExceededError,
  GrpcError,
  OptionsError,
  UnavailableError,
} from '../errors.js';
import { checkOptionKeys } from '../options-check.js';
import { encodeStreamRequests, encodeTraceRequests } from '../wire/requests.js';
import { grpcStatusName, isServiceError, mapGrpcError } from './errors-map.js';
import { type MethodDef, methodDef } from './methods.js';
import {
  type CallOptions,
  type ClientOptions,
  CONNECT_OPTION_KEYS,
  HEALTH_RETRY_INITIAL_DELAY_MS,
  HEALTH_RETRY_MAX_DELAY_MS,
  MAX_RECONNECT_BACKOFF_MS,
  type ResolvedClientOptions,
  resolveClientOptions,
  resolveRetryWindow,
  resolveTimeout,
  type WriteOptions,
} from './options.js';
import {
  type GroupRegistry,
  groupRegistry,
  indexRuleBindingRegistry,
  indexRuleRegistry,
  type ResourceRegistry,
  streamRegistry,
  traceRegistry,
} from './registry.js';
import type {
  APIVersion,
  IndexRule,
  IndexRuleBinding,
  ServingStatus,
  Stream,
  StreamQueryRequest,
  StreamQueryResponse,
  StreamWriteRequest,
  Trace,
  TraceQueryRequest,
  TraceQueryResponse,
  TraceWriteRequest,
} from './types.js';
import { defaultRetryStatuses, type WriteBatchResult, type WriteKind, writeBatch } from './write.js';

const HEALTH_CHECK = '/grpc.health.v1.Health/Check';

const methodCache = new Map<string, MethodDef<object, unknown>>();
function methodFor(path: string): MethodDef<object, unknown> {
  let def = methodCache.get(path);
  if (!def) {
    const match = /^\/([^/]+)\/([^/]+)$/.exec(path);
    if (!match) throw new Error(`bad gRPC method path ${path}`);
    def = methodDef<object, unknown>(match[1]!, match[2]!);
    methodCache.set(path, def);
  }
  return def;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A connection to one BanyanDB server (liaison gRPC port). */
export class BanyanDBClient implements AsyncDisposable {
  /** The `host:port` this client talks to. */
  readonly address: string;
  /** The resolved options (defaults filled in). */
  readonly options: Readonly<ResolvedClientOptions>;
  /** Group registry (`banyandb.database.v1.GroupRegistryService`). */
  readonly groups: GroupRegistry;
  /** Stream registry (`banyandb.database.v1.StreamRegistryService`). */
  readonly streams: ResourceRegistry<Stream>;
  /** Trace registry (`banyandb.database.v1.TraceRegistryService`). */
  readonly traces: ResourceRegistry<Trace>;
  /** Index rule registry (`banyandb.database.v1.IndexRuleRegistryService`). */
  readonly indexRules: ResourceRegistry<IndexRule>;
  /** Index rule binding registry (`banyandb.database.v1.IndexRuleBindingRegistryService`). */
  readonly indexRuleBindings: ResourceRegistry<IndexRuleBinding>;

  readonly #grpc: grpc.Client;
  readonly #live = new Set<(err: BanyanDBPerfError) => void>();
  #closed = false;
  #nextId = 1;

  private constructor(address: string, options: ResolvedClientOptions) {
    this.address = address;
    this.options = Object.freeze({ ...options });
    this.#grpc = new grpc.Client(address, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': options.maxReceiveMessageBytes,
      'grpc.max_send_message_length': options.maxSendMessageBytes,
      'grpc.initial_reconnect_backoff_ms': HEALTH_RETRY_INITIAL_DELAY_MS,
      'grpc.max_reconnect_backoff_ms': MAX_RECONNECT_BACKOFF_MS,
      // Batches are retried by the SDK itself; grpc-js' retry machinery would only buffer every sent message.
      'grpc.enable_retries': 0,
    });
    const invoke = <Res>(path: string, request: object, opts?: CallOptions): Promise<Res> => this.#unary<Res>(path, request, opts);
    this.groups = groupRegistry(invoke);
    this.streams = streamRegistry(invoke);
    this.traces = traceRegistry(invoke);
    this.indexRules = indexRuleRegistry(invoke);
    this.indexRuleBindings = indexRuleBindingRegistry(invoke);
  }

  /**
   * Connects to `address` (`host:port`, plaintext) and waits until its gRPC health check answers SERVING,
   * retrying with backoff for up to `connectTimeoutMs`.
   * @throws UnavailableError when the server could not be reached in time,
   *   DeadlineExceededError when it answered but never SERVING, AbortedError, OptionsError.
   */
  static async connect(address: string, options: ClientOptions & { signal?: AbortSignal } = {}): Promise<BanyanDBClient> {
    if (typeof address !== 'string' || !/^[^\s/]+:\d+$/.test(address)) {
      throw new OptionsError('address', `address must be "host:port", got ${JSON.stringify(address)}`);
    }
    checkOptionKeys(options, CONNECT_OPTION_KEYS, 'BanyanDBClient.connect()');
    const { signal, ...rest } = options;
    const client = new BanyanDBClient(address, resolveClientOptions(rest));
    try {
      await client.waitForServing({ timeoutMs: client.options.connectTimeoutMs, signal });
    } catch (err) {
      await client.close();
      throw err;
    }
    return client;
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** One `grpc.health.v1.Health/Check` (service ""). */
  async health(opts?: CallOptions): Promise<ServingStatus> {
    const res = await this.#unary<{ status?: ServingStatus }>(HEALTH_CHECK, { service: '' }, opts);
    return res.status ?? 'UNKNOWN';
  }

  /**
   * Polls the health check with backoff until it answers SERVING.
   * @throws UnavailableError (never reached the server) or DeadlineExceededError (reached, never SERVING) after `timeoutMs`.
   */
  async waitForServing(opts: { timeoutMs: number; signal?: AbortSignal | undefined }): Promise<void> {
    const timeoutMs = resolveTimeout('timeoutMs', opts.timeoutMs, this.options.connectTimeoutMs);
    const deadline = Date.now() + timeoutMs;
    let delayMs = HEALTH_RETRY_INITIAL_DELAY_MS;
    let lastError: unknown;
    let lastStatus: ServingStatus | undefined;
    let attempts = 0;
    let answered = false;
    // A server that refused connections on some attempt and never answered any is unreachable, even if the
    // last attempt, left with a sliver of the deadline, ran out of time while still waiting for a connection.
    let refused = false;
    for (;;) {
      this.#assertOpen();
      if (opts.signal?.aborted) throw new AbortedError(`waiting for ${this.address} to serve was aborted`, { cause: opts.signal.reason });
      const remaining = deadline - Date.now();
      attempts++;
      try {
        lastStatus = await this.health({ timeoutMs: Math.max(1, Math.min(this.options.callTimeoutMs, remaining)), signal: opts.signal });
        if (lastStatus === 'SERVING') return;
        answered = true;
        lastError = undefined;
      } catch (err) {
        if (err instanceof AbortedError || err instanceof ClosedError) throw err;
        lastError = err;
        if (err instanceof UnavailableError || (isServiceError(err) && err.code === grpc.status.UNAVAILABLE)) refused = true;
      }
      const left = deadline - Date.now();
      if (left <= 0) break;
      await sleep(Math.min(delayMs, left));
      delayMs = Math.min(delayMs * 2, HEALTH_RETRY_MAX_DELAY_MS);
    }
    const cause = lastError;
    if (answered && lastStatus !== undefined) {
      throw new DeadlineExceededError(
        'DEADLINE_EXCEEDED',
        grpc.status.DEADLINE_EXCEEDED,
        HEALTH_CHECK,
        `BanyanDB at ${this.address} answered ${lastStatus}, not SERVING, for ${timeoutMs} ms (${attempts} health checks)`,
        cause === undefined ? undefined : { cause },
      );
    }
    const grpcCode = isServiceError(cause) ? cause.code : cause instanceof GrpcError ? cause.grpcCode : grpc.status.UNAVAILABLE;
    const detail = cause instanceof Error ? cause.message : String(cause);
    if (grpcCode === grpc.status.DEADLINE_EXCEEDED && !refused) {
      throw new DeadlineExceededError(
        'DEADLINE_EXCEEDED',
        grpcCode,
        HEALTH_CHECK,
        `BanyanDB at ${this.address} did not answer its health check within ${timeoutMs} ms (${attempts} attempts): ${detail}`,
        { cause },
      );
    }
    throw new UnavailableError(
      'UNAVAILABLE',
      grpc.status.UNAVAILABLE,
      HEALTH_CHECK,
      `BanyanDB at ${this.address} was not reachable/serving within ${timeoutMs} ms (${attempts} attempts; last: ${grpcStatusName(grpcCode)}): ${detail}`,
      { cause },
    );
  }

  /**
   * Writes a batch of stream elements on one bidi Write stream (send all, half-close, collect every ack).
   * `messageId` is assigned from a per-client counter when absent or 0; every message carries metadata
   * (a request without it reuses the previous one's). The caller's objects are not modified.
   * @throws WriteRejectedError when writes were rejected (unless `throwOnReject: false`); a GrpcError
   *   subclass on transport failure or deadline; AbortedError; ClosedError.
   */
  async writeStream(batch: readonly StreamWriteRequest[], opts?: WriteOptions): Promise<WriteBatchResult> {
    this.#assertOpen();
    checkFirstMetadata('batch', batch);
    const ids = batch.map((r) => this.#idFor(r.messageId));
    return this.#write('stream', encodeStreamRequests(batch, ids), ids, opts);
  }

  /**
   * Writes a batch of spans to a trace on one bidi Write stream. `version` is assigned from a per-client
   * counter when absent or 0 and identifies the acknowledgement. See {@link writeStream}.
   */
  async writeTrace(batch: readonly TraceWriteRequest[], opts?: WriteOptions): Promise<WriteBatchResult> {
    this.#assertOpen();
    checkFirstMetadata('batch', batch);
    const ids = batch.map((r) => this.#idFor(r.version));
    return this.#write('trace', encodeTraceRequests(batch, ids), ids, opts);
  }

  /**
   * Sends already-encoded `banyandb.stream.v1.WriteRequest` frames (identity serializer) with the same ack
   * accounting as {@link writeStream}; `ids[i]` must be the message_id encoded in `frames[i]`.
   */
  async writeStreamEncoded(frames: readonly Uint8Array[], ids: readonly number[], opts?: WriteOptions): Promise<WriteBatchResult> {
    this.#assertOpen();
    checkEncoded(frames, ids);
    return this.#write('stream', frames, ids, opts);
  }

  /** Like {@link writeStreamEncoded} for `banyandb.trace.v1.WriteRequest` frames; `ids[i]` is the version. */
  async writeTraceEncoded(frames: readonly Uint8Array[], ids: readonly number[], opts?: WriteOptions): Promise<WriteBatchResult> {
    this.#assertOpen();
    checkEncoded(frames, ids);
    return this.#write('trace', frames, ids, opts);
  }

  /** Reserves `count` consecutive write ids (> 0) from this client's counter, e.g. to pre-encode frames. */
  reserveIds(count: number): number[] {
    const ids = new Array<number>(count);
    for (let i = 0; i < count; i++) ids[i] = this.#nextId++;
    return ids;
  }

  /**
   * `banyandb.common.v1.Service/GetAPIVersion`: the server's API version and revision, as it names itself
   * (BanyanDB 0.10.3 answers version `0.10`; banyandb-perf's emulator answers a revision starting `emulator-`).
   */
  async getAPIVersion(opts?: CallOptions): Promise<{ version: string; revision: string }> {
    const res = await this.#unary<{ version?: APIVersion }>('/banyandb.common.v1.Service/GetAPIVersion', {}, opts);
    return { version: res.version?.version ?? '', revision: res.version?.revision ?? '' };
  }

  /** `banyandb.stream.v1.StreamService/Query`. */
  queryStream(req: StreamQueryRequest, opts?: CallOptions): Promise<StreamQueryResponse> {
    return this.#unary<StreamQueryResponse>('/banyandb.stream.v1.StreamService/Query', req, opts);
  }

  /** `banyandb.trace.v1.TraceService/Query`. */
  queryTrace(req: TraceQueryRequest, opts?: CallOptions): Promise<TraceQueryResponse> {
    return this.#unary<TraceQueryResponse>('/banyandb.trace.v1.TraceService/Query', req, opts);
  }

  /** Cancels in-flight calls (they reject with ClosedError) and closes the channel. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const err = new ClosedError(`BanyanDBClient(${this.address})`);
    for (const cancel of [...this.#live]) cancel(err);
    this.#live.clear();
    this.#grpc.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError(`BanyanDBClient(${this.address})`);
  }

  #idFor(given: number | undefined): number {
    return given !== undefined && given > 0 ? given : this.#nextId++;
  }

  #track(cancel: (err: BanyanDBPerfError) => void): () => void {
    this.#live.add(cancel);
    return () => this.#live.delete(cancel);
  }

  #write(kind: WriteKind, frames: readonly Uint8Array[], ids: readonly number[], opts: WriteOptions = {}): Promise<WriteBatchResult> {
    const ctx = {
      grpcClient: this.#grpc,
      address: this.address,
      track: (cancel: (err: BanyanDBPerfError) => void) => this.#track(cancel),
      closed: this.#closed,
    };
    return writeBatch(ctx, kind, frames, ids, {
      timeoutMs: resolveTimeout('timeoutMs', opts.timeoutMs, this.options.writeTimeoutMs),
      signal: opts.signal,
      retryInternalErrorForMs: resolveRetryWindow('retryInternalErrorForMs', opts.retryInternalErrorForMs, this.options.schemaRetryMs),
      retryStatuses: opts.retryStatuses ?? defaultRetryStatuses(kind),
      throwOnReject: opts.throwOnReject ?? true,
    });
  }

  #unary<Res>(path: string, request: object, opts: CallOptions = {}): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      if (this.#closed) {
        reject(new ClosedError(`BanyanDBClient(${this.address})`));
        return;
      }
      const { signal } = opts;
      if (signal?.aborted) {
        reject(new AbortedError(`${path} aborted before it started`, { cause: signal.reason }));
        return;
      }
      const timeoutMs = resolveTimeout('timeoutMs', opts.timeoutMs, this.options.callTimeoutMs);
      const def = methodFor(path);
      let settled = false;
      const finish = (err: BanyanDBPerfError | undefined, value?: Res): void => {
        if (settled) return;
        settled = true;
        untrack();
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(value as Res);
      };
      let call: grpc.ClientUnaryCall | undefined;
      const onAbort = (): void => {
        finish(new AbortedError(`${path} on ${this.address} aborted`, { cause: signal?.reason }));
        call?.cancel();
      };
      const untrack = this.#track((err) => {
        finish(err);
        call?.cancel();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        call = this.#grpc.makeUnaryRequest<object, unknown>(
          def.path,
          def.serialize,
          def.deserialize,
          request,
          new grpc.Metadata(),
          { deadline: Date.now() + timeoutMs },
          (err, value) => {
            if (err) finish(mapGrpcError(err, path, this.address));
            else finish(undefined, (value ?? {}) as Res);
          },
        );
      } catch (err) {
        // serialization failures (bad request shape) surface here
        finish(
          new OptionsError('request', `${path}: the request could not be encoded: ${err instanceof Error ? err.message : String(err)}`, {
            cause: err,
          }),
        );
      }
    });
  }
}

function checkFirstMetadata(what: string, batch: readonly { metadata?: { group?: string; name?: string } }[]): void {
  if (!Array.isArray(batch)) throw new OptionsError(what, `${what} must be an array of write requests`);
  const md = batch[0]?.metadata;
  if (batch.length > 0 && (!md?.group || !md.name)) {
    throw new OptionsError(
      `${what}[0].metadata`,
      `${what}[0].metadata must name the group and the resource ({ group, name }): BanyanDB requires metadata on the first message of a Write stream`,
    );
  }
}

function checkEncoded(frames: readonly Uint8Array[], ids: readonly number[]): void {
  if (frames.length !== ids.length) {
    throw new OptionsError('ids', `ids must have one id per frame: ${frames.length} frames, ${ids.length} ids`);
  }
}
