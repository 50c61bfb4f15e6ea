/**
 * Thin wrappers over the docker CLI (execFile, never a shell) and Compose flavour detection.
 */
import { execFile } from 'node:child_process';
import { AbortedError, ClusterError, OptionsError } from '../errors.js';
import { COMPOSE_FLAVOUR_ENV } from './options.js';

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ExecOptions {
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal | undefined;
  timeoutMs?: number;
  input?: string;
  cwd?: string;
}

/** Runs a program; resolves with its output and exit code (never rejects on a non-zero exit). */
export function run(file: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new AbortedError(`${file} ${args[0] ?? ''}: aborted`, { cause: options.signal.reason }));
      return;
    }
    const child = execFile(
      file,
      args,
      {
        env: options.env ?? process.env,
        signal: options.signal,
        timeout: options.timeoutMs ?? 0,
        maxBuffer: 64 * 1024 * 1024,
        cwd: options.cwd,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        if (err) {
          const e = err as NodeJS.ErrnoException & { code?: string | number };
          if (e.name === 'AbortError') {
            reject(new AbortedError(`${file} ${args[0] ?? ''}: aborted`, { cause: err }));
            return;
          }
          if (typeof e.code === 'string') {
            reject(err);
            return;
          }
          resolve({ stdout, stderr, exitCode: typeof e.code === 'number' ? e.code : 1 });
          return;
        }
        resolve({ stdout, stderr, exitCode: 0 });
      },
    );
    if (options.input !== undefined) {
      child.stdin?.end(options.input);
    }
  });
}

/** Runs `docker <args>`; maps a missing CLI and an unreachable engine to ClusterError. */
export async function docker(args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  try {
    return await run('docker', args, options);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ClusterError(
        'DOCKER_NOT_INSTALLED',
        'the docker CLI was not found on PATH: install Docker (scripts/ci-docker.sh does on Debian/Ubuntu)',
        {},
        { cause: err },
      );
    }
    throw err;
  }
}

/** Runs `docker <args>` and throws DOCKER_FAILED (or the mapped engine error) on a non-zero exit. */
export async function dockerOk(args: readonly string[], options: ExecOptions = {}): Promise<string> {
  const r = await docker(args, options);
  if (r.exitCode !== 0) throw dockerError(`docker ${args.slice(0, 2).join(' ')}`, r);
  return r.stdout;
}

/** Maps a failed docker invocation to the right ClusterError. */
export function dockerError(what: string, r: { stderr: string; stdout?: string; exitCode: number | null }, service?: string): ClusterError {
  const text = `${r.stderr}\n${r.stdout ?? ''}`.trim();
  if (
    /Cannot connect to the Docker daemon|Is the docker daemon running|error during connect|docker\.sock.*(connect|permission)/i.test(text)
  ) {
    return new ClusterError(
      'DOCKER_NOT_RUNNING',
      `the Docker engine is not reachable (${firstLine(text)}): start it (scripts/ci-docker.sh)`,
      { service },
    );
  }
  const port = portInUse(text);
  if (port !== undefined) {
    return new ClusterError('PORT_IN_USE', `host port ${port} is already in use (${firstLine(text)})`, { service });
  }
  return new ClusterError('DOCKER_FAILED', `${what} failed (exit ${r.exitCode}): ${text.slice(-2000)}`, { service });
}

/** Finds the port of an "address already in use" / "port is already allocated" message. */
export function portInUse(text: string): number | undefined {
  const m =
    /:(\d+)(?: failed)?:\s*(?:bind:\s*)?(?:port is already allocated|address already in use)/i.exec(text) ??
    /port (\d+).*already (?:in use|allocated)/i.exec(text);
  if (m?.[1]) return Number(m[1]);
  if (/port is already allocated|address already in use/i.test(text)) return 0;
  return undefined;
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? ''
  );
}

/** Which Compose the cluster drives. */
export interface ComposeFlavour {
  /** `v2`: the `docker compose` plugin; `v1`: the stand-alone `docker-compose` (1.29). */
  flavour: 'v2' | 'v1';
  version: string;
  /** Program and leading arguments, e.g. `docker compose` or `docker-compose`. */
  command: string[];
}

/** What {@link detectDocker} found. */
export interface DockerInfo {
  clientVersion: string;
  serverVersion: string;
  apiVersion: string;
  os: string;
  arch: string;
  compose: ComposeFlavour;
}

