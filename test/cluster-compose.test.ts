import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { Cluster, checkPortsFree, StartedCluster } from '../src/cluster/cluster.js';
import { composeBytes, composeDuration, toYaml, type YamlValue } from '../src/cluster/compose.js';
import { detectCompose, detectDocker, parseBytePair, parseBytes, parsePercent, parseStatsLine, portInUse } from '../src/cluster/docker.js';
import { resolveClusterOptions } from '../src/cluster/options.js';
import { statsRatios, summarizeStats } from '../src/cluster/stats.js';
import { ClosedError, ClusterError, OptionsError } from '../src/errors.js';
import type { ContainerStatsSample } from '../src/results.js';
import { freePorts } from './helpers/net.js';

interface ServiceDoc {
  image: string;
  container_name: string;
  command: string[];
  volumes: string[];
  ports: string[];
  networks: string[];
  deploy: { resources: { limits: { cpus: string; memory: string }; reservations: { cpus: string; memory: string } } };
  healthcheck: { test: string[]; interval: string; timeout: string; retries: number; start_period: string };
}
interface ComposeDoc {
  version: string;
  services: Record<string, ServiceDoc>;
  volumes: Record<string, unknown>;
  networks: Record<string, unknown>;
}

const root = path.resolve(import.meta.dirname, '..');

describe('Cluster.renderCompose', () => {
  test('docker/docker-compose.yml is the rendering of the defaults', async () => {
    const file = await readFile(path.join(root, 'docker', 'docker-compose.yml'), 'utf8');
    assert.equal(file, Cluster.renderCompose());
  });

  test('defaults reproduce the original topology', () => {
    const doc = parse(Cluster.renderCompose()) as ComposeDoc;
    assert.equal(doc.version, '3.8');
    assert.deepEqual(Object.keys(doc.services), ['banyandb-stream', 'banyandb-trace']);
    const stream = doc.services['banyandb-stream']!;
    const trace = doc.services['banyandb-trace']!;
    assert.equal(stream.image, 'apache/skywalking-banyandb:0.10.3');
    assert.deepEqual(stream.ports, ['127.0.0.1:17912:17912', '127.0.0.1:17913:17913', '127.0.0.1:6060:6060', '127.0.0.1:2121:2121']);
    assert.deepEqual(trace.ports, ['127.0.0.1:27912:17912', '127.0.0.1:27913:17913', '127.0.0.1:16060:6060', '127.0.0.1:12121:2121']);
    assert.deepEqual(stream.volumes, ['stream-data:/data']);
    assert.deepEqual(trace.volumes, ['trace-data:/data']);
    assert.equal(stream.command[0], 'standalone');
    assert.ok(stream.command.includes('--stream-root-path=/data'), stream.command.join(' '));
    assert.ok(trace.command.includes('--trace-root-path=/data'), trace.command.join(' '));
    for (const svc of [stream, trace]) {
      assert.deepEqual(svc.deploy.resources.limits, { cpus: '2.0', memory: '4G' });
      assert.deepEqual(svc.deploy.resources.reservations, { cpus: '1.0', memory: '2G' });
      assert.deepEqual(svc.networks, ['banyandb-network']);
      assert.deepEqual(svc.healthcheck, {
        test: ['CMD', 'wget', '-q', '--spider', 'http://localhost:17913/api/healthz'],
        interval: '10s',
        timeout: '5s',
        retries: 5,
        start_period: '30s',
      });
    }
    assert.equal(stream.container_name, 'banyandb-perf-banyandb-stream');
    assert.deepEqual(Object.keys(doc.volumes), ['stream-data', 'trace-data']);
    assert.deepEqual(doc.networks, {
      'banyandb-network': { driver: 'bridge', labels: { 'io.banyandb-perf.managed': 'true', 'io.banyandb-perf.project': 'banyandb-perf' } },
    });
  });

  test('every container and volume carries banyandb-perf labels naming the project and the model', () => {
    const doc = parse(Cluster.renderCompose({ projectName: 'bp-x' })) as ComposeDoc & {
      services: Record<string, { labels?: Record<string, string> }>;
      volumes: Record<string, { labels?: Record<string, string> }>;
    };
    for (const model of ['stream', 'trace'] as const) {
      const labels = { 'io.banyandb-perf.managed': 'true', 'io.banyandb-perf.project': 'bp-x', 'io.banyandb-perf.model': model };
      assert.deepEqual(doc.services[`banyandb-${model}`]?.labels, labels);
      assert.deepEqual(doc.volumes[`${model}-data`]?.labels, labels);
    }
  });

  test("ports: a port offset shifts every default port; 'free' leaves the choice to start()", () => {
    const shifted = resolveClusterOptions({ portOffset: 100 });
    assert.deepEqual(shifted.ports.stream, { grpc: 18012, http: 18013, pprof: 6160, metrics: 2221 });
    assert.deepEqual(shifted.ports.trace, { grpc: 28012, http: 28013, pprof: 16160, metrics: 12221 });
    assert.equal(resolveClusterOptions({ portOffset: 100, ports: { trace: { grpc: 40000 } } }).ports.trace.grpc, 40000);
    assert.equal(resolveClusterOptions({ ports: 'free' }).freePorts, true);
    assert.throws(() => resolveClusterOptions({ portOffset: -1 }), /portOffset/);
    assert.throws(() => resolveClusterOptions({ portOffset: 50_000 }), /portOffset/);
  });

  test('options change image, names, bind host, ports, limits and health check', () => {
    const doc = parse(
      Cluster.renderCompose({
        image: 'emulator',
        projectName: 'perf-x',
        bindHost: '0.0.0.0',
        ports: { trace: { grpc: 37912 } },
        limits: { cpus: 1.5, trace: { memoryBytes: 3 * 1024 ** 3 + 512 * 1024 ** 2 } },
        reservations: { cpus: 0.5, memoryBytes: 512 * 1024 ** 2 },
        healthcheck: { intervalMs: 500, startPeriodMs: 0 },
        extraArgs: ['--logging-level=debug'],
      }),
    ) as ComposeDoc;
    const stream = doc.services['banyandb-stream']!;
    const trace = doc.services['banyandb-trace']!;
    assert.equal(stream.image, 'banyandb-perf-emulator:latest');
    assert.equal(trace.container_name, 'perf-x-banyandb-trace');
    assert.equal(trace.ports[0], '0.0.0.0:37912:17912');
    assert.equal(trace.ports[1], '0.0.0.0:27913:17913');
    assert.deepEqual(stream.deploy.resources.limits, { cpus: '1.5', memory: '4G' });
    assert.deepEqual(trace.deploy.resources.limits, { cpus: '1.5', memory: '3584M' });
    assert.deepEqual(trace.deploy.resources.reservations, { cpus: '0.5', memory: '512M' });
    assert.equal(stream.healthcheck.interval, '500ms');
    assert.equal(stream.healthcheck.start_period, '0s');
    assert.equal(stream.command.at(-1), '--logging-level=debug');
    assert.equal(Cluster.renderCompose({ image: { name: 'my/banyandb:dev' } }).includes('image: my/banyandb:dev'), true);
  });
});

