/**
 * Flag values → typed options of the cluster and the workloads (validated here, so usage errors come
 * before any work).
 */
import type { PortSet } from '../../cluster/options.js';
import { OptionsError } from '../../errors.js';
import type { ResolvedTargetKind } from '../../targets/target.js';
import { type ResolvedWorkloadOptions, resolveWorkloadOptions, type WorkloadOptions } from '../../workload/options.js';
import { bool, parseAddress, parseChoice, parseDuration, parseInteger, parsePositive, type RawFlags, str } from '../args.js';

/** Image flag → the cluster's image spec. */
export type ImageChoice = 'official' | 'emulator' | { name: string } | { source: string };

/** Cluster-related flags. */
export interface ClusterFlags {
  image: ImageChoice | undefined;
  keep: boolean;
  /** --project, when given. */
  project: string | undefined;
  /** Host ports from --port-offset / --stream-port / --trace-port; undefined when none was given. */
  ports: { portOffset?: number; ports?: { stream?: PortSet; trace?: PortSet } } | undefined;
}

/** Host ports of one container from its gRPC port: HTTP, pprof and metrics take the next three. */
function portRun(flag: string, text: string): PortSet {
  const grpc = parseInteger(flag, text, 1, 65_532);
  return { grpc, http: grpc + 1, pprof: grpc + 2, metrics: grpc + 3 };
}

