/**
 * Container resource figures: summaries over a sampling window and stream/trace ratios.
 */
import type { ContainerStatsSample, ContainerStatsSummary, Model } from '../results.js';

/** The cumulative counters of a sample (since the container started). */
const COUNTERS = ['netRxBytes', 'netTxBytes', 'blockReadBytes', 'blockWriteBytes'] as const;

/**
 * Summarises one container's samples: CPU/memory averages and peaks, and I/O counters as deltas over the window.
 * Only samples of the running container count, by rule: a sample taken at or after `stoppedAtMs` (when the container
 * stopped, e.g. Docker's `State.FinishedAt`), a sample without a memory limit (Docker reads a stopped container as
 * zeros), and a sample whose cumulative counters went back (they were reset: the container stopped or restarted)
 * end the container's window; neither they nor anything after them say anything about the run.
 */
export function summarizeStats(
  samples: readonly ContainerStatsSample[],
  container: string,
  model: Model,
  options: { stoppedAtMs?: number | undefined } = {},
): ContainerStatsSummary {
  const sorted = samples.filter((s) => s.container === container).sort((a, b) => a.timestampMs - b.timestampMs);
  const stoppedAtMs = options.stoppedAtMs ?? Number.POSITIVE_INFINITY;
  let end = sorted.findIndex(
    (s, i) =>
      s.timestampMs >= stoppedAtMs ||
      !(s.memLimitBytes > 0) ||
      (i > 0 && COUNTERS.some((k) => s[k] < (sorted[i - 1] as ContainerStatsSample)[k])),
  );
  if (end < 0) end = sorted.length;
  const own = sorted.slice(0, end);
  const first = own[0];
  const last = own[own.length - 1];
  if (!first || !last) {
    return {
      container,
      model,
      samples: 0,
      windowMs: 0,
      cpuPercentAvg: 0,
      cpuPercentMax: 0,
      memBytesAvg: 0,
      memBytesMax: 0,
      memLimitBytes: 0,
      memPercentOfLimitMax: 0,
      netRxBytes: 0,
      netTxBytes: 0,
      blockReadBytes: 0,
      blockWriteBytes: 0,
    };
  }
  let cpuSum = 0;
  let cpuMax = 0;
  let memSum = 0;
  let memMax = 0;
  let pctMax = 0;
  for (const s of own) {
    cpuSum += s.cpuPercent;
    cpuMax = Math.max(cpuMax, s.cpuPercent);
    memSum += s.memBytes;
    memMax = Math.max(memMax, s.memBytes);
    if (s.memLimitBytes > 0) pctMax = Math.max(pctMax, (s.memBytes / s.memLimitBytes) * 100);
  }
  // Counters are cumulative since the container started; a single sample has no window, so its delta is 0.
  const delta = (k: (typeof COUNTERS)[number]) => Math.max(0, last[k] - first[k]);
  return {
    container,
    model,
    samples: own.length,
    windowMs: last.timestampMs - first.timestampMs,
    cpuPercentAvg: cpuSum / own.length,
    cpuPercentMax: cpuMax,
    memBytesAvg: Math.round(memSum / own.length),
    memBytesMax: memMax,
    memLimitBytes: last.memLimitBytes,
    memPercentOfLimitMax: pctMax,
    netRxBytes: delta('netRxBytes'),
    netTxBytes: delta('netTxBytes'),
    blockReadBytes: delta('blockReadBytes'),
    blockWriteBytes: delta('blockWriteBytes'),
  };
}

/** Stream ÷ trace of each summary figure (null when trace's figure is 0 or a side is missing). */
export interface StatsRatios {
  cpuPercentAvg: number | null;
  cpuPercentMax: number | null;
  memBytesAvg: number | null;
  memBytesMax: number | null;
  netRxBytes: number | null;
  netTxBytes: number | null;
  blockReadBytes: number | null;
  blockWriteBytes: number | null;
}

/** Stream/Trace ratios of the summaries (the original harness's "CPU Usage Ratio (Stream/Trace)", and the rest). */
export function statsRatios(summaries: readonly ContainerStatsSummary[]): StatsRatios {
  const stream = summaries.find((s) => s.model === 'stream');
  const trace = summaries.find((s) => s.model === 'trace');
  const ratio = (k: keyof StatsRatios): number | null => {
    if (!stream || !trace || trace[k] === 0) return null;
    return stream[k] / trace[k];
  };
  return {
    cpuPercentAvg: ratio('cpuPercentAvg'),
    cpuPercentMax: ratio('cpuPercentMax'),
    memBytesAvg: ratio('memBytesAvg'),
    memBytesMax: ratio('memBytesMax'),
    netRxBytes: ratio('netRxBytes'),
    netTxBytes: ratio('netTxBytes'),
    blockReadBytes: ratio('blockReadBytes'),
    blockWriteBytes: ratio('blockWriteBytes'),
  };
}
