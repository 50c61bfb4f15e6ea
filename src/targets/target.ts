/**
 * Targets: where the two models run. `openTarget()` gives a connected client per model, whatever serves
 * them (containers started by {@link Cluster}, the emulator in a child process per model or in-process, or two
 * servers given by address), loads the schemas, and after a run adds what only the target knows to the result (container stats, disk
 * footprint). The CLI's `test` verb and the examples share it, so every run says which target produced it.
 */
import type { Dirent } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BanyanDBClient } from '../client/client.js';
import { type ClientOptions, DEFAULT_CONNECT_TIMEOUT_MS } from '../client/options.js';
import { Cluster, type ClusterWatch, type StartedCluster, type StatsSampler } from '../cluster/cluster.js';
import { type ClusterOptions, DEFAULT_START_TIMEOUT_MS } from '../cluster/options.js';
import { startEmulatorChild } from '../emulator/child.js';
import { startEmulator } from '../emulator/index.js';
import { BanyanDBPerfError, ClosedError, ClusterError, OptionsError } from '../errors.js';
import { checkOptionKeys, optionKeys } from '../options-check.js';
import { type BenchmarkResult, type DiskFootprint, MODELS, type Model, type ServerIdentity, type TargetInfo } from '../results.js';
import { type LoadReport, SchemaLoader } from '../schema/loader.js';
import { checkNamespace, newRunId } from '../schema/namespace.js';
import { buildComparisons } from '../verdict/comparisons.js';
import { type StepProgress, trackStep } from '../workload/progress.js';
import { askIdentity } from './identity.js';

/** Where the models run: `auto` is Docker when an engine is reachable, else the emulator. */
export type TargetKind = 'auto' | 'docker' | 'emulator' | 'external';

/** A target kind once `auto` is decided: what actually serves the models. */
export type ResolvedTargetKind = Exclude<TargetKind, 'auto'>;

/**
 * How the emulator target runs its two emulators: `child`, one child process per model (each on a core of its own,
 * apart from the client's event loop, as containers or external servers are); `in-process`, both in the caller's
 * process, sharing its event loop with the client (no processes to start, but the servers' work is serialized with
 * the client's and inflates its latencies).
 */
export type EmulatorProcessMode = 'child' | 'in-process';

/** Options of the emulator target. */
export interface EmulatorTargetOptions {
  /**
   * Where each model's emulator runs.
   * @default 'child'
   */
  process?: EmulatorProcessMode;
}

/** Interval of container stats sampling, ms. */
export const DEFAULT_STATS_INTERVAL_MS = 2_000;

/** Error codes meaning "no usable Docker here": `auto` then falls back to the emulator. */
const NO_DOCKER = new Set(['DOCKER_NOT_INSTALLED', 'DOCKER_NOT_RUNNING', 'COMPOSE_MISSING']);

export interface TargetOptions {
  /**
   * Where the models run.
   * @default 'auto'
   */
  kind?: TargetKind;
  /** Docker: options of the cluster (image, ports, limits, ...). */
  cluster?: ClusterOptions;
  /**
   * Docker: use the containers of a cluster already running in the same Compose project (started by
   * `banyandb-perf up`: they carry banyandb-perf's labels, and run `cluster.image` when one is given) and leave
   * them running; otherwise start one and remove it on close. Containers of the project that banyandb-perf did
   * not start, or that run another image than asked, fail with PROJECT_MISMATCH (and are left alone).
   * @default true
   */
  reuseRunning?: boolean;
  /** Emulator: how its two emulators run (`process: 'child'` by default). */
  emulator?: EmulatorTargetOptions;
  /** External: the gRPC address (`host:port`) of each model's server. Required for `external`. */
  addresses?: Record<Model, string>;
  /** Options of the two clients. */
  client?: ClientOptions;
  /**
   * Load the stream schema into the stream server and the trace schema into the trace server.
   * @default true
   */
  loadSchemas?: boolean;
  /**
   * Schema directory.
   * @default the package's testdata/schema
   */
  schemaDir?: string;
  /**
   * The run's own data namespace on the servers: every group of the schema set is created as `<group>_<namespace>`
   * (pass the same `namespace` to `runComparison()`; {@link OpenTarget.namespace} holds it), so the run writes, checks
   * and measures only its own data and never touches what else the servers hold. Never reuse one on a server
   * process: BanyanDB breaks a group re-created under a deleted group's name. `false`: the groups as the schema files
   * name them (shared with every other run on those servers).
   * @default a fresh run id (e.g. `r3f9a0c1b2d`) when `loadSchemas` is on; `false` otherwise
   */
  namespace?: string | false;
  /**
   * Leave the run's namespaced groups (and their data) on the servers at `close()`; otherwise they are deleted.
   * Only namespaced groups are ever deleted.
   * @default false
   */
  keepData?: boolean;
  /**
   * Docker: container stats sampling interval during the run, ms.
   * @default 2000
   */
  statsIntervalMs?: number;
  signal?: AbortSignal;
  /** Progress lines (what is being started, loaded, removed). @default none */
  log?: (line: string) => void;
  /**
   * Whose terms the advice in `log` lines uses: `'library'` names options and calls (`Cluster.build({ image:
   * 'emulator' })`), `'cli'` the command line's flags (`--image emulator`).
   * @default 'library'
   */
  adviceFor?: 'library' | 'cli';
  /**
   * Progress of the waits: a server's health check (`connect`), containers starting until healthy, containers being
   * removed on close; render them with `createProgressRenderer()`.
   * @default none
   */
  onProgress?: (event: StepProgress) => void;
}

