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

function moduleDirs(): string[] {
  const dirs: string[] = [];
  // ESM (and tsx, and CJS bundles with shims): import.meta.url. Plain CJS: __dirname (import.meta is empty there).
  try {
    dirs.push(dirname(fileURLToPath(import.meta.url)));
  } catch {
    // not an ES module
  }
  if (typeof __dirname === 'string') dirs.push(__dirname);
  return dirs;
}

/** The package version, or `'unknown'` when no package.json of this package is found. */
export function toolVersion(): string {
  if (cached !== undefined) return cached;
  const starts = [...moduleDirs(), process.cwd()];
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
