/**
 * The Cluster API: two isolated BanyanDB instances (one per data model) in Docker, driven by Compose.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as compose from 'docker-compose';
import { BanyanDBClient } from '../client/client.js';
import { AbortedError, BanyanDBPerfError, ClosedError, ClusterError } from '../errors.js';
import { checkOptionKeys, optionKeys } from '../options-check.js';
import {
  type ContainerStatsSample,
  type ContainerStatsSummary,
  type DiskFootprint,
  MODELS,
  type Model,
  type TargetInfo,
} from '../results.js';
import { containerName, renderCompose } from './compose.js';
import { type ComposeFlavour, type DockerInfo, detectCompose, detectDocker, docker, dockerError, parseStatsLine } from './docker.js';
import { ensureImage } from './images.js';
import { markGone, markLive } from './live.js';
import {
  type ClusterOptions,
  CONTAINER_PORTS,
  checkClusterOptionKeys,
  EMULATOR_IMAGE,
  EMULATOR_LABEL,
  MANAGED_LABEL,
  type PortSet,
  type ResolvedClusterOptions,
  resolveClusterOptions,
  SERVICES,
} from './options.js';
import { type StatsRatios, statsRatios, summarizeStats } from './stats.js';

/** Lines of container log attached to errors. */
const ERROR_LOG_LINES = 50;
const POLL_MS = 500;
/** Upper bound of a quick docker CLI call (inspect, logs) and of `compose down`. */
const DOCKER_CALL_TIMEOUT_MS = 60_000;
const COMPOSE_DOWN_TIMEOUT_MS = 180_000;
/** How long StatsSampler.stop() waits for a sample in flight (cut short as soon as the sample ends). */
const STATS_STOP_GRACE_MS = 5_000;
/** Attempts of start() with `ports: 'free'` when another process takes a picked port first. */
const FREE_PORT_ATTEMPTS = 3;

/** State of one instance, from `docker inspect`. */
export interface ContainerState {
  model: Model;
  service: string;
  container: string;
  /** Docker's status: `created`, `running`, `exited`, `dead`, ... or `missing`. */
  status: string;
  /** `starting`, `healthy`, `unhealthy` or `none` (no health check / missing). */
  health: string;
  exitCode: number;
  oomKilled: boolean;
  /** Docker's error text, if any. */
  error: string;
  startedAt: string;
  /** When the container stopped (Docker's `State.FinishedAt`); `''` while it never stopped since it started. */
  finishedAt: string;
  /** Host ports (gRPC, HTTP, pprof, metrics). */
  ports: PortSet;
  /** The image the container runs (`''` when missing). */
  image: string;
  /** The id of that image (`sha256:...`; `''` when missing). */
  imageId: string;
  /** True when the image carries the emulator label: its figures are banyandb-perf's emulator's, not BanyanDB's. */
  emulator: boolean;
  /** True when the container carries banyandb-perf's label ({@link MANAGED_LABEL}): banyandb-perf started it. */
  managed: boolean;
}

export interface LogsOptions {
  /** Last lines per container. @default 100 (all when follow) */
  tail?: number | 'all';
  /** Keep streaming until the signal aborts or the containers stop; lines go to `onData`. @default false */
  follow?: boolean;
  /** One model only. @default both */
  service?: Model;
  /** Receives output as it comes (required to see anything before a followed log ends). */
  onData?: (chunk: string, model: Model) => void;
  signal?: AbortSignal;
}

const LOGS_OPTION_KEYS = optionKeys<LogsOptions>({ tail: true, follow: true, service: true, onData: true, signal: true });

/** What {@link StartedCluster.watch} returns. */
export interface ClusterWatch {
  /** Aborts with the first container's ClusterError (CONTAINER_EXITED / CONTAINER_UNHEALTHY). */
  signal: AbortSignal;
  /** Per model: aborts with that model's container error, so the other model's work can go on. */
  models: Record<Model, AbortSignal>;
  stop(): void;
}

/** Result of {@link StatsSampler.stop}. */
export interface StatsSamplingResult {
  summaries: ContainerStatsSummary[];
  samples: ContainerStatsSample[];
  /** Stream ÷ trace of the summary figures. */
  ratios: StatsRatios;
  /**
   * Set when sampling stopped early (a `docker stats` call failed while the containers ran); the figures cover what
   * was sampled. A container that stops is not an error: it is no longer sampled, the other one still is.
   */
  error?: BanyanDBPerfError;
}

/** Samples both containers' stats until stopped. */
export interface StatsSampler {
  readonly samples: readonly ContainerStatsSample[];
  /** Resolves when the first sample is in (or sampling failed): await it before the measured work starts. */
  readonly ready: Promise<void>;
  stop(): Promise<StatsSamplingResult>;
}

function hostFor(bindHost: string): string {
  if (bindHost === '0.0.0.0') return '127.0.0.1';
  if (bindHost === '::') return '[::1]';
  return bindHost.includes(':') ? `[${bindHost}]` : bindHost;
}

function abortIf(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new AbortedError(`${what}: aborted`, { cause: signal.reason });
}

