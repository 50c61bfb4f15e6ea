/**
 * `banyandb-perf test`: connect to the target, load the schemas, run the comparison, sample container
 * stats (Docker), measure the disk footprint, write the results and print the report.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BanyanDBClient } from '../../client/index.js';
import { Cluster, type StartedCluster, type StatsSampler } from '../../cluster/index.js';
import { startEmulator } from '../../emulator/index.js';
import { BanyanDBPerfError, ClusterError } from '../../errors.js';
import { DEFAULT_RESULTS_DIR } from '../../report/files.js';
import { formatConsoleReport, writeResults } from '../../report/index.js';
import type { BenchmarkResult, DiskFootprint, Model, TargetInfo } from '../../results.js';
import { SchemaLoader } from '../../schema/index.js';
import { runComparison } from '../../workload/index.js';
import { str } from '../args.js';
import { type CommandContext, EnvironmentError, EXIT } from '../context.js';
import { clusterFlags, type TargetKind, targetFlags, workloadFlags } from './options.js';

/** Interval of container stats sampling during a Docker run (one `docker stats` takes about 2 s itself). */
const STATS_INTERVAL_MS = 2_000;
const MODELS: readonly Model[] = ['stream', 'trace'];

/** Codes meaning "no usable Docker here": the default target then falls back to the emulator. */
const NO_DOCKER = new Set(['DOCKER_NOT_INSTALLED', 'DOCKER_NOT_RUNNING', 'COMPOSE_MISSING']);

/** Picks the target: the flag, else Docker when an engine is reachable, else the in-process emulator. */
async function chooseTarget(ctx: CommandContext, given: TargetKind | undefined): Promise<TargetKind> {
  if (given) return given;
  try {
    await Cluster.detect({ signal: ctx.signal });
    return 'docker';
  } catch (err) {
    if (err instanceof ClusterError && NO_DOCKER.has(err.code)) {
      ctx.io.stderr(
        `banyandb-perf: no Docker engine reachable (${err.message.split('\n')[0]}); using the in-process emulator (--target emulator).\n`,
      );
      return 'emulator';
    }
    throw err;
  }
}

/** Bytes of all files under a directory (0 when it does not exist). */
async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await directoryBytes(p);
    else if (e.isFile()) total += (await stat(p)).size;
  }
  return total;
}

/** Spans acknowledged per model over all repeats (what the data on disk holds, warm-up aside). */
function spansWritten(result: BenchmarkResult): Record<Model, number> {
  const sum = (m: Model) => (result.write[m] ?? []).reduce((n, r) => n + r.spansAcknowledged, 0);
  return { stream: sum('stream'), trace: sum('trace') };
}

/** True when the result holds failures: query mismatches or errors, rejected writes. */
export function hasFailures(result: BenchmarkResult): string[] {
  const problems: string[] = [];
  for (const m of MODELS) {
    const rejected = (result.write[m] ?? []).reduce((n, r) => n + Object.values(r.errorsByStatus ?? {}).reduce((a, b) => a + b, 0), 0);
    if (rejected > 0) problems.push(`${m}: ${rejected} write(s) not acknowledged as STATUS_SUCCEED`);
    const queries = (result.queries[m] ?? []).flat();
    const mismatches = queries.reduce((n, q) => n + (q.mismatches?.length ?? 0), 0);
    if (mismatches > 0) problems.push(`${m}: ${mismatches} query mismatch(es)`);
    const errors = queries.filter((q) => q.status === 'error').length;
    if (errors > 0) problems.push(`${m}: ${errors} query pattern run(s) failed`);
  }
  return problems;
}

