/**
 * The container verbs of the CLI against a real Docker engine with the offline emulator image, in the order a
 * user types them: build, up, ps, stats, logs, test (reusing the running containers), summary, down, clean;
 * then `all` in one go. Skips without an engine unless BANYANDB_PERF_REQUIRE_DOCKER=1 (CI), then it fails.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Cluster } from '../src/cluster/cluster.js';
import type { BenchmarkResult, ContainerStatsSample } from '../src/results.js';
import { type Captured, captureCli } from './helpers/cli.js';
import { benchmarkPassed, projectResources } from './helpers/docker.js';

const PROJECT = 'banyandb-perf'; // the CLI's default Compose project

let skip: string | false = false;
try {
  await Cluster.detect();
} catch (err) {
  if (process.env.BANYANDB_PERF_REQUIRE_DOCKER === '1') throw err;
  skip = `no usable Docker engine (${(err as Error).message.split('\n')[0]})`;
}

const cli = (...argv: string[]): Promise<Captured> => captureCli(argv);

/** A benchmark verb that passed (see benchmarkPassed). */
function passed(r: Captured): void {
  assert.ok(benchmarkPassed(r.code, r.err), `exit ${r.code}\n--- stdout\n${r.out.slice(-3000)}\n--- stderr\n${r.err.slice(-3000)}`);
}

function ok(r: Captured): void {
  assert.equal(r.code, 0, `exit ${r.code}\n--- stdout\n${r.out.slice(-3000)}\n--- stderr\n${r.err.slice(-3000)}`);
}

/** Containers and volumes of the default project. */
async function leftovers(): Promise<{ containers: string[]; volumes: string[] }> {
  const { containers, volumes } = await projectResources(PROJECT);
  return { containers, volumes };
}

