/** Conversions between epoch milliseconds and BanyanDB's `google.protobuf.Timestamp`. */
import type { Timestamp } from './types.js';

/** Epoch ms -> Timestamp (whole seconds plus the millisecond part as nanos). */
export function toTimestamp(ms: number): Timestamp {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

/** Timestamp -> epoch ms (sub-millisecond nanos dropped); an absent timestamp is 0. */
export function timestampToMs(t: Timestamp | undefined): number {
  if (!t) return 0;
  return (t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}
