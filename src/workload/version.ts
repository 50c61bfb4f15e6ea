/**
 * The tool's own version, read from the package's package.json wherever the code runs from (src/ under tsx,
 * dist/ as ESM or CJS): walk up from this module's directory to the first package.json named `banyandb-perf`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'banyandb-perf';
/** How many directories up to look for package.json. */
const MAX_LEVELS = 6;

let cached: string | undefined;

function moduleDir(): string | undefined {
  // CJS build: __dirname exists. ESM (and tsx): import.meta.url. Never both evaluated in the wrong format.
  if (typeof __dirname === 'string') return __dirname;
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    return undefined;
  }
}

/** The package version, or `'unknown'` when no package.json of this package is found. */
export function toolVersion(): string {
  if (cached !== undefined) return cached;
  const starts = [moduleDir(), process.cwd()].filter((d): d is string => d !== undefined);
  for (const start of starts) {
    let dir = start;
    for (let i = 0; i < MAX_LEVELS; i++) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
        if (pkg.name === PACKAGE_NAME && typeof pkg.version === 'string') {
          cached = pkg.version;
          return cached;
        }
      } catch {
        // no (readable) package.json here: keep walking up
      }
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  cached = 'unknown';
  return cached;
}
