/**
 * Cluster options: the public option shapes, their named defaults and the ONE function that resolves
 * and validates them ({@link resolveClusterOptions}).
 */
import { OptionsError } from '../errors.js';
import { checkOptionKeys, optionKeys } from '../options-check.js';
import { MODELS, type Model } from '../results.js';

/** The official image the cluster runs by default (Docker Hub tags carry no `v`; `-slim` drops the web UI). */
export const DEFAULT_OFFICIAL_IMAGE = 'apache/skywalking-banyandb:0.10.3';
/** Local tag of the emulator image built by `Cluster.build({ image: 'emulator' })`. */
export const EMULATOR_IMAGE = 'banyandb-perf-emulator:latest';
/** Label the emulator image carries (value `emulator`), so any container of it is known for what it is. */
export const EMULATOR_LABEL = 'io.banyandb-perf.server';
/** Local tag of an image built from a BanyanDB checkout. */
export const SOURCE_IMAGE = 'banyandb-perf-banyandb:source';
export const DEFAULT_PROJECT_NAME = 'banyandb-perf';
/**
 * Labels banyandb-perf puts on every container, network and volume it starts: `io.banyandb-perf.managed=true`,
 * the Compose project and the model. Attaching needs them, so containers of anything else are never benchmarked.
 */
export const MANAGED_LABEL = 'io.banyandb-perf.managed';
export const PROJECT_LABEL = 'io.banyandb-perf.project';
export const MODEL_LABEL = 'io.banyandb-perf.model';
/** Environment variable that forces the Compose flavour (`v2`: the `docker compose` plugin, `v1`: `docker-compose`). */
export const COMPOSE_FLAVOUR_ENV = 'BANYANDB_PERF_COMPOSE';
export const DEFAULT_BIND_HOST = '127.0.0.1';
export const DEFAULT_START_TIMEOUT_MS = 180_000;
/** BanyanDB's own listening ports inside the containers. */
export const CONTAINER_PORTS: Readonly<PortSet> = Object.freeze({ grpc: 17912, http: 17913, pprof: 6060, metrics: 2121 });
/** Host ports of the original harness: the trace instance is offset by 10000. */
export const DEFAULT_HOST_PORTS: Readonly<Record<Model, Readonly<PortSet>>> = Object.freeze({
  stream: Object.freeze({ grpc: 17912, http: 17913, pprof: 6060, metrics: 2121 }),
  trace: Object.freeze({ grpc: 27912, http: 27913, pprof: 16060, metrics: 12121 }),
});
export const GIB = 1024 ** 3;
export const DEFAULT_LIMITS: Readonly<Resources> = Object.freeze({ cpus: 2, memoryBytes: 4 * GIB });
export const DEFAULT_RESERVATIONS: Readonly<Resources> = Object.freeze({ cpus: 1, memoryBytes: 2 * GIB });
export const DEFAULT_HEALTHCHECK: Readonly<HealthcheckOptions> = Object.freeze({
  intervalMs: 10_000,
  timeoutMs: 5_000,
  retries: 5,
  startPeriodMs: 30_000,
});
/** Compose service names, per model. */
export const SERVICES: Readonly<Record<Model, string>> = Object.freeze({ stream: 'banyandb-stream', trace: 'banyandb-trace' });

/** Which image the containers run. */
export type ImageSpec =
  /** {@link DEFAULT_OFFICIAL_IMAGE}, pulled when missing. */
  | 'official'
  /** banyandb-perf's BanyanDB-compatible emulator, built locally and offline ({@link EMULATOR_IMAGE}). Figures are never BanyanDB's. */
  | 'emulator'
  /** Any image with BanyanDB's entrypoint (`/banyand`), e.g. `apache/skywalking-banyandb:0.10.3-slim`. */
  | { name: string }
  /** Build the image `banyandb-perf-banyandb:source` from a BanyanDB checkout whose release binary was built (`make -C banyand release`). */
  | { source: string };

/** Host ports of one instance. */
export interface PortSet {
  grpc: number;
  http: number;
  pprof: number;
  metrics: number;
}

