import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);

/**
 * The default schema directory must be found from a bundle one level below the package root, in both
 * module formats, without help from the working directory. The bundles are built the way tsup builds
 * dist/ (esbuild, node platform) into a throw-away package laid out like the published one.
 */
describe('default schema directory from bundled ESM and CJS', { timeout: 60_000 }, () => {
  let pkg: string;
  after(async () => {
    if (pkg) await rm(pkg, { recursive: true, force: true });
  });

  test('dist/index.js and dist/index.cjs find <package>/testdata/schema', async () => {
    pkg = await mkdtemp(join(tmpdir(), 'bdbp-dist-'));
    await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'banyandb-perf', type: 'module' }));
    await mkdir(join(pkg, 'testdata'));
    await cp(join(ROOT, 'testdata', 'schema'), join(pkg, 'testdata', 'schema'), { recursive: true });
    await symlink(join(ROOT, 'node_modules'), join(pkg, 'node_modules'), 'dir');
    for (const [format, out] of [
      ['esm', 'index.js'],
      ['cjs', 'index.cjs'],
    ] as const) {
      await build({
        entryPoints: [join(ROOT, 'src', 'schema', 'loader.ts')],
        bundle: true,
        platform: 'node',
        target: 'node20',
        format,
        outfile: join(pkg, 'dist', out),
        packages: 'external',
        logLevel: 'silent',
      });
    }
    const script = (load: string) =>
      `${load}.then((m) => m.SchemaLoader.read()).then((s) => console.log(JSON.stringify([s.dir, s.resources.length])))`;
    const esm = await run(
      process.execPath,
      ['--input-type=module', '-e', script(`import(${JSON.stringify(join(pkg, 'dist', 'index.js'))})`)],
      {
        cwd: tmpdir(),
      },
    );
    const cjs = await run(
      process.execPath,
      ['--input-type=commonjs', '-e', script(`Promise.resolve(require(${JSON.stringify(join(pkg, 'dist', 'index.cjs'))}))`)],
      {
        cwd: tmpdir(),
      },
    );
    const want = JSON.stringify([join(pkg, 'testdata', 'schema'), 15]);
    assert.equal(esm.stdout.trim(), want);
    assert.equal(cjs.stdout.trim(), want);
  });
});
