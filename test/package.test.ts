/**
 * The published tarball: `npm pack`, install it into a fresh project, and use it the ways a user does —
 * ESM import, CommonJS require, TypeScript types (NodeNext), the bin — and check nothing internal leaks.
 * Needs `npm run build` first (`npm test` does it).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const PUBLIC_CLASSES = ['BanyanDBClient', 'Cluster', 'SchemaLoader', 'StreamWorkload', 'TraceWorkload', 'SpanGenerator', 'OpenTarget'];
/** The subpath entries (package.json `exports`), each with names it must export and names that belong elsewhere. */
const SUBPATHS: Record<string, { has: string[]; not: string[] }> = {
  'banyandb-perf/emulator': { has: ['startEmulator', 'DEFAULT_EMULATOR_HOST'], not: ['BanyanDBClient', 'runCli'] },
  'banyandb-perf/cli': { has: ['runCli', 'EXIT'], not: ['startEmulator', 'BanyanDBClient'] },
  'banyandb-perf/internals': {
    has: ['welchTTest', 'LatencyRecorder', 'ThroughputSeries', 'detectDocker', 'resolveWorkloadOptions', 'DEFAULT_BATCH_SIZE'],
    not: ['BanyanDBClient', 'startEmulator', 'runCli'],
  },
};
/** Names the tiers moved off the root entry. */
const NOT_AT_ROOT = ['runCli', 'EXIT', 'startEmulator', 'detectDocker', 'welchTTest', 'LatencyRecorder', 'resolveWorkloadOptions'];