/** CPU and memory of one container. */
export interface Resources {
  /** CPUs (fractions allowed). */
  cpus: number;
  memoryBytes: number;
}

/** Container health check (BanyanDB's `/api/healthz`, polled inside the container). */
export interface HealthcheckOptions {
  /** @default 10_000 */
  intervalMs: number;
  /** @default 5_000 */
  timeoutMs: number;
  /** @default 5 */
  retries: number;
  /** @default 30_000 */
  startPeriodMs: number;
}

/** Resources for both instances (top level) with per-model overrides. */
export type ResourceOptions = Partial<Resources> & { stream?: Partial<Resources>; trace?: Partial<Resources> };

export interface ClusterOptions {
  /** @default 'official' */
  image?: ImageSpec;
  /** Compose project name: containers, network and volumes are scoped to it. @default 'banyandb-perf' */
  projectName?: string;
  /** Directory where the compose file is written. @default a directory under the OS temp dir named after the project */
  workDir?: string;
  /** Host address the ports are published on. @default '127.0.0.1' */
  bindHost?: string;
  /**
   * Host ports per model, or `'free'`: eight ports the system reports free when the cluster starts (retried if
   * another process takes one first), so clusters started at once never meet.
   * @default stream 17912/17913/6060/2121, trace 27912/27913/16060/12121 (gRPC/HTTP/pprof/metrics)
   */
  ports?: 'free' | { stream?: Partial<PortSet>; trace?: Partial<PortSet> };
  /** Added to every default host port (ignored with `ports: 'free'`; explicit `ports` win). @default 0 */
  portOffset?: number;
  /** Container limits. @default 2 CPUs and 4 GiB each */
  limits?: ResourceOptions;
  /** Container reservations. @default 1 CPU and 2 GiB each */
  reservations?: ResourceOptions;
  /** Container health check. @default interval 10 s, timeout 5 s, 5 retries, start period 30 s */
  healthcheck?: Partial<HealthcheckOptions>;
  /** Extra arguments appended to `standalone ...` (e.g. `--logging-level=debug`). @default [] */
  extraArgs?: string[];
  /**
   * Keep what was started: a failed start and SIGINT/SIGTERM leave the containers in place (for inspection),
   * `close()` leaves the containers running (remove them with `down()`/`clean()` or `banyandb-perf down|clean`),
   * and `start()` reuses the volumes of a previous run of the same project. @default false
   */
  keep?: boolean;
  /** Aborts start/build; a started cluster is torn down (unless keep). */
  signal?: AbortSignal;
  /** How long start() waits for both instances to be healthy and serving. @default 180_000 */
  startTimeoutMs?: number;
  /**
   * Install SIGINT/SIGTERM handlers that tear the cluster down (unless keep), say so on stderr and re-raise the
   * signal. Off by default: signals belong to the application (the CLI wires Ctrl-C to an AbortSignal instead).
   * @default false
   */
  handleSignals?: boolean;
  /** Emulator image only: the bundled emulator script to put in the image. @default the package's dist/emulator-server.js */
  emulatorScript?: string;
}

export interface ResolvedClusterOptions {
  image: ImageSpec;
  imageName: string;
  projectName: string;
  workDir: string | undefined;
  bindHost: string;
  ports: Record<Model, PortSet>;
  /** True when `ports: 'free'`: `ports` holds placeholders until start() picks free ones. */
  freePorts: boolean;
  limits: Record<Model, Resources>;
  reservations: Record<Model, Resources>;
  healthcheck: HealthcheckOptions;
  extraArgs: string[];
  keep: boolean;
  signal: AbortSignal | undefined;
  startTimeoutMs: number;
  handleSignals: boolean;
  emulatorScript: string | undefined;
}

const PROJECT_NAME_RE = /^[a-z0-9][a-z0-9_-]*$/;