describe('CLI container verbs on Docker', { skip, timeout: 900_000 }, () => {
  let results = '';
  /** The first `test` run's result (a second one runs on the same containers). */
  let first: BenchmarkResult;
  before(async () => {
    results = await mkdtemp(path.join(tmpdir(), 'banyandb-perf-cli-docker-'));
    await Cluster.clean({ projectName: PROJECT }).catch(() => undefined);
  });
  after(async () => {
    await Cluster.clean({ projectName: PROJECT }).catch(() => undefined);
    await rm(results, { recursive: true, force: true });
  });

  it('build makes the emulator image', async () => {
    ok(await cli('build', '--image', 'emulator'));
  });

  it('up starts both containers healthy; ps and stats see them', async () => {
    ok(await cli('up', '--image', 'emulator'));
    const ps = await cli('ps', '--json');
    ok(ps);
    const states = JSON.parse(ps.out) as { model: string; status: string; health?: string }[];
    assert.deepEqual(states.map((s) => [s.model, s.status]).sort(), [
      ['stream', 'running'],
      ['trace', 'running'],
    ]);
    const stats = await cli('stats', '--json');
    ok(stats);
    const samples = JSON.parse(stats.out) as ContainerStatsSample[];
    assert.equal(samples.length, 2);
    for (const s of samples) assert.equal(s.memLimitBytes, 4 * 1024 ** 3, `${s.container} memory limit`);
  });

  it('logs shows what the emulator printed when it started serving', async () => {
    const r = await cli('logs', '--service', 'trace', '--tail', '20');
    ok(r);
    assert.match(r.out, /serving gRPC/);
  });

  /** `test` on the containers `up` started: 400 spans, 2 repeats, JSON on stdout. */
  const testOnTheRunningContainers = () =>
    cli('test', '--target', 'docker', '--spans', '400', '--repeats', '2', '--no-progress', '--results-dir', results, '--json');

  it('test reuses the running containers, samples them and leaves them running', async () => {
    const r = await testOnTheRunningContainers();
    passed(r);
    assert.match(r.err, /using the running containers of project banyandb-perf/);
    const result = JSON.parse(r.out) as BenchmarkResult;
    first = result;
    assert.equal(result.target.kind, 'docker');
    assert.equal(result.target.server, 'emulator');
    assert.equal(result.partial, false);
    assert.equal(result.containers?.summaries.length, 2);
    assert.ok((result.containers?.samples.length ?? 0) >= 2);
    assert.equal(result.disk?.length, 2);
    for (const d of result.disk ?? []) assert.ok(d.bytes > 0 && d.bytesPerSpan > 0, `${d.model} disk footprint`);
    const ps = JSON.parse((await cli('ps', '--json')).out) as { status: string }[];
    assert.ok(ps.every((s) => s.status === 'running'));
  });

  it('a second `test` on the same containers passes too: a namespace of its own, its own figures (same seed, same span ids)', async () => {
    assert.ok(first, 'the first test ran');
    const r = await testOnTheRunningContainers();
    // Before, the second run's queries found the first run's spans too (`span count expected 2000, got 2001`).
    passed(r);
    assert.match(r.err, /using the running containers of project banyandb-perf/);
    const second = JSON.parse(r.out) as BenchmarkResult;
    assert.equal(second.partial, false);
    assert.ok(first.target.namespace && second.target.namespace, 'both runs are namespaced');
    assert.notEqual(second.target.namespace, first.target.namespace);
    assert.deepEqual(second.options.spansWritten, { stream: 400, trace: 400 });
    assert.equal(second.target.addresses.stream, first.target.addresses.stream, 'the same containers');
    for (const m of ['stream', 'trace'] as const) {
      const queries = second.queries[m].flat();
      assert.ok(queries.length > 0 && queries.every((q) => q.status === 'ok' || q.status === 'n/a'), m);
      for (const q of queries) assert.deepEqual(q.mismatches, [], `${m} ${q.pattern}`);
      // Warm-up by count (10% of --spans), the rest in two equal repeats, all acknowledged.
      for (const w of second.write[m]) assert.equal(w.spansAcknowledged, (400 - Number(second.options.warmupSpans)) / 2);
    }
    // The disk figure is this run's own group, not the volume the first run also wrote to.
    for (const d of second.disk ?? []) assert.match(d.scope ?? '', new RegExp(`^group \\w+_${second.target.namespace}$`), d.model);
    assert.match(r.err, new RegExp(`deleted this run's stream group stream_performance_test_${second.target.namespace}`));
  });

  it('summary prints the report of the last results, target first', async () => {
    const r = await cli('summary', '--results-dir', results);
    ok(r);
    // The report opens with the tool and the server, then the target.
    assert.match(r.out, /^Target: .*in Docker/m);
    assert.match(r.out, /Containers/);
  });

  it('down removes the containers but keeps the data volumes; clean removes those too', async () => {
    ok(await cli('down'));
    const afterDown = await leftovers();
    assert.deepEqual(afterDown.containers, []);
    assert.equal(afterDown.volumes.length, 2, `data volumes after down: ${afterDown.volumes.join(', ')}`);
    const ps = await cli('ps', '--json');
    const states = JSON.parse(ps.out) as { status: string }[];
    assert.ok(states.every((s) => s.status !== 'running'));
    ok(await cli('clean'));
    assert.deepEqual(await leftovers(), { containers: [], volumes: [] });
  });

  it('all builds, starts, tests and removes everything', async () => {
    const r = await cli('all', '--image', 'emulator', '--spans', '300', '--repeats', '1', '--no-progress', '--results-dir', results);
    passed(r);
    assert.match(r.out, /^Target: banyandb-perf-emulator/m);
    // A project of its own, removed at the end.
    const project = /all: up \+ test \(project (banyandb-perf-[a-z0-9]+)\)/.exec(r.err)?.[1];
    assert.ok(project, r.err);
    assert.match(r.err, new RegExp(`all: down \\(project ${project} removed\\)`));
    assert.deepEqual(await projectResources(project), { containers: [], volumes: [], networks: [] });
  });

  it('a taken host port is exit 3 naming it, for every verb that starts containers (up, test, all), and nothing is left', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const project = `bp-port-${process.pid}`;
    const ports = ['--stream-port', String(port), '--trace-port', String(port + 10)];
    try {
      for (const argv of [
        ['up', '--image', 'emulator', '--project', project, ...ports],
        ['test', '--target', 'docker', '--image', 'emulator', '--project', project, ...ports, '--spans', '100', '--results-dir', results],
        ['all', '--image', 'emulator', '--project', project, ...ports, '--spans', '100', '--results-dir', results],
      ]) {
        const r = await cli(...argv);
        assert.equal(r.code, 3, `${argv[0]}: exit ${r.code}\n${r.err.slice(-2000)}`);
        assert.match(r.err, new RegExp(`host port ${port} .* is already in use`), argv[0]);
        assert.deepEqual(await projectResources(project), { containers: [], volumes: [], networks: [] }, argv[0]);
      }
    } finally {
      server.close();
      await Cluster.clean({ projectName: project }).catch(() => undefined);
    }
  });
});
