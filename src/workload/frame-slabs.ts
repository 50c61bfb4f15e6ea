/**
 * Memory the producer thread encodes frames into, recycled between the two threads so that no batch allocates
 * fresh memory: fixed-size slabs (plain ArrayBuffers) go to the event loop with each batch (transferred, not
 * copied) and come back, again transferred, once every write that reads them has settled (grpc-js has copied the
 * frames by then). Allocating and freeing ~1 MB of ArrayBuffers per batch kept V8's garbage-collector threads at
 * about a fifth of the client's CPU per span (measured). A SharedArrayBuffer ring was tried first: it removed that
 * cost but V8 copies out of shared memory about three times slower, which the event loop paid on every frame.
 */

/** Size of a recycled slab: room for ~13 frames of ~10 KB. Larger requests get memory of their own. */
export const RECYCLED_SLAB_BYTES = 128 * 1024;
/** Most free slabs the producer keeps (the rest are left to the garbage collector). */
const MAX_FREE_SLABS = 512;

/** Producer side: hands out slabs, reusing those returned. */
export class SlabPool {
  readonly #free: ArrayBuffer[] = [];
  /** Slabs allocated (not reused) so far. */
  allocated = 0;
  /** Slabs handed out again after coming back. */
  reused = 0;

  /** Memory for at least `bytes` (a whole slab when it fits in one). */
  alloc(bytes: number): Buffer {
    if (bytes > RECYCLED_SLAB_BYTES) return Buffer.allocUnsafeSlow(bytes);
    const ab = this.#free.pop();
    if (ab) {
      this.reused++;
      return Buffer.from(ab);
    }
    this.allocated++;
    return Buffer.allocUnsafeSlow(RECYCLED_SLAB_BYTES);
  }

  /** Slabs back from the event loop. */
  recycle(slabs: readonly ArrayBuffer[]): void {
    for (const ab of slabs) {
      if (ab.byteLength === RECYCLED_SLAB_BYTES && this.#free.length < MAX_FREE_SLABS) this.#free.push(ab);
    }
  }
}

/**
 * Event-loop side: holds each batch's slabs until all its spans' writes settled (a batch may be written in parts
 * after a split, and parts settle in any order), then gives them to `giveBack`.
 */
export class SlabReturns {
  readonly #open = new Map<number, { left: number; slabs: ArrayBuffer[] }>();
  readonly #giveBack: (slabs: ArrayBuffer[]) => void;

  constructor(giveBack: (slabs: ArrayBuffer[]) => void) {
    this.#giveBack = giveBack;
  }

  /** Batch `seq` arrived with `count` spans in `slabs`. */
  produced(seq: number, count: number, slabs: ArrayBuffer[]): void {
    if (count > 0 && slabs.length > 0) this.#open.set(seq, { left: count, slabs });
  }

  /** `n` spans of batch `seq` were written (their write settled): their frames are no longer read. */
  settled(seq: number, n: number): void {
    const b = this.#open.get(seq);
    if (!b) return;
    b.left -= n;
    if (b.left <= 0) {
      this.#open.delete(seq);
      this.#giveBack(b.slabs);
    }
  }

  /** Batches whose slabs have not gone back yet. */
  get pending(): number {
    return this.#open.size;
  }
}