describe('option validation', () => {
  const bad: Array<[string, Parameters<typeof resolveClusterOptions>[0]]> = [
    ['projectName', { projectName: 'Bad Name' }],
    ['ports.trace.grpc', { ports: { trace: { grpc: 17912 } } }],
    ['ports.stream.http', { ports: { stream: { http: 70_000 } } }],
    ['limits.stream.cpus', { limits: { stream: { cpus: 0 } } }],
    ['limits.trace.memoryBytes', { limits: { trace: { memoryBytes: 1024 } } }],
    ['reservations.stream', { reservations: { cpus: 3 } }],
    ['healthcheck.intervalMs', { healthcheck: { intervalMs: 1.5 } }],
    ['image', { image: 'latest' as never }],
    ['bindHost', { bindHost: '' }],
    ['startTimeoutMs', { startTimeoutMs: -1 }],
  ];
  for (const [option, options] of bad) {
    test(`rejects a bad ${option}`, () => {
      assert.throws(
        () => resolveClusterOptions(options),
        (err: unknown) => err instanceof OptionsError && err.option === option && err.code === 'OPTIONS_INVALID',
      );
    });
  }
  test('per-model overrides win over the shared value', () => {
    const r = resolveClusterOptions({ limits: { cpus: 3, stream: { cpus: 4 } } });
    assert.equal(r.limits.stream.cpus, 4);
    assert.equal(r.limits.trace.cpus, 3);
    assert.equal(r.limits.trace.memoryBytes, 4 * 1024 ** 3);
  });
});

