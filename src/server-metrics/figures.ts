/**
 * The server figures banyandb-perf reads from a scrape, per model and per run group, by the metric names
 * BanyanDB 0.10.x serves on its observability port (checked against a recorded 0.10.3 scrape). The emulator serves
 * the same names with its own counters, so the same reader works on both; the figures still say which server made
 * them (the result's `target.servers`).
 */
import type { Model } from '../results.js';
import { type PrometheusExposition, sumOf } from './prometheus.js';

/** One scrape's figures for one model's groups. A figure the server did not serve is absent, never 0. */
export interface ServerFigures {
  /** ms since the epoch when the scrape was answered. */
  timestampMs: number;
  /** Write messages the server received (`banyandb_liaison_grpc_total_stream_msg_received`, method write). */
  writeMessages?: number;
  /** Queries the server finished (`banyandb_liaison_grpc_total_finished`, method query). */
  queries?: number;
  /** Seconds the server spent on those queries, summed (`banyandb_liaison_grpc_total_latency`, method query). */
  querySeconds?: number;
  /** Bytes of flushed parts on disk (`banyandb_<model>_tst_total_file_part_bytes`). */
  fileBytes?: number;
  /** Bytes of parts still in memory (`banyandb_<model>_tst_total_mem_part_bytes`). */
  memPartBytes?: number;
  /** Elements (spans) in flushed parts (`banyandb_<model>_tst_total_file_elements`). */
  fileElements?: number;
  /** Part merges done (`banyandb_<model>_tst_total_merged`; for traces, the data parts only, `type="mem"`/`"file"`). */
  merges?: number;
  /** Resident memory of the server process (`process_resident_memory_bytes`). */
  residentBytes?: number;
}

/** The figure names of {@link ServerFigures} that are counters (they only grow; deltas make sense). */
export const COUNTER_FIGURES = ['writeMessages', 'queries', 'querySeconds', 'merges'] as const;

/** Sums a metric over the given groups; absent when no sample of any group exists. */
function sumGroups(
  exp: PrometheusExposition,
  name: string,
  groups: readonly string[],
  extra: Record<string, string> = {},
): number | undefined {
  let total: number | undefined;
  for (const group of groups) {
    const v = sumOf(exp, name, { ...extra, group });
    if (v !== undefined) total = (total ?? 0) + v;
  }
  return total;
}

/**
 * Reads the figures of one model's groups from a scrape.
 * @param groups the run's group names on that server (the stream model has several, the trace model one)
 */
export function readServerFigures(exp: PrometheusExposition, model: Model, groups: readonly string[], timestampMs: number): ServerFigures {
  const figures: ServerFigures = { timestampMs };
  const set = <K extends keyof ServerFigures>(key: K, value: ServerFigures[K] | undefined): void => {
    if (value !== undefined) figures[key] = value;
  };
  const service = { service: model };
  set('writeMessages', sumGroups(exp, 'banyandb_liaison_grpc_total_stream_msg_received', groups, { ...service, method: 'write' }));
  set('queries', sumGroups(exp, 'banyandb_liaison_grpc_total_finished', groups, { ...service, method: 'query' }));
  set('querySeconds', sumGroups(exp, 'banyandb_liaison_grpc_total_latency', groups, { ...service, method: 'query' }));
  set('fileBytes', sumGroups(exp, `banyandb_${model}_tst_total_file_part_bytes`, groups));
  set('memPartBytes', sumGroups(exp, `banyandb_${model}_tst_total_mem_part_bytes`, groups));
  set('fileElements', sumGroups(exp, `banyandb_${model}_tst_total_file_elements`, groups));
  if (model === 'stream') set('merges', sumGroups(exp, 'banyandb_stream_tst_total_merged', groups));
  else {
    // Trace parts merge once per data part and once per secondary index ("mem_time_based_index", ...): count data.
    const mem = sumGroups(exp, 'banyandb_trace_tst_total_merged', groups, { type: 'mem' });
    const file = sumGroups(exp, 'banyandb_trace_tst_total_merged', groups, { type: 'file' });
    if (mem !== undefined || file !== undefined) figures.merges = (mem ?? 0) + (file ?? 0);
  }
  set('residentBytes', sumOf(exp, 'process_resident_memory_bytes'));
  return figures;
}