// ---------------------------------------------------------------------------------------------------------------
// Signal handling: one process listener tearing down every registered cluster, then re-raising the signal.

const teardowns = new Set<() => Promise<void>>();
let listening = false;
/** Set while a signal's teardown runs; it ends by re-raising the signal. */
let signalled: Promise<unknown> | undefined;

function onSignal(signal: NodeJS.Signals): void {
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  listening = false;
  const all = [...teardowns];
  teardowns.clear();
  process.stderr.write(`banyandb-perf: ${signal}: removing the Docker cluster...\n`);
  signalled = Promise.allSettled(all.map((f) => f())).finally(() => process.kill(process.pid, signal));
}

function registerTeardown(f: () => Promise<void>): () => void {
  teardowns.add(f);
  if (!listening) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    listening = true;
  }
  return () => {
    teardowns.delete(f);
    if (teardowns.size === 0 && listening) {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      listening = false;
    }
  };
}

// ---------------------------------------------------------------------------------------------------------------

/** Compose runner bound to one project and flavour (uses the docker-compose package). */
class ComposeProject {
  constructor(
    readonly flavour: ComposeFlavour,
    readonly file: string,
    readonly project: string,
  ) {}

  private options(): compose.IDockerComposeOptions {
    const composeOptions: string[][] = [['-p', this.project]];
    return {
      cwd: path.dirname(this.file),
      config: path.basename(this.file),
      composeOptions,
      executable:
        this.flavour.flavour === 'v2'
          ? { executablePath: 'docker' }
          : { standalone: true, executablePath: this.flavour.command[0] ?? 'docker-compose' },
      env: { ...process.env, COMPOSE_PROJECT_NAME: this.project },
    };
  }