const TARGET_OPTION_KEYS = optionKeys<TargetOptions>({
  kind: true,
  cluster: true,
  reuseRunning: true,
  emulator: true,
  addresses: true,
  client: true,
  loadSchemas: true,
  schemaDir: true,
  namespace: true,
  keepData: true,
  statsIntervalMs: true,
  signal: true,
  log: true,
  adviceFor: true,
  onProgress: true,
});

/** An open target: a client per model, and what the target can observe about the run. */
export class OpenTarget implements AsyncDisposable {
  /** What produced the figures; copy it into every result. */
  readonly info: TargetInfo;
  readonly stream: BanyanDBClient;
  readonly trace: BanyanDBClient;
  /** The Docker cluster, for a Docker target. */
  readonly cluster: StartedCluster | undefined;
  /** Schema load reports per model (when schemas were loaded). */
  readonly schemas: Partial<Record<Model, LoadReport>>;
  /**
   * Aborts when a container (Docker) or an emulator child process fails during the run; never otherwise. Combine it
   * with yours.
   */
  readonly failure: AbortSignal;
  /**
   * Per model: aborts with the ClusterError of that model's container when it dies or turns unhealthy (Docker), or
   * of its emulator child process when that exits (CONTAINER_EXITED).
   */
  readonly failures: Record<Model, AbortSignal>;
  /** The run's data namespace (pass it to `runComparison()`), or undefined when the groups are not namespaced. */
  readonly namespace: string | undefined;
  /**
   * Each model's Prometheus endpoint, where the target knows it (pass it to `runComparison({ serverMetrics })`): the
   * emulator's HTTP `/metrics`, a Docker container's observability port (2121) as published. Empty for
   * external servers (give their URLs yourself).
   */
  readonly metricsUrls: Partial<Record<Model, string>>;
  /** Each model's emulator child process id (an emulator target with `emulator.process: 'child'`); empty otherwise. */
  readonly pids: Partial<Record<Model, number>>;

  readonly #cleanups: (() => Promise<void>)[];
  readonly #emulatorDirs: Partial<Record<Model, string>>;
  readonly #statsIntervalMs: number;
  #sampler: StatsSampler | undefined;
  #watcher: ClusterWatch | undefined;
  #closed = false;
  /** The one close() (memoised: concurrent callers share it). */
  #closing: Promise<void> | undefined;

  /** @internal use {@link openTarget} */
  constructor(parts: {
    info: TargetInfo;
    clients: Record<Model, BanyanDBClient>;
    cluster: StartedCluster | undefined;
    schemas: Partial<Record<Model, LoadReport>>;
    cleanups: (() => Promise<void>)[];
    emulatorDirs: Partial<Record<Model, string>>;
    statsIntervalMs: number;
    namespace: string | undefined;
    metricsUrls?: Partial<Record<Model, string>>;
    /** Per model: aborts when that model's emulator child process dies. */
    childDeaths?: Record<Model, AbortSignal>;
    pids?: Partial<Record<Model, number>>;
  }) {
    this.pids = parts.pids ?? {};
    this.namespace = parts.namespace;
    this.metricsUrls = parts.metricsUrls ?? {};
    this.info = parts.info;
    this.stream = parts.clients.stream;
    this.trace = parts.clients.trace;
    this.cluster = parts.cluster;
    this.schemas = parts.schemas;
    this.#cleanups = parts.cleanups;
    this.#emulatorDirs = parts.emulatorDirs;
    this.#statsIntervalMs = parts.statsIntervalMs;
    this.#watcher = this.cluster?.watch();
    const never = new AbortController().signal;
    if (parts.childDeaths) {
      this.failures = parts.childDeaths;
      this.failure = AbortSignal.any([parts.childDeaths.stream, parts.childDeaths.trace]);
    } else {
      this.failure = this.#watcher?.signal ?? never;
      this.failures = this.#watcher?.models ?? { stream: never, trace: never };
    }
  }

