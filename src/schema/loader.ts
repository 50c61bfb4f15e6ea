/**
 * SchemaLoader: reads the schema files (see {@link readSchemaDir}) and creates them on a BanyanDB server
 * (or the emulator) in dependency order, idempotently.
 */
import type { Group, IndexRule, IndexRuleBinding, Stream, Trace } from '../client/types.js';
import { AbortedError, BanyanDBPerfError, type ErrorCode, OptionsError, SchemaError } from '../errors.js';
import { checkOptionKeys, optionKeys } from '../options-check.js';
import { checkNamespace, namespaceSchema } from './namespace.js';
import { findPackageSchemaDir } from './paths.js';
import { kindLabel, readSchemaDir, SCHEMA_MODELS, type SchemaKind, type SchemaModel, type SchemaResource, type SchemaSet } from './set.js';

/** Per-call options the loader passes to the client. */
export interface SchemaCallOptions {
  signal?: AbortSignal;
}

/** The registry calls of one resource kind (streams, traces, index rules, bindings) that the loader uses. */
export interface SchemaResourceRegistry<T> {
  create(resource: T, opts?: SchemaCallOptions): Promise<unknown>;
  exist(key: { group: string; name: string }, opts?: SchemaCallOptions): Promise<{ hasGroup?: boolean; hasResource?: boolean }>;
}

/**
 * The part of a BanyanDB client the loader needs. `BanyanDBClient` satisfies it; tests may pass an
 * in-memory fake. `create` must reject with an error whose `code` is `'ALREADY_EXISTS'` (e.g.
 * AlreadyExistsError) when the resource exists.
 */
export interface SchemaClient {
  readonly groups: {
    create(group: Group, opts?: SchemaCallOptions): Promise<unknown>;
    exist(name: string, opts?: SchemaCallOptions): Promise<boolean>;
    /** Needed by {@link SchemaLoader.drop} only. BanyanDB deletes a group holding data only with `force`. */
    delete?(name: string, opts?: SchemaCallOptions & { force?: boolean }): Promise<unknown>;
  };
  readonly streams: SchemaResourceRegistry<Stream>;
  readonly traces: SchemaResourceRegistry<Trace>;
  readonly indexRules: SchemaResourceRegistry<IndexRule>;
  readonly indexRuleBindings: SchemaResourceRegistry<IndexRuleBinding>;
}

/** Options of a {@link SchemaLoader}. */
export interface SchemaLoaderOptions {
  /**
   * Directory of schema files (groups/, streams/, traces/, index_rules/, index_rule_bindings/).
   * @default the package's own testdata/schema
   */
  dir?: string;
  /**
   * A set already read with {@link SchemaLoader.read}; when given, `dir` is not read.
   * @default undefined (read `dir` on first use)
   */
  schema?: SchemaSet;
  /**
   * Models whose resources `load()` and `verify()` handle unless told otherwise per call.
   * @default ['stream', 'trace']
   */
  models?: SchemaModel[];
  /**
   * A run's own namespace: every group of the set is created as `<group>_<namespace>` and every stream, trace,
   * index rule and binding goes into the renamed group, so the run's data is apart from anything else on the server
   * (see {@link namespaceSchema}). With a namespace, a group that already exists is an error, never reused: the
   * namespace must be new (BanyanDB breaks a group re-created under a deleted group's name). 1 to 24 lower-case
   * letters or digits.
   * @default undefined (the groups as the files name them; existing resources are skipped)
   */
  namespace?: string;
}

/** What happened to one resource in {@link SchemaLoader.load}. */
export interface LoadedResource {
  kind: SchemaKind;
  group: string;
  name: string;
  model: SchemaModel;
  file: string;
  /** `created`, or `skipped` when the server answered ALREADY_EXISTS. */
  outcome: 'created' | 'skipped';
}

/** Result of {@link SchemaLoader.load}. */
export interface LoadReport {
  dir: string;
  models: SchemaModel[];
  /** In creation order. */
  resources: LoadedResource[];
  created: number;
  skipped: number;
}

