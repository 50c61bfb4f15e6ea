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

/** In-memory data of every stream and trace. */
export class DataStore {
  private readonly elements = new Map<string, StoredElement[]>();
  private readonly traces = new Map<string, Map<string, StoredSpan[]>>();
  private seq = 0;

  addElement(group: string, name: string, e: Omit<StoredElement, 'seq'>): void {
    const k = key(group, name);
    let list = this.elements.get(k);
    if (!list) {
      list = [];
      this.elements.set(k, list);
    }
    list.push({ ...e, seq: this.seq++ });
  }

  addSpan(group: string, name: string, s: Omit<StoredSpan, 'seq'>): void {
    const k = key(group, name);
    let byTrace = this.traces.get(k);
    if (!byTrace) {
      byTrace = new Map();
      this.traces.set(k, byTrace);
    }
    let spans = byTrace.get(s.traceId);
    if (!spans) {
      spans = [];
      byTrace.set(s.traceId, spans);
    }
    spans.push({ ...s, seq: this.seq++ });
  }

  elementsOf(group: string, name: string): readonly StoredElement[] {
    return this.elements.get(key(group, name)) ?? [];
  }

  tracesOf(group: string, name: string): ReadonlyMap<string, StoredSpan[]> {
    return this.traces.get(key(group, name)) ?? new Map();
  }

  hasData(group: string): boolean {
    const prefix = `${group}\u0000`;
    for (const [k, v] of this.elements) if (k.startsWith(prefix) && v.length > 0) return true;
    for (const [k, v] of this.traces) if (k.startsWith(prefix) && v.size > 0) return true;
    return false;
  }

  dropGroup(group: string): void {
    const prefix = `${group}\u0000`;
    for (const k of [...this.elements.keys()]) if (k.startsWith(prefix)) this.elements.delete(k);
    for (const k of [...this.traces.keys()]) if (k.startsWith(prefix)) this.traces.delete(k);
  }

  drop(model: 'stream' | 'trace', group: string, name: string): void {
    if (model === 'stream') this.elements.delete(key(group, name));
    else this.traces.delete(key(group, name));
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