describe('the published package', { timeout: 300_000 }, () => {
  let dir = '';
  let tarball = '';

  before(async () => {
    assert.ok(existsSync(path.join(root, 'dist', 'index.js')), 'dist/ is missing: run npm run build first');
    dir = await mkdtemp(path.join(tmpdir(), 'banyandb-perf-pkg-'));
    const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root });
    const packed = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    tarball = path.join(dir, packed[0]!.filename);
    const files = packed[0]!.files.map((f) => f.path);
    // what ships: the bundles, the default schema, the Docker files and protos; no sources or tests
    for (const f of [
      'dist/index.js',
      'dist/index.cjs',
      'dist/index.d.ts',
      'dist/index.d.cts',
      ...['emulator', 'cli-runner', 'internals'].flatMap((e) => [`dist/${e}.js`, `dist/${e}.cjs`, `dist/${e}.d.ts`, `dist/${e}.d.cts`]),
      'dist/cli.js',
      'dist/emulator-server.js',
      'dist/producer-worker.js',
    ]) {
      assert.ok(files.includes(f), `${f} missing from the tarball`);
    }
    assert.ok(files.includes('testdata/schema/streams/segment_stream.json'));
    assert.ok(files.includes('docker/docker-compose.yml'));
    assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('test/')), 'sources or tests in the tarball');

    const app = path.join(dir, 'app');
    await exec('mkdir', ['-p', app]);
    await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: app });
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const app = () => path.join(dir, 'app');

  it('imports as ESM with the public classes', async () => {
    const { stdout } = await exec(
      process.execPath,
      ['--input-type=module', '-e', "const m = await import('banyandb-perf'); console.log(JSON.stringify(Object.keys(m).sort()));"],
      { cwd: app() },
    );
    const names = JSON.parse(stdout) as string[];
    for (const c of PUBLIC_CLASSES) assert.ok(names.includes(c), `${c} not exported`);
    // internal modules stay internal
    for (const internal of ['encode', 'decode', 'root', 'toYaml', 'fromProtoJson', 'descriptor', 'encodeTraceRequests']) {
      assert.ok(!names.includes(internal), `${internal} leaks from the public API`);
    }
    for (const moved of NOT_AT_ROOT) assert.ok(!names.includes(moved), `${moved} is on a subpath entry, not at the root`);
  });

  it('imports each subpath entry as ESM and requires it as CommonJS, with its own export list', async () => {
    for (const [spec, { has, not }] of Object.entries(SUBPATHS)) {
      const esm = await exec(
        process.execPath,
        ['--input-type=module', '-e', `const m = await import('${spec}'); console.log(JSON.stringify(Object.keys(m).sort()));`],
        { cwd: app() },
      );
      const cjs = await exec(process.execPath, ['-e', `console.log(JSON.stringify(Object.keys(require('${spec}')).sort()))`], {
        cwd: app(),
      });
      const names = JSON.parse(esm.stdout) as string[];
      assert.deepEqual(JSON.parse(cjs.stdout), names, `${spec}: the CommonJS build exports what the ESM build does`);
      for (const n of has) assert.ok(names.includes(n), `${spec} does not export ${n}`);
      for (const n of not) assert.ok(!names.includes(n), `${spec} exports ${n}, which belongs to another entry`);
    }
  });

  it('the entries share one copy of each class (an error thrown through one entry is an instance of the root export)', async () => {
    const script = `const root = await import('banyandb-perf'); const { startEmulator } = await import('banyandb-perf/emulator');
      const err = await startEmulator({ grpcPort: -1 }).catch((e) => e);
      console.log(err instanceof root.BanyanDBPerfError, err?.name);`;
    const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script], { cwd: app() });
    assert.match(stdout.trim(), /^true /);
  });

  it('requires as CommonJS and finds its default schema from the installed package', async () => {
    const script =
      "const m = require('banyandb-perf'); m.SchemaLoader.read().then((s) => console.log(typeof m.BanyanDBClient, s.resources.length, m.RESULTS_SCHEMA_VERSION));";
    const { stdout } = await exec(process.execPath, ['-e', script], { cwd: app() });
    assert.equal(stdout.trim(), 'function 15 1');
  });

  it('writes through its producer thread (dist/producer-worker.js) from both the ESM and the CommonJS build', async () => {
    const body = (m: string) =>
      `const em = await ${m}e.startEmulator();
      const client = await ${m}.BanyanDBClient.connect(em.grpcAddress);
      await new ${m}.SchemaLoader(client, { models: ['trace'] }).load();
      const w = new ${m}.TraceWorkload(client, { scale: 'small', spans: 1500, repeats: 1, warmupSpans: 0, progress: false });
      const [run] = await w.write();
      console.log(run.spansSent, run.spansAcknowledged);
      await client.close();
      await em.close();`;
    const esm = await exec(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import('banyandb-perf'); const me = await import('banyandb-perf/emulator'); ${body('m')}`,
      ],
      {
        cwd: app(),
      },
    );
    assert.equal(esm.stdout.trim(), '1500 1500');
    const cjs = await exec(
      process.execPath,
      ['-e', `const m = require('banyandb-perf'); const me = require('banyandb-perf/emulator'); (async () => { ${body('m')} })();`],
      {
        cwd: app(),
      },
    );
    assert.equal(cjs.stdout.trim(), '1500 1500');
  });

  it('opens the emulator target with its child processes (dist/emulator-server.js) from both the ESM and the CommonJS build', async () => {
    const body = (m: string) =>
      `const t = await ${m}.openTarget({ kind: 'emulator' });
      const pids = Object.values(t.pids);
      const health = [await t.stream.health(), await t.trace.health()].join(',');
      await t.close();
      const alive = pids.filter((p) => { try { process.kill(p, 0); return true; } catch { return false; } });
      console.log(t.info.description, pids.length, health, alive.length);`;
    const expected = "banyandb-perf's emulator, one child process per model on 127.0.0.1, not BanyanDB 2 SERVING,SERVING 0";
    const esm = await exec(process.execPath, ['--input-type=module', '-e', `const m = await import('banyandb-perf'); ${body('m')}`], {
      cwd: app(),
    });
    assert.equal(esm.stdout.trim(), expected);
    const cjs = await exec(process.execPath, ['-e', `const m = require('banyandb-perf'); (async () => { ${body('m')} })();`], {
      cwd: app(),
    });
    assert.equal(cjs.stdout.trim(), expected);
  });

  it('refuses deep imports of internals', async () => {
    await assert.rejects(
      exec(process.execPath, ['--input-type=module', '-e', "await import('banyandb-perf/dist/index.js')"], { cwd: app() }),
      /ERR_PACKAGE_PATH_NOT_EXPORTED/,
    );
  });

  it('type-checks a TypeScript user under NodeNext with the shipped declarations', async () => {
    await writeFile(
      path.join(app(), 'use.ts'),
      [
        "import { BanyanDBClient, type BenchmarkResult, type WorkloadOptions, StreamWorkload } from 'banyandb-perf';",
        "import { type Emulator, startEmulator } from 'banyandb-perf/emulator';",
        "import { type CliIo, runCli } from 'banyandb-perf/cli';",
        "import { welchTTest } from 'banyandb-perf/internals';",
        'export const entries: [typeof startEmulator, Emulator | undefined, typeof runCli, CliIo | undefined, number] = [startEmulator, undefined, runCli, undefined, welchTTest.length];',
        "const opts: WorkloadOptions = { scale: 'small', concurrency: 2 };",
        'export async function f(addr: string): Promise<number> {',
        '  await using client = await BanyanDBClient.connect(addr);',
        '  const runs = await new StreamWorkload(client, opts).write();',
        '  const r: BenchmarkResult | undefined = undefined;',
        '  return runs.length + (r ? 1 : 0);',
        '}',
        '',
      ].join('\n'),
    );
    await writeFile(
      path.join(app(), 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          lib: ['ES2023', 'ESNext.Disposable'],
          strict: true,
          noEmit: true,
          // a TypeScript project on Node has Node's types; take this repository's copy of @types/node
          typeRoots: [path.join(root, 'node_modules', '@types')],
          types: ['node'],
        },
        files: ['use.ts'],
      }),
    );
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = await exec(process.execPath, [tsc, '-p', '.'], { cwd: app() }).catch((e: { stdout: string }) => e);
    assert.equal((r as { stdout: string }).stdout.trim(), '', 'tsc reported errors');
  });

  it('installs the banyandb-perf bin, which prints its help', async () => {
    const bin = path.join(app(), 'node_modules', '.bin', 'banyandb-perf');
    const { stdout } = await exec(bin, ['help'], { cwd: app() });
    assert.match(stdout, /banyandb-perf/);
    assert.match(stdout, /summary/);
    assert.ok((await readdir(path.join(app(), 'node_modules', 'banyandb-perf'))).includes('package.json'));
  });
});
