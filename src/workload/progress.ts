/**
 * Progress of a write phase: typed events to `onProgress` and, on a TTY, one live line on stderr.
 */
import type { Model } from '../results.js';
import type { WorkloadProgress } from './options.js';

/** How often progress is reported while a phase runs, ms. */
export const PROGRESS_INTERVAL_MS = 250;

export interface ProgressSink {
  update(p: Omit<WorkloadProgress, 'model' | 'repeats'>, force?: boolean): void;
  end(): void;
}

export function createProgress(
  model: Model,
  repeats: number,
  show: boolean | 'auto',
  onProgress: ((e: WorkloadProgress) => void) | undefined,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressSink {
  const tty = show === true || (show === 'auto' && stream.isTTY === true);
  let last = 0;
  let drawn = false;
  return {
    update(p, force = false) {
      const now = performance.now();
      if (!force && now - last < PROGRESS_INTERVAL_MS) return;
      last = now;
      const event: WorkloadProgress = { model, repeats, ...p };
      onProgress?.(event);
      if (tty) {
        const what = p.phase === 'warmup' ? 'warm-up' : p.phase === 'done' ? 'done' : `repeat ${p.repeat + 1}/${repeats}`;
        const eta = p.etaMs === undefined ? '' : `, ETA ${Math.ceil(p.etaMs / 1000)}s`;
        const line = `${model} ${what}: ${p.spansAcknowledged}/${p.spansTarget} spans, ${Math.round(p.spansPerSec)} spans/s, ${p.errors} errors${eta}`;
        stream.write(`\r\x1b[2K${line}`);
        drawn = true;
      }
    },
    end() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