describe('YAML emitter', () => {
  test('round-trips awkward values through a YAML parser', () => {
    const value: YamlValue = {
      plain: 'abc',
      colon: 'a: b',
      hash: 'x #y',
      bool: 'true',
      yes: 'yes',
      num: '0123',
      float: '1.0',
      dash: '-q',
      empty: '',
      quote: 'say "hi"',
      newline: 'a\nb',
      n: 3.5,
      t: false,
      nil: null,
      list: ['a', 1, { k: 'v', l: ['x'] }, [], {}],
      nested: { 'key with space': { deep: [['a', 'b']] } },
    };
    assert.deepEqual(parse(toYaml(value)), value);
  });
  test('durations and sizes in Compose units', () => {
    assert.equal(composeDuration(10_000), '10s');
    assert.equal(composeDuration(1_500), '1500ms');
    assert.equal(composeBytes(4 * 1024 ** 3), '4G');
    assert.equal(composeBytes(1536 * 1024 ** 2), '1536M');
    assert.equal(composeBytes(6 * 1024 ** 2 + 1), `${6 * 1024 ** 2 + 1}b`);
  });
});

describe('docker stats parsing', () => {
  test('byte units: decimal and binary', () => {
    assert.equal(parseBytes('1.5GiB'), 1.5 * 1024 ** 3);
    assert.equal(parseBytes('12.3kB'), 12_300);
    assert.equal(parseBytes('1.2MB'), 1_200_000);
    assert.equal(parseBytes('512KiB'), 512 * 1024);
    assert.equal(parseBytes('0B'), 0);
    assert.equal(parseBytes('17B'), 17);
    assert.equal(parseBytes('--'), 0);
    assert.throws(() => parseBytes('12 parsecs'), TypeError);
    assert.deepEqual(parseBytePair('45.1MiB / 4GiB'), [Math.round(45.1 * 1024 ** 2), 4 * 1024 ** 3]);
    assert.equal(parsePercent('152.31%'), 152.31);
  });
  test('one JSON line', () => {
    const s = parseStatsLine(
      JSON.stringify({
        BlockIO: '1.2MB / 3.4GB',
        CPUPerc: '7.83%',
        Container: 'abc',
        ID: 'abc',
        MemPerc: '1.62%',
        MemUsage: '66.17MiB / 4GiB',
        Name: 'p-banyandb-trace',
        NetIO: '1.47kB / 396B',
        PIDs: '11',
      }),
    );
    assert.deepEqual(s, {
      name: 'p-banyandb-trace',
      cpuPercent: 7.83,
      memBytes: Math.round(66.17 * 1024 ** 2),
      memLimitBytes: 4 * 1024 ** 3,
      netRxBytes: 1470,
      netTxBytes: 396,
      blockReadBytes: 1_200_000,
      blockWriteBytes: 3_400_000_000,
    });
  });
  test('summaries ignore samples taken after the container stopped (no memory limit, counters reset)', () => {
    const at = (t: number, memLimitBytes: number, io: number): ContainerStatsSample => ({
      container: 'c-trace',
      model: 'trace',
      timestampMs: t,
      cpuPercent: memLimitBytes ? 50 : 0,
      memBytes: memLimitBytes ? 500 : 0,
      memLimitBytes,
      netRxBytes: io,
      netTxBytes: io,
      blockReadBytes: io,
      blockWriteBytes: io,
    });
    const s = summarizeStats([at(1000, 4096, 100), at(3000, 4096, 900), at(5000, 0, 0)], 'c-trace', 'trace');
    assert.equal(s.samples, 2);
    assert.equal(s.memLimitBytes, 4096);
    assert.equal(s.netRxBytes, 800);
    assert.equal(s.cpuPercentAvg, 50);
    assert.equal(s.windowMs, 2000);
  });
  test('summaries end at the container stop, by rule: its stop time, or counters that went back, whatever the limit reads', () => {
    // A dying container can still read with its memory limit (a sample in flight at the kill): the limit alone
    // cannot tell. Counters reset, or a sample taken after the known stop time, end the window.
    const at = (t: number, mem: number, io: number): ContainerStatsSample => ({
      container: 'c-trace',
      model: 'trace',
      timestampMs: t,
      cpuPercent: mem > 0 ? 40 : 0,
      memBytes: mem,
      memLimitBytes: 4096,
      netRxBytes: io,
      netTxBytes: io,
      blockReadBytes: io,
      blockWriteBytes: io,
    });
    const series = [at(1000, 500, 100), at(3000, 700, 900), at(5000, 0, 0), at(7000, 0, 0)];
    const reset = summarizeStats(series, 'c-trace', 'trace');
    assert.deepEqual(
      [reset.samples, reset.netRxBytes, reset.memLimitBytes, reset.memBytesAvg, reset.cpuPercentAvg, reset.windowMs],
      [2, 800, 4096, 600, 40, 2000],
    );
    // Known stop time: samples taken at or after it are left out even when their counters kept growing.
    const grown = [at(1000, 500, 100), at(3000, 700, 900), at(5000, 700, 950)];
    const stopped = summarizeStats(grown, 'c-trace', 'trace', { stoppedAtMs: 4000 });
    assert.deepEqual([stopped.samples, stopped.netRxBytes, stopped.windowMs], [2, 800, 2000]);
    assert.equal(summarizeStats(grown, 'c-trace', 'trace').samples, 3, 'no stop time: every sample counts');
  });
  test('summaries use deltas of the cumulative counters and ratios are stream ÷ trace', () => {
    const sample = (model: 'stream' | 'trace', t: number, cpu: number, mem: number, io: number): ContainerStatsSample => ({
      container: `c-${model}`,
      model,
      timestampMs: t,
      cpuPercent: cpu,
      memBytes: mem,
      memLimitBytes: 1000,
      netRxBytes: io,
      netTxBytes: io * 2,
      blockReadBytes: io * 3,
      blockWriteBytes: io * 4,
    });
    const samples = [
      sample('stream', 1000, 10, 100, 50),
      sample('trace', 1000, 20, 400, 0),
      sample('stream', 3000, 30, 300, 150),
      sample('trace', 3000, 40, 600, 100),
    ];
    const s = summarizeStats(samples, 'c-stream', 'stream');
    assert.deepEqual(s, {
      container: 'c-stream',
      model: 'stream',
      samples: 2,
      windowMs: 2000,
      cpuPercentAvg: 20,
      cpuPercentMax: 30,
      memBytesAvg: 200,
      memBytesMax: 300,
      memLimitBytes: 1000,
      memPercentOfLimitMax: 30,
      netRxBytes: 100,
      netTxBytes: 200,
      blockReadBytes: 300,
      blockWriteBytes: 400,
    });
    const t = summarizeStats(samples, 'c-trace', 'trace');
    const r = statsRatios([s, t]);
    assert.equal(r.cpuPercentAvg, 20 / 30);
    assert.equal(r.memBytesMax, 300 / 600);
    assert.equal(r.netRxBytes, 1);
    assert.equal(statsRatios([s]).cpuPercentAvg, null);
    assert.equal(summarizeStats([], 'none', 'trace').samples, 0);
  });
});

