/**
 * The BanyanDB emulator: an in-memory server over real gRPC (registry, write and query services, grpc.health,
 * GetAPIVersion) plus BanyanDB's HTTP endpoints, behaving like BanyanDB 0.10.3 in every respect its conformance
 * corpus recorded (the version-specific behaviour lives in ./banyandb-0.10.3/). A test double and dry-run target,
 * not a database: see docs/emulator.md for the behaviours it reproduces, by FACT number, and its limits.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import {
  type handleBidiStreamingCall,
  type handleServerStreamingCall,
  type handleUnaryCall,
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServerErrorResponse,
  type ServerWritableStream,
  status,
} from '@grpc/grpc-js';
import type {
  Group,
  IndexRule,
  IndexRuleBinding,
  Metadata,
  Stream,
  StreamQueryRequest,
  StreamTagFamilySpec,
  StreamWriteRequest,
  StreamWriteResponse,
  Trace,
  TraceQueryRequest,
  TraceWriteRequest,
  TraceWriteResponse,
} from '../client/types.js';
import { BanyanDBPerfError, UnavailableError } from '../errors.js';
import { toolVersion } from '../workload/version.js';
import { BANYANDB_0_10_3 } from './banyandb-0.10.3/index.js';
import { type ApiVersion, apiVersionServiceDefinition, type Decoded, SERVICES, serverServiceDefinition } from './grpc-defs.js';
import { EmulatorMetrics } from './metrics.js';
import { type EmulatorOptions, resolveEmulatorOptions } from './options.js';
import { queryStream, queryTrace } from './queries.js';
import { Registry } from './registry.js';
import { RpcFailure, unknown } from './status.js';
import { DataStore, WriteLog } from './store.js';
import { acceptStreamWrite, acceptTraceWrite, type WriteContext, type WriteOutcome } from './writes.js';

/** BanyanDB's default maximum size of a received gRPC message (10 MiB). */
const MAX_RECEIVE_MESSAGE_BYTES = 10 * 1024 * 1024;
/** How long close() lets calls finish before cutting connections. */
const GRACEFUL_CLOSE_MS = 1_000;

/** A running emulator. */
export interface Emulator extends AsyncDisposable {
  /** `host:port` of the gRPC server, ready for a client. */
  readonly grpcAddress: string;
  readonly grpcPort: number;
  readonly httpPort: number;
  /** `http://host:port` of the HTTP server (`GET /api/healthz`, `GET /metrics`). */
  readonly httpAddress: string;
  /** The port of its own that serves `GET /metrics`, when `metricsPort` was given. */
  readonly metricsPort: number | undefined;
  /** Ends open calls with UNAVAILABLE, stops both servers and frees the ports. Idempotent. */
  close(): Promise<void>;
}

function isPortInUse(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === 'EADDRINUSE' || code === 'EACCES';
}

function portInUse(what: string, host: string, port: number, cause: unknown): BanyanDBPerfError {
  const detail = cause instanceof Error ? ` (${cause.message})` : '';
  return new BanyanDBPerfError('PORT_IN_USE', `the emulator's ${what} port ${port} on ${host} is already in use${detail}`, { cause });
}

/** Listens on `host:port` for a moment; throws PORT_IN_USE (naming the port) when it is taken. Port 0 is always free. */
async function ensurePortFree(what: string, host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  }).catch((err: unknown) => {
    if (isPortInUse(err)) throw portInUse(what, host, port, err);
    // Other problems (e.g. an address not on this host) are left to the real bind, which reports them.
  });
}

function toStatus(err: unknown): Partial<ServerErrorResponse> {
  if (err instanceof RpcFailure) return { code: err.code, details: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: status.INTERNAL, details: `emulator: ${message}` };
}

function unary<Req, Res extends object>(fn: (req: Req) => Res): handleUnaryCall<Decoded<Req>, Res> {
  return (call, callback) => {
    try {
      callback(null, fn(call.request.msg));
    } catch (err) {
      callback(toStatus(err));
    }
  };
}

/** Runs a registry mutation whose response message is empty. */
function empty(fn: () => void): object {
  fn();
  return {};
}

/** Open streaming calls, so close() can end them with a status instead of leaving clients hanging. */
type OpenCall = ServerDuplexStream<Decoded<unknown>, object> | ServerWritableStream<Decoded<unknown>, object>;

