/**
 * A small hand-written BanyanDB-like gRPC server for client tests: Health, the registry services, and
 * stream/trace Write that (like BanyanDB v0.10.3) answers rejections at once and success only after the
 * client half-closes. Behaviour knobs let a test reject ids, fail the first N attempts with
 * STATUS_INTERNAL_ERROR, drop acks, break the stream mid-way, or never end it.
 */
import * as grpc from '@grpc/grpc-js';
import { decode, encode, serviceType } from '../../src/client/proto.js';

type Handler = grpc.UntypedHandleCall;

export interface WriteBehaviour {
  /** id -> status sent at once instead of a success ack. */
  reject?: Map<number, string>;
  /** Every id gets `transientStatus` for its first N attempts. */
  internalErrorAttempts?: number;
  /** @default 'STATUS_INTERNAL_ERROR' */
  transientStatus?: string;
  /** ids never acknowledged. */
  dropAcks?: Set<number>;
  /** After this many received messages, break the stream as `breakMode` says. */
  breakAfter?: number;
  /** 'error': end with gRPC status UNAVAILABLE; 'shutdown': kill the whole server (connections reset); 'end-ok': end with OK at once. */
  breakMode?: 'error' | 'shutdown' | 'end-ok';
  /** Never answer nor end the stream after the half-close (the client's deadline must fire). */
  ignoreEnd?: boolean;
  /** Milliseconds to sleep per received message (slow consumer, forces backpressure). */
  perMessageDelayMs?: number;
}

export interface FakeOptions {
  /** Health status answered; 'DOWN' answers UNAVAILABLE. */
  health?: 'SERVING' | 'NOT_SERVING' | 'DOWN';
  /** Delay of every unary answer in ms. */
  unaryDelayMs?: number;
  write?: WriteBehaviour;
  /** When set, every unary call (except Health) fails with this status. */
  failUnary?: { code: grpc.status; details: string };
  port?: number;
}

export interface ReceivedWrite {
  kind: 'stream' | 'trace';
  id: number;
  request: Record<string, unknown>;
}

export class FakeBanyanDB {
  readonly server = new grpc.Server();
  port = 0;
  options: FakeOptions;
  /** Every write message received, in order, with its id. */
  readonly received: ReceivedWrite[] = [];
  /** Number of Write streams opened. */
  writeStreams = 0;
  /** Registry contents: `${kind}/${group}/${name}` -> resource. */
  readonly store = new Map<string, Record<string, unknown>>();
  readonly queries: { kind: string; request: unknown }[] = [];
  healthChecks = 0;
  private readonly attempts = new Map<number, number>();

  constructor(options: FakeOptions = {}) {
    this.options = options;
    this.addHealth();
    this.addRegistries();
    this.addData('stream', 'banyandb.stream.v1.StreamService');
    this.addData('trace', 'banyandb.trace.v1.TraceService');
  }

