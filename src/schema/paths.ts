/**
 * Finds the schema files shipped with the package (testdata/schema), from wherever this module runs:
 * src/schema/*.ts under tsx, or the bundled dist/index.js (ESM) / dist/index.cjs (CJS).
 *
 * Internal: not part of the public API.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package whose testdata/schema is the default schema directory. */
export const PACKAGE_NAME = 'banyandb-perf';
/** Where the schema files sit, relative to the package root. */
export const SCHEMA_SUBDIR = join('testdata', 'schema');
/** How many directories above this module to look for the package root. */
const MAX_LEVELS_UP = 6;

/** The directory of this module file, under ESM or CJS; undefined when neither tells. */
function moduleDir(): string | undefined {
  // CJS (dist/index.cjs): Node provides __filename. Under ESM `typeof` on the undeclared name is safe.
  if (typeof __filename === 'string' && __filename !== '') return dirname(__filename);
  // ESM (src under tsx, dist/index.js). In a CJS bundle without shims import.meta is an empty object.
  const url = (import.meta as { url?: string } | undefined)?.url;
  if (typeof url === 'string' && url.startsWith('file:')) return dirname(fileURLToPath(url));
  return undefined;
}

function isPackageRoot(dir: string): boolean {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
    return pkg.name === PACKAGE_NAME && statSync(join(dir, SCHEMA_SUBDIR)).isDirectory();
  } catch {
    return false;
  }
}

/** Walks up from `start` to the banyandb-perf package root that holds testdata/schema. */
export function findPackageSchemaDir(start: string | undefined = moduleDir()): string | undefined {
  const starts = [start, process.cwd()].filter((s): s is string => typeof s === 'string');
  for (const from of starts) {
    let dir = resolve(from);
    for (let i = 0; i <= MAX_LEVELS_UP; i++) {
      if (existsSync(join(dir, 'package.json')) && isPackageRoot(dir)) return join(dir, SCHEMA_SUBDIR);
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}
