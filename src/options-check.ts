/**
 * Run-time checks of options objects given to the public constructors and functions: TypeScript catches an
 * unknown key only in typed code, and an unknown key silently ignored (`{ rate: 2000 }` for `ratePerSec`) runs
 * something else than was asked. Each public entry lists its keys once (`satisfies Record<keyof X, true>`
 * keeps that list equal to the interface) and calls {@link checkOptionKeys} before using the object.
 */
import { OptionsError } from './errors.js';

/** The keys of an options interface, as a checked list: `optionKeys<WorkloadOptions>({ scale: true, ... })`. */
export function optionKeys<T>(keys: { [K in keyof Required<T>]: true }): readonly string[] {
  return Object.keys(keys);
}

/** Edit distance (insertions, deletions, substitutions), case-insensitive. */
function distance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    for (let j = 1; j <= t.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[t.length]!;
}

/**
 * The known key closest to `key`: the same word in another case, then a key that `key` begins (`rate` ->
 * `ratePerSec`) or that begins `key` (`durationMsec` -> `durationMs`) or that holds it (`timeout` -> `callTimeoutMs`), then the nearest by edit distance
 * when it is close enough to be a typo; `undefined` when none is.
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const k = key.toLowerCase();
  const same = known.find((x) => x.toLowerCase() === k);
  if (same) return same;
  if (k.length >= 3) {
    const longer = known.filter((x) => x.toLowerCase().startsWith(k)).sort((a, b) => a.length - b.length)[0];
    if (longer) return longer;
    const shorter = known.filter((x) => x.length >= 3 && k.startsWith(x.toLowerCase())).sort((a, b) => b.length - a.length)[0];
    if (shorter) return shorter;
    const containing = known.filter((x) => x.toLowerCase().includes(k)).sort((a, b) => a.length - b.length)[0];
    if (containing) return containing;
  }
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const x of known) {
    const d = distance(key, x);
    if (d < bestD) {
      best = x;
      bestD = d;
    }
  }
  return bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/**
 * Throws {@link OptionsError} when `options` is not a plain object or holds a key not in `known`: the message
 * names the key and the closest known one, e.g. "unknown option `rate` (did you mean `ratePerSec`?) in the
 * options of new TraceWorkload(); expected one of: ...". `where` names the call; `path` prefixes nested keys.
 */
export function checkOptionKeys(options: unknown, known: readonly string[], where: string, path = ''): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    const got = options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options;
    throw new OptionsError(path || 'options', `${path || 'the options'} of ${where} must be an object, got ${got}`);
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = closestKey(key, known);
    const name = `${path}${key}`;
    throw new OptionsError(
      name,
      `unknown option \`${name}\`${near ? ` (did you mean \`${path}${near}\`?)` : ''} in the options of ${where}; expected one of: ${known.map((k) => `${path}${k}`).join(', ')}`,
    );
  }
}