  static async start(options: FakeOptions = {}): Promise<FakeBanyanDB> {
    const fake = new FakeBanyanDB(options);
    await fake.listen(options.port ?? 0);
    return fake;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => {
        if (err) reject(err);
        else {
          this.port = bound;
          resolve();
        }
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.forceShutdown();
      resolve();
    });
  }

  private add(serviceName: string, handlers: Record<string, Handler>): void {
    const svc = serviceType(serviceName);
    const def: Record<string, grpc.MethodDefinition<object, object>> = {};
    const impl: grpc.UntypedServiceImplementation = {};
    for (const [name, method] of Object.entries(svc.methods)) {
      const handler = handlers[name];
      if (!handler) continue;
      method.resolve();
      const reqType = method.resolvedRequestType!.fullName.slice(1);
      const resType = method.resolvedResponseType!.fullName.slice(1);
      def[name] = {
        path: `/${serviceName}/${name}`,
        requestStream: method.requestStream === true,
        responseStream: method.responseStream === true,
        requestDeserialize: (b: Buffer) => decode(reqType, b),
        requestSerialize: (v: object) => Buffer.from(encode(reqType, v)),
        responseSerialize: (v: object) => Buffer.from(encode(resType, v)),
        responseDeserialize: (b: Buffer) => decode(resType, b),
      } as grpc.MethodDefinition<object, object>;
      impl[name] = handler;
    }
    this.server.addService(def as grpc.ServiceDefinition, impl);
  }

  private unary(fn: (req: Record<string, unknown>) => object | grpc.ServiceError): grpc.handleUnaryCall<Record<string, unknown>, object> {
    return (call, callback) => {
      const answer = (): void => {
        const failure = this.options.failUnary;
        if (failure && !call.getPath().startsWith('/grpc.health')) {
          callback(status(failure.code, failure.details));
          return;
        }
        try {
          const res = fn(call.request);
          if (res instanceof Error) callback(res as grpc.ServiceError);
          else callback(null, res);
        } catch (err) {
          callback(err as grpc.ServiceError);
        }
      };
      if (this.options.unaryDelayMs) setTimeout(answer, this.options.unaryDelayMs);
      else answer();
    };
  }

  private addHealth(): void {
    this.add('grpc.health.v1.Health', {
      Check: this.unary(() => {
        this.healthChecks++;
        const h = this.options.health ?? 'SERVING';
        if (h === 'DOWN') return status(grpc.status.UNAVAILABLE, 'starting up');
        return { status: h };
      }),
    });
  }

  private addRegistries(): void {
    const kinds: [string, string, string, string][] = [
      ['StreamRegistryService', 'stream', 'hasStream', 'stream'],
      ['TraceRegistryService', 'trace', 'hasTrace', 'trace'],
      ['IndexRuleRegistryService', 'indexRule', 'hasIndexRule', 'indexRule'],
      ['IndexRuleBindingRegistryService', 'indexRuleBinding', 'hasIndexRuleBinding', 'indexRuleBinding'],
    ];
    const groups = (name: string): string => `group/${name}/`;
    this.add('banyandb.database.v1.GroupRegistryService', {
      Create: this.unary((req) => {
        const g = req.group as { metadata?: { name?: string } } | undefined;
        const name = g?.metadata?.name;
        if (!name) return status(grpc.status.INVALID_ARGUMENT, 'group.metadata.name is required');
        if (this.store.has(groups(name))) return status(grpc.status.ALREADY_EXISTS, `group ${name} already exists`);
        this.store.set(groups(name), g as Record<string, unknown>);
        return {};
      }),
      Update: this.unary((req) => {
        const g = req.group as { metadata?: { name?: string } };
        const name = g.metadata?.name ?? '';
        if (!this.store.has(groups(name))) return status(grpc.status.NOT_FOUND, `group ${name} not found`);
        this.store.set(groups(name), g as Record<string, unknown>);
        return {};
      }),
      Get: this.unary((req) => {
        const g = this.store.get(groups(String(req.group)));
        return g ? { group: g } : status(grpc.status.NOT_FOUND, `group ${String(req.group)} not found`);
      }),
      List: this.unary(() => ({ group: [...this.store.entries()].filter(([k]) => k.startsWith('group/')).map(([, v]) => v) })),
      Delete: this.unary((req) => {
        if (!this.store.delete(groups(String(req.group)))) return status(grpc.status.NOT_FOUND, `group ${String(req.group)} not found`);
        return {};
      }),
      Exist: this.unary((req) => ({ hasGroup: this.store.has(groups(String(req.group))) })),
    });
    for (const [service, field, hasField, kind] of kinds) {
      const key = (md: { group?: string; name?: string } | undefined): string => `${kind}/${md?.group ?? ''}/${md?.name ?? ''}`;
      const hasGroup = (g: string | undefined): boolean => this.store.has(groups(g ?? ''));
      this.add(`banyandb.database.v1.${service}`, {
        Create: this.unary((req) => {
          const r = req[field] as { metadata?: { group?: string; name?: string } };
          if (!r?.metadata?.name) return status(grpc.status.INVALID_ARGUMENT, `${field}.metadata.name is required`);
          if (!hasGroup(r.metadata.group)) return status(grpc.status.NOT_FOUND, `group ${r.metadata.group} not found`);
          if (this.store.has(key(r.metadata))) return status(grpc.status.ALREADY_EXISTS, `${field} ${r.metadata.name} already exists`);
          this.store.set(key(r.metadata), r as Record<string, unknown>);
          return kind === 'stream' || kind === 'trace' ? { modRevision: 7 } : {};
        }),
        Update: this.unary((req) => {
          const r = req[field] as { metadata?: { group?: string; name?: string } };
          if (!this.store.has(key(r.metadata))) return status(grpc.status.NOT_FOUND, `${field} not found`);
          this.store.set(key(r.metadata), r as Record<string, unknown>);
          return kind === 'stream' || kind === 'trace' ? { modRevision: 8 } : {};
        }),
        Get: this.unary((req) => {
          const r = this.store.get(key(req.metadata as { group?: string; name?: string }));
          return r ? { [field]: r } : status(grpc.status.NOT_FOUND, `${field} not found`);
        }),
        List: this.unary((req) => ({
          [field]: [...this.store.entries()].filter(([k]) => k.startsWith(`${kind}/${String(req.group)}/`)).map(([, v]) => v),
        })),
        Delete: this.unary((req) => ({ deleted: this.store.delete(key(req.metadata as { group?: string; name?: string })) })),
        Exist: this.unary((req) => {
          const md = req.metadata as { group?: string; name?: string };
          return { hasGroup: hasGroup(md.group), [hasField]: this.store.has(key(md)) };
        }),
      });
    }
  }

  private addData(kind: 'stream' | 'trace', serviceName: string): void {
    const idOf = (req: Record<string, unknown>): number => Number((kind === 'stream' ? req.messageId : req.version) ?? 0);
    const ack = (req: Record<string, unknown>, id: number, st: string): object =>
      kind === 'stream' ? { messageId: id, status: st, metadata: req.metadata } : { version: id, status: st, metadata: req.metadata };
    this.add(serviceName, {
      Query: this.unary((req) => {
        this.queries.push({ kind, request: req });
        if (kind === 'stream') {
          return {
            elements: [
              {
                elementId: 'e1',
                timestamp: { seconds: 1_700_000_000, nanos: 5 },
                tagFamilies: [{ name: 'searchable', tags: [{ key: 'trace_id', value: { str: { value: 't1' } } }] }],
              },
            ],
          };
        }
        return {
          traces: [
            {
              traceId: 't1',
              spans: [{ spanId: 's1', span: Buffer.from([1, 2, 3]), tags: [{ key: 'trace_id', value: { str: { value: 't1' } } }] }],
            },
          ],
        };
      }),
      Write: ((call: grpc.ServerDuplexStream<Record<string, unknown>, object>) => {
        this.writeStreams++;
        const w = this.options.write ?? {};
        const succeeded: [Record<string, unknown>, number][] = [];
        let count = 0;
        let broken = false;
        let chain = Promise.resolve();
        call.on('data', (req: Record<string, unknown>) => {
          chain = chain.then(async () => {
            if (broken) return;
            if (w.perMessageDelayMs) {
              call.pause();
              await new Promise((r) => setTimeout(r, w.perMessageDelayMs));
              call.resume();
            }
            const id = idOf(req);
            this.received.push({ kind, id, request: req });
            count++;
            const attempt = (this.attempts.get(id) ?? 0) + 1;
            this.attempts.set(id, attempt);
            const rejectWith = w.reject?.get(id);
            if (rejectWith) call.write(ack(req, id, rejectWith));
            else if (w.internalErrorAttempts && attempt <= w.internalErrorAttempts)
              call.write(ack(req, id, w.transientStatus ?? 'STATUS_INTERNAL_ERROR'));
            else if (!w.dropAcks?.has(id)) succeeded.push([req, id]);
            if (w.breakAfter !== undefined && count >= w.breakAfter) {
              broken = true;
              if (w.breakMode === 'shutdown') this.server.forceShutdown();
              else if (w.breakMode === 'end-ok') call.end();
              else call.emit('error', status(grpc.status.UNAVAILABLE, 'fake server going away'));
            }
          });
        });
        call.on('end', () => {
          chain = chain.then(() => {
            if (broken || w.ignoreEnd) return;
            for (const [req, id] of succeeded) call.write(ack(req, id, 'STATUS_SUCCEED'));
            call.end();
          });
        });
        call.on('error', () => {});
      }) as Handler,
    });
  }
}

function status(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() }) as grpc.ServiceError;
}
