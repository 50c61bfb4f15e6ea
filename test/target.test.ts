/**
 * openTarget(): what serves the models, resolved and opened with clients and schemas; nothing left behind.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { DEFAULT_OFFICIAL_IMAGE } from '../src/cluster/options.js';
import { ClosedError, OptionsError } from '../src/errors.js';
import { openTarget } from '../src/targets/target.js';
import { runComparison } from '../src/workload/compare.js';

const exec = promisify(execFile);

async function officialImagePresent(): Promise<boolean> {
  try {
    await exec('docker', ['image', 'inspect', DEFAULT_OFFICIAL_IMAGE]);
    return true;
  } catch {
    return false;
  }
}

describe('openTarget', () => {
  it('rejects an unknown kind and an external target without addresses, naming the option', async () => {
    await assert.rejects(openTarget({ kind: 'cloud' as 'auto' }), (e: unknown) => {
      assert.ok(e instanceof OptionsError);
      assert.equal(e.option, 'kind');
      assert.match(e.message, /expected auto, docker, emulator or external/);
      return true;
    });
    await assert.rejects(openTarget({ kind: 'external', addresses: { stream: '127.0.0.1:1', trace: '' } }), (e: unknown) => {
      assert.ok(e instanceof OptionsError);
      assert.equal(e.option, 'addresses.trace');
      return true;
    });
  });

  it('emulator: loads each side schema into its own server and measures the disk footprint of everything written', async () => {
    await using target = await openTarget({ kind: 'emulator' });
    assert.equal(target.info.server, 'emulator');
    assert.notEqual(target.info.addresses.stream, target.info.addresses.trace);
    assert.ok(target.schemas.stream?.resources.every((r) => r.model === 'stream' && r.outcome === 'created'));
    assert.ok(target.schemas.trace?.resources.every((r) => r.model === 'trace' && r.outcome === 'created'));
    target.startObserving(); // no containers: nothing to sample, no error
    const result = await runComparison({
      stream: target.stream,
      trace: target.trace,
      target: target.info,
      spans: 400,
      repeats: 1,
      patterns: [],
      progress: false,
    });
    const notes = await target.finish(result);
    assert.deepEqual(notes, []);
    assert.equal(result.containers, undefined);
    const written = result.options.spansWritten as { stream: number; trace: number };
    for (const d of result.disk ?? []) {
      assert.ok(d.bytes > 400 * 9_000, `${d.model}: ${d.bytes} bytes`);
      assert.equal(d.bytesPerSpan, d.bytes / written[d.model]);
    }
  });

  it('auto: without Docker, or without BanyanDB image, falls back to the emulator and says so', async (t) => {
    if (await officialImagePresent()) {
      t.skip(`${DEFAULT_OFFICIAL_IMAGE} is present: auto would run real BanyanDB containers`);
      return;
    }
    const lines: string[] = [];
    await using target = await openTarget({ log: (l) => lines.push(l), loadSchemas: false });
    assert.equal(target.info.kind, 'emulator');
    assert.match(
      lines.join('\n'),
      /no Docker engine reachable|using the emulator \(one child process per model\) instead: its figures are NOT BanyanDB's/,
    );
  });
});

/** Whether something accepts TCP connections at `address` (host:port). */
function listening(address: string): Promise<boolean> {
  const i = address.lastIndexOf(':');
  return new Promise((resolve) => {
    const socket = net.connect({ host: address.slice(0, i), port: Number(address.slice(i + 1)) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('OpenTarget.close()', () => {
  it('twice concurrently: both callers wait for the whole cleanup; a closed target says so when used', async () => {
    const target = await openTarget({ kind: 'emulator' });
    const addresses = Object.values(target.info.addresses);
    for (const a of addresses) assert.equal(await listening(a), true, `${a} serves before close()`);
    const first = target.close();
    const second = target.close();
    await second;
    for (const a of addresses) assert.equal(await listening(a), false, `the second close() returned while ${a} still served`);
    await first;
    await target.close();
    assert.equal(target.closed, true);
    assert.throws(() => target.startObserving(), ClosedError);
    await assert.rejects(target.finish({} as Parameters<typeof target.finish>[0]), ClosedError);
    await assert.rejects(target.stream.health(), ClosedError);
  });
});
