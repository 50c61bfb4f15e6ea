/**
 * Container figures per phase (warm-up, each write and query repeat) and per query pattern, from the stats
 * samples already taken (ContainerStatsSample timestamps) and the phase windows of the result
 * (BenchmarkResult.phases, WriteRunResult.window, QueryPatternResult.window). Internal to src/report.
 */
import { type BenchmarkResult, type ContainerStatsSample, MODELS, type Model, type PhaseWindow, type RunPhase } from '../results.js';

/** Resource figures of one model's containers over one window. */
export interface WindowFigures {
  samples: number;
  cpuAvg: number;
  cpuMax: number;
  memMax: number;
}

/** One row of the per-phase table. */
export interface PhaseRow {
  /** `warm-up`, `write #1`, `query #2`. */
  phase: string;
  model: Model;
  window: PhaseWindow;
  figures: WindowFigures | null;
}

/** One row of the per-pattern table: each model's figures over that pattern's timed queries (all repeats). */
export interface PatternResourceRow {
  pattern: string;
  byModel: Record<Model, WindowFigures | null>;
}

/** Where a container's memory peaked. */
export interface MemoryPeak {
  container: string;
  model: Model;
  memBytes: number;
  timestampMs: number;
  /** `during query service-time-range (repeat 2)`, `during write #1`, or `outside the measured phases`. */
  during: string;
}

function figures(samples: readonly ContainerStatsSample[]): WindowFigures | null {
  if (samples.length === 0) return null;
  return {
    samples: samples.length,
    cpuAvg: samples.reduce((a, s) => a + s.cpuPercent, 0) / samples.length,
    cpuMax: Math.max(...samples.map((s) => s.cpuPercent)),
    memMax: Math.max(...samples.map((s) => s.memBytes)),
  };
}

function inside(s: ContainerStatsSample, w: PhaseWindow): boolean {
  return s.timestampMs >= w.startMs && s.timestampMs <= w.endMs;
}

/** The phases of the result: `phases` when recorded, else the write repeats' windows. */
export function runPhases(result: BenchmarkResult): RunPhase[] {
  if (result.phases && result.phases.length > 0) return [...result.phases].sort((a, b) => a.startMs - b.startMs);
  const out: RunPhase[] = [];
  for (const m of MODELS) {
    (result.write?.[m] ?? []).forEach((r, i) => {
      if (r.window) out.push({ kind: 'write', model: m, repeat: i, ...r.window });
    });
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}

function phaseLabel(p: RunPhase): string {
  return p.kind === 'warmup' ? 'warm-up' : `${p.kind} #${(p.repeat ?? 0) + 1}`;
}

/** Per phase: the figures of that phase's model's containers while it ran. Empty without samples or phases. */
export function phaseRows(result: BenchmarkResult): PhaseRow[] {
  const samples = result.containers?.samples ?? [];
  if (samples.length === 0) return [];
  return runPhases(result).map((p) => ({
    phase: phaseLabel(p),
    model: p.model,
    window: { startMs: p.startMs, endMs: p.endMs },
    figures: figures(samples.filter((s) => s.model === p.model && inside(s, p))),
  }));
}

/** Per query pattern (with recorded windows): each model's container figures while that pattern's queries ran. */
export function patternResourceRows(result: BenchmarkResult): PatternResourceRow[] {
  const samples = result.containers?.samples ?? [];
  if (samples.length === 0) return [];
  const rows = new Map<string, Record<Model, PhaseWindow[]>>();
  for (const m of MODELS) {
    for (const rep of result.queries?.[m] ?? []) {
      for (const q of rep) {
        if (!q.window) continue;
        const r = rows.get(q.pattern) ?? { stream: [], trace: [] };
        r[m].push(q.window);
        rows.set(q.pattern, r);
      }
    }
  }
  return [...rows.entries()].map(([pattern, w]) => {
    const byModel = {} as Record<Model, WindowFigures | null>;
    for (const m of MODELS) byModel[m] = figures(samples.filter((s) => s.model === m && w[m].some((x) => inside(s, x))));
    return { pattern, byModel };
  });
}

/** For each container: its highest memory sample and the phase or query pattern it fell in. */
export function memoryPeaks(result: BenchmarkResult): MemoryPeak[] {
  const samples = result.containers?.samples ?? [];
  const byContainer = new Map<string, ContainerStatsSample>();
  for (const s of samples) {
    const cur = byContainer.get(s.container);
    if (!cur || s.memBytes > cur.memBytes) byContainer.set(s.container, s);
  }
  const phases = runPhases(result);
  return [...byContainer.values()].map((s) => {
    let during = 'outside the measured phases';
    const pat = (result.queries?.[s.model] ?? [])
      .flatMap((rep, i) => rep.map((q) => ({ q, i })))
      .find(({ q }) => q.window && inside(s, q.window));
    const phase = phases.find((p) => p.model === s.model && inside(s, p));
    if (pat) during = `during query ${pat.q.pattern} (repeat ${pat.i + 1})`;
    else if (phase) during = `during ${phaseLabel(phase)}`;
    else if (phases.length === 0) during = '(no phase times in this result)';
    return { container: s.container, model: s.model, memBytes: s.memBytes, timestampMs: s.timestampMs, during };
  });
}