/** Runs the benchmark; returns the exit code. `forceTarget` is used by `all` (Docker). */
export async function runTest(ctx: CommandContext, forceTarget?: TargetKind): Promise<number> {
  const tf = targetFlags(ctx.flags);
  const cf = clusterFlags(ctx.flags);
  const wf = workloadFlags(ctx.flags);
  const resultsDir = ctx.path(str(ctx.flags, 'results-dir') ?? DEFAULT_RESULTS_DIR);
  const kind = await chooseTarget(ctx, forceTarget ?? tf.kind);

  const cleanups: (() => Promise<void>)[] = [];
  let cluster: StartedCluster | undefined;
  let sampler: StatsSampler | undefined;
  let watcher: { signal: AbortSignal; stop(): void } | undefined;
  const emulatorDirs: Partial<Record<Model, string>> = {};
  try {
    let target: TargetInfo;
    if (kind === 'docker') {
      const clusterOptions = { ...(cf.image ? { image: cf.image } : {}), keep: cf.keep, signal: ctx.signal, handleSignals: false };
      try {
        cluster = await Cluster.attach(clusterOptions);
        ctx.io.stderr(`banyandb-perf: using the running containers of project ${cluster.projectName} (started by \`up\`; left running).\n`);
      } catch (err) {
        if (!(err instanceof ClusterError) || !err.code.startsWith('CONTAINER_')) throw err;
        ctx.io.stderr('banyandb-perf: starting the Docker cluster...\n');
        cluster = await Cluster.start({ ...clusterOptions, onProgress: (line) => ctx.io.stderr(`  ${line}\n`) });
        const started = cluster;
        cleanups.push(async () => {
          if (cf.keep) ctx.io.stderr(`banyandb-perf: --keep: containers of ${started.projectName} left running.\n`);
          else ctx.io.stderr('banyandb-perf: removing the Docker cluster...\n');
          await started.close();
        });
      }
      target = cluster.target;
    } else if (kind === 'emulator') {
      const addresses = {} as Record<Model, string>;
      for (const m of MODELS) {
        const dir = await mkdtemp(join(tmpdir(), `banyandb-perf-emulator-${m}-`));
        emulatorDirs[m] = dir;
        cleanups.push(() => rm(dir, { recursive: true, force: true }));
        const emu = await startEmulator({ dataPath: dir });
        cleanups.push(() => emu.close());
        addresses[m] = emu.grpcAddress;
      }
      target = {
        kind: 'emulator',
        server: 'emulator',
        description: "banyandb-perf's emulator, in-process (one instance per model on 127.0.0.1), not BanyanDB",
        addresses,
      };
    } else {
      const addresses = tf.addresses!;
      target = {
        kind: 'external',
        server: 'unknown',
        description: `external servers: stream ${addresses.stream}, trace ${addresses.trace}`,
        addresses,
      };
    }

    const clients = {} as Record<Model, BanyanDBClient>;
    for (const m of MODELS) {
      const client = await BanyanDBClient.connect(target.addresses[m], { signal: ctx.signal }).catch((err: unknown) => {
        if (ctx.signal.aborted || !(err instanceof BanyanDBPerfError) || err.code === 'OPTIONS_INVALID') throw err;
        throw new EnvironmentError(err.code, `cannot use the ${m} server at ${target.addresses[m]}: ${err.message}`, { cause: err });
      });
      clients[m] = client;
      cleanups.push(() => client.close());
      ctx.io.stderr(`banyandb-perf: loading the ${m} schema into ${target.addresses[m]}\n`);
      await new SchemaLoader(client, { models: [m] }).load({ models: [m], signal: ctx.signal });
    }

    let signal = ctx.signal;
    if (cluster) {
      watcher = cluster.watch();
      signal = AbortSignal.any([ctx.signal, watcher.signal]);
      sampler = cluster.sampleStats(STATS_INTERVAL_MS);
    }
    const result = await runComparison({
      stream: clients.stream,
      trace: clients.trace,
      target,
      ...withoutUndefined(wf),
      signal,
    });
    watcher?.stop();
    if (sampler) {
      const stats = await sampler.stop();
      sampler = undefined;
      result.containers = { summaries: stats.summaries, samples: stats.samples };
      if (stats.error) ctx.io.stderr(`banyandb-perf: container stats stopped early: ${stats.error.message}\n`);
    }
    const spans = spansWritten(result);
    try {
      if (cluster) result.disk = await cluster.diskFootprint(spans);
      else if (kind === 'emulator') result.disk = await emulatorDisk(emulatorDirs, spans);
    } catch (err) {
      ctx.io.stderr(`banyandb-perf: disk footprint not measured: ${(err as Error).message}\n`);
    }
    if (ctx.signal.aborted || watcher?.signal.aborted) result.partial = true;

    const files = await writeResults(result, resultsDir);
    if (ctx.json) ctx.io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    else ctx.io.stdout(formatConsoleReport(result, { color: ctx.io.color === true }));
    ctx.io.stderr(`banyandb-perf: results written to ${files.jsonPath} and ${files.htmlPath}\n`);

    if (watcher?.signal.aborted) {
      const reason = watcher.signal.reason;
      ctx.io.stderr(`banyandb-perf: a container failed during the run: ${reason instanceof Error ? reason.message : String(reason)}\n`);
      return EXIT.FAILURES;
    }
    if (ctx.signal.aborted) {
      ctx.io.stderr('banyandb-perf: interrupted; the results above are partial.\n');
      return EXIT.INTERRUPTED;
    }
    const problems = hasFailures(result);
    if (problems.length > 0) {
      ctx.io.stderr(`banyandb-perf: the benchmark found failures:\n${problems.map((p) => `  - ${p}\n`).join('')}`);
      return EXIT.FAILURES;
    }
    return EXIT.OK;
  } finally {
    watcher?.stop();
    if (sampler) await sampler.stop().catch(() => undefined);
    for (const f of cleanups.reverse()) {
      try {
        await f();
      } catch (err) {
        ctx.io.stderr(`banyandb-perf: cleanup failed: ${(err as Error).message}\n`);
      }
    }
  }
}

async function emulatorDisk(dirs: Partial<Record<Model, string>>, spans: Record<Model, number>): Promise<DiskFootprint[]> {
  const out: DiskFootprint[] = [];
  for (const m of MODELS) {
    const dir = dirs[m];
    if (!dir) continue;
    const bytes = await directoryBytes(dir);
    out.push({ model: m, bytes, bytesPerSpan: spans[m] > 0 ? bytes / spans[m] : 0 });
  }
  return out;
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