/** Finds a Compose: the v2 plugin first, then the stand-alone v1 `docker-compose`. */
export async function detectCompose(options: { env?: NodeJS.ProcessEnv; signal?: AbortSignal | undefined } = {}): Promise<ComposeFlavour> {
  const tries: string[] = [];
  const forced = (options.env ?? process.env)[COMPOSE_FLAVOUR_ENV];
  if (forced !== undefined && forced !== '' && forced !== 'v1' && forced !== 'v2') {
    throw new OptionsError(
      COMPOSE_FLAVOUR_ENV,
      `${COMPOSE_FLAVOUR_ENV} must be v2 (the \`docker compose\` plugin) or v1 (\`docker-compose\`), got ${JSON.stringify(forced)}`,
    );
  }
  if (forced !== 'v1') {
    try {
      const r = await run('docker', ['compose', 'version', '--short'], options);
      if (r.exitCode === 0 && r.stdout.trim() !== '') {
        return { flavour: 'v2', version: r.stdout.trim().replace(/^v/, ''), command: ['docker', 'compose'] };
      }
      tries.push(`docker compose: ${firstLine(r.stderr) || `exit ${r.exitCode}`}`);
    } catch (err) {
      if (err instanceof AbortedError) throw err;
      tries.push(`docker: ${(err as Error).message}`);
    }
  }
  if (forced !== 'v2') {
    try {
      const r = await run('docker-compose', ['version', '--short'], options);
      if (r.exitCode === 0 && r.stdout.trim() !== '') {
        return { flavour: 'v1', version: r.stdout.trim().replace(/^v/, ''), command: ['docker-compose'] };
      }
      tries.push(`docker-compose: ${firstLine(r.stderr) || `exit ${r.exitCode}`}`);
    } catch (err) {
      if (err instanceof AbortedError) throw err;
      tries.push(`docker-compose: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (err as Error).message}`);
    }
  }
  if (forced) {
    throw new ClusterError(
      'COMPOSE_MISSING',
      `Docker Compose ${forced} was asked for (${COMPOSE_FLAVOUR_ENV}=${forced}) but not found: ${tries.join('; ')}. Install it or unset ${COMPOSE_FLAVOUR_ENV}.`,
    );
  }
  throw new ClusterError(
    'COMPOSE_MISSING',
    `Docker Compose was not found (tried the \`docker compose\` plugin, then \`docker-compose\`): ${tries.join('; ')}. Install Compose v2 or docker-compose.`,
  );
}

/** Checks the docker CLI, the engine and Compose; throws the matching ClusterError. */
export async function detectDocker(options: { env?: NodeJS.ProcessEnv; signal?: AbortSignal | undefined } = {}): Promise<DockerInfo> {
  const r = await docker(['version', '--format', '{{json .}}'], { ...options, timeoutMs: 30_000 });
  let parsed: {
    Client?: { Version?: string; Os?: string; Arch?: string };
    Server?: { Version?: string; ApiVersion?: string; Os?: string; Arch?: string } | null;
  } = {};
  try {
    parsed = JSON.parse(r.stdout.trim() || '{}');
  } catch {
    // handled below
  }
  if (r.exitCode !== 0 || !parsed.Server?.Version) {
    const err = dockerError('docker version', r);
    if (err.code === 'DOCKER_NOT_RUNNING' || !parsed.Server) {
      throw new ClusterError(
        'DOCKER_NOT_RUNNING',
        `the Docker engine is not reachable: ${(firstLine(r.stderr) || 'no server answered').replace(/[.?!]+$/, '')}; start it (scripts/ci-docker.sh)`,
        {},
        { cause: err },
      );
    }
    throw err;
  }
  const compose = await detectCompose(options);
  return {
    clientVersion: parsed.Client?.Version ?? 'unknown',
    serverVersion: parsed.Server.Version,
    apiVersion: parsed.Server.ApiVersion ?? 'unknown',
    os: parsed.Server.Os ?? 'unknown',
    arch: parsed.Server.Arch ?? 'unknown',
    compose,
  };
}

/** Byte units as `docker stats` prints them (decimal kB/MB/GB, binary KiB/MiB/GiB). */
const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  pb: 1e15,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  pib: 1024 ** 5,
};

/** Parses a human byte size such as `1.5GiB`, `12.3kB`, `1.2MB`, `0B`; `--` and blanks read as 0. */
export function parseBytes(text: string): number {
  const t = text.trim();
  if (t === '' || t === '--' || t === 'N/A') return 0;
  const m = /^([0-9]*\.?[0-9]+(?:e[+-]?\d+)?)\s*([a-z]*)$/i.exec(t);
  if (!m?.[1]) throw new TypeError(`not a byte size: ${JSON.stringify(text)}`);
  const unit = (m[2] ?? '').toLowerCase() || 'b';
  const factor = UNITS[unit];
  if (factor === undefined) throw new TypeError(`unknown byte unit in ${JSON.stringify(text)}`);
  return Math.round(Number(m[1]) * factor);
}

/** Parses `a / b` pairs such as `MemUsage`, `NetIO`, `BlockIO`. */
export function parseBytePair(text: string): [number, number] {
  const [a = '', b = ''] = text.split('/');
  return [parseBytes(a), parseBytes(b)];
}

/** Parses `12.34%`. */
export function parsePercent(text: string): number {
  const t = text.trim().replace(/%$/, '');
  if (t === '' || t === '--') return 0;
  const n = Number(t);
  if (!Number.isFinite(n)) throw new TypeError(`not a percentage: ${JSON.stringify(text)}`);
  return n;
}

/** One line of `docker stats --no-stream --format '{{json .}}'`. */
export interface DockerStatsLine {
  Name: string;
  ID: string;
  CPUPerc: string;
  MemUsage: string;
  NetIO: string;
  BlockIO: string;
}

export interface ParsedStats {
  name: string;
  cpuPercent: number;
  memBytes: number;
  memLimitBytes: number;
  netRxBytes: number;
  netTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
}

/** Parses one JSON line of `docker stats`. */
export function parseStatsLine(line: string): ParsedStats {
  const o = JSON.parse(line) as DockerStatsLine;
  const [memBytes, memLimitBytes] = parseBytePair(o.MemUsage);
  const [netRxBytes, netTxBytes] = parseBytePair(o.NetIO);
  const [blockReadBytes, blockWriteBytes] = parseBytePair(o.BlockIO);
  return {
    name: o.Name,
    cpuPercent: parsePercent(o.CPUPerc),
    memBytes,
    memLimitBytes,
    netRxBytes,
    netTxBytes,
    blockReadBytes,
    blockWriteBytes,
  };
}
