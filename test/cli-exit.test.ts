/**
 * Results are never lost, and exit codes as documented (no Docker needed): a --results-dir that is a file or
 * cannot be created is exit 2 before any work; a save that fails at the end still prints the report and puts
 * the JSON where the message says; a taken emulator port is exit 3 without a stray gRPC log line; `ps`/`stats`
 * columns never run together.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { columns } from '../src/cli/commands/cluster.js';
import { EXIT } from '../src/cli/index.js';
import type { BenchmarkResult } from '../src/results.js';
import { captureCli, cliSubprocess } from './helpers/cli.js';
import { benchmarkPassed } from './helpers/docker.js';

const cliProcess = (args: string[], timeoutMs = 60_000) => cliSubprocess(args, { timeoutMs });

const cli = (argv: string[], hook?: (text: string) => void) => captureCli(argv, hook ? { onStderr: hook } : {});

const SMALL = ['--target', 'emulator', '--spans', '200', '--repeats', '1', '--warmup', '0', '--no-progress'];

let dir = '';
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'banyandb-perf-cli-exit-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('--results-dir is checked before any work', () => {
  it('a file is exit 2 at once, naming the flag, and nothing runs', async () => {
    const file = path.join(dir, 'a-file');
    await writeFile(file, 'not a directory');
    for (const verb of ['test', 'all']) {
      const started = Date.now();
      const r = await cli([verb, ...SMALL.slice(verb === 'all' ? 2 : 0), '--results-dir', file]);
      assert.equal(r.code, EXIT.USAGE, `${verb}: ${r.err}`);
      assert.match(r.err, /--results-dir .*a-file is a file, not a directory/);
      assert.doesNotMatch(r.err, /loading the|build/, `${verb} did work first`);
      assert.ok(Date.now() - started < 5_000, `${verb} took ${Date.now() - started} ms`);
    }
    // Below a file too.
    const r = await cli(['test', ...SMALL, '--results-dir', path.join(file, 'sub')]);
    assert.equal(r.code, EXIT.USAGE);
    assert.match(r.err, /is a file, not a directory, so .* cannot be created/);
  });

  it('/proc/nope is exit 2 at once (Node 20 recursive mkdir loops there forever)', { timeout: 120_000 }, async () => {
    // The bound is loose for loaded machines (tsx start-up alone takes seconds there): before, it never ended.
    const r = await cliProcess(['test', ...SMALL, '--results-dir', '/proc/nope/results'], 90_000);
    assert.equal(r.code, EXIT.USAGE, `exit ${r.code} after ${r.ms} ms\n${r.err}`);
    assert.match(r.err, /--results-dir \/proc\/nope\/results: cannot create \/proc\/nope/);
    assert.ok(r.ms < 60_000, `took ${r.ms} ms`);
  });

  it('a missing directory is created (parents too)', async () => {
    const nested = path.join(dir, 'new', 'deeper');
    const r = await cli(['test', ...SMALL, '--results-dir', nested]);
    assert.ok(benchmarkPassed(r.code, r.err), r.err);
    assert.ok(JSON.parse(await readFile(path.join(nested, 'latest.json'), 'utf8')) as BenchmarkResult);
  });
});

describe('results are never lost', () => {
  it('when saving fails at the end, the report is printed and the JSON goes to a fallback the message names', async () => {
    const results = path.join(dir, 'vanishing');
    let swapped = false;
    const r = await cli(['test', ...SMALL, '--results-dir', results], (text) => {
      // Once the work started, the directory is replaced by a file: saving at the end must fail.
      if (!swapped && /loading the stream schema/.test(text)) {
        swapped = true;
        void rm(results, { recursive: true, force: true }).then(() => writeFile(results, 'in the way'));
      }
    });
    assert.ok(swapped, r.err);
    assert.equal(r.code, EXIT.FAILURES, r.err);
    assert.match(r.out, /Target: /, 'the report is printed');
    const m = /the results JSON was written to (\S+) instead/.exec(r.err);
    assert.ok(m?.[1], r.err);
    const saved = JSON.parse(await readFile(m[1], 'utf8')) as BenchmarkResult;
    assert.equal(saved.target.kind, 'emulator');
    assert.ok(saved.write.stream.length > 0);
    await rm(m[1], { force: true });
  });
});

describe('exit codes as documented', () => {
  it('emulator on a taken port is exit 3 naming it, without a stray gRPC log line', { timeout: 120_000 }, async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const r = await cliProcess(['emulator', '--grpc-port', String(port), '--http-port', '0'], 90_000);
      assert.equal(r.code, EXIT.ENVIRONMENT, r.err);
      assert.match(r.err, new RegExp(`\\b${port}\\b.*in use|in use.*\\b${port}\\b`));
      assert.doesNotMatch(r.err, /No address added/);
    } finally {
      server.close();
    }
  });

  it('container flags with a target that has no containers are a usage error', async () => {
    const r = await cli(['test', '--target', 'emulator', '--project', 'x', '--results-dir', dir]);
    assert.equal(r.code, EXIT.USAGE);
    assert.match(r.err, /--project only applies to --target docker, not --target emulator/);
    const bad = await cli(['up', '--project', 'Bad Name']);
    assert.equal(bad.code, EXIT.USAGE);
    assert.match(bad.err, /--project expects lower-case letters/);
  });

  it('help lists every exit code', async () => {
    const r = await cli(['test', '--help']);
    for (const code of ['0 ok', '1 the benchmark', '2 usage', '3 environment', '130 interrupted']) assert.ok(r.out.includes(code), code);
    assert.match(r.out, /a port in use/);
  });
});

describe('ps and stats columns', () => {
  it('never run together, however long the names', () => {
    const text = columns([
      ['MODEL', 'CONTAINER', 'STATUS'],
      ['stream', 'banyandb-perf-mkz1abcd-banyandb-stream', 'running'],
      ['trace', 'banyandb-perf-mkz1abcd-banyandb-trace', 'exited exit 137'],
    ]);
    const lines = text.split('\n');
    assert.match(lines[1] ?? '', /banyandb-stream {2,}running$/);
    assert.match(lines[2] ?? '', /banyandb-trace {3,}exited exit 137$/);
    const at = (line: string, word: string) => line.indexOf(word);
    assert.equal(at(lines[0] ?? '', 'STATUS'), at(lines[1] ?? '', 'running'));
  });
});