describe('error mapping', () => {
  test('port-in-use messages of the engine and both Compose flavours name the port', () => {
    assert.equal(
      portInUse(
        'Error response from daemon: driver failed programming external connectivity: Bind for 127.0.0.1:27912 failed: port is already allocated',
      ),
      27912,
    );
    assert.equal(portInUse('Error starting userland proxy: listen tcp4 127.0.0.1:41012: bind: address already in use'), 41012);
    assert.equal(portInUse('no such image'), undefined);
  });
  test('a port taken on the bind host is reported before anything starts', async () => {
    const free = await freePorts(7);
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const resolved = resolveClusterOptions({
        projectName: 'unused',
        ports: {
          stream: { grpc: free[0]!, http: free[1]!, pprof: free[2]!, metrics: free[3]! },
          trace: { grpc: free[4]!, http: port, pprof: free[5]!, metrics: free[6]! },
        },
      });
      await assert.rejects(
        checkPortsFree(resolved),
        (err: unknown) =>
          err instanceof ClusterError &&
          err.code === 'PORT_IN_USE' &&
          err.message.includes(`host port ${port} (ports.trace.http`) &&
          err.service === 'banyandb-trace',
      );
    } finally {
      server.close();
    }
  });
});

describe('Docker and Compose detection (fake PATH)', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'banyandb-perf-fakepath-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  async function fake(sub: string, name: string, body: string): Promise<string> {
    const d = path.join(dir, sub);
    await import('node:fs/promises').then((fs) => fs.mkdir(d, { recursive: true }));
    const p = path.join(d, name);
    await writeFile(p, `#!/bin/sh\n${body}\n`);
    await chmod(p, 0o755);
    return d;
  }

  test('prefers the v2 plugin', async () => {
    const d = await fake('v2', 'docker', 'if [ "$1 $2 $3" = "compose version --short" ]; then echo 2.29.7; exit 0; fi; exit 1');
    await fake('v2', 'docker-compose', 'echo 1.29.2');
    const c = await detectCompose({ env: { PATH: d } });
    assert.deepEqual(c, { flavour: 'v2', version: '2.29.7', command: ['docker', 'compose'] });
  });
  test('falls back to docker-compose v1', async () => {
    const d = await fake('v1', 'docker', 'echo "docker: unknown command: docker compose" >&2; exit 1');
    await fake('v1', 'docker-compose', 'if [ "$1 $2" = "version --short" ]; then echo 1.29.2; exit 0; fi; exit 3');
    const c = await detectCompose({ env: { PATH: d } });
    assert.deepEqual(c, { flavour: 'v1', version: '1.29.2', command: ['docker-compose'] });
  });
  test('BANYANDB_PERF_COMPOSE forces a flavour: v1 even where the v2 plugin exists, and says when it is missing', async () => {
    const d = await fake('both', 'docker', 'if [ "$1 $2 $3" = "compose version --short" ]; then echo 2.29.7; exit 0; fi; exit 1');
    await fake('both', 'docker-compose', 'echo 1.29.2');
    assert.equal((await detectCompose({ env: { PATH: d, BANYANDB_PERF_COMPOSE: 'v1' } })).flavour, 'v1');
    assert.equal((await detectCompose({ env: { PATH: d, BANYANDB_PERF_COMPOSE: 'v2' } })).flavour, 'v2');
    const onlyV1 = await fake('onlyv1', 'docker-compose', 'echo 1.29.2');
    await assert.rejects(
      detectCompose({ env: { PATH: onlyV1, BANYANDB_PERF_COMPOSE: 'v2' } }),
      (err: unknown) => err instanceof ClusterError && err.code === 'COMPOSE_MISSING' && /BANYANDB_PERF_COMPOSE=v2/.test(err.message),
    );
    await assert.rejects(detectCompose({ env: { PATH: d, BANYANDB_PERF_COMPOSE: 'v3' } }), OptionsError);
  });
  test('COMPOSE_MISSING when neither exists', async () => {
    const d = await fake('none', 'docker', 'exit 1');
    await assert.rejects(
      detectCompose({ env: { PATH: d } }),
      (err: unknown) => err instanceof ClusterError && err.code === 'COMPOSE_MISSING',
    );
  });
  test('DOCKER_NOT_INSTALLED without a docker CLI', async () => {
    await assert.rejects(
      detectDocker({ env: { PATH: path.join(dir, 'empty') } }),
      (err: unknown) => err instanceof ClusterError && err.code === 'DOCKER_NOT_INSTALLED',
    );
  });
  test('DOCKER_NOT_RUNNING when the engine does not answer', async () => {
    const d = await fake(
      'down',
      'docker',
      'echo \'{"Client":{"Version":"28.2.2"},"Server":null}\'; echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1',
    );
    await assert.rejects(
      detectDocker({ env: { PATH: d } }),
      (err: unknown) => err instanceof ClusterError && err.code === 'DOCKER_NOT_RUNNING',
    );
  });
});

