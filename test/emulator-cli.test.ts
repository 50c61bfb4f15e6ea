import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadSchemas, streamWrite, T0, TestClient } from './emulator-helpers.js';

const MAIN = fileURLToPath(new URL('../src/emulator/main.ts', import.meta.url));
const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const START_TIMEOUT_MS = 20_000;

function run(
  args: string[],
  entry = MAIN,
): { child: ChildProcess; stdout: () => string; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function waitFor(pred: () => RegExpMatchArray | null, what: string): Promise<RegExpMatchArray> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const m = pred();
    if (m) return m;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('emulator CLI', () => {
  it('serves with BanyanDB-style flags, ignores unknown ones, writes under the root paths and exits 0 on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emu-cli-'));
    const p = run([
      'standalone',
      '--grpc-port',
      '0',
      '--http-port=0',
      '--host',
      '127.0.0.1',
      `--stream-root-path=${join(dir, 'stream')}`,
      '--trace-root-path',
      join(dir, 'trace'),
      '--measure-root-path',
      '/nowhere',
      '--pprof-listener-addr=:6060',
    ]);
    try {
      const m = await waitFor(() => p.stdout().match(/serving gRPC on (\S+) and HTTP on (\S+) /), 'the serving line');
      assert.match(p.stderr(), /ignoring BanyanDB flag --measure-root-path/);
      assert.match(p.stderr(), /ignoring BanyanDB flag --pprof-listener-addr/);
      const res = await fetch(`${m[2]}/api/healthz`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'SERVING');
      const c = new TestClient(m[1]!);
      await loadSchemas(c);
      const w = await c.write('streamData', [streamWrite({ id: 'x', ms: T0, service: 's', latency: 1 }, 1)]);
      assert.equal(w.responses[0]?.status, 'STATUS_SUCCEED');
      c.close();
      p.child.kill('SIGTERM');
      assert.equal(await p.exit, 0);
      assert.deepEqual(await readdir(join(dir, 'stream')), ['sw_stream']);
    } finally {
      p.child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects unknown positional arguments with exit code 2', async () => {
    const p = run(['standalone', 'bogus']);
    assert.equal(await p.exit, 2);
    assert.match(p.stderr(), /unexpected argument "bogus"/);
  });

  it('prints help with --help and exits 0', async () => {
    const p = run(['--help']);
    assert.equal(await p.exit, 0);
    assert.match(p.stdout(), /--grpc-port/);
  });

  it('a taken port exits 3 with one line naming the port and no gRPC log line (banyandb-perf emulator and emulator-server)', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()));
    const port = (taken.address() as AddressInfo).port;
    try {
      for (const [entry, args] of [
        [CLI, ['emulator', '--grpc-port', String(port), '--http-port', '0']],
        [CLI, ['emulator', '--grpc-port', '0', '--http-port', String(port)]],
        [MAIN, ['--host', '127.0.0.1', '--grpc-port', String(port), '--http-port', '0']],
      ] as const) {
        const p = run([...args], entry);
        assert.equal(await p.exit, 3, p.stderr());
        const lines = p.stderr().trimEnd().split('\n');
        assert.equal(lines.length, 1, `expected one line, got:\n${p.stderr()}`);
        assert.match(lines[0]!, new RegExp(`(gRPC|HTTP) port ${port} on 127\\.0\\.0\\.1 is already in use`));
      }
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
