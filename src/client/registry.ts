/**
 * Typed facades over BanyanDB's schema registry services (database.v1): groups, streams, traces,
 * index rules and index rule bindings.
 */
import type { CallOptions } from './options.js';
import type { Group, IndexRule, IndexRuleBinding, Stream, Trace } from './types.js';

/** Identifies a group-scoped resource. */
export interface ResourceKey {
  group: string;
  name: string;
}

/** Answer of an `exist` call on a group-scoped resource. */
export interface ResourceExistence {
  hasGroup: boolean;
  hasResource: boolean;
}

/** Performs one unary call: full method path, request object (plain shape), options. */
export type UnaryInvoker = <Res>(path: string, request: object, opts?: CallOptions) => Promise<Res>;

/** Group registry operations; groups are addressed by name. */
export interface GroupRegistry {
  create(group: Group, opts?: CallOptions): Promise<void>;
  update(group: Group, opts?: CallOptions): Promise<void>;
  get(name: string, opts?: CallOptions): Promise<Group>;
  list(opts?: CallOptions): Promise<Group[]>;
  /**
   * Deletes a group. BanyanDB refuses a group that holds data (FAILED_PRECONDITION) unless `force` is true; then the
   * group goes with everything in it. Deletion is asynchronous on the server: Get may still answer for a moment.
   */
  delete(name: string, opts?: CallOptions & { force?: boolean }): Promise<void>;
  exist(name: string, opts?: CallOptions): Promise<boolean>;
}

/** Registry operations of a group-scoped resource kind (streams, traces, index rules, index rule bindings). */
export interface ResourceRegistry<T> {
  /** Creates the resource; resolves with the server's mod revision (0 when the service reports none). */
  create(resource: T, opts?: CallOptions): Promise<number>;
  /** Updates the resource; resolves with the server's mod revision (0 when the service reports none). */
  update(resource: T, opts?: CallOptions): Promise<number>;
  get(key: ResourceKey, opts?: CallOptions): Promise<T>;
  list(group: string, opts?: CallOptions): Promise<T[]>;
  /** Resolves with the server's `deleted` flag. */
  delete(key: ResourceKey, opts?: CallOptions): Promise<boolean>;
  exist(key: ResourceKey, opts?: CallOptions): Promise<ResourceExistence>;
}

const DB = 'banyandb.database.v1';

export function groupRegistry(call: UnaryInvoker): GroupRegistry {
  const p = (m: string): string => `/${DB}.GroupRegistryService/${m}`;
  return {
    async create(group, opts) {
      await call(p('Create'), { group }, opts);
    },
    async update(group, opts) {
      await call(p('Update'), { group }, opts);
    },
    async get(name, opts) {
      const res = await call<{ group?: Group }>(p('Get'), { group: name }, opts);
      return res.group ?? {};
    },
    async list(opts) {
      const res = await call<{ group?: Group[] }>(p('List'), {}, opts);
      return res.group ?? [];
    },
    async delete(name, opts) {
      const { force, ...callOpts } = opts ?? {};
      await call(p('Delete'), { group: name, ...(force ? { force: true } : {}) }, callOpts);
    },
    async exist(name, opts) {
      const res = await call<{ hasGroup?: boolean }>(p('Exist'), { group: name }, opts);
      return res.hasGroup === true;
    },
  };
}

/**
 * @param service e.g. `StreamRegistryService`
 * @param field the resource field of requests/responses, e.g. `stream`, `indexRule`
 * @param hasField the response's existence flag, e.g. `hasStream`
 */
function resourceRegistry<T>(call: UnaryInvoker, service: string, field: string, hasField: string): ResourceRegistry<T> {
  const p = (m: string): string => `/${DB}.${service}/${m}`;
  const metadata = (key: ResourceKey): { metadata: ResourceKey } => ({ metadata: { group: key.group, name: key.name } });
  return {
    async create(resource, opts) {
      const res = await call<{ modRevision?: number }>(p('Create'), { [field]: resource }, opts);
      return res.modRevision ?? 0;
    },
    async update(resource, opts) {
      const res = await call<{ modRevision?: number }>(p('Update'), { [field]: resource }, opts);
      return res.modRevision ?? 0;
    },
    async get(key, opts) {
      const res = await call<Record<string, T | undefined>>(p('Get'), metadata(key), opts);
      return res[field] ?? ({} as T);
    },
    async list(group, opts) {
      const res = await call<Record<string, T[] | undefined>>(p('List'), { group }, opts);
      return res[field] ?? [];
    },
    async delete(key, opts) {
      const res = await call<{ deleted?: boolean }>(p('Delete'), metadata(key), opts);
      return res.deleted === true;
    },
    async exist(key, opts) {
      const res = await call<Record<string, boolean | undefined>>(p('Exist'), metadata(key), opts);
      return { hasGroup: res.hasGroup === true, hasResource: res[hasField] === true };
    },
  };
}

export const streamRegistry = (call: UnaryInvoker): ResourceRegistry<Stream> =>
  resourceRegistry<Stream>(call, 'StreamRegistryService', 'stream', 'hasStream');
export const traceRegistry = (call: UnaryInvoker): ResourceRegistry<Trace> =>
  resourceRegistry<Trace>(call, 'TraceRegistryService', 'trace', 'hasTrace');
export const indexRuleRegistry = (call: UnaryInvoker): ResourceRegistry<IndexRule> =>
  resourceRegistry<IndexRule>(call, 'IndexRuleRegistryService', 'indexRule', 'hasIndexRule');
export const indexRuleBindingRegistry = (call: UnaryInvoker): ResourceRegistry<IndexRuleBinding> =>
  resourceRegistry<IndexRuleBinding>(call, 'IndexRuleBindingRegistryService', 'indexRuleBinding', 'hasIndexRuleBinding');