function positiveInt(option: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > max) {
    throw new OptionsError(option, `${option} must be an integer between 1 and ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function resources(option: string, given: ResourceOptions | undefined, defaults: Resources): Record<Model, Resources> {
  const out = {} as Record<Model, Resources>;
  for (const model of MODELS) {
    const cpus = given?.[model]?.cpus ?? given?.cpus ?? defaults.cpus;
    const memoryBytes = given?.[model]?.memoryBytes ?? given?.memoryBytes ?? defaults.memoryBytes;
    if (typeof cpus !== 'number' || !Number.isFinite(cpus) || cpus <= 0) {
      throw new OptionsError(`${option}.${model}.cpus`, `${option}.${model}.cpus must be a positive number, got ${JSON.stringify(cpus)}`);
    }
    if (typeof memoryBytes !== 'number' || !Number.isInteger(memoryBytes) || memoryBytes < 6 * 1024 * 1024) {
      throw new OptionsError(
        `${option}.${model}.memoryBytes`,
        `${option}.${model}.memoryBytes must be an integer of at least 6 MiB (Docker's minimum), got ${JSON.stringify(memoryBytes)}`,
      );
    }
    out[model] = { cpus, memoryBytes };
  }
  return out;
}

/** Image name the cluster runs for an image spec. */
export function imageNameOf(image: ImageSpec): string {
  if (image === 'official') return DEFAULT_OFFICIAL_IMAGE;
  if (image === 'emulator') return EMULATOR_IMAGE;
  if ('name' in image) return image.name;
  return SOURCE_IMAGE;
}

function validateImage(image: unknown): ImageSpec {
  if (image === 'official' || image === 'emulator') return image;
  if (image && typeof image === 'object') {
    const o = image as Record<string, unknown>;
    if (typeof o.name === 'string' && o.name.trim() !== '' && !/\s/.test(o.name)) return { name: o.name };
    if (typeof o.source === 'string' && o.source.trim() !== '') return { source: o.source };
  }
  throw new OptionsError(
    'image',
    `image must be 'official', 'emulator', { name: '<image>' } or { source: '<BanyanDB checkout>' }, got ${JSON.stringify(image)}`,
  );
}

const CLUSTER_OPTION_KEYS = optionKeys<ClusterOptions>({
  image: true,
  projectName: true,
  workDir: true,
  bindHost: true,
  ports: true,
  portOffset: true,
  limits: true,
  reservations: true,
  healthcheck: true,
  extraArgs: true,
  keep: true,
  signal: true,
  startTimeoutMs: true,
  handleSignals: true,
  emulatorScript: true,
});
const PORT_KEYS = optionKeys<PortSet>({ grpc: true, http: true, pprof: true, metrics: true });
const RESOURCE_KEYS = optionKeys<Resources>({ cpus: true, memoryBytes: true });
const HEALTHCHECK_KEYS = optionKeys<HealthcheckOptions>({ intervalMs: true, timeoutMs: true, retries: true, startPeriodMs: true });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Throws {@link OptionsError} on a key that is no cluster option, at any depth (`ports.stream.grcp`,
 * `limits.memory`), naming the closest known one. `where` names the call (`Cluster.start()`); `extra` are the
 * keys that call takes besides the cluster options (`onProgress`).
 */
export function checkClusterOptionKeys(options: unknown, where: string, extra: readonly string[] = []): void {
  checkOptionKeys(options, [...CLUSTER_OPTION_KEYS, ...extra], where);
  if (!isObject(options)) return;
  const image = options.image;
  if (isObject(image))
    checkOptionKeys(image, 'name' in image ? ['name'] : 'source' in image ? ['source'] : ['name', 'source'], where, 'image.');
  if (isObject(options.ports)) {
    checkOptionKeys(options.ports, MODELS, where, 'ports.');
    for (const m of MODELS) if (isObject(options.ports[m])) checkOptionKeys(options.ports[m], PORT_KEYS, where, `ports.${m}.`);
  }
  for (const key of ['limits', 'reservations'] as const) {
    const r = options[key];
    if (!isObject(r)) continue;
    checkOptionKeys(r, [...RESOURCE_KEYS, ...MODELS], where, `${key}.`);
    for (const m of MODELS) if (isObject(r[m])) checkOptionKeys(r[m], RESOURCE_KEYS, where, `${key}.${m}.`);
  }
  if (isObject(options.healthcheck)) checkOptionKeys(options.healthcheck, HEALTHCHECK_KEYS, where, 'healthcheck.');
}

