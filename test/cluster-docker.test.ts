/**
 * The cluster against a real Docker engine, with the emulator image (built offline here).
 * Skips when no engine is reachable, unless BANYANDB_PERF_REQUIRE_DOCKER=1 (CI), then it fails.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { Cluster, type StartedCluster } from '../src/cluster/cluster.js';
import { externalImports } from '../src/cluster/images.js';
import { type ClusterOptions, EMULATOR_IMAGE, type PortSet } from '../src/cluster/options.js';
import { ClusterError } from '../src/errors.js';
import { projectResources } from './helpers/docker.js';
import { freePorts } from './helpers/net.js';

const exec = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const required = process.env.BANYANDB_PERF_REQUIRE_DOCKER === '1';

let skip: string | false = false;
try {
  await Cluster.detect();
} catch (err) {
  if (required) throw new Error(`BANYANDB_PERF_REQUIRE_DOCKER=1 but Docker is not usable: ${(err as Error).message}`, { cause: err });
  skip = `no usable Docker engine (${(err as Error).message.split('\n')[0]}); run scripts/ci-docker.sh`;
}

async function docker(...args: string[]): Promise<string> {
  const { stdout } = await exec('docker', args);
  return stdout.trim();
}

/** Containers, volumes and networks left by a compose project, as one list. */
async function leftovers(project: string): Promise<string[]> {
  const r = await projectResources(project);
  return [...r.containers, ...r.volumes, ...r.networks];
}

async function testOptions(project: string): Promise<ClusterOptions & { ports: Record<'stream' | 'trace', PortSet> }> {
  const p = await freePorts(8);
  return {
    image: 'emulator',
    projectName: project,
    ports: {
      stream: { grpc: p[0]!, http: p[1]!, pprof: p[2]!, metrics: p[3]! },
      trace: { grpc: p[4]!, http: p[5]!, pprof: p[6]!, metrics: p[7]! },
    },
    healthcheck: { intervalMs: 500, startPeriodMs: 1_000, timeoutMs: 3_000, retries: 3 },
    startTimeoutMs: 60_000,
  };
}

/**
 * The emulator bundle for the image: $BANYANDB_PERF_EMULATOR_SCRIPT, else dist/emulator-server.js when it is
 * self-contained, else src/emulator/main.ts bundled whole here with tsup.
 */
async function emulatorScript(dir: string): Promise<string> {
  const given = process.env.BANYANDB_PERF_EMULATOR_SCRIPT;
  if (given) return given;
  const dist = path.join(root, 'dist', 'emulator-server.js');
  if (existsSync(dist) && externalImports(readFileSync(dist, 'utf8')).length === 0) return dist;
  const { build } = await import('tsup');
  await build({
    config: false,
    entry: { 'emulator-server': path.join(root, 'src', 'emulator', 'main.ts') },
    outDir: dir,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    noExternal: [/.*/],
    splitting: false,
    silent: true,
  });
  return path.join(dir, 'emulator-server.js');
}

const project = `bp-test-${process.pid}`;

