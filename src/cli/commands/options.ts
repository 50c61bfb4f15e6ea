/**
 * Flag values → typed options of the cluster and the workloads (validated here, so usage errors come
 * before any work).
 */
import { OptionsError } from '../../errors.js';
import type { ResolvedTargetKind } from '../../targets/target.js';
import { bool, parseAddress, parseChoice, parseDuration, parseInteger, parsePositive, type RawFlags, str } from '../args.js';

/** Image flag → the cluster's image spec. */
export type ImageChoice = 'official' | 'emulator' | { name: string } | { source: string };

/** Cluster-related flags. */
export interface ClusterFlags {
  image: ImageChoice | undefined;
  keep: boolean;
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
  return { image: spec, keep: bool(flags, 'keep') };
}

/** Workload-related flags, only those given (the workload resolves the defaults). */
export interface WorkloadFlags {
  scale?: 'small' | 'medium' | 'large';
  spans?: number;
  durationMs?: number;
  concurrency?: number;
  batchSize?: number;
  ratePerSec?: number;
  warmupMs?: number;
  repeats?: number;
  seed?: number;
  progress: boolean | 'auto';
}

export function workloadFlags(flags: RawFlags): WorkloadFlags {
  const out: WorkloadFlags = { progress: bool(flags, 'no-progress') ? false : 'auto' };
  const v = (name: string) => str(flags, name);
  if (v('scale') !== undefined) out.scale = parseChoice('--scale', v('scale')!, ['small', 'medium', 'large'] as const);
  if (v('spans') !== undefined) out.spans = parseInteger('--spans', v('spans')!, 1);
  if (v('duration') !== undefined) out.durationMs = parseDuration('--duration', v('duration')!);
  if (out.durationMs === 0) throw new OptionsError('--duration', '--duration expects a duration above 0, such as 30s.');
  if (v('concurrency') !== undefined) out.concurrency = parseInteger('--concurrency', v('concurrency')!, 1, 1024);
  if (v('batch-size') !== undefined) out.batchSize = parseInteger('--batch-size', v('batch-size')!, 1, 100_000);
  if (v('rate') !== undefined) {
    out.ratePerSec = parsePositive('--rate', v('rate')!);
    if (out.durationMs === undefined)
      throw new OptionsError('--rate', '--rate (open loop) needs --duration, e.g. --rate 5000 --duration 30s.');
  }
  if (v('warmup') !== undefined) out.warmupMs = parseDuration('--warmup', v('warmup')!);
  if (v('repeats') !== undefined) out.repeats = parseInteger('--repeats', v('repeats')!, 1, 1000);
  if (v('seed') !== undefined) out.seed = parseInteger('--seed', v('seed')!, 0, 2 ** 32 - 1);
  return out;
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