/** Starts the emulator: binds the gRPC and HTTP servers and resolves once both listen. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const opts = resolveEmulatorOptions(options);
  const profile = BANYANDB_0_10_3;
  const texts = profile.texts;
  const strict = opts.behaviour === 'strict';
  const clock = Date.now;
  const registry = new Registry(clock, { profile, strict });
  const store = new DataStore();
  const writeLog = new WriteLog({ stream: opts.streamDataPath, trace: opts.traceDataPath }, opts.log);
  registry.groupHasData = (g) => store.hasData(g);
  const metrics = new EmulatorMetrics();
  registry.onGroupDeleted = (g) => {
    store.dropGroup(g);
    metrics.dropGroup(g);
  };
  const ctx: WriteContext = { registry, store, writeLog, schemaPropagationMs: opts.schemaPropagationMs, clock, log: opts.log, strict };
  /** GetAPIVersion answers as the emulator, distinguishably from BanyanDB: the revision starts with `emulator-`. */
  const apiVersion: ApiVersion = { version: profile.apiVersion, revision: `emulator-${toolVersion()}` };
  const openCalls = new Set<OpenCall>();
  let closing = false;

  const server = new Server({ 'grpc.max_receive_message_length': MAX_RECEIVE_MESSAGE_BYTES });

  // ---- health (FACT 1) and version (FACT 2) ----
  const healthCheck = unary<{ service?: string }, { status: string }>((req) => {
    if (req.service) throw new RpcFailure(status.NOT_FOUND, texts.UNKNOWN_SERVICE);
    return { status: closing ? 'NOT_SERVING' : 'SERVING' };
  });
  const healthWatch: handleServerStreamingCall<Decoded<{ service?: string }>, object> = (call) => {
    const c = call as OpenCall;
    openCalls.add(c);
    call.on('cancelled', () => openCalls.delete(c));
    call.write({ status: call.request.msg.service ? 'SERVICE_UNKNOWN' : 'SERVING' });
  };
  server.addService(serverServiceDefinition(SERVICES.health), { Check: healthCheck, Watch: healthWatch });
  server.addService(apiVersionServiceDefinition(), {
    GetAPIVersion: ((_call, callback) => callback(null, apiVersion)) as handleUnaryCall<Buffer, ApiVersion>,
  });

  // ---- registries ----
  server.addService(serverServiceDefinition(SERVICES.group), {
    Create: unary<{ group?: Group }, object>((r) => empty(() => registry.createGroup(r.group))),
    Update: unary<{ group?: Group }, object>((r) => empty(() => registry.updateGroup(r.group))),
    Delete: unary<{ group?: string; force?: boolean }, object>((r) => empty(() => registry.deleteGroup(r.group ?? '', r.force === true))),
    Get: unary<{ group?: string }, object>((r) => ({ group: registry.getGroup(r.group ?? '') })),
    List: unary<object, object>(() => ({ group: registry.listGroups() })),
    Exist: unary<{ group?: string }, object>((r) => ({ hasGroup: registry.groups.has(r.group ?? '') })),
  });
  server.addService(serverServiceDefinition(SERVICES.stream), {
    Create: unary<{ stream?: Stream }, object>((r) => ({ modRevision: registry.createStream(r.stream) })),
    Update: unary<{ stream?: Stream }, object>((r) => ({ modRevision: registry.updateStream(r.stream) })),
    Delete: unary<{ metadata?: Metadata }, object>((r) => ({ deleted: registry.delete('stream', r.metadata) })),
    Get: unary<{ metadata?: Metadata }, object>((r) => ({ stream: registry.getStream(r.metadata) })),
    List: unary<{ group?: string }, object>((r) => ({ stream: registry.list<Stream>('stream', r.group ?? '') })),
    Exist: unary<{ metadata?: Metadata }, object>((r) => {
      const e = registry.exist('stream', r.metadata);
      return { hasGroup: e.hasGroup, hasStream: e.hasResource };
    }),
  });
  server.addService(serverServiceDefinition(SERVICES.trace), {
    Create: unary<{ trace?: Trace }, object>((r) => ({ modRevision: registry.createTrace(r.trace) })),
    Update: unary<{ trace?: Trace }, object>((r) => ({ modRevision: registry.updateTrace(r.trace) })),
    Delete: unary<{ metadata?: Metadata }, object>((r) => ({ deleted: registry.delete('trace', r.metadata) })),
    Get: unary<{ metadata?: Metadata }, object>((r) => ({ trace: registry.getTrace(r.metadata) })),
    List: unary<{ group?: string }, object>((r) => ({ trace: registry.list<Trace>('trace', r.group ?? '') })),
    Exist: unary<{ metadata?: Metadata }, object>((r) => {
      const e = registry.exist('trace', r.metadata);
      return { hasGroup: e.hasGroup, hasTrace: e.hasResource };
    }),
  });
  server.addService(serverServiceDefinition(SERVICES.indexRule), {
    Create: unary<{ indexRule?: IndexRule }, object>((r) => empty(() => registry.createIndexRule(r.indexRule))),
    Update: unary<{ indexRule?: IndexRule }, object>((r) => empty(() => registry.updateIndexRule(r.indexRule))),
    Delete: unary<{ metadata?: Metadata }, object>((r) => ({ deleted: registry.delete('indexRule', r.metadata) })),
    Get: unary<{ metadata?: Metadata }, object>((r) => ({ indexRule: registry.getIndexRule(r.metadata) })),
    List: unary<{ group?: string }, object>((r) => ({ indexRule: registry.list<IndexRule>('indexRule', r.group ?? '') })),
    Exist: unary<{ metadata?: Metadata }, object>((r) => {
      const e = registry.exist('indexRule', r.metadata);
      return { hasGroup: e.hasGroup, hasIndexRule: e.hasResource };
    }),
  });
  server.addService(serverServiceDefinition(SERVICES.indexRuleBinding), {
    Create: unary<{ indexRuleBinding?: IndexRuleBinding }, object>((r) => empty(() => registry.createBinding(r.indexRuleBinding))),
    Update: unary<{ indexRuleBinding?: IndexRuleBinding }, object>((r) => empty(() => registry.updateBinding(r.indexRuleBinding))),
    Delete: unary<{ metadata?: Metadata }, object>((r) => ({ deleted: registry.delete('indexRuleBinding', r.metadata) })),
    Get: unary<{ metadata?: Metadata }, object>((r) => ({ indexRuleBinding: registry.getBinding(r.metadata) })),
    List: unary<{ group?: string }, object>((r) => ({
      indexRuleBinding: registry.list<IndexRuleBinding>('indexRuleBinding', r.group ?? ''),
    })),
    Exist: unary<{ metadata?: Metadata }, object>((r) => {
      const e = registry.exist('indexRuleBinding', r.metadata);
      return { hasGroup: e.hasGroup, hasIndexRuleBinding: e.hasResource };
    }),
  });

  // ---- data ----
  server.addService(serverServiceDefinition(SERVICES.streamData), {
    Query: unary<StreamQueryRequest, object>((r) => {
      refuseBrokenGroups('stream', r.name ?? '', r.groups);
      return metrics.timeQuery('stream', r.groups, () => queryStream(registry, store, r));
    }),
    Write: writeHandler<StreamWriteRequest, StreamWriteResponse, StreamTagFamilySpec[]>({
      validate: (m) => {
        if (!m.element) return texts.STREAM_WRITE_NO_ELEMENT;
        if (!m.messageId) return texts.STREAM_WRITE_MESSAGE_ID_ZERO;
        return undefined;
      },
      specOf: (m) => (m.tagFamilySpec?.length ? m.tagFamilySpec : undefined),
      accept: (md, m, spec, raw) => metrics.countWrite('stream', md, raw, acceptStreamWrite(ctx, md, m, spec, raw)),
      ack: (md, m, st) => ({ messageId: m.messageId ?? 0, status: st, metadata: md }),
    }),
  });
  server.addService(serverServiceDefinition(SERVICES.traceData), {
    Query: unary<TraceQueryRequest, object>((r) => {
      refuseBrokenGroups('trace', r.name ?? '', r.groups);
      return metrics.timeQuery('trace', r.groups, () => queryTrace(registry, store, r));
    }),
    Write: writeHandler<TraceWriteRequest, TraceWriteResponse, string[]>({
      validate: (m) => {
        if (!m.tags?.length) return texts.TRACE_WRITE_NO_TAGS;
        if (!m.version) return texts.TRACE_WRITE_VERSION_ZERO;
        return undefined;
      },
      specOf: (m) => (m.tagSpec ? (m.tagSpec.tagNames ?? []) : undefined),
      accept: (md, m, spec, raw) => metrics.countWrite('trace', md, raw, acceptTraceWrite(ctx, md, m, spec, raw)),
      ack: (md, m, st) => ({ metadata: md, version: m.version ?? 0, status: st }),
      // FACT 18: a span with more tag values than names fails the whole call when it ends.
      batchProblem: (outcomes) => {
        const overlong = outcomes.filter((o) => o.overlong).length;
        return overlong ? texts.spansTagsMismatch(outcomes.length, overlong) : undefined;
      },
    }),
  });

  /** FACT 14: every query of a group re-created under an old name fails. */
  function refuseBrokenGroups(model: 'stream' | 'trace', name: string, groups: readonly string[] | undefined): void {
    for (const g of groups ?? []) if (registry.isBroken(g)) throw unknown(texts.recreatedGroupQuery(model, name, g));
  }

  /**
   * One bidi Write call, as BanyanDB 0.10.3 runs it (FACTS 15-18): every message is validated as it arrives; a
   * validation failure ends the call at once with no acknowledgement at all and nothing of the call stored.
   * Rejections are acknowledged at once; accepted writes are stored and acknowledged only when the client
   * half-closes, then the call ends OK (or, when `batchProblem` finds one, INTERNAL with no acknowledgement).
   */
  function writeHandler<Req extends { metadata?: Metadata }, Res extends object, Spec>(h: {
    validate: (m: Req) => string | undefined;
    specOf: (m: Req) => Spec | undefined;
    accept: (md: Metadata, m: Req, spec: Spec | undefined, raw: Buffer) => WriteOutcome;
    ack: (md: Metadata, m: Req, st: string) => Res;
    batchProblem?: (accepted: readonly WriteOutcome[]) => string | undefined;
  }): handleBidiStreamingCall<Decoded<Req>, Res> {
    return (call) => {
      const c = call as unknown as OpenCall;
      openCalls.add(c);
      const accepted: { outcome: WriteOutcome; ack: Res }[] = [];
      let metadata: Metadata | undefined;
      let spec: Spec | undefined;
      let first = true;
      let done = false;
      const fail = (failure: { code: status; details: string }): void => {
        if (done) return;
        done = true;
        openCalls.delete(c);
        accepted.length = 0;
        call.emit('error', failure);
      };
      const halfClosed = (): void => {
        if (done) return;
        const problem = h.batchProblem?.(accepted.map((a) => a.outcome));
        if (problem) {
          fail({ code: status.INTERNAL, details: problem });
          return;
        }
        done = true;
        openCalls.delete(c);
        for (const a of accepted) a.outcome.commit?.();
        for (const a of accepted) call.write(a.ack);
        accepted.length = 0;
        call.end();
      };
      call.on('data', ({ msg, raw }: Decoded<Req>) => {
        if (done) return;
        const invalid = h.validate(msg);
        if (invalid) return fail({ code: status.INVALID_ARGUMENT, details: invalid });
        if (msg.metadata) {
          metadata = msg.metadata;
        } else if (first) {
          // BanyanDB cannot address a reply without metadata: it sends none and fails the call.
          return fail({ code: status.UNKNOWN, details: texts.WRITE_METADATA_REQUIRED });
        }
        first = false;
        const s = h.specOf(msg);
        if (s !== undefined) spec = s;
        const md = metadata!;
        const outcome = h.accept(md, msg, spec, raw);
        const ack = h.ack(md, msg, outcome.status);
        if (outcome.status === 'STATUS_SUCCEED') accepted.push({ outcome, ack });
        else call.write(ack);
      });
      call.on('end', halfClosed);
      call.on('cancelled', () => {
        done = true;
        openCalls.delete(c);
      });
      call.on('error', () => {
        done = true;
        openCalls.delete(c);
      });
    };
  }

  // ---- bind ----
  // A taken port fails here with PORT_IN_USE, before grpc-js would log its own bind error to stderr.
  await ensurePortFree('gRPC', opts.host, opts.grpcPort);
  await ensurePortFree('HTTP', opts.httpHost, opts.httpPort);
  const grpcPort = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${opts.host}:${opts.grpcPort}`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  }).catch((err: unknown) => {
    throw new UnavailableError('UNAVAILABLE', status.UNAVAILABLE, '', `emulator: cannot bind gRPC on ${opts.host}:${opts.grpcPort}`, {
      cause: err,
    });
  });

  // FACTS 2-3: BanyanDB's HTTP health route, the gateway route of GetAPIVersion, its JSON 404.
  const http: HttpServer = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/api/healthz') {
      res.writeHead(closing ? 503 : 200, { 'content-type': texts.HTTP_HEALTHZ_CONTENT_TYPE }).end(closing ? 'NOT_SERVING' : 'SERVING');
      return;
    }
    if (req.method === 'GET' && path === '/metrics') {
      // Issue 13: the emulator's own counters, under BanyanDB's metric names (src/emulator/metrics.ts).
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(metrics.render());
      return;
    }
    if (req.method === 'GET' && path === '/api/v1/common/api/version') {
      res.writeHead(200, { 'content-type': texts.HTTP_JSON_CONTENT_TYPE }).end(JSON.stringify({ version: apiVersion }));
      return;
    }
    res.writeHead(404, { 'content-type': texts.HTTP_JSON_CONTENT_TYPE }).end(texts.HTTP_NOT_FOUND_BODY);
  });
  let httpPort: number;
  try {
    httpPort = await new Promise<number>((resolve, reject) => {
      http.once('error', reject);
      http.listen(opts.httpPort, opts.httpHost, () => {
        http.off('error', reject);
        resolve((http.address() as AddressInfo).port);
      });
    });
  } catch (err) {
    server.forceShutdown();
    if (isPortInUse(err)) throw portInUse('HTTP', opts.httpHost, opts.httpPort, err);
    throw new UnavailableError(
      'UNAVAILABLE',
      status.UNAVAILABLE,
      '',
      `emulator: cannot listen for HTTP on ${opts.httpHost}:${opts.httpPort}`,
      {
        cause: err,
      },
    );
  }

  // Issue 13: `/metrics` on a port of its own too, as BanyanDB's observability listener (2121 in a container).
  let metricsServer: HttpServer | undefined;
  let metricsPort: number | undefined;
  if (opts.metricsPort !== undefined) {
    const ms = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'GET' && path === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(metrics.render());
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
    });
    try {
      metricsPort = await new Promise<number>((resolve, reject) => {
        ms.once('error', reject);
        ms.listen(opts.metricsPort, opts.httpHost, () => {
          ms.off('error', reject);
          resolve((ms.address() as AddressInfo).port);
        });
      });
      metricsServer = ms;
    } catch (err) {
      server.forceShutdown();
      http.closeAllConnections();
      http.close();
      if (isPortInUse(err)) throw portInUse('metrics', opts.httpHost, opts.metricsPort, err);
      throw new UnavailableError(
        'UNAVAILABLE',
        status.UNAVAILABLE,
        '',
        `emulator: cannot listen for metrics on ${opts.httpHost}:${opts.metricsPort}`,
        {
          cause: err,
        },
      );
    }
  }

  const urlHost = (h: string): string => (h.includes(':') ? `[${h}]` : h);
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      registry.dispose();
      for (const c of [...openCalls]) {
        openCalls.delete(c);
        try {
          c.emit('error', { code: status.UNAVAILABLE, details: 'the emulator is shutting down' });
        } catch {
          // the call may already be gone
        }
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, GRACEFUL_CLOSE_MS);
        timer.unref();
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      if (metricsServer !== undefined) {
        const m = metricsServer;
        m.closeAllConnections();
        await new Promise<void>((resolve) => m.close(() => resolve()));
      }
      await writeLog.close();
      opts.log('emulator: closed');
    })();
    return closed;
  };

  return {
    grpcAddress: `${urlHost(opts.host)}:${grpcPort}`,
    grpcPort,
    httpPort,
    httpAddress: `http://${urlHost(opts.httpHost)}:${httpPort}`,
    metricsPort,
    close,
    [Symbol.asyncDispose]: close,
  };
}
