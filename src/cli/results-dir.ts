/**
 * The results directory, checked before any work starts (so a finished run is never lost to a bad path), and
 * the fallback file a result goes to when saving fails anyway at the end.
 */
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { OptionsError } from '../errors.js';
import type { BenchmarkResult } from '../results.js';

const FLAG = '--results-dir';

function code(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}

/**
 * Makes sure `dir` is a directory this process can write: creates what is missing one level at a time (never a
 * recursive mkdir: Node 20's loops forever on paths such as `/proc/nope`) and writes and removes a probe file.
 * @throws OptionsError naming --results-dir and what is wrong (a file on the way, cannot create, not writable).
 */
export async function prepareResultsDir(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let current = dir; ; ) {
    let isDir: boolean;
    try {
      isDir = (await stat(current)).isDirectory();
    } catch (err) {
      if (code(err) !== 'ENOENT' && code(err) !== 'ENOTDIR') {
        throw new OptionsError(FLAG, `${FLAG} ${dir}: cannot use ${current} (${code(err)}); expected a writable directory.`, {
          cause: err,
        });
      }
      const parent = dirname(current);
      if (parent === current) throw new OptionsError(FLAG, `${FLAG} ${dir}: no such file system root (${current}).`, { cause: err });
      missing.unshift(current);
      current = parent;
      continue;
    }
    if (!isDir) {
      throw new OptionsError(
        FLAG,
        current === dir
          ? `${FLAG} ${dir} is a file, not a directory; expected a directory (it is created when missing).`
          : `${FLAG} ${dir}: ${current} is a file, not a directory, so ${dir} cannot be created.`,
      );
    }
    break;
  }
  for (const d of missing) {
    try {
      await mkdir(d);
    } catch (err) {
      if (code(err) === 'EEXIST' && (await stat(d).catch(() => undefined))?.isDirectory()) continue;
      throw new OptionsError(FLAG, `${FLAG} ${dir}: cannot create ${d} (${code(err)}); expected a writable directory.`, { cause: err });
    }
  }
  const probe = join(dir, `.banyandb-perf-write-check-${process.pid}`);
  try {
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (err) {
    throw new OptionsError(FLAG, `${FLAG} ${dir} is not writable (${code(err)}); expected a writable directory.`, { cause: err });
  }
}

/**
 * Writes the result's JSON where it can still go when the results directory failed at the end: the OS temp
 * directory, then the working directory. Returns the path, or undefined when neither took it.
 */
export async function writeFallbackResult(result: BenchmarkResult, cwd: string): Promise<string | undefined> {
  const name = `banyandb-perf-unsaved-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.json`;
  for (const dir of [tmpdir(), cwd]) {
    const file = join(dir, name);
    try {
      await writeFile(file, `${JSON.stringify(result, null, 2)}\n`, { flag: 'wx' });
      return file;
    } catch {
      // try the next place
    }
  }
  return undefined;
}
