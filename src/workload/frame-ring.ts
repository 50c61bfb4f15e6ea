/**
 * Memory the producer thread encodes frames into, shared with the event loop so that frames are neither copied
 * nor allocated per batch: one SharedArrayBuffer used as a ring. Allocating and freeing ~1 MB of ArrayBuffers per
 * batch kept V8's garbage-collector threads busy (about a fifth of the client's CPU per span, measured); a ring
 * that is written again once its frames were sent costs nothing per batch.
 *
 * The producer allocates frames at the ring's head, batch after batch (sequence numbers 0, 1, 2, ...). The event
 * loop marks batches done once their write settled (in any order, possibly in parts when a batch was split) and
 * publishes the highest sequence number below which every batch is done; the producer reclaims ring space up to
 * the end of that batch. When the ring has no room (batches much larger than it was sized for, or many in flight),
 * the producer falls back to ordinary transferred memory instead of waiting, so it never blocks.
 */

/** Control word: the highest batch sequence number such that it and every earlier batch are done (-1: none). */
const RELEASED = 0;

/** Producer side: hands out ring memory for the frames of the current batch. */
export class RingWriter {
  readonly #ring: SharedArrayBuffer;
  readonly #control: Int32Array;
  /** Absolute byte counters (never wrapped): head - tail bytes are in use. */
  #head = 0;
  #tail = 0;
  /** Batches with ring memory not yet reclaimed: sequence number and the head after the batch, in order. */
  readonly #pending: { seq: number; end: number }[] = [];

  constructor(ring: SharedArrayBuffer, control: Int32Array) {
    this.#ring = ring;
    this.#control = control;
  }

  /** `bytes` of ring memory, or undefined when the ring has no contiguous room for them now. */
  alloc(bytes: number): Buffer | undefined {
    const size = this.#ring.byteLength;
    if (bytes > size) return undefined;
    this.#reclaim();
    let at = this.#head % size;
    // A request never straddles the ring's end: the bytes up to the end are skipped (freed with this batch).
    const skip = at + bytes > size ? size - at : 0;
    if (this.#head + skip + bytes - this.#tail > size) return undefined;
    this.#head += skip;
    at = this.#head % size;
    this.#head += bytes;
    return Buffer.from(this.#ring, at, bytes);
  }

  /** Offset of a buffer handed out by `alloc` within the ring, or -1 for any other buffer. */
  offsetOf(buf: Buffer): number {
    return buf.buffer === this.#ring ? buf.byteOffset : -1;
  }

  /** Closes batch `seq`: the ring memory allocated since the previous call belongs to it. */
  endBatch(seq: number): void {
    const last = this.#pending[this.#pending.length - 1];
    if (!last || last.end !== this.#head) this.#pending.push({ seq, end: this.#head });
    else last.seq = seq;
  }

  #reclaim(): void {
    const released = Atomics.load(this.#control, RELEASED);
    while (this.#pending.length > 0 && this.#pending[0]!.seq <= released) this.#tail = this.#pending.shift()!.end;
  }
}

/** Event-loop side: counts each batch's spans as their writes settle and publishes the done prefix. */
export class RingReleaser {
  readonly #control: Int32Array;
  /** Spans of each produced batch not settled yet, by sequence number. */
  readonly #open = new Map<number, number>();
  #released = -1;

  constructor(control: Int32Array) {
    this.#control = control;
    Atomics.store(control, RELEASED, -1);
  }

  /** Batch `seq` with `count` spans arrived from the producer. */
  produced(seq: number, count: number): void {
    if (count > 0) this.#open.set(seq, count);
    else this.#open.set(seq, 0);
    this.#advance();
  }

  /** `n` spans of batch `seq` were written (their write settled): their frames are no longer read. */
  settled(seq: number, n: number): void {
    const left = (this.#open.get(seq) ?? 0) - n;
    this.#open.set(seq, left);
    if (left <= 0) this.#advance();
  }

  #advance(): void {
    let r = this.#released;
    while (this.#open.has(r + 1) && this.#open.get(r + 1)! <= 0) {
      this.#open.delete(r + 1);
      r++;
    }
    if (r !== this.#released) {
      this.#released = r;
      Atomics.store(this.#control, RELEASED, r);
    }
  }
}

/** A ring size for batches of `batchSize` spans with payloads of about `payloadBytes`, `batches` in use at once. */
export function ringBytes(batchSize: number, payloadBytes: number, batches: number): number {
  const frame = payloadBytes * 1.6 + 2_048; // payload sizes spread to 1.5x the mean, plus tags and headers
  const want = Math.ceil(batchSize * frame * batches);
  return Math.min(Math.max(want, 4 * 1024 * 1024), 256 * 1024 * 1024);
}
