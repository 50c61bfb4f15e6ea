/** Small formatting helpers of the CLI's own messages. */
import { fmtBytes } from '../report/format.js';

/** Bytes with a binary unit, e.g. `1.5 MiB`. */
export function formatBytesForCli(bytes: number): string {
  return fmtBytes(bytes);
}