/** A Compose project name for one run: `banyandb-perf-<time><random>`, never the same twice. */
export function runProjectName(): string {
  return `banyandb-perf-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

export function clusterFlags(flags: RawFlags): ClusterFlags {
  const image = str(flags, 'image');
  const source = str(flags, 'source');
  if (image !== undefined && source !== undefined) {
    throw new OptionsError('--source', '--source and --image exclude each other: --source builds the image from a BanyanDB checkout.');
  }
  let spec: ImageChoice | undefined;
  if (source !== undefined) {
    if (source.trim() === '') throw new OptionsError('--source', '--source expects the directory of a BanyanDB checkout, got "".');
    spec = { source };
  } else if (image !== undefined) {
    if (image === 'official' || image === 'emulator') spec = image;
    else if (/^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/.test(image)) spec = { name: image };
    else
      throw new OptionsError(
        '--image',
        `--image expects official, emulator or an image name such as apache/skywalking-banyandb:0.10.3, got ${JSON.stringify(image)}.`,
      );
  }
  const project = str(flags, 'project');
  if (project !== undefined && !/^[a-z0-9][a-z0-9_-]*$/.test(project)) {
    throw new OptionsError(
      '--project',
      `--project expects lower-case letters, digits, '-' or '_', starting with a letter or digit, got ${JSON.stringify(project)}.`,
    );
  }
  let ports: ClusterFlags['ports'];
  const offset = str(flags, 'port-offset');
  const streamPort = str(flags, 'stream-port');
  const tracePort = str(flags, 'trace-port');
  if (offset !== undefined || streamPort !== undefined || tracePort !== undefined) {
    ports = {};
    if (offset !== undefined) ports.portOffset = parseInteger('--port-offset', offset, 0, 37_000);
    const explicit: { stream?: PortSet; trace?: PortSet } = {};
    if (streamPort !== undefined) explicit.stream = portRun('--stream-port', streamPort);
    if (tracePort !== undefined) explicit.trace = portRun('--trace-port', tracePort);
    if (explicit.stream && explicit.trace && Math.abs(explicit.stream.grpc - explicit.trace.grpc) < 4) {
      throw new OptionsError(
        '--trace-port',
        '--stream-port and --trace-port each take four ports (gRPC, HTTP, pprof, metrics): keep them at least 4 apart.',
      );
    }
    if (explicit.stream || explicit.trace) ports.ports = explicit;
  }
  return { image: spec, keep: bool(flags, 'keep'), project, ports };
}

/** The workload option each workload flag sets (an OptionsError about the option names the flag). */
export const FLAG_OF_OPTION = {
  scale: '--scale',
  spans: '--spans',
  durationMs: '--duration',
  concurrency: '--concurrency',
  batchSize: '--batch-size',
  ratePerSec: '--rate',
  warmupSpans: '--warmup',
  batchTimeoutMs: '--write-timeout',
  stallTimeoutMs: '--stall-timeout',
  queryTimeoutMs: '--query-timeout',
  repeats: '--repeats',
  seed: '--seed',
} as const satisfies Partial<Record<keyof WorkloadOptions, string>>;

/** Workload-related flags: the options given (the workload resolves the defaults and checks the rules). */
export interface WorkloadFlags {
  options: Pick<WorkloadOptions, keyof typeof FLAG_OF_OPTION>;
  /** False with --no-progress. */
  progress: boolean;
  /** --progress-interval, ms. */
  progressIntervalMs: number | undefined;
}

/** Parses the workload flags' values; the rules between them (e.g. --rate needs --duration) are the workload's. */
export function workloadFlags(flags: RawFlags): WorkloadFlags {
  const o: WorkloadFlags['options'] = {};
  const v = (name: string) => str(flags, name);
  if (v('scale') !== undefined) o.scale = parseChoice('--scale', v('scale')!, ['small', 'medium', 'large'] as const);
  if (v('spans') !== undefined) o.spans = parseInteger('--spans', v('spans')!, 1);
  if (v('duration') !== undefined) o.durationMs = parseDuration('--duration', v('duration')!);
  if (v('concurrency') !== undefined) o.concurrency = parseInteger('--concurrency', v('concurrency')!, 1, 1024);
  if (v('batch-size') !== undefined) o.batchSize = parseInteger('--batch-size', v('batch-size')!, 1, 100_000);
  if (v('rate') !== undefined) o.ratePerSec = parsePositive('--rate', v('rate')!);
  if (v('warmup') !== undefined) o.warmupSpans = parseInteger('--warmup', v('warmup')!, 0);
  for (const [flag, key] of [
    ['write-timeout', 'batchTimeoutMs'],
    ['stall-timeout', 'stallTimeoutMs'],
    ['query-timeout', 'queryTimeoutMs'],
  ] as const) {
    const text = v(flag);
    if (text === undefined) continue;
    const ms = parseDuration(`--${flag}`, text);
    if (ms === 0) throw new OptionsError(`--${flag}`, `--${flag} expects a duration above 0, such as 10s.`);
    o[key] = ms;
  }
  if (v('repeats') !== undefined) o.repeats = parseInteger('--repeats', v('repeats')!, 1, 1000);
  if (v('seed') !== undefined) o.seed = parseInteger('--seed', v('seed')!, 0, 2 ** 32 - 1);
  const interval = v('progress-interval');
  const progressIntervalMs = interval === undefined ? undefined : parseDuration('--progress-interval', interval);
  if (progressIntervalMs === 0)
    throw new OptionsError('--progress-interval', '--progress-interval expects a duration above 0, such as 5s.');
  return { options: o, progress: !bool(flags, 'no-progress'), progressIntervalMs };
}

/**
 * Resolves the workload options from the flags, once (the result goes to runComparison as it is). An OptionsError
 * about an option is re-worded for the command line: option names become the flags that set them.
 */
export function resolveWorkloadFlags(wf: WorkloadFlags, extra: Pick<WorkloadOptions, 'onProgress' | 'signal'>): ResolvedWorkloadOptions {
  try {
    return resolveWorkloadOptions({ ...wf.options, ...extra, progress: false }, undefined, 'banyandb-perf test');
  } catch (err) {
    if (!(err instanceof OptionsError)) throw err;
    const root = err.option.split('.')[0] as keyof typeof FLAG_OF_OPTION;
    let message = err.message;
    // camelCase names are the options wherever they stand; plain words (spans, repeats) only as `spans (5000)`.
    for (const [option, flag] of Object.entries(FLAG_OF_OPTION)) {
      message = message.replace(new RegExp(`\\b${option}\\b${/[A-Z]/.test(option) ? '' : '(?= \\()'}`, 'g'), flag);
    }
    throw new OptionsError(FLAG_OF_OPTION[root] ?? err.option, message, { cause: err });
  }
}

/** --target and the external addresses. `undefined` kind: decide by detecting Docker. */
export interface TargetFlags {
  kind: ResolvedTargetKind | undefined;
  addresses?: { stream: string; trace: string };
}

export function targetFlags(flags: RawFlags): TargetFlags {
  const t = str(flags, 'target');
  let kind = t === undefined ? undefined : parseChoice('--target', t, ['docker', 'emulator', 'external'] as const);
  const s = str(flags, 'stream-addr');
  const r = str(flags, 'trace-addr');
  if (s !== undefined || r !== undefined) {
    if (kind !== undefined && kind !== 'external') {
      throw new OptionsError(
        s !== undefined ? '--stream-addr' : '--trace-addr',
        `--stream-addr/--trace-addr only apply to --target external, not --target ${kind}.`,
      );
    }
    kind = 'external';
  }
  if (kind === 'external' || kind === 'emulator') {
    const docker = ['project', 'port-offset', 'stream-port', 'trace-port'].find((f) => str(flags, f) !== undefined);
    if (docker) throw new OptionsError(`--${docker}`, `--${docker} only applies to --target docker, not --target ${kind}.`);
  }
  if (kind === 'external') {
    if (s === undefined)
      throw new OptionsError('--stream-addr', '--target external needs --stream-addr <host:port> (the stream-model server).');
    if (r === undefined)
      throw new OptionsError('--trace-addr', '--target external needs --trace-addr <host:port> (the trace-model server).');
    return { kind, addresses: { stream: parseAddress('--stream-addr', s), trace: parseAddress('--trace-addr', r) } };
  }
  if (kind === 'emulator') {
    if (str(flags, 'image') !== undefined || str(flags, 'source') !== undefined) {
      throw new OptionsError(
        str(flags, 'image') !== undefined ? '--image' : '--source',
        `--image/--source only apply to --target docker, not --target ${kind}.`,
      );
    }
  }
  return { kind };
}