  /**
   * Starts sampling container stats (Docker targets; a no-op elsewhere) and resolves once the first sample is in,
   * so the sampled window starts with the measured work: await it right before the run.
   */
  startObserving(): Promise<void> {
    // Throws at once (not as a rejection) on a closed target.
    this.#assertOpen('startObserving');
    if (this.cluster && !this.#sampler) this.#sampler = this.cluster.sampleStats(this.#statsIntervalMs);
    return this.#sampler?.ready ?? Promise.resolve();
  }

  /**
   * Adds what the target observed to a finished run's result: container stats summaries and samples
   * (Docker) and the disk footprint of each model's data (Docker volumes, or the emulator's write logs).
   * Returns notes on anything that could not be measured.
   */
  async finish(result: BenchmarkResult): Promise<string[]> {
    this.#assertOpen('finish');
    const notes: string[] = [];
    if (this.#sampler) {
      const stats = await this.#sampler.stop();
      this.#sampler = undefined;
      result.containers = { summaries: stats.summaries, samples: stats.samples };
      if (stats.error) notes.push(`container stats stopped early: ${stats.error.message}`);
    }
    const spans = spansWritten(result);
    // With a namespace, only this run's own groups are measured (other runs' data may share the volume).
    const groups: Partial<Record<Model, string>> = {};
    if (this.namespace) for (const m of MODELS) groups[m] = this.schemas[m]?.resources.find((r) => r.kind === 'group')?.group;
    // A dead container's volume cannot be read (docker exec): only the live models' footprints are measured.
    const dead = MODELS.filter((m) => this.failures[m].aborted);
    for (const m of dead) if (this.cluster) notes.push(`disk footprint of the ${m} model not measured: its container failed`);
    const live = MODELS.filter((m) => !dead.includes(m));
    try {
      if (this.cluster && live.length > 0) result.disk = await this.cluster.diskFootprint(spans, this.namespace ? groups : undefined, live);
      else if (this.info.kind === 'emulator') result.disk = await emulatorDisk(this.#emulatorDirs, spans, groups);
    } catch (err) {
      notes.push(`disk footprint not measured: ${(err as Error).message}`);
    }
    // The container and disk figures join the comparisons (and the Holm family) now that they are known.
    result.comparisons = buildComparisons(result);
    if (this.failure.aborted) {
      result.partial = true;
      const failed = MODELS.filter((m) => this.failures[m].aborted);
      const what = this.cluster ? 'container' : 'emulator process';
      for (const m of failed) {
        const reason = this.failures[m].reason;
        notes.push(`the ${m} model's ${what} failed during the run: ${reason instanceof Error ? reason.message : String(reason)}`);
      }
      // Figures of work cut short by a dead container decide nothing.
      const code = (this.failure.reason as { code?: string } | undefined)?.code ?? 'CONTAINER_EXITED';
      for (const c of result.comparisons) {
        c.winner = 'none';
        delete c.ratio;
        c.why = 'failed-work';
        c.note = `no winner: the ${failed.join(' and ') || 'a'} ${what} failed during the run (${code})`;
      }
    }
    return notes;
  }

  /**
   * Closes the clients and stops what this target started (containers unless kept, emulators). Idempotent and safe
   * to call concurrently: every caller waits for the same cleanup (and sees its error).
   */
  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= this.#close();
    return this.#closing;
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  #assertOpen(what: string): void {
    if (this.#closed) throw new ClosedError(`target (${what})`);
  }

  async #close(): Promise<void> {
    this.#watcher?.stop();
    if (this.#sampler) await this.#sampler.stop().catch(() => undefined);
    const errors: unknown[] = [];
    for (const f of [...this.#cleanups].reverse()) {
      try {
        await f();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) {
      throw new BanyanDBPerfError('INTERNAL', `closing the target: ${errors.map((e) => (e as Error).message).join('; ')}`, {
        cause: errors[0],
      });
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Resolves `auto`: Docker when an engine (and Compose) is reachable, else the emulator. */
export async function resolveTargetKind(kind: TargetKind, signal?: AbortSignal): Promise<Exclude<TargetKind, 'auto'>> {
  if (kind !== 'auto') return kind;
  try {
    await Cluster.detect({ ...(signal ? { signal } : {}) });
    return 'docker';
  } catch (err) {
    if (err instanceof ClusterError && NO_DOCKER.has(err.code)) return 'emulator';
    throw err;
  }
}

/**
 * Opens a target: starts (or attaches to) what serves the models, connects a client to each and loads
 * the schemas. Anything started is stopped again if a later step fails, so nothing is left behind.
 */
export async function openTarget(options: TargetOptions = {}): Promise<OpenTarget> {
  checkOptionKeys(options, TARGET_OPTION_KEYS, 'openTarget()');
  const requested = options.kind ?? 'auto';
  if (!['auto', 'docker', 'emulator', 'external'].includes(requested)) {
    throw new OptionsError('kind', `unknown target kind ${JSON.stringify(requested)}; expected auto, docker, emulator or external`);
  }
  if (requested === 'external') {
    for (const m of MODELS) {
      if (typeof options.addresses?.[m] !== 'string' || options.addresses[m] === '') {
        throw new OptionsError(`addresses.${m}`, `an external target needs the ${m} server's gRPC address (host:port)`);
      }
    }
  }
  const statsIntervalMs = options.statsIntervalMs ?? DEFAULT_STATS_INTERVAL_MS;
  if (!Number.isFinite(statsIntervalMs) || statsIntervalMs < 100) {
    throw new OptionsError('statsIntervalMs', `statsIntervalMs must be a number of milliseconds >= 100, got ${statsIntervalMs}`);
  }
  if (options.namespace !== undefined && options.namespace !== false) checkNamespace('namespace', options.namespace);
  if (options.keepData !== undefined && typeof options.keepData !== 'boolean') {
    throw new OptionsError('keepData', `keepData must be true or false, got ${typeof options.keepData}`);
  }
  checkOptionKeys(options.emulator, ['process'], 'openTarget()', 'emulator');
  const emulatorProcess = options.emulator?.process ?? 'child';
  if (emulatorProcess !== 'child' && emulatorProcess !== 'in-process') {
    throw new OptionsError('emulator.process', `emulator.process must be 'child' or 'in-process', got ${JSON.stringify(emulatorProcess)}`);
  }
  if (options.adviceFor !== undefined && options.adviceFor !== 'library' && options.adviceFor !== 'cli') {
    throw new OptionsError('adviceFor', `adviceFor must be 'library' or 'cli', got ${JSON.stringify(options.adviceFor)}`);
  }
  const namespace =
    options.namespace === false ? undefined : (options.namespace ?? (options.loadSchemas === false ? undefined : newRunId()));
  const log = options.log ?? (() => {});
  const signal = options.signal;
  let kind = await resolveTargetKind(requested, signal);
  const emulatorWords = emulatorProcess === 'child' ? 'the emulator (one child process per model)' : 'the in-process emulator';
  if (requested === 'auto' && kind === 'emulator') log(`no Docker engine reachable: using ${emulatorWords}`);

  const cleanups: (() => Promise<void>)[] = [];
  // The open target's per-model container failures, once it exists (the cleanups consult them).
  const watched: { failures?: Record<Model, AbortSignal> } = {};
  const emulatorDirs: Partial<Record<Model, string>> = {};
  const metricsUrls: Partial<Record<Model, string>> = {};
  let childDeaths: Record<Model, AbortSignal> | undefined;
  const pids: Partial<Record<Model, number>> = {};
  let cluster: StartedCluster | undefined;
  try {
    let info: TargetInfo;
    if (kind === 'docker') {
      const clusterOptions: ClusterOptions = { ...options.cluster, ...(signal ? { signal } : {}) };
      if (options.reuseRunning !== false) {
        try {
          cluster = await Cluster.attach(clusterOptions);
          const images = [...new Set(Object.values(cluster.target.images ?? {}))].join(', ');
          log(`using the running containers of project ${cluster.projectName} (image ${images}, started by banyandb-perf; left running)`);
        } catch (err) {
          // Not running: start them. Running but not banyandb-perf's or of another image (PROJECT_MISMATCH): never use them.
          if (!(err instanceof ClusterError) || !err.code.startsWith('CONTAINER_')) throw err;
        }
      }
      if (!cluster) {
        log('starting the Docker cluster...');
        try {
          const started = await trackStep(
            'starting the containers and waiting until both are healthy',
            options.onProgress,
            () => Cluster.start({ ...clusterOptions, onProgress: (line) => log(`  ${line}`) }),
            { timeoutMs: clusterOptions.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS },
          );
          cluster = started;
          cleanups.push(async () => {
            log(started.options.keep ? `containers of ${started.projectName} left running (keep)` : 'removing the Docker cluster...');
            await trackStep(`removing the containers of ${started.projectName}`, options.onProgress, () => started.close());
          });
        } catch (err) {
          // `auto` with the default image: Docker runs, but BanyanDB's image can be neither found nor pulled.
          // Fall back to the emulator, loudly; an explicit target or image keeps the error.
          if (
            !(requested === 'auto' && options.cluster?.image === undefined && err instanceof ClusterError && err.code === 'IMAGE_MISSING')
          ) {
            throw err;
          }
          log(`BanyanDB's image is not available: ${err.problem.split('\n')[0]}`);
          log(`using ${emulatorWords} instead: its figures are NOT BanyanDB's`);
          if (err.advice) log(`for BanyanDB's figures, ${err.advice[options.adviceFor === 'cli' ? 'cli' : 'library']}`);
          kind = 'emulator';
        }
      }
    }
    if (kind === 'docker' && cluster) {
      info = cluster.target;
      // Issue 13: BanyanDB's observability port (2121 in the container), as published on the host.
      const states = await cluster.ps().catch(() => undefined);
      for (const m of MODELS) {
        const port = states?.find((s) => s.model === m)?.ports.metrics;
        const host = cluster.httpAddresses[m].replace(/:\d+$/, '');
        if (port !== undefined && port > 0) metricsUrls[m] = `http://${host}:${port}/metrics`;
      }
    } else if (kind === 'emulator') {
      const addresses = {} as Record<Model, string>;
      for (const m of MODELS) {
        const dir = await mkdtemp(join(tmpdir(), `banyandb-perf-emulator-${m}-`));
        emulatorDirs[m] = dir;
        cleanups.push(() => rm(dir, { recursive: true, force: true }));
      }
      if (emulatorProcess === 'child') {
        // Both children start at once; each one that started is stopped again if the other fails.
        const started = await Promise.allSettled(
          MODELS.map((m) => startEmulatorChild({ dataPath: emulatorDirs[m] as string, name: m, ...(signal ? { signal } : {}) })),
        );
        const deaths = {} as Record<Model, AbortSignal>;
        for (const [i, m] of MODELS.entries()) {
          const s = started[i] as PromiseSettledResult<Awaited<ReturnType<typeof startEmulatorChild>>>;
          if (s.status === 'rejected') continue;
          const child = s.value;
          cleanups.push(() => child.close());
          deaths[m] = child.died;
          pids[m] = child.pid;
          addresses[m] = child.grpcAddress;
          metricsUrls[m] = `${child.httpAddress}/metrics`;
        }
        const failed = started.find((s) => s.status === 'rejected');
        if (failed) throw failed.reason;
        childDeaths = deaths;
      } else {
        for (const m of MODELS) {
          const emu = await startEmulator({ dataPath: emulatorDirs[m] as string });
          cleanups.push(() => emu.close());
          addresses[m] = emu.grpcAddress;
          metricsUrls[m] = `${emu.httpAddress}/metrics`;
        }
      }
      info = {
        kind: 'emulator',
        server: 'emulator',
        description:
          emulatorProcess === 'child'
            ? "banyandb-perf's emulator, one child process per model on 127.0.0.1, not BanyanDB"
            : "banyandb-perf's emulator, in-process (one instance per model on 127.0.0.1), not BanyanDB",
        addresses,
      };
    } else {
      const addresses = options.addresses as Record<Model, string>;
      info = {
        kind: 'external',
        server: 'unknown',
        description: `external servers: stream ${addresses.stream}, trace ${addresses.trace}`,
        addresses,
      };
    }

    const clients = {} as Record<Model, BanyanDBClient>;
    const schemas: Partial<Record<Model, LoadReport>> = {};
    for (const m of MODELS) {
      const client = await trackStep(
        `waiting for the ${m} server ${info.addresses[m]} to answer SERVING`,
        options.onProgress,
        () => BanyanDBClient.connect(info.addresses[m], { ...options.client, ...(signal ? { signal } : {}) }),
        { timeoutMs: options.client?.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS },
      );
      clients[m] = client;
      cleanups.push(() => client.close());
      if (options.loadSchemas !== false) {
        const loader = new SchemaLoader(client, {
          models: [m],
          ...(options.schemaDir ? { dir: options.schemaDir } : {}),
          ...(namespace ? { namespace } : {}),
        });
        const groupNames = (await loader.schema()).select([m]).filter((r) => r.kind === 'group');
        log(
          `loading the ${m} schema into ${info.addresses[m]} (group${groupNames.length === 1 ? '' : 's'} ${groupNames.map((g) => g.name).join(', ')})`,
        );
        // Registered before loading, so a load that fails part way still removes what it created.
        if (namespace && kind !== 'emulator') {
          cleanups.push(async () => {
            if (watched.failures?.[m].aborted) {
              log(`${m} group ${groupNames.map((g) => g.name).join(', ')} not deleted: the ${m} container failed during the run`);
              return;
            }
            if (options.keepData) {
              log(`${m} data kept on ${info.addresses[m]} (keep-data): group ${groupNames.map((g) => g.name).join(', ')}`);
              return;
            }
            const dropped = await loader.drop({ models: [m] });
            log(`deleted this run's ${m} group ${dropped.map((d) => d.group).join(', ')} on ${info.addresses[m]}`);
          });
        }
        schemas[m] = await loader.load({ models: [m], ...(signal ? { signal } : {}) });
      }
    }
    info = { ...info, ...(await nameServers(info, clients, cluster, signal)) };
    if (namespace) info.namespace = namespace;
    const open = new OpenTarget({
      ...{ info, clients, cluster, schemas, cleanups, emulatorDirs, statsIntervalMs, namespace, metricsUrls },
      ...(childDeaths ? { childDeaths, pids } : {}),
    });
    watched.failures = open.failures;
    return open;
  } catch (err) {
    for (const f of cleanups.reverse()) await f().catch(() => undefined);
    throw err;
  }
}

/**
 * Asks both servers their version (GetAPIVersion) and, on Docker, adds the image each container runs and its id.
 * `server` is derived from both answers when they agree, else stays what the target knows of itself.
 */
async function nameServers(
  info: TargetInfo,
  clients: Record<Model, BanyanDBClient>,
  cluster: StartedCluster | undefined,
  signal: AbortSignal | undefined,
): Promise<Pick<TargetInfo, 'servers' | 'server'>> {
  const states = cluster ? await cluster.ps().catch(() => undefined) : undefined;
  const servers = {} as Record<Model, ServerIdentity>;
  for (const m of MODELS) {
    const id = await askIdentity(clients[m], signal);
    const state = states?.find((s) => s.model === m);
    servers[m] = { ...id, ...(state?.image ? { image: state.image } : {}), ...(state?.imageId ? { imageId: state.imageId } : {}) };
  }
  const agreed = servers.stream.kind === servers.trace.kind && servers.stream.kind !== 'unknown' ? servers.stream.kind : info.server;
  return { servers, server: agreed };
}

/**
 * Spans each model's data holds: everything written, warm-up included (`options.spansWritten` of the result),
 * else the spans acknowledged in the measured repeats.
 */
function spansWritten(result: BenchmarkResult): Record<Model, number> {
  const written = result.options.spansWritten as Partial<Record<Model, number>> | undefined;
  const sum = (m: Model) => written?.[m] ?? (result.write[m] ?? []).reduce((n, r) => n + r.spansAcknowledged, 0);
  return { stream: sum('stream'), trace: sum('trace') };
}

/** Bytes of all files under a directory (0 when it does not exist). */
async function directoryBytes(dir: string): Promise<number> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  let total = 0;
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await directoryBytes(p);
    else if (e.isFile()) total += (await stat(p)).size;
  }
  return total;
}

/** The emulator's write logs: `<dataPath>/<model>/<group>/` per group (only this run's group when it has one). */
async function emulatorDisk(
  dirs: Partial<Record<Model, string>>,
  spans: Record<Model, number>,
  groups: Partial<Record<Model, string>>,
): Promise<DiskFootprint[]> {
  const out: DiskFootprint[] = [];
  for (const m of MODELS) {
    const dir = dirs[m];
    if (!dir) continue;
    const group = groups[m];
    const bytes = await directoryBytes(group ? join(dir, m, group) : dir);
    out.push({ model: m, bytes, bytesPerSpan: spans[m] > 0 ? bytes / spans[m] : 0, scope: group ? `group ${group}` : 'volume' });
  }
  return out;
}
