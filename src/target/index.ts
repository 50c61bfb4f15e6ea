/** Targets: what serves the two models (Docker, the in-process emulator, or given addresses). */
export { DEFAULT_STATS_INTERVAL_MS, OpenTarget, openTarget, resolveTargetKind, type TargetKind, type TargetOptions } from './target.js';