/** Resolves every default and validates every field; throws {@link OptionsError} naming the field. */
export function resolveClusterOptions(options: ClusterOptions = {}): ResolvedClusterOptions {
  const image = validateImage(options.image ?? 'official');
  const projectName = options.projectName ?? DEFAULT_PROJECT_NAME;
  if (typeof projectName !== 'string' || !PROJECT_NAME_RE.test(projectName)) {
    throw new OptionsError(
      'projectName',
      `projectName must be lower-case letters, digits, '-' or '_' and start with a letter or digit, got ${JSON.stringify(projectName)}`,
    );
  }
  const bindHost = options.bindHost ?? DEFAULT_BIND_HOST;
  if (typeof bindHost !== 'string' || bindHost === '' || /\s/.test(bindHost)) {
    throw new OptionsError('bindHost', `bindHost must be a host address such as 127.0.0.1 or 0.0.0.0, got ${JSON.stringify(bindHost)}`);
  }
  const ports = {} as Record<Model, PortSet>;
  const seen = new Map<number, string>();
  const freePorts = options.ports === 'free';
  if (options.ports !== undefined && !freePorts && (typeof options.ports !== 'object' || options.ports === null)) {
    throw new OptionsError('ports', `ports must be 'free' or { stream?: {...}, trace?: {...} }, got ${JSON.stringify(options.ports)}`);
  }
  const offset = options.portOffset ?? 0;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0 || offset > 37_000) {
    throw new OptionsError(
      'portOffset',
      `portOffset must be an integer from 0 to 37000 (the trace gRPC port 27912 + offset must stay below 65536), got ${JSON.stringify(offset)}`,
    );
  }
  for (const model of MODELS) {
    const shifted = Object.fromEntries(
      Object.entries(DEFAULT_HOST_PORTS[model]).map(([k, v]) => [k, v + (freePorts ? 0 : offset)]),
    ) as unknown as PortSet;
    const set = { ...shifted, ...(typeof options.ports === 'object' ? options.ports[model] : undefined) };
    for (const key of Object.keys(CONTAINER_PORTS) as (keyof PortSet)[]) {
      const name = `ports.${model}.${key}`;
      const port = positiveInt(name, set[key], 65_535);
      const other = seen.get(port);
      if (other) throw new OptionsError(name, `${name} (${port}) is the same host port as ${other}`);
      seen.set(port, name);
    }
    ports[model] = set;
  }
  const limits = resources('limits', options.limits, DEFAULT_LIMITS);
  const reservations = resources('reservations', options.reservations, DEFAULT_RESERVATIONS);
  for (const model of MODELS) {
    if (reservations[model].cpus > limits[model].cpus || reservations[model].memoryBytes > limits[model].memoryBytes) {
      throw new OptionsError(`reservations.${model}`, `reservations.${model} must not exceed limits.${model}`);
    }
  }
  const hc = { ...DEFAULT_HEALTHCHECK, ...options.healthcheck };
  const healthcheck: HealthcheckOptions = {
    intervalMs: positiveInt('healthcheck.intervalMs', hc.intervalMs),
    timeoutMs: positiveInt('healthcheck.timeoutMs', hc.timeoutMs),
    retries: positiveInt('healthcheck.retries', hc.retries),
    startPeriodMs: hc.startPeriodMs === 0 ? 0 : positiveInt('healthcheck.startPeriodMs', hc.startPeriodMs),
  };
  const extraArgs = options.extraArgs ?? [];
  if (!Array.isArray(extraArgs) || extraArgs.some((a) => typeof a !== 'string' || a === '')) {
    throw new OptionsError('extraArgs', 'extraArgs must be an array of non-empty strings');
  }
  const startTimeoutMs = positiveInt('startTimeoutMs', options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
  return {
    image,
    imageName: imageNameOf(image),
    projectName,
    workDir: options.workDir,
    bindHost,
    ports,
    freePorts,
    limits,
    reservations,
    healthcheck,
    extraArgs: [...extraArgs],
    keep: options.keep ?? false,
    signal: options.signal,
    startTimeoutMs,
    handleSignals: options.handleSignals ?? false,
    emulatorScript: options.emulatorScript,
  };
}
