/**
 * The emulator's Prometheus endpoint (`GET /metrics` on its HTTP port): a small set of its own counters, served
 * under the metric names BanyanDB 0.10.x uses for the same things, so the SDK's scraper reads both servers the same
 * way. These are the emulator's figures (in-memory, uncompressed storage), never BanyanDB's; the run's
 * `target.servers` says which server answered.
 */
import { performance } from 'node:perf_hooks';
import type { Model } from '../results.js';

interface GroupCounters {
  writeMessages: number;
  queries: number;
  querySeconds: number;
  elements: number;
  bytes: number;
}

const HELP: ReadonlyArray<readonly [string, 'counter' | 'gauge', string]> = [
  ['banyandb_liaison_grpc_total_stream_msg_received', 'counter', 'Write messages received (emulator)'],
  ['banyandb_liaison_grpc_total_started', 'counter', 'Queries started (emulator)'],
  ['banyandb_liaison_grpc_total_finished', 'counter', 'Queries finished (emulator)'],
  ['banyandb_liaison_grpc_total_latency', 'counter', 'Seconds spent answering queries (emulator)'],
];

/** Label values are quoted; backslash, quote and newline escaped as the text format requires. */
function label(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Counters of one emulator process. */
export class EmulatorMetrics {
  readonly #groups = new Map<string, { model: Model; group: string; c: GroupCounters }>();

  #of(model: Model, group: string): GroupCounters {
    const key = `${model}\u0000${group}`;
    let entry = this.#groups.get(key);
    if (entry === undefined) {
      entry = { model, group, c: { writeMessages: 0, queries: 0, querySeconds: 0, elements: 0, bytes: 0 } };
      this.#groups.set(key, entry);
    }
    return entry.c;
  }

  /** One write message received; `stored` when it was kept (then `bytes` count towards storage). */
  recordWrite(model: Model, group: string, stored: boolean, bytes: number): void {
    const c = this.#of(model, group);
    c.writeMessages++;
    if (stored) {
      c.elements++;
      c.bytes += bytes;
    }
  }

  /** One query answered (or failed) after `seconds`. */
  recordQuery(model: Model, group: string, seconds: number): void {
    const c = this.#of(model, group);
    c.queries++;
    c.querySeconds += seconds;
  }

  /** Counts a write message when it arrives and its bytes when the emulator stores it; returns `outcome`. */
  countWrite<O extends { status: string; commit?: () => void }>(model: Model, md: { group?: string }, raw: Uint8Array, outcome: O): O {
    const group = md.group ?? '';
    this.recordWrite(model, group, false, 0);
    const commit = outcome.commit;
    if (commit === undefined) return outcome;
    return {
      ...outcome,
      commit: () => {
        commit();
        const c = this.#of(model, group);
        c.elements++;
        c.bytes += raw.byteLength;
      },
    };
  }

  /** Runs one query and counts it (and its time) for each group it names, whether it answered or failed. */
  timeQuery<T>(model: Model, groups: readonly string[] | undefined, run: () => T): T {
    const t0 = performance.now();
    const done = (): void => {
      const seconds = (performance.now() - t0) / 1000;
      for (const g of groups ?? []) this.recordQuery(model, g, seconds);
    };
    let result: T;
    try {
      result = run();
    } catch (err) {
      done();
      throw err;
    }
    if (result instanceof Promise) return result.finally(done) as T;
    done();
    return result;
  }

  /** A deleted group's figures go with it, as BanyanDB's do. */
  dropGroup(group: string): void {
    for (const [key, entry] of this.#groups) if (entry.group === group) this.#groups.delete(key);
  }

  /** The Prometheus text exposition of every counter. */
  render(): string {
    const lines: string[] = [];
    const rows = [...this.#groups.values()];
    const metric = (name: string, pick: (c: GroupCounters) => number, method: string): void => {
      for (const { model, group, c } of rows) {
        lines.push(`${name}{group=${label(group)},method=${label(method)},service=${label(model)}} ${pick(c)}`);
      }
    };
    for (const [name, type, help] of HELP) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      if (name.endsWith('stream_msg_received')) metric(name, (c) => c.writeMessages, 'write');
      else if (name.endsWith('latency')) metric(name, (c) => c.querySeconds, 'query');
      else metric(name, (c) => c.queries, 'query');
    }
    for (const model of ['stream', 'trace'] as const) {
      for (const [suffix, help, pick] of [
        ['file_part_bytes', 'Bytes stored (emulator: in memory, uncompressed)', (c: GroupCounters) => c.bytes],
        ['file_elements', 'Elements stored (emulator)', (c: GroupCounters) => c.elements],
      ] as const) {
        const name = `banyandb_${model}_tst_total_${suffix}`;
        lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
        for (const r of rows) if (r.model === model) lines.push(`${name}{group=${label(r.group)},seg="emulator",shard="0"} ${pick(r.c)}`);
      }
    }
    lines.push(
      '# HELP process_resident_memory_bytes Resident memory of the emulator process',
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${process.memoryUsage.rss()}`,
    );
    return `${lines.join('\n')}\n`;
  }
}
