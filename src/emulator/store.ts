/**
 * Accepted stream elements and trace spans, held in memory per group+name, plus the optional append-only
 * write log that gives a Docker data volume a real footprint. Internal to the emulator.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { TagValue, Timestamp } from '../client/types.js';

/** One stored stream element; `tags` indexes every written tag value by tag name. */
export interface StoredElement {
  elementId: string;
  timestamp: Timestamp;
  timestampMs: number;
  tags: Map<string, TagValue>;
  /** Insertion sequence, the tie-breaker of every sort. */
  seq: number;
  /** The element id as the server answers it, computed on first use (see banyandb-0.10.3/query.ts). */
  answerId?: string;
}

/** One stored span; `tags` indexes every written tag value by tag name. */
export interface StoredSpan {
  traceId: string;
  spanId: string;
  timestampMs: number;
  tags: Map<string, TagValue>;
  span: Uint8Array;
  seq: number;
}

const key = (group: string, name: string): string => `${group}\u0000${name}`;

interface Derived {
  version: number;
  value: unknown;
}

/**
 * In-memory data of every stream and trace. Elements and spans are kept in write order; spans are also
 * indexed by trace id. Query-side indexes (time-sorted arrays, per-rule sorted blocks) are derived on
 * first use and cached per stream/trace until its next write ({@link DataStore.derived}).
 */
export class DataStore {
  private readonly elements = new Map<string, StoredElement[]>();
  private readonly spans = new Map<string, StoredSpan[]>();
  private readonly traces = new Map<string, Map<string, StoredSpan[]>>();
  private readonly versions = new Map<string, number>();
  private readonly derivedCache = new Map<string, Map<string, Derived>>();
  private seq = 0;

  private bump(model: 'stream' | 'trace', k: string): void {
    const vk = `${model}\u0000${k}`;
    this.versions.set(vk, (this.versions.get(vk) ?? 0) + 1);
  }

  addElement(group: string, name: string, e: Omit<StoredElement, 'seq'>): void {
    const k = key(group, name);
    let list = this.elements.get(k);
    if (!list) {
      list = [];
      this.elements.set(k, list);
    }
    list.push({ ...e, seq: this.seq++ });
    this.bump('stream', k);
  }

  addSpan(group: string, name: string, s: Omit<StoredSpan, 'seq'>): void {
    const k = key(group, name);
    let byTrace = this.traces.get(k);
    let all = this.spans.get(k);
    if (!byTrace || !all) {
      byTrace = new Map();
      all = [];
      this.traces.set(k, byTrace);
      this.spans.set(k, all);
    }
    const stored = { ...s, seq: this.seq++ };
    all.push(stored);
    let spans = byTrace.get(s.traceId);
    if (!spans) {
      spans = [];
      byTrace.set(s.traceId, spans);
    }
    spans.push(stored);
    this.bump('trace', k);
  }

  /** The elements of a stream in write order. */
  elementsOf(group: string, name: string): readonly StoredElement[] {
    return this.elements.get(key(group, name)) ?? [];
  }

  /** The spans of a trace schema in write order. */
  spansOf(group: string, name: string): readonly StoredSpan[] {
    return this.spans.get(key(group, name)) ?? [];
  }

  /** The spans of a trace schema grouped by trace id (each group in write order). */
  tracesOf(group: string, name: string): ReadonlyMap<string, StoredSpan[]> {
    return this.traces.get(key(group, name)) ?? new Map();
  }

  /**
   * A query-side index of one stream or trace, built by `build` on first use and rebuilt after the next
   * write to it. `id` names the index (e.g. `time`, `rule:latency_index`).
   */
  derived<T>(model: 'stream' | 'trace', group: string, name: string, id: string, build: () => T): T {
    const vk = `${model}\u0000${key(group, name)}`;
    const version = this.versions.get(vk) ?? 0;
    let forKey = this.derivedCache.get(vk);
    if (!forKey) {
      forKey = new Map();
      this.derivedCache.set(vk, forKey);
    }
    const hit = forKey.get(id);
    if (hit && hit.version === version) return hit.value as T;
    const value = build();
    forKey.set(id, { version, value });
    return value;
  }

  hasData(group: string): boolean {
    const prefix = `${group}\u0000`;
    for (const [k, v] of this.elements) if (k.startsWith(prefix) && v.length > 0) return true;
    for (const [k, v] of this.spans) if (k.startsWith(prefix) && v.length > 0) return true;
    return false;
  }

  dropGroup(group: string): void {
    const prefix = `${group}\u0000`;
    for (const m of [this.elements, this.spans, this.traces]) {
      for (const k of [...m.keys()]) if (k.startsWith(prefix)) m.delete(k);
    }
    for (const k of [...this.derivedCache.keys()]) {
      if (k.startsWith(`stream\u0000${prefix}`) || k.startsWith(`trace\u0000${prefix}`)) this.derivedCache.delete(k);
    }
    for (const k of [...this.versions.keys()]) {
      if (k.startsWith(`stream\u0000${prefix}`) || k.startsWith(`trace\u0000${prefix}`)) this.bumpKey(k);
    }
  }

  drop(model: 'stream' | 'trace', group: string, name: string): void {
    const k = key(group, name);
    if (model === 'stream') this.elements.delete(k);
    else {
      this.spans.delete(k);
      this.traces.delete(k);
    }
    this.derivedCache.delete(`${model}\u0000${k}`);
    this.bump(model, k);
  }

  private bumpKey(vk: string): void {
    this.versions.set(vk, (this.versions.get(vk) ?? 0) + 1);
  }
}

/**
 * Appends each accepted write's protobuf bytes, length-prefixed (uint32 LE), to
 * `<dir>/<group>/<name>.writes` under the model's directory. The emulator's own footprint, not BanyanDB's.
 */
export class WriteLog {
  private readonly files = new Map<string, WriteStream>();
  private failed: Error | undefined;

  constructor(
    private readonly dirs: { stream?: string | undefined; trace?: string | undefined },
    private readonly log: (line: string) => void,
  ) {}

  get enabled(): boolean {
    return Boolean(this.dirs.stream || this.dirs.trace);
  }

  append(model: 'stream' | 'trace', group: string, name: string, bytes: Uint8Array): void {
    const dir = this.dirs[model];
    if (!dir || this.failed) return;
    const k = `${model}\u0000${group}\u0000${name}`;
    let out = this.files.get(k);
    if (!out) {
      const groupDir = join(dir, safeName(group));
      mkdirSync(groupDir, { recursive: true });
      out = createWriteStream(join(groupDir, `${safeName(name)}.writes`), { flags: 'a' });
      out.on('error', (err) => {
        this.failed = err;
        this.log(`emulator: write log disabled after an error: ${err.message}`);
      });
      this.files.set(k, out);
    }
    const header = Buffer.allocUnsafe(4);
    header.writeUInt32LE(bytes.byteLength, 0);
    out.write(header);
    out.write(bytes);
  }

  async close(): Promise<void> {
    const all = [...this.files.values()];
    this.files.clear();
    await Promise.all(all.map((f) => new Promise<void>((resolve) => f.end(() => resolve()))));
  }
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '_') || '_';
}
