/**
 * Small pieces of Go behaviour BanyanDB 0.10.3's answers depend on: `container/heap` (whose tie-breaking
 * decides the order of equal keys merged from several shards) and the protobuf text form Go prints into
 * error details. Internal to the emulator.
 */
import type { Timestamp } from '../../client/types.js';

/** Go's `container/heap` over an array, with the same sift-up/sift-down steps (so the same tie order). */
export class GoHeap<T> {
  readonly a: T[] = [];
  constructor(private readonly less: (x: T, y: T) => boolean) {}

  get length(): number {
    return this.a.length;
  }

  private up(j0: number): void {
    let j = j0;
    while (j > 0) {
      const i = (j - 1) >> 1;
      if (!this.less(this.a[j]!, this.a[i]!)) break;
      this.swap(i, j);
      j = i;
    }
  }

  private down(i0: number, n: number): boolean {
    let i = i0;
    for (;;) {
      const j1 = 2 * i + 1;
      if (j1 >= n) break;
      let j = j1;
      const j2 = j1 + 1;
      if (j2 < n && this.less(this.a[j2]!, this.a[j1]!)) j = j2;
      if (!this.less(this.a[j]!, this.a[i]!)) break;
      this.swap(i, j);
      i = j;
    }
    return i > i0;
  }

  private swap(i: number, j: number): void {
    const t = this.a[i]!;
    this.a[i] = this.a[j]!;
    this.a[j] = t;
  }

  /** `heap.Init` over the items already in `a`. */
  init(): void {
    const n = this.a.length;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.down(i, n);
  }

  push(x: T): void {
    this.a.push(x);
    this.up(this.a.length - 1);
  }

  pop(): T {
    const n = this.a.length - 1;
    this.swap(0, n);
    this.down(0, n);
    return this.a.pop()!;
  }

  fix(i: number): void {
    if (!this.down(i, this.a.length)) this.up(i);
  }
}

/** A Timestamp in Go's protobuf text form, e.g. `{seconds:1796149730 nanos:740000001}` (zero fields left out). */
export function goTimestampText(t: Timestamp | undefined): string {
  const parts: string[] = [];
  if (t?.seconds) parts.push(`seconds:${t.seconds}`);
  if (t?.nanos) parts.push(`nanos:${t.nanos}`);
  return `{${parts.join(' ')}}`;
}