describe('StartedCluster.close()', () => {
  /** A started cluster over a Compose project stand-in that records its `down` calls (no Docker involved). */
  function startedWith(down: (volumes: boolean) => Promise<void>, keep = false): { cluster: StartedCluster; unregistered: () => number } {
    let unregistered = 0;
    const project = { flavour: { command: ['docker', 'compose'] }, file: '/nonexistent/compose.yaml', project: 'bp-close-test', down };
    const info = { clientVersion: '0', serverVersion: '0', apiVersion: '0', os: 'linux', arch: 'x64', compose: project.flavour };
    const cluster = new StartedCluster(
      resolveClusterOptions({ projectName: 'bp-close-test', keep }),
      info as unknown as ConstructorParameters<typeof StartedCluster>[1],
      project as unknown as ConstructorParameters<typeof StartedCluster>[2],
      () => void unregistered++,
    );
    return { cluster, unregistered: () => unregistered };
  }

  test('twice concurrently runs compose down once, and both callers wait for it to end', async () => {
    const downs: boolean[] = [];
    let finished = false;
    const { cluster, unregistered } = startedWith(async (volumes) => {
      downs.push(volumes);
      await new Promise((r) => setTimeout(r, 50));
      finished = true;
    });
    const first = cluster.close();
    const second = cluster.close();
    await second;
    assert.equal(finished, true, 'the second caller returned before compose down ended');
    await first;
    await cluster.close();
    assert.deepEqual(downs, [true], 'compose down --volumes, once');
    assert.equal(unregistered(), 1);
  });

  test('a failed compose down is the error of every concurrent caller; a closed cluster says so when used', async () => {
    const { cluster } = startedWith(async () => {
      await new Promise((r) => setTimeout(r, 10));
      throw new ClusterError('DOCKER_FAILED', 'compose down failed');
    });
    const results = await Promise.allSettled([cluster.close(), cluster.close()]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    const { cluster: kept } = startedWith(async () => assert.fail('keep: nothing is removed'), true);
    await Promise.all([kept.close(), kept.close()]);
    await assert.rejects(kept.diskFootprint({ stream: 1, trace: 1 }), ClosedError);
  });
});