describe('Cluster on Docker (emulator image)', { skip, timeout: 600_000 }, () => {
  let scratch = '';
  let script = '';
  before(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'banyandb-perf-cluster-test-'));
    script = await emulatorScript(scratch);
  });
  after(async () => {
    for (const p of [
      project,
      `${project}-port`,
      `${project}-img`,
      `${project}-kill`,
      `${project}-oom`,
      `${project}-sigint`,
      `${project}-sigterm`,
    ]) {
      await Cluster.clean({ projectName: p }).catch(() => undefined);
    }
    await rm(scratch, { recursive: true, force: true });
  });

  test('builds the emulator image offline', { timeout: 120_000 }, async () => {
    const name = await Cluster.build({ image: 'emulator', emulatorScript: script });
    assert.equal(name, EMULATOR_IMAGE);
    const entrypoint = await docker('image', 'inspect', '--format', '{{json .Config.Entrypoint}}', EMULATOR_IMAGE);
    assert.deepEqual(JSON.parse(entrypoint), ['/banyand']);
  });

  test('starts, limits, health, stats, disk footprint, logs and removes everything', { timeout: 120_000 }, async (t) => {
    const options = await testOptions(project);
    const cluster: StartedCluster = await Cluster.start({ ...options, emulatorScript: script, onProgress: (l) => t.diagnostic(l) });
    try {
      assert.equal(cluster.target.server, 'emulator');
      assert.equal(cluster.addresses.stream, `127.0.0.1:${options.ports.stream.grpc}`);
      assert.equal(cluster.addresses.trace, `127.0.0.1:${options.ports.trace.grpc}`);

      // The Compose flavour that created the containers: the forced one when BANYANDB_PERF_COMPOSE says (CI runs both).
      const forced = process.env.BANYANDB_PERF_COMPOSE;
      if (forced) assert.equal(cluster.docker.compose.flavour, forced);
      const composeVersion = await docker(
        'inspect',
        '--format',
        '{{index .Config.Labels "com.docker.compose.version"}}',
        cluster.containers.stream,
      );
      t.diagnostic(
        `compose ${cluster.docker.compose.flavour} ${cluster.docker.compose.version} created the containers (label ${composeVersion})`,
      );
      assert.equal(composeVersion.split('.')[0], cluster.docker.compose.flavour === 'v2' ? '2' : '1');
      for (const model of ['stream', 'trace'] as const) {
        const labels = JSON.parse(await docker('inspect', '--format', '{{json .Config.Labels}}', cluster.containers[model])) as Record<
          string,
          string
        >;
        assert.equal(labels['io.banyandb-perf.managed'], 'true');
        assert.equal(labels['io.banyandb-perf.project'], project);
        assert.equal(labels['io.banyandb-perf.model'], model);
        const limits = await docker('inspect', '--format', '{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}}', cluster.containers[model]);
        assert.equal(limits, `${2e9} ${4 * 1024 ** 3}`, `${model} limits`);
        const bound = await docker('port', cluster.containers[model], '17912/tcp');
        assert.equal(bound, cluster.addresses[model]);
      }

      const ps = await cluster.ps();
      assert.deepEqual(
        ps.map((s) => [s.model, s.status, s.health]),
        [
          ['stream', 'running', 'healthy'],
          ['trace', 'running', 'healthy'],
        ],
      );
      const res = await fetch(`http://${cluster.httpAddresses.trace}/api/healthz`, { signal: AbortSignal.timeout(10_000) });
      assert.equal(res.status, 200);

      const sampler = cluster.sampleStats(500);
      // The first sample is in when `ready` resolves: the window starts with the measured work.
      await sampler.ready;
      assert.equal(sampler.samples.length, 2, 'one sample per container once ready');
      const first = await cluster.stats();
      assert.equal(first.length, 2);
      for (const s of first) {
        assert.equal(s.memLimitBytes, 4 * 1024 ** 3);
        assert.ok(s.memBytes > 1024 * 1024, `${s.model} uses some memory`);
      }
      const { summaries, samples, ratios, error } = await sampler.stop();
      assert.equal(error, undefined);
      assert.deepEqual(
        summaries.map((s) => s.model),
        ['stream', 'trace'],
      );
      for (const s of summaries) {
        assert.ok(s.samples >= 1, `${s.model}: ${s.samples} samples`);
        assert.equal(s.memLimitBytes, 4 * 1024 ** 3);
        assert.ok(s.memBytesMax >= s.memBytesAvg && s.memBytesAvg > 0, `${s.model}: memory avg ${s.memBytesAvg}, max ${s.memBytesMax}`);
        assert.ok(s.memPercentOfLimitMax > 0 && s.memPercentOfLimitMax < 100, `${s.model}: ${s.memPercentOfLimitMax}% of the limit`);
      }
      assert.equal(samples.length, summaries[0]!.samples + summaries[1]!.samples);
      assert.equal(typeof ratios.memBytesAvg, 'number');

      const disk = await cluster.diskFootprint({ stream: 1000, trace: 0 });
      assert.deepEqual(
        disk.map((d) => d.model),
        ['stream', 'trace'],
      );
      for (const d of disk) assert.ok(d.bytes >= 4096 && d.bytes % 1024 === 0, `${d.model} volume has a size`);
      assert.equal(disk[0]!.bytesPerSpan, disk[0]!.bytes / 1000);
      assert.equal(disk[1]!.bytesPerSpan, 0);

      const logs = await cluster.logs({ tail: 20 });
      assert.match(logs, /^stream \| .*serving/m);
      assert.match(logs, /^trace \| .*serving/m);
      const traceOnly = await cluster.logs({ tail: 20, service: 'trace' });
      assert.doesNotMatch(traceOnly, /^stream \| /m);
    } finally {
      await cluster.close();
    }
    assert.deepEqual(await leftovers(project), []);
    await assert.rejects(cluster.stats(), (err: unknown) => err instanceof Error && (err as ClusterError).code === 'CLOSED');
  });

  test('a taken host port fails with PORT_IN_USE naming it, before anything starts', { timeout: 120_000 }, async () => {
    const options = await testOptions(`${project}-port`);
    const taken = options.ports.trace.http;
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(taken, '127.0.0.1', resolve));
    try {
      await assert.rejects(
        Cluster.start({ ...options, emulatorScript: script }),
        (err: unknown) =>
          err instanceof ClusterError &&
          err.code === 'PORT_IN_USE' &&
          err.message.includes(String(taken)) &&
          err.service === 'banyandb-trace',
      );
    } finally {
      server.close();
    }
    assert.deepEqual(await leftovers(`${project}-port`), []);
  });

  test('an image that is not present and cannot be pulled fails with IMAGE_MISSING', { timeout: 120_000 }, async () => {
    const options = await testOptions(`${project}-img`);
    await assert.rejects(
      Cluster.start({ ...options, image: { name: 'banyandb-perf-test/does-not-exist:0.0.0' } }),
      (err: unknown) =>
        err instanceof ClusterError && err.code === 'IMAGE_MISSING' && /does-not-exist/.test(err.message) && /emulator/.test(err.message),
    );
    assert.deepEqual(await leftovers(`${project}-img`), []);
  });

  test('a container killed mid-run gives CONTAINER_EXITED, and close() leaves nothing behind', { timeout: 120_000 }, async () => {
    const name = `${project}-kill`;
    const cluster = await Cluster.start({ ...(await testOptions(name)), emulatorScript: script });
    try {
      const watch = cluster.watch(300);
      const sampler = cluster.sampleStats(200);
      await sampler.ready;
      const killedAt = Date.now();
      await docker('kill', cluster.containers.trace);
      const isExited = (err: unknown) => err instanceof ClusterError && err.code === 'CONTAINER_EXITED' && err.service === 'banyandb-trace';
      await assert.rejects(cluster.check(), isExited);
      await assert.rejects(cluster.stats(), isExited);
      await assert.rejects(cluster.diskFootprint({ stream: 1, trace: 1 }), isExited);
      const deadline = Date.now() + 10_000;
      while (!watch.signal.aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.ok(isExited(watch.signal.reason), 'watch() aborts with the container error');
      assert.ok(isExited(watch.models.trace.reason), "the trace model's signal names its container");
      assert.equal(watch.models.stream.aborted, false, 'the stream container still runs');
      watch.stop();
      // The live stream container is still sampled (its model's work goes on); the dead one no longer is.
      const streamSamples = () => sampler.samples.filter((x) => x.model === 'stream' && x.timestampMs > killedAt + 1_000).length;
      while (streamSamples() < 2 && Date.now() < deadline + 20_000) await new Promise((r) => setTimeout(r, 100));
      // No sample of the dead container: its summary keeps the memory limit it ran with.
      const stopStarted = Date.now();
      const stats = await sampler.stop();
      assert.ok(Date.now() - stopStarted < 5_000, `stop() took ${Date.now() - stopStarted} ms`);
      assert.equal(stats.error, undefined, `a dead container does not end the sampling: ${stats.error?.message}`);
      for (const s of stats.samples) assert.ok(s.memLimitBytes > 0, `${s.container} sample at ${s.timestampMs} reads as stopped`);
      assert.ok(
        stats.samples.filter((x) => x.model === 'stream' && x.timestampMs > killedAt + 1_000).length >= 2,
        'the stream container was sampled on after the trace one died',
      );
      const trace = stats.summaries.find((s) => s.model === 'trace');
      assert.equal(trace?.memLimitBytes, 4 * 1024 ** 3);
      assert.ok((trace?.samples ?? 0) > 0);
    } finally {
      await cluster.close();
    }
    assert.deepEqual(await leftovers(name), []);
  });

  test('an instance OOM-killed while starting fails start() with CONTAINER_EXITED and is removed', { timeout: 120_000 }, async () => {
    const name = `${project}-oom`;
    const options = await testOptions(name);
    await assert.rejects(
      Cluster.start({
        ...options,
        emulatorScript: script,
        limits: { trace: { memoryBytes: 8 * 1024 * 1024 } },
        reservations: { memoryBytes: 8 * 1024 * 1024 },
      }),
      (err: unknown) =>
        err instanceof ClusterError &&
        err.code === 'CONTAINER_EXITED' &&
        err.service === 'banyandb-trace' &&
        /OOM-killed/.test(err.message),
    );
    assert.deepEqual(await leftovers(name), []);
  });

  for (const [signal, phase] of [
    ['SIGTERM', 'waiting'],
    ['SIGINT', 'started'],
  ] as const) {
    test(`${signal} while ${phase} tears the cluster down`, { timeout: 120_000 }, async () => {
      const name = `${project}-${signal.toLowerCase()}`;
      const options = await testOptions(name);
      // A long start period keeps the 'waiting' phase open until the signal comes.
      if (phase === 'waiting') options.healthcheck = { ...options.healthcheck, intervalMs: 30_000, startPeriodMs: 30_000 };
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '--input-type=module',
          '-e',
          `import { Cluster } from ${JSON.stringify(path.join(root, 'src', 'cluster', 'cluster.ts'))};
           const options = ${JSON.stringify({ ...options, emulatorScript: script, handleSignals: true })};
           await Cluster.start({ ...options, onProgress: (line) => console.log(line) });
           console.log('started');
           setInterval(() => {}, 1000);`,
        ],
        { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
      await new Promise<void>((resolve, reject) => {
        const marker = phase === 'waiting' ? 'waiting for both instances' : 'started';
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          if (out.includes(marker)) resolve();
        });
        child.stderr.on('data', (b: Buffer) => {
          out += b.toString();
        });
        child.on('exit', () => reject(new Error(`child exited early:\n${out}`)));
      });
      if (phase === 'waiting') assert.ok((await leftovers(name)).length > 0, 'containers exist while waiting');
      child.kill(signal);
      assert.equal(await exited, signal, out);
      assert.deepEqual(await leftovers(name), [], out);
    });
  }
});