/** Whether one resource exists on the server. */
export interface VerifiedResource {
  kind: SchemaKind;
  group: string;
  name: string;
  model: SchemaModel;
  exists: boolean;
}

/** Result of {@link SchemaLoader.verify}. */
export interface VerifyReport {
  dir: string;
  models: SchemaModel[];
  /** True when every resource of the chosen models exists. */
  ok: boolean;
  resources: VerifiedResource[];
  /** The resources that do not exist. */
  missing: VerifiedResource[];
}

/**
 * Loading stopped part way: creating `resource` failed. `report` lists what had been created or skipped
 * before; `code` is the code of the failure (e.g. `UNAVAILABLE`, `INVALID_ARGUMENT`, `ABORTED`) and `cause`
 * the failure itself.
 */
export class SchemaLoadError extends SchemaError {
  override readonly code: ErrorCode;
  /** The resources handled before the failure. */
  readonly report: LoadReport;
  /** The resource whose creation failed. */
  readonly resource: { kind: SchemaKind; group: string; name: string; model: SchemaModel; file: string };

  constructor(
    message: string,
    details: { report: LoadReport; resource: SchemaLoadError['resource']; code: ErrorCode },
    options?: { cause?: unknown },
  ) {
    super(message, { file: details.resource.file, jsonPath: '$' }, options);
    // SchemaError fixes its name's type to 'SchemaError'; the instance still reports its own class.
    Object.defineProperty(this, 'name', { value: 'SchemaLoadError', enumerable: false, writable: true, configurable: true });
    this.code = details.code;
    this.report = details.report;
    this.resource = details.resource;
  }
}

interface ResolvedSchemaLoaderOptions {
  dir: string;
  schema: SchemaSet | undefined;
  models: SchemaModel[];
  namespace: string | undefined;
}

/** One group removed by {@link SchemaLoader.drop}. */
export interface DroppedGroup {
  group: string;
  model: SchemaModel;
  /** `deleted`, or `absent` when the server did not have it (NOT_FOUND). */
  outcome: 'deleted' | 'absent';
}

/** The package's own schema directory (testdata/schema). */
export function defaultSchemaDir(): string {
  const dir = findPackageSchemaDir();
  if (!dir) {
    throw new SchemaError(
      'cannot find the banyandb-perf package directory holding testdata/schema; expected it next to the package.json of banyandb-perf (pass a schema dir explicitly)',
    );
  }
  return dir;
}

function resolveModels(models: readonly SchemaModel[] | undefined, option: string): SchemaModel[] {
  if (models === undefined) return [...SCHEMA_MODELS];
  if (!Array.isArray(models) || models.length === 0) {
    throw new OptionsError(option, `${option} must be a non-empty array of 'stream' and/or 'trace'`);
  }
  for (const m of models) {
    if (!SCHEMA_MODELS.includes(m)) throw new OptionsError(option, `${option} contains ${JSON.stringify(m)}; expected 'stream' or 'trace'`);
  }
  return SCHEMA_MODELS.filter((m) => models.includes(m));
}

/** Resolves loader options against their defaults. */
function resolveSchemaLoaderOptions(options: SchemaLoaderOptions = {}): ResolvedSchemaLoaderOptions {
  checkOptionKeys(
    options,
    optionKeys<SchemaLoaderOptions>({ dir: true, schema: true, models: true, namespace: true }),
    'new SchemaLoader()',
  );
  checkNamespace('namespace', options.namespace);
  return {
    dir: options.schema?.dir ?? options.dir ?? defaultSchemaDir(),
    schema: options.schema,
    models: resolveModels(options.models, 'models'),
    namespace: options.namespace,
  };
}

function describe(r: { kind: SchemaKind; group: string; name: string }): string {
  return r.kind === 'group' ? `group "${r.name}"` : `${kindLabel(r.kind)} "${r.name}" in group "${r.group}"`;
}