  async exec(command: string, args: string[], what: string, timeoutMs: number, signal?: AbortSignal): Promise<string> {
    abortIf(signal, what);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ClusterError('DOCKER_FAILED', `${what} did not finish within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
    });
    try {
      const r = await Promise.race([compose.execCompose(command, args, this.options()), timeout]);
      return r.out;
    } catch (err) {
      if (err instanceof ClusterError) throw err;
      if (err instanceof Error) {
        throw new ClusterError(
          'COMPOSE_MISSING',
          `${what}: cannot run ${this.flavour.command.join(' ')}: ${err.message}`,
          {},
          { cause: err },
        );
      }
      const r = err as compose.IDockerComposeResult;
      const mapped = dockerError(what, { stderr: r.err ?? '', stdout: r.out ?? '', exitCode: r.exitCode });
      throw new ClusterError(mapped.code, mapped.message, {}, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  up(timeoutMs: number, signal?: AbortSignal): Promise<string> {
    return this.exec('up', ['-d', '--no-build'], `${this.flavour.command.join(' ')} up`, timeoutMs, signal);
  }

  down(volumes: boolean): Promise<string> {
    return this.exec(
      'down',
      volumes ? ['--volumes', '--remove-orphans'] : ['--remove-orphans'],
      `${this.flavour.command.join(' ')} down`,
      COMPOSE_DOWN_TIMEOUT_MS,
    );
  }
}

/** Writes the compose file of the options into the work dir and returns its path. */
async function writeComposeFile(resolved: ResolvedClusterOptions): Promise<string> {
  const dir = resolved.workDir ?? path.join(tmpdir(), `banyandb-perf-${resolved.projectName}`);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'docker-compose.yml');
  await writeFile(file, renderCompose(resolved));
  return file;
}

/** Tries to bind every host port; throws PORT_IN_USE naming the first taken one. */
export async function checkPortsFree(resolved: ResolvedClusterOptions): Promise<void> {
  for (const model of MODELS) {
    for (const [key, port] of Object.entries(resolved.ports[model])) {
      const taken = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
        const server = net.createServer();
        server.once('error', (err) => resolve(err as NodeJS.ErrnoException));
        server.listen({ port, host: resolved.bindHost, exclusive: true }, () => server.close(() => resolve(null)));
      });
      if (taken && (taken.code === 'EADDRINUSE' || taken.code === 'EACCES')) {
        throw new ClusterError(
          'PORT_IN_USE',
          `host port ${port} (ports.${model}.${key}, ${SERVICES[model]}) on ${resolved.bindHost} is already in use` +
            `${taken.code === 'EACCES' ? ' or not permitted' : ''}`,
          { service: SERVICES[model] },
          {
            cause: taken,
            advice: {
              library: "stop what holds it or choose another port (ports, portOffset, or ports: 'free')",
              cli: `stop what holds it or choose other ports (--${model}-port <port>, --port-offset <n>)`,
            },
          },
        );
      }
    }
  }
}

async function inspectStates(resolved: ResolvedClusterOptions, signal?: AbortSignal): Promise<Record<Model, ContainerState>> {
  const names = MODELS.map((m) => containerName(resolved.projectName, m));
  const r = await docker(['inspect', '--type', 'container', ...names], { signal, timeoutMs: DOCKER_CALL_TIMEOUT_MS });
  let parsed: Array<{
    Name?: string;
    Image?: string;
    Config?: { Image?: string; Labels?: Record<string, string> | null };
    State?: {
      Status?: string;
      ExitCode?: number;
      OOMKilled?: boolean;
      Error?: string;
      StartedAt?: string;
      FinishedAt?: string;
      Health?: { Status?: string };
    };
    HostConfig?: { PortBindings?: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null };
  }> = [];
  try {
    parsed = JSON.parse(r.stdout || '[]');
  } catch {
    parsed = [];
  }
  if (r.exitCode !== 0 && parsed.length === 0 && !/No such (container|object)/i.test(r.stderr)) throw dockerError('docker inspect', r);
  const out = {} as Record<Model, ContainerState>;
  for (const model of MODELS) {
    const container = containerName(resolved.projectName, model);
    const found = parsed.find((p) => p.Name === `/${container}`);
    out[model] = {
      model,
      service: SERVICES[model],
      container,
      status: found?.State?.Status ?? 'missing',
      health: found?.State?.Health?.Status ?? 'none',
      exitCode: found?.State?.ExitCode ?? 0,
      oomKilled: found?.State?.OOMKilled ?? false,
      error: found?.State?.Error ?? '',
      startedAt: found?.State?.StartedAt ?? '',
      finishedAt: finishedAt(found?.State?.StartedAt, found?.State?.FinishedAt),
      ports: publishedPorts(found?.HostConfig?.PortBindings, resolved.ports[model]),
      image: found?.Config?.Image ?? '',
      imageId: found?.Image ?? '',
      emulator: found?.Config?.Labels?.[EMULATOR_LABEL] === 'emulator' || found?.Config?.Image === EMULATOR_IMAGE,
      managed: found?.Config?.Labels?.[MANAGED_LABEL] === 'true',
    };
  }
  return out;
}

/** Docker's FinishedAt when it is a stop after the last start (it reads `0001-01-01T00:00:00Z` before any stop). */
function finishedAt(started: string | undefined, finished: string | undefined): string {
  const f = Date.parse(finished ?? '');
  if (!Number.isFinite(f) || f <= 0) return '';
  const st = Date.parse(started ?? '');
  return Number.isFinite(st) && f < st ? '' : (finished as string);
}

/** The host ports a container publishes (its port bindings), else the options' ports. */
function publishedPorts(
  bindings: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null | undefined,
  fallback: PortSet,
): PortSet {
  const out = { ...fallback };
  for (const key of Object.keys(CONTAINER_PORTS) as (keyof PortSet)[]) {
    const port = Number(bindings?.[`${CONTAINER_PORTS[key]}/tcp`]?.[0]?.HostPort);
    if (Number.isInteger(port) && port > 0) out[key] = port;
  }
  return out;
}

/** Eight distinct host ports that were free on the bind host a moment ago (all held at once, then released). */
async function pickFreePorts(bindHost: string): Promise<Record<Model, PortSet>> {
  const servers = await Promise.all(
    Array.from(
      { length: 8 },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen({ port: 0, host: bindHost, exclusive: true }, () => resolve(server));
        }),
    ),
  );
  const p = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  const set = (i: number): PortSet => ({ grpc: p[i]!, http: p[i + 1]!, pprof: p[i + 2]!, metrics: p[i + 3]! });
  return { stream: set(0), trace: set(4) };
}

async function tailLogs(container: string, lines: number): Promise<string> {
  try {
    const r = await docker(['logs', '--tail', String(lines), container], { timeoutMs: DOCKER_CALL_TIMEOUT_MS });
    return `${r.stdout}${r.stderr}`.trim();
  } catch {
    return '';
  }
}

/** The typed error for a container that is not running (or unhealthy), with its last log lines. */
async function containerError(state: ContainerState, resolved: ResolvedClusterOptions): Promise<ClusterError> {
  const logs = state.status === 'missing' ? '' : await tailLogs(state.container, ERROR_LOG_LINES);
  const tail = logs ? `\n--- last log lines of ${state.container} ---\n${logs}` : '';
  if (state.status === 'missing') {
    return new ClusterError('CONTAINER_EXITED', `container ${state.container} (${state.service}) is gone`, { service: state.service });
  }
  if (state.status !== 'running') {
    const why = state.oomKilled
      ? `was OOM-killed (memory limit ${resolved.limits[state.model].memoryBytes} bytes), exit code ${state.exitCode}`
      : `exited with code ${state.exitCode}${state.error ? ` (${state.error})` : ''}`;
    return new ClusterError('CONTAINER_EXITED', `container ${state.container} (${state.service}) ${why}; status ${state.status}${tail}`, {
      service: state.service,
      logs,
    });
  }
  return new ClusterError('CONTAINER_UNHEALTHY', `container ${state.container} (${state.service}) is ${state.health}${tail}`, {
    service: state.service,
    logs,
  });
}

function httpHealthz(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: host.replace(/^\[|\]$/g, ''), port, path: '/api/healthz', timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Waits until both instances answer the gRPC health check with SERVING through the published ports. */
async function grpcServing(
  resolved: ResolvedClusterOptions,
  states: Record<Model, ContainerState>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const host = hostFor(resolved.bindHost);
  await Promise.all(
    MODELS.map(async (model) => {
      try {
        const client = await BanyanDBClient.connect(`${host}:${resolved.ports[model].grpc}`, { connectTimeoutMs: timeoutMs, signal });
        await client.close();
      } catch (err) {
        if (err instanceof AbortedError) throw err;
        const base = await containerError(
          { ...states[model], health: 'healthy but its gRPC health check did not answer SERVING' },
          resolved,
        );
        throw new ClusterError(
          'CONTAINER_UNHEALTHY',
          `${base.message}\n(gRPC: ${(err as Error).message})`,
          { service: base.service, logs: base.logs },
          { cause: err },
        );
      }
    }),
  );
}

/** Waits until both containers are running and healthy, answer /api/healthz and gRPC health SERVING through the published ports. */
async function waitHealthy(resolved: ResolvedClusterOptions, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + resolved.startTimeoutMs;
  const host = hostFor(resolved.bindHost);
  for (;;) {
    abortIf(signal, 'waiting for the cluster');
    const states = await inspectStates(resolved, signal);
    let ready = true;
    for (const model of MODELS) {
      const s = states[model];
      if (s.status !== 'running' && s.status !== 'created') throw await containerError(s, resolved);
      if (s.health === 'unhealthy') throw await containerError(s, resolved);
      if (s.status !== 'running' || (s.health !== 'healthy' && s.health !== 'none')) ready = false;
    }
    if (ready) {
      const ok = await Promise.all(MODELS.map((m) => httpHealthz(host, resolved.ports[m].http, 5_000)));
      if (ok.every(Boolean)) {
        await grpcServing(resolved, states, Math.max(1_000, deadline - Date.now()), signal);
        return;
      }
    }
    if (Date.now() > deadline) {
      const pending = MODELS.map((m) => states[m]).find((s) => s.health !== 'healthy') ?? states.trace;
      const err = await containerError(
        { ...pending, health: `${pending.health} after ${resolved.startTimeoutMs} ms (startTimeoutMs)` },
        resolved,
      );
      throw new ClusterError('CONTAINER_UNHEALTHY', err.message, { service: err.service, logs: err.logs });
    }
    await sleep(POLL_MS, undefined, { signal }).catch(() => undefined);
  }
}

/**
 * What serves the figures, from the containers actually running (an attached cluster may run another image
 * than the options name): the emulator when either container runs the emulator image.
 */
function describeTarget(resolved: ResolvedClusterOptions, states?: Record<Model, ContainerState>): TargetInfo {
  const host = hostFor(resolved.bindHost);
  const images: Record<Model, string> = {
    stream: states?.stream.image || resolved.imageName,
    trace: states?.trace.image || resolved.imageName,
  };
  const isEmulator = states ? states.stream.emulator || states.trace.emulator : resolved.imageName === EMULATOR_IMAGE;
  const imageText = images.stream === images.trace ? images.stream : `stream ${images.stream}, trace ${images.trace}`;
  const l = resolved.limits;
  const same = l.stream.cpus === l.trace.cpus && l.stream.memoryBytes === l.trace.memoryBytes;
  const fmt = (r: { cpus: number; memoryBytes: number }) =>
    `${r.cpus} CPUs, ${(r.memoryBytes / 1024 ** 3).toFixed(r.memoryBytes % 1024 ** 3 === 0 ? 0 : 2)} GiB`;
  const limits = same ? `${fmt(l.stream)} each` : `stream ${fmt(l.stream)}, trace ${fmt(l.trace)}`;
  return {
    kind: 'docker',
    server: isEmulator ? 'emulator' : 'banyandb',
    description: `${imageText}${isEmulator ? ' (banyandb-perf emulator, not BanyanDB)' : ''} in Docker (${limits})`,
    images,
    addresses: { stream: `${host}:${resolved.ports.stream.grpc}`, trace: `${host}:${resolved.ports.trace.grpc}` },
    project: resolved.projectName,
    containers: { stream: containerName(resolved.projectName, 'stream'), trace: containerName(resolved.projectName, 'trace') },
  };
}

/** One start attempt with fixed ports: leftovers removed, ports checked, `compose up`, health wait. */
async function startOnce(
  resolved: ResolvedClusterOptions,
  info: DockerInfo,
  progress: (line: string) => void,
  leftovers: boolean,
): Promise<StartedCluster> {
  const signal = resolved.signal;
  const file = await writeComposeFile(resolved);
  const project = new ComposeProject(info.compose, file, resolved.projectName);
  if (leftovers) {
    progress(`removing the leftovers of compose project ${resolved.projectName}`);
    await project.down(!resolved.keep);
  }
  await checkPortsFree(resolved);

  let torn = false;
  const teardown = async () => {
    if (torn || resolved.keep) return;
    torn = true;
    await project.down(true).then(
      () => markGone(resolved.projectName),
      () => undefined,
    );
  };
  const registered = resolved.handleSignals && !resolved.keep ? registerTeardown(teardown) : () => {};
  markLive(resolved.projectName);
  const unregister = () => {
    registered();
    markGone(resolved.projectName);
  };
  let running: Record<Model, ContainerState> | undefined;
  try {
    progress(`${info.compose.command.join(' ')} -p ${resolved.projectName} up -d (${file})`);
    await project.up(resolved.startTimeoutMs, signal);
    progress('waiting for both instances to be healthy');
    await waitHealthy(resolved, signal);
    running = await inspectStates(resolved, signal);
  } catch (err) {
    // A signal's teardown makes start() fail: let it finish (it re-raises the signal) before reporting.
    if (signalled) {
      await signalled;
      throw new AbortedError('cluster start interrupted by a signal', { cause: err });
    }
    registered();
    await teardown();
    if (resolved.keep) markGone(resolved.projectName);
    throw BanyanDBPerfError.from(err, 'DOCKER_FAILED');
  }
  return new StartedCluster(resolved, info, project, unregister, running);
}

/** Entry point: start, build, render, detect. */
// biome-ignore lint/complexity/noStaticOnlyClass: the public API is `Cluster.start()` & co., as the module contract specifies.
export class Cluster {
  /** Docker and Compose versions; throws DOCKER_NOT_INSTALLED, DOCKER_NOT_RUNNING or COMPOSE_MISSING. */
  static async detect(options: { signal?: AbortSignal } = {}): Promise<DockerInfo> {
    checkOptionKeys(options, ['signal'], 'Cluster.detect()');
    return detectDocker(options);
  }

  /** The compose file for the options (the defaults reproduce docker/docker-compose.yml). */
  static renderCompose(options: ClusterOptions = {}): string {
    checkClusterOptionKeys(options, 'Cluster.renderCompose()');
    return renderCompose(resolveClusterOptions(options));
  }

  /**
   * Makes the image present: builds the emulator image or a source image (always rebuilt), pulls others.
   * @returns the image name
   */
  static async build(options: ClusterOptions & { onProgress?: (line: string) => void } = {}): Promise<string> {
    checkClusterOptionKeys(options, 'Cluster.build()', ['onProgress']);
    const resolved = resolveClusterOptions(options);
    await detectDocker({ signal: resolved.signal });
    const force = resolved.image === 'emulator' || (typeof resolved.image === 'object' && 'source' in resolved.image);
    return ensureImage(resolved.image, {
      signal: resolved.signal,
      emulatorScript: resolved.emulatorScript,
      force,
      onProgress: options.onProgress,
    });
  }

  /**
   * Starts both instances and waits until they are healthy and serving. On any failure (or abort, or
   * SIGINT/SIGTERM) everything started is removed, volumes too, unless `keep`.
   */
  static async start(options: ClusterOptions & { onProgress?: (line: string) => void } = {}): Promise<StartedCluster> {
    checkClusterOptionKeys(options, 'Cluster.start()', ['onProgress']);
    const given = resolveClusterOptions(options);
    const signal = given.signal;
    const progress = options.onProgress ?? (() => {});
    const info = await detectDocker({ signal });
    await ensureImage(given.image, { signal, emulatorScript: given.emulatorScript, onProgress: progress });

    const leftovers = await inspectStates(given, signal);
    const found = MODELS.map((m) => leftovers[m]).filter((s) => s.status !== 'missing');
    const foreign = found.find((s) => !s.managed);
    if (foreign) {
      throw new ClusterError(
        'PROJECT_MISMATCH',
        `container ${foreign.container} exists and was not started by banyandb-perf (no ${MANAGED_LABEL} label): it is left alone`,
        { service: foreign.service },
        {
          advice: {
            library: 'choose another project name (projectName) or remove it yourself',
            cli: 'choose another project name (--project <name>) or remove it yourself',
          },
        },
      );
    }
    for (let attempt = 1; ; attempt++) {
      const resolved = given.freePorts ? { ...given, ports: await pickFreePorts(given.bindHost) } : given;
      try {
        return await startOnce(resolved, info, progress, attempt === 1 && found.length > 0);
      } catch (err) {
        // Picked ports can be taken by another process between the pick and `compose up`: pick again.
        if (!given.freePorts || attempt >= FREE_PORT_ATTEMPTS || !(err instanceof ClusterError) || err.code !== 'PORT_IN_USE') throw err;
        progress(`a picked host port was taken meanwhile (${err.message.split('\n')[0]}); picking other free ports`);
      }
    }
  }

  /** State of both instances of a project, running or not (`missing` when a container does not exist). */
  static async ps(options: ClusterOptions = {}): Promise<ContainerState[]> {
    checkClusterOptionKeys(options, 'Cluster.ps()');
    const resolved = resolveClusterOptions(options);
    await detectDocker({ signal: resolved.signal });
    const states = await inspectStates(resolved, resolved.signal);
    return MODELS.map((m) => states[m]);
  }

  /**
   * A handle on an already running project (e.g. started by `banyandb-perf up` in another process), on the ports
   * its containers publish. Only containers banyandb-perf started (its labels) are attached to, and, when
   * `options.image` is given, only when they run that image: otherwise PROJECT_MISMATCH says what runs there.
   * A container that is not running is CONTAINER_EXITED.
   */
  static async attach(options: ClusterOptions = {}): Promise<StartedCluster> {
    checkClusterOptionKeys(options, 'Cluster.attach()');
    const asked = resolveClusterOptions({ ...options, keep: true });
    const info = await detectDocker({ signal: asked.signal });
    const states = await inspectStates(asked, asked.signal);
    for (const model of MODELS) {
      if (states[model].status !== 'running') throw await containerError(states[model], asked);
    }
    for (const model of MODELS) {
      const s = states[model];
      if (!s.managed) {
        throw new ClusterError(
          'PROJECT_MISMATCH',
          `container ${s.container} of project ${asked.projectName} was not started by banyandb-perf (no ${MANAGED_LABEL} label): not using it`,
          { service: s.service },
        );
      }
      if (options.image !== undefined && s.image !== asked.imageName) {
        throw new ClusterError(
          'PROJECT_MISMATCH',
          `container ${s.container} of project ${asked.projectName} runs image ${s.image}, not the asked ${asked.imageName}: not using it`,
          { service: s.service },
        );
      }
    }
    const resolved: ResolvedClusterOptions = {
      ...asked,
      freePorts: false,
      ports: { stream: states.stream.ports, trace: states.trace.ports },
    };
    const project = new ComposeProject(info.compose, await writeComposeFile(resolved), resolved.projectName);
    return new StartedCluster(resolved, info, project, () => {}, states);
  }

  /** Stops and removes a project's containers and network (volumes stay), whether or not it runs. */
  static async down(options: ClusterOptions = {}): Promise<void> {
    checkClusterOptionKeys(options, 'Cluster.down()');
    const resolved = resolveClusterOptions(options);
    const compose = await detectCompose();
    await new ComposeProject(compose, await writeComposeFile(resolved), resolved.projectName).down(false);
    markGone(resolved.projectName);
  }

  /** Removes a project's containers, network and data volumes. */
  static async clean(options: ClusterOptions = {}): Promise<void> {
    checkClusterOptionKeys(options, 'Cluster.clean()');
    const resolved = resolveClusterOptions(options);
    const compose = await detectCompose();
    await new ComposeProject(compose, await writeComposeFile(resolved), resolved.projectName).down(true);
    markGone(resolved.projectName);
  }
}

/** A running two-instance cluster. `close()` removes it (volumes too) unless `keep`. */
export class StartedCluster implements AsyncDisposable {
  /** gRPC address per model (host:port as published). */
  readonly addresses: Record<Model, string>;
  /** HTTP address per model. */
  readonly httpAddresses: Record<Model, string>;
  readonly target: TargetInfo;
  /** Container name per model. */
  readonly containers: Record<Model, string>;
  readonly projectName: string;
  /** The compose file the cluster was started from. */
  readonly composeFile: string;
  readonly docker: DockerInfo;
  readonly options: ResolvedClusterOptions;
  private closed = false;
  /** The one close() in progress or done (memoised: concurrent callers share it). */
  #closing: Promise<void> | undefined;

  /** @internal use {@link Cluster.start}. */
  constructor(
    resolved: ResolvedClusterOptions,
    info: DockerInfo,
    private readonly project: ComposeProject,
    private readonly unregister: () => void,
    running?: Record<Model, ContainerState>,
  ) {
    this.options = resolved;
    this.docker = info;
    this.target = describeTarget(resolved, running);
    this.addresses = this.target.addresses;
    const host = hostFor(resolved.bindHost);
    this.httpAddresses = { stream: `${host}:${resolved.ports.stream.http}`, trace: `${host}:${resolved.ports.trace.http}` };
    this.containers = { stream: containerName(resolved.projectName, 'stream'), trace: containerName(resolved.projectName, 'trace') };
    this.projectName = resolved.projectName;
    this.composeFile = project.file;
  }

  private ensureOpen(what: string): void {
    if (this.closed) throw new ClosedError(`cluster ${this.projectName} (${what})`);
  }

  /** State of both containers. */
  async ps(): Promise<ContainerState[]> {
    const states = await inspectStates(this.options);
    return MODELS.map((m) => states[m]);
  }

  /** Throws CONTAINER_EXITED / CONTAINER_UNHEALTHY (with logs) when an instance is not running and healthy. */
  async check(): Promise<void> {
    const states = await inspectStates(this.options);
    for (const model of MODELS) {
      const s = states[model];
      if (s.status !== 'running' || s.health === 'unhealthy') throw await containerError(s, this.options);
    }
  }

  /** One stats sample per container (`docker stats --no-stream`; takes about 2 s). */
  async stats(options: { signal?: AbortSignal } = {}): Promise<ContainerStatsSample[]> {
    checkOptionKeys(options, ['signal'], 'StartedCluster.stats()');
    this.ensureOpen('stats');
    await this.check();
    const r = await this.#readStats(MODELS, options.signal);
    if (r.failed) {
      await this.check();
      throw r.failed;
    }
    // A container that stopped meanwhile reads as zeros (no memory limit, counters reset): not a sample of it.
    if (r.zero.length > 0) await this.check();
    return r.samples;
  }

  /**
   * One `docker stats --no-stream` of the given models' containers: the samples of the ones read with a memory limit,
   * the models read as zeros (a stopped container), or the failed call.
   */
  async #readStats(
    models: readonly Model[],
    signal: AbortSignal | undefined,
  ): Promise<{ samples: ContainerStatsSample[]; zero: Model[]; failed?: BanyanDBPerfError }> {
    const names = models.map((m) => this.containers[m]);
    const r = await docker(['stats', '--no-stream', '--format', '{{json .}}', ...names], { signal, timeoutMs: 60_000 });
    if (r.exitCode !== 0) return { samples: [], zero: [], failed: dockerError('docker stats', r) };
    const timestampMs = Date.now();
    const samples: ContainerStatsSample[] = [];
    const zero: Model[] = [];
    for (const line of r.stdout.split('\n')) {
      if (line.trim() === '') continue;
      const s = parseStatsLine(line);
      const model = models.find((m) => this.containers[m] === s.name || this.containers[m].startsWith(s.name));
      if (!model) continue;
      if (!(s.memLimitBytes > 0)) {
        zero.push(model);
        continue;
      }
      samples.push({
        container: this.containers[model],
        model,
        timestampMs,
        cpuPercent: s.cpuPercent,
        memBytes: s.memBytes,
        memLimitBytes: s.memLimitBytes,
        netRxBytes: s.netRxBytes,
        netTxBytes: s.netTxBytes,
        blockReadBytes: s.blockReadBytes,
        blockWriteBytes: s.blockWriteBytes,
      });
    }
    return { samples, zero };
  }

  /**
   * Samples stats every `intervalMs` (a sample itself takes about 2 s, so shorter intervals sample back to back)
   * until `stop()`, which returns per-container summaries, the raw samples and stream/trace ratios. A container that
   * stops is no longer sampled (the other one still is), and its summary ends where it stopped (its `FinishedAt`):
   * samples read after that, as zeros or otherwise, are left out by {@link summarizeStats}.
   */
  sampleStats(intervalMs = 5_000): StatsSampler {
    this.ensureOpen('sampleStats');
    const samples: ContainerStatsSample[] = [];
    const stopping = new AbortController(); // ends the wait between samples
    const killer = new AbortController(); // kills a sample still running when stop() gives up on it
    let error: BanyanDBPerfError | undefined;
    let firstDone: () => void = () => {};
    const ready = new Promise<void>((resolve) => {
      firstDone = resolve;
    });
    const alive = new Set<Model>(MODELS);
    const stoppedAtMs: Partial<Record<Model, number>> = {};
    /** Takes the models whose containers no longer run out of the sampled set, noting when each stopped. */
    const dropStopped = async (models: readonly Model[]): Promise<void> => {
      const states = await inspectStates(this.options, killer.signal);
      for (const m of models) {
        const st = states[m];
        if (st.status === 'running') continue;
        alive.delete(m);
        const at = Date.parse(st.finishedAt);
        stoppedAtMs[m] = Number.isFinite(at) ? at : Date.now();
      }
    };
    const loop = (async () => {
      while (!stopping.signal.aborted && alive.size > 0) {
        const started = Date.now();
        try {
          await dropStopped([...alive]);
          if (alive.size === 0) return;
          const r = await this.#readStats([...alive], killer.signal);
          samples.push(...r.samples);
          if (r.failed || r.zero.length > 0) {
            const before = alive.size;
            await dropStopped(r.failed ? [...alive] : r.zero);
            // A failed call that no stopped container explains ends the sampling.
            if (r.failed && alive.size === before) throw r.failed;
          }
        } catch (err) {
          if (!killer.signal.aborted) error = BanyanDBPerfError.from(err, 'DOCKER_FAILED');
          return;
        } finally {
          firstDone();
        }
        const wait = intervalMs - (Date.now() - started);
        if (wait > 0 && !stopping.signal.aborted) await sleep(wait, undefined, { signal: stopping.signal }).catch(() => undefined);
      }
    })();
    let stopped: Promise<StatsSamplingResult> | undefined;
    const stop = async (): Promise<StatsSamplingResult> => {
      // Let a sample in flight finish so the window ends with a sample; give up on it after a while. The grace
      // timer is cleared as soon as the loop ends, so it never holds the process open.
      stopping.abort();
      const grace = new AbortController();
      await Promise.race([loop, sleep(STATS_STOP_GRACE_MS, undefined, { signal: grace.signal }).catch(() => undefined)]);
      grace.abort();
      killer.abort();
      await loop;
      const summaries = MODELS.map((m) => summarizeStats(samples, this.containers[m], m, { stoppedAtMs: stoppedAtMs[m] }));
      const result: StatsSamplingResult = { summaries, samples: [...samples], ratios: statsRatios(summaries) };
      if (error) result.error = error;
      return result;
    };
    return {
      samples,
      ready,
      stop: () => {
        stopped ??= stop();
        return stopped;
      },
    };
  }

  /**
   * Watches both containers every `intervalMs`; the returned signal aborts with the ClusterError
   * (CONTAINER_EXITED / CONTAINER_UNHEALTHY) when one dies. Pass it to the workloads.
   */
  watch(intervalMs = 2_000): ClusterWatch {
    const controller = new AbortController();
    const perModel = { stream: new AbortController(), trace: new AbortController() };
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      inspectStates(this.options)
        .then(async (states) => {
          for (const model of MODELS) {
            const s = states[model];
            if (perModel[model].signal.aborted || (s.status === 'running' && s.health !== 'unhealthy')) continue;
            const err = await containerError(s, this.options);
            perModel[model].abort(err);
            if (!controller.signal.aborted) controller.abort(err);
          }
          if (MODELS.every((m) => perModel[m].signal.aborted)) clearInterval(timer);
        })
        .catch(() => undefined)
        .finally(() => {
          busy = false;
        });
    }, intervalMs);
    timer.unref();
    return {
      signal: controller.signal,
      models: { stream: perModel.stream.signal, trace: perModel.trace.signal },
      stop: () => clearInterval(timer),
    };
  }

  /**
   * Bytes each model's data holds (allocated size, `du -sk` inside the container) and bytes per span. With `groups`,
   * only the directories named after that model's group under /data count (a run's own namespaced group: other
   * runs' data on the same volume is left out); without, the whole /data volume. `models`: whose (default both).
   */
  async diskFootprint(
    spans: Record<Model, number>,
    groups?: Partial<Record<Model, string>>,
    models: readonly Model[] = MODELS,
  ): Promise<DiskFootprint[]> {
    this.ensureOpen('diskFootprint');
    const out: DiskFootprint[] = [];
    for (const model of models) {
      const group = groups?.[model];
      let paths = ['/data'];
      if (group) {
        const found = await docker(['exec', this.containers[model], 'find', '/data', '-type', 'd', '-name', group, '-prune'], {
          timeoutMs: 120_000,
        });
        if (found.exitCode !== 0) {
          await this.check();
          throw dockerError(`find in ${this.containers[model]}`, found, SERVICES[model]);
        }
        paths = found.stdout.split('\n').filter((l) => l.startsWith('/data/'));
      }
      let kib = 0;
      if (paths.length > 0) {
        const r = await docker(['exec', this.containers[model], 'du', '-sk', ...paths], { timeoutMs: 120_000 });
        if (r.exitCode !== 0) {
          await this.check();
          throw dockerError(`du in ${this.containers[model]}`, r, SERVICES[model]);
        }
        const lines = r.stdout.trim().split('\n');
        for (const line of lines) {
          const k = Number(/^(\d+)/.exec(line.trim())?.[1]);
          if (!Number.isFinite(k))
            throw new ClusterError('DOCKER_FAILED', `unexpected du output in ${this.containers[model]}: ${r.stdout}`, {
              service: SERVICES[model],
            });
          kib += k;
        }
      }
      const bytes = kib * 1024;
      const n = spans[model] ?? 0;
      out.push({ model, bytes, bytesPerSpan: n > 0 ? bytes / n : 0, ...(group ? { scope: `group ${group}` } : { scope: 'volume' }) });
    }
    return out;
  }

  /** Container logs (both unless `service`), each line prefixed with the model when both are asked for. */
  async logs(options: LogsOptions = {}): Promise<string> {
    checkOptionKeys(options, LOGS_OPTION_KEYS, 'StartedCluster.logs()');
    const models = options.service ? [options.service] : [...MODELS];
    const tail = options.tail ?? (options.follow ? 'all' : 100);
    const chunks = await Promise.all(
      models.map(
        (model) =>
          new Promise<string>((resolve, reject) => {
            const args = ['logs', '--tail', String(tail), ...(options.follow ? ['--follow'] : []), this.containers[model]];
            const child = spawn('docker', args, {
              signal: options.signal,
              stdio: ['ignore', 'pipe', 'pipe'],
              timeout: options.follow ? 0 : DOCKER_CALL_TIMEOUT_MS,
            });
            let text = '';
            const prefix = models.length > 1 ? `${model} | ` : '';
            const onData = (buf: Buffer) => {
              const chunk = buf.toString('utf8');
              const shown = prefix ? chunk.replace(/^(?=.)/gm, prefix) : chunk;
              text += shown;
              options.onData?.(shown, model);
            };
            child.stdout.on('data', onData);
            child.stderr.on('data', onData);
            child.on('error', (err) => (err.name === 'AbortError' ? resolve(text) : reject(BanyanDBPerfError.from(err, 'DOCKER_FAILED'))));
            child.on('close', (code) =>
              code === 0 || options.signal?.aborted ? resolve(text) : reject(dockerError('docker logs', { stderr: text, exitCode: code })),
            );
          }),
      ),
    );
    return chunks.join('');
  }

  /** Stops and removes the containers and the network; the data volumes stay. */
  async down(): Promise<void> {
    await this.project.down(false);
    this.closed = true;
    this.unregister();
  }

  /** Removes the containers, the network and the data volumes. */
  async clean(): Promise<void> {
    await this.project.down(true);
    this.closed = true;
    this.unregister();
  }

  /**
   * `clean()`: removes the containers, network and data volumes; with `keep`, leaves everything running for
   * `banyandb-perf ps/logs/stats/test` and a later `down` or `clean`. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (this.closed) return;
    if (this.options.keep) {
      this.closed = true;
      this.unregister();
      return;
    }
    await this.clean();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
