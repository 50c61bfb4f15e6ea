/**
 * Advice in an error is said in the terms of whoever gets it: a command-line user is told the flags and verbs
 * (`--image emulator`, `--source <checkout>`, `--results-dir`), library code the options and calls
 * (`Cluster.build({ image: 'emulator' })`). Through the CLI (runCli) and through the library.
 *
 * The image cases ask the Docker engine for an image that does not exist (`docker image inspect`, `docker pull`)
 * or read a directory that is not a BanyanDB checkout: they start, build and pull nothing, and skip with the reason
 * when no Docker engine is reachable.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '../src/cli/index.js';
import { Cluster } from '../src/cluster/cluster.js';
import { detectDocker } from '../src/cluster/docker.js';
import { ClusterError, ResultsError } from '../src/errors.js';
import { readLastResults } from '../src/report/files.js';
import { type Captured, captureCli } from './helpers/cli.js';

const cli = (argv: string[]): Promise<Captured> => captureCli(argv, { cwd: dir });

/** The library's option and call names that must not reach a command-line user. */
const LIBRARY_WORDS = /Cluster\.build|openTarget|image\.source|\{ image|readLastResults|writeResults/;
/** A tag no registry has: the pull fails whether a registry is reachable (manifest unknown) or not (no such host). */
const MISSING_IMAGE = `apache/skywalking-banyandb:banyandb-perf-ux-no-such-tag-${process.pid}`;

let dir: string;
let dockerSkip: string | false = false;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'banyandb-perf-advice-'));
  try {
    await detectDocker();
  } catch (err) {
    dockerSkip = `no Docker engine reachable (${(err as Error).message.split('\n')[0]})`;
  }
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('IMAGE_MISSING advice', () => {
  it('on the CLI names the flags: --image emulator, --target emulator, --source', { timeout: 120_000 }, async (t) => {
    if (dockerSkip) return t.skip(dockerSkip);
    const r = await cli(['build', '--image', MISSING_IMAGE]);
    assert.equal(r.code, EXIT.ENVIRONMENT, r.err);
    const line = r.err.split('\n').find((l) => l.startsWith('banyandb-perf build:')) ?? '';
    assert.match(line, new RegExp(`^banyandb-perf build: image ${MISSING_IMAGE} is not present and could not be pulled \\(`));
    for (const flag of ['`--image emulator`', '`--target emulator`', '`--source <checkout>`', `\`docker pull ${MISSING_IMAGE}\``]) {
      assert.ok(line.includes(flag), `${flag} in:\n${r.err}`);
    }
    assert.doesNotMatch(r.err, LIBRARY_WORDS);
  });

  it('in the library names the calls', { timeout: 120_000 }, async (t) => {
    if (dockerSkip) return t.skip(dockerSkip);
    await assert.rejects(Cluster.build({ image: { name: MISSING_IMAGE } }), (err: unknown) => {
      assert.ok(err instanceof ClusterError && err.code === 'IMAGE_MISSING', String(err));
      assert.ok(err.message.includes("Cluster.build({ image: 'emulator' })"), err.message);
      assert.ok(err.message.includes("Cluster.build({ image: { source: '<checkout>' } })"), err.message);
      assert.doesNotMatch(err.message, /--image|--target|--source/);
      assert.match(err.messageFor('cli'), /--image emulator/);
      return true;
    });
  });

  it('a --source that is not a BanyanDB checkout names --source, not image.source', { timeout: 120_000 }, async (t) => {
    if (dockerSkip) return t.skip(dockerSkip);
    const notACheckout = await mkdtemp(join(dir, 'not-a-checkout-'));
    const r = await cli(['build', '--source', notACheckout]);
    assert.equal(r.code, EXIT.ENVIRONMENT, r.err);
    assert.equal(
      r.err.split('\n')[0],
      `banyandb-perf build: ${notACheckout} is not a BanyanDB checkout (expected go.mod and banyand/ in it): give --source the root of a BanyanDB clone`,
    );
    assert.doesNotMatch(r.err, LIBRARY_WORDS);
  });
});

describe('results directory advice', () => {
  it('summary on a missing directory names --results-dir; readLastResults() names the library call', async () => {
    const missing = join(dir, 'nothing-here');
    const r = await cli(['summary', '--results-dir', missing]);
    assert.equal(r.code, EXIT.FAILURES);
    assert.ok(r.err.split('\n')[0]?.endsWith(': pass the --results-dir the test used'), r.err);
    assert.doesNotMatch(r.err, LIBRARY_WORDS);
    await assert.rejects(readLastResults(missing), (err: unknown) => {
      assert.ok(err instanceof ResultsError);
      assert.ok(err.message.endsWith(': give readLastResults() the directory writeResults() wrote to'), err.message);
      assert.doesNotMatch(err.message, /--results-dir/);
      return true;
    });
  });
});