function registryOf(client: SchemaClient, kind: Exclude<SchemaKind, 'group'>): SchemaResourceRegistry<never> {
  switch (kind) {
    case 'stream':
      return client.streams;
    case 'trace':
      return client.traces;
    case 'indexRule':
      return client.indexRules;
    case 'indexRuleBinding':
      return client.indexRuleBindings;
  }
}

function errorCode(err: unknown): ErrorCode | undefined {
  if (err instanceof BanyanDBPerfError) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? (code as ErrorCode) : undefined;
}

/** Reads schema files and creates them on a BanyanDB server, idempotently. */
export class SchemaLoader {
  readonly #client: SchemaClient;
  readonly #options: ResolvedSchemaLoaderOptions;
  #schema: Promise<SchemaSet> | undefined;

  constructor(client: SchemaClient, options?: SchemaLoaderOptions) {
    this.#client = client;
    this.#options = resolveSchemaLoaderOptions(options);
    if (this.#options.schema) this.#schema = Promise.resolve(namespaceSchema(this.#options.schema, this.#options.namespace));
  }

  /** The namespace the groups are created in (undefined: the groups as the files name them). */
  get namespace(): string | undefined {
    return this.#options.namespace;
  }

  /** Parses and validates a schema directory (default: the package's testdata/schema); no server involved. */
  static read(dir?: string): Promise<SchemaSet> {
    return readSchemaDir(dir ?? defaultSchemaDir());
  }

  /** The schema directory this loader reads. */
  get dir(): string {
    return this.#options.dir;
  }

  /** The validated schema set (read once, on first use), its groups renamed into the namespace when there is one. */
  schema(): Promise<SchemaSet> {
    if (!this.#schema) {
      const ns = this.#options.namespace;
      this.#schema = readSchemaDir(this.#options.dir).then((set) => namespaceSchema(set, ns));
      this.#schema.catch(() => {
        this.#schema = undefined; // let a later call retry after the files are fixed
      });
    }
    return this.#schema;
  }

  /**
   * Creates the resources of the chosen models: groups, then streams/traces, then index rules, then
   * bindings. A resource the server already has (ALREADY_EXISTS) is reported as `skipped`, so a rerun is
   * safe. On a failure, throws {@link SchemaLoadError} with the partial report.
   */
  async load(opts: { models?: SchemaModel[]; signal?: AbortSignal } = {}): Promise<LoadReport> {
    checkOptionKeys(opts, ['models', 'signal'], 'SchemaLoader.load()');
    const models = opts.models === undefined ? this.#options.models : resolveModels(opts.models, 'load({ models })');
    const set = await this.schema();
    const report: LoadReport = { dir: set.dir, models, resources: [], created: 0, skipped: 0 };
    const callOpts: SchemaCallOptions = opts.signal ? { signal: opts.signal } : {};
    for (const r of set.select(models)) {
      let outcome: LoadedResource['outcome'];
      try {
        if (opts.signal?.aborted) throw new AbortedError('schema loading aborted', { cause: opts.signal.reason });
        outcome = await this.#create(r, callOpts);
      } catch (err) {
        throw this.#loadError(r, report, err);
      }
      report.resources.push({ kind: r.kind, group: r.group, name: r.name, model: r.model, file: r.file, outcome });
      if (outcome === 'created') report.created++;
      else report.skipped++;
    }
    return report;
  }

  /**
   * Deletes the groups of the chosen models (with `force`: everything in them goes too). A group the server does not
   * have is reported `absent`. Deletion on BanyanDB is asynchronous: the group may still answer Get for a moment.
   * Only for a loader with a namespace (so that nothing but this run's own groups can be deleted).
   */
  async drop(opts: { models?: SchemaModel[]; signal?: AbortSignal } = {}): Promise<DroppedGroup[]> {
    checkOptionKeys(opts, ['models', 'signal'], 'SchemaLoader.drop()');
    if (!this.#options.namespace) {
      throw new OptionsError('namespace', 'drop() deletes only namespaced groups; create the loader with a namespace');
    }
    const del = this.#client.groups.delete;
    if (!del) throw new OptionsError('client', 'drop() needs a client whose groups registry has delete()');
    const models = opts.models === undefined ? this.#options.models : resolveModels(opts.models, 'drop({ models })');
    const set = await this.schema();
    const out: DroppedGroup[] = [];
    for (const r of set.select(models)) {
      if (r.kind !== 'group') continue;
      try {
        await del.call(this.#client.groups, r.name, { force: true, ...(opts.signal ? { signal: opts.signal } : {}) });
        out.push({ group: r.name, model: r.model, outcome: 'deleted' });
      } catch (err) {
        if (errorCode(err) !== 'NOT_FOUND') throw err;
        out.push({ group: r.name, model: r.model, outcome: 'absent' });
      }
    }
    return out;
  }

  /** Checks that every resource of the chosen models exists on the server. */
  async verify(opts: { models?: SchemaModel[]; signal?: AbortSignal } = {}): Promise<VerifyReport> {
    checkOptionKeys(opts, ['models', 'signal'], 'SchemaLoader.verify()');
    const models = opts.models === undefined ? this.#options.models : resolveModels(opts.models, 'verify({ models })');
    const set = await this.schema();
    const callOpts: SchemaCallOptions = opts.signal ? { signal: opts.signal } : {};
    const resources: VerifiedResource[] = [];
    for (const r of set.select(models)) {
      if (opts.signal?.aborted) throw new AbortedError('schema verification aborted', { cause: opts.signal.reason });
      const exists =
        r.kind === 'group'
          ? await this.#client.groups.exist(r.name, callOpts)
          : (await registryOf(this.#client, r.kind).exist({ group: r.group, name: r.name }, callOpts)).hasResource === true;
      resources.push({ kind: r.kind, group: r.group, name: r.name, model: r.model, exists });
    }
    const missing = resources.filter((r) => !r.exists);
    return { dir: set.dir, models, ok: missing.length === 0, resources, missing };
  }

  async #create(r: SchemaResource, callOpts: SchemaCallOptions): Promise<LoadedResource['outcome']> {
    try {
      if (r.kind === 'group') await this.#client.groups.create(r.resource, callOpts);
      else await (registryOf(this.#client, r.kind) as SchemaResourceRegistry<typeof r.resource>).create(r.resource, callOpts);
      return 'created';
    } catch (err) {
      if (errorCode(err) !== 'ALREADY_EXISTS') throw err;
      // A namespace is this run's own: finding its group already there means it is not new, and reusing it would
      // mix another run's data into this one's (or meet BanyanDB's broken re-created group).
      if (r.kind === 'group' && this.#options.namespace) {
        throw new BanyanDBPerfError(
          'ALREADY_EXISTS',
          `group "${r.name}" already exists on the server, so namespace "${this.#options.namespace}" is not new; use a fresh namespace (run id)`,
          { cause: err },
        );
      }
      return 'skipped';
    }
  }

  #loadError(r: SchemaResource, report: LoadReport, err: unknown): SchemaLoadError {
    const cause = BanyanDBPerfError.from(err);
    const created = report.resources.filter((x) => x.outcome === 'created').map(describe);
    const skipped = report.resources.filter((x) => x.outcome === 'skipped').map(describe);
    const message =
      (cause.code === 'ABORTED'
        ? `aborted before creating ${describe(r)}: ${cause.message}; `
        : `failed to create ${describe(r)} from ${r.file}: ${cause.message}; `) +
      `created before the failure: ${created.length ? created.join(', ') : 'nothing'}; ` +
      `already present (skipped): ${skipped.length ? skipped.join(', ') : 'nothing'}`;
    return new SchemaLoadError(
      message,
      {
        report: { ...report, resources: [...report.resources] },
        resource: { kind: r.kind, group: r.group, name: r.name, model: r.model, file: r.file },
        code: cause.code,
      },
      { cause: err },
    );
  }
}
