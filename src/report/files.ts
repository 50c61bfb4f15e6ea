/**
 * Results files: `<dir>/banyandb-perf-<timestamp>.json` + `.html`, and `<dir>/latest.json` (a copy of
 * the newest JSON). {@link readLastResults} validates the schema version before handing a result back.
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ResultsError } from '../errors.js';
import { type BenchmarkResult, RESULTS_SCHEMA_VERSION } from '../results.js';
import { renderHtmlReport } from './html.js';

/** Default results directory, relative to the working directory. */
export const DEFAULT_RESULTS_DIR = './results';
/** File name of the copy of the newest results JSON. */
export const LATEST_FILE = 'latest.json';
const PREFIX = 'banyandb-perf-';

/** Paths written by {@link writeResults}. */
export interface WrittenResults {
  jsonPath: string;
  htmlPath: string;
  latestPath: string;
}

/** `2026-01-15T10-25-30-123Z`: an ISO timestamp safe in file names on every OS, sortable. */
function fileTimestamp(iso: string): string {
  const ms = Date.parse(iso);
  const d = Number.isFinite(ms) ? new Date(ms) : new Date();
  return d.toISOString().replace(/[:.]/g, '-');
}

/** Writes atomically (temp file + rename) so readers never see half a file. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, 'utf8');
  await rename(tmp, path);
}

/**
 * Writes `<dir>/banyandb-perf-<timestamp>.json` and `.html` (timestamp from `result.finishedAt`) and
 * updates `<dir>/latest.json` (a copy of the JSON). Creates `dir` when missing; never overwrites an
 * earlier result (a `-2`, `-3`, ... suffix is added on a name clash).
 * @param dir results directory. @default './results'
 */
export async function writeResults(result: BenchmarkResult, dir: string = DEFAULT_RESULTS_DIR): Promise<WrittenResults> {
  await mkdir(dir, { recursive: true });
  const existing = new Set(await readdir(dir));
  const stamp = fileTimestamp(result.finishedAt || result.startedAt);
  let base = `${PREFIX}${stamp}`;
  for (let i = 2; existing.has(`${base}.json`) || existing.has(`${base}.html`); i++) base = `${PREFIX}${stamp}-${i}`;
  const json = `${JSON.stringify(result, null, 2)}\n`;
  const jsonPath = join(dir, `${base}.json`);
  const htmlPath = join(dir, `${base}.html`);
  const latestPath = join(dir, LATEST_FILE);
  await writeAtomic(jsonPath, json);
  await writeAtomic(htmlPath, renderHtmlReport(result));
  await writeAtomic(latestPath, json);
  return { jsonPath, htmlPath, latestPath };
}

const EXPECTED = `a banyandb-perf results file with schemaVersion ${RESULTS_SCHEMA_VERSION}`;

/**
 * Reads and validates one results file.
 * @throws ResultsError `RESULTS_NOT_FOUND` when the file is missing, `RESULTS_INVALID` when it is not
 *   JSON, has no or another `schemaVersion`, or lacks a required field.
 */
export async function readResultsFile(file: string): Promise<BenchmarkResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new ResultsError('RESULTS_NOT_FOUND', file, `${file}: no such file; expected ${EXPECTED}.`, { cause: err });
    throw new ResultsError('RESULTS_INVALID', file, `${file}: cannot be read (${(err as Error).message}).`, { cause: err });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ResultsError('RESULTS_INVALID', file, `${file}: not valid JSON (${(err as Error).message}); expected ${EXPECTED}.`, {
      cause: err,
    });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ResultsError('RESULTS_INVALID', file, `${file}: the top level is not a JSON object; expected ${EXPECTED}.`);
  }
  const obj = data as Record<string, unknown>;
  if (!('schemaVersion' in obj)) {
    throw new ResultsError('RESULTS_INVALID', file, `${file}: no "schemaVersion" field; expected ${EXPECTED}.`);
  }
  if (obj.schemaVersion !== RESULTS_SCHEMA_VERSION) {
    throw new ResultsError(
      'RESULTS_INVALID',
      file,
      `${file}: schemaVersion ${JSON.stringify(obj.schemaVersion)} is not supported; expected schemaVersion ${RESULTS_SCHEMA_VERSION} (re-run the benchmark, or read it with the banyandb-perf version that wrote it).`,
    );
  }
  const required: [string, string][] = [
    ['target', 'object'],
    ['write', 'object'],
    ['queries', 'object'],
    ['comparisons', 'array'],
    ['startedAt', 'string'],
    ['finishedAt', 'string'],
  ];
  for (const [field, type] of required) {
    const v = obj[field];
    const ok = type === 'array' ? Array.isArray(v) : typeof v === type && v !== null;
    if (!ok)
      throw new ResultsError(
        'RESULTS_INVALID',
        file,
        `${file}: field "${field}" is missing or not a${type === 'array' ? 'n' : ''} ${type}; expected ${EXPECTED}.`,
      );
  }
  return data as BenchmarkResult;
}

/**
 * Reads the newest results in `dir`: `latest.json` when present, else the newest
 * `banyandb-perf-<timestamp>.json`; validates its schema version.
 * @param dir results directory. @default './results'
 * @throws ResultsError naming the directory or file and what was expected.
 */
export async function readLastResults(dir: string = DEFAULT_RESULTS_DIR): Promise<BenchmarkResult> {
  return readResultsFile(await lastResultsFile(dir));
}

/**
 * The file {@link readLastResults} reads in `dir`: `latest.json` when present, else the newest
 * `banyandb-perf-<timestamp>.json`.
 * @param dir results directory. @default './results'
 * @throws ResultsError naming the directory when it holds no results.
 */
export async function lastResultsFile(dir: string = DEFAULT_RESULTS_DIR): Promise<string> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ResultsError(
        'RESULTS_NOT_FOUND',
        dir,
        `${dir}: no such results directory; expected ${LATEST_FILE} or ${PREFIX}<timestamp>.json written by \`banyandb-perf test\``,
        {
          cause: err,
          advice: { library: 'give readLastResults() the directory writeResults() wrote to', cli: 'pass the --results-dir the test used' },
        },
      );
    }
    throw new ResultsError('RESULTS_NOT_FOUND', dir, `${dir}: cannot list the results directory (${(err as Error).message}).`, {
      cause: err,
    });
  }
  if (names.includes(LATEST_FILE)) return join(dir, LATEST_FILE);
  // Newest by timestamp, then by the clash suffix (`...Z.json` < `...Z-2.json` < `...Z-10.json`).
  const key = (n: string): [string, number] => {
    const m = /^banyandb-perf-(.+?)(?:-(\d+))?\.json$/.exec(n);
    return [m?.[1] ?? n, Number(m?.[2] ?? 1)];
  };
  const candidates = names
    .filter((n) => n.startsWith(PREFIX) && n.endsWith('.json'))
    .sort((a, b) => {
      const [ka, na] = key(a);
      const [kb, nb] = key(b);
      return ka < kb ? -1 : ka > kb ? 1 : na - nb;
    });
  const newest = candidates.at(-1);
  if (newest === undefined) {
    throw new ResultsError(
      'RESULTS_NOT_FOUND',
      dir,
      `${dir}: no results found; expected ${LATEST_FILE} or ${PREFIX}<timestamp>.json written by \`banyandb-perf test\`.`,
    );
  }
  return join(dir, newest);
}

/** Absolute form of a results directory (for messages). */
export function resultsDirPath(dir: string = DEFAULT_RESULTS_DIR): string {
  return resolve(dir);
}
