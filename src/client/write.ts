/**
 * Write batches over BanyanDB's bidirectional `Write` streams.
 *
 * BanyanDB (v0.10.3 liaison) answers a rejected message at once but acknowledges successful ones only
 * after the client half-closes the stream. So one batch = one Write stream: send every frame honouring
 * backpressure, half-close, then collect acknowledgements until the server ends the stream.
 * Internal: the public surface is BanyanDBClient.writeStream / writeTrace / writeStreamEncoded / writeTraceEncoded.
 */
import type * as grpc from '@grpc/grpc-js';
import { AbortedError, type BanyanDBPerfError, ClosedError, type RejectedWrite, UnavailableError, WriteRejectedError } from '../errors.js';
import { mapGrpcError } from './errors-map.js';
import { identitySerialize } from './methods.js';
import { decode } from './proto.js';
import type { StreamWriteResponse, TraceWriteResponse } from './types.js';

const GRPC_CANCELLED = 1;

/** Status name of a successful write acknowledgement. */
export const STATUS_SUCCEED = 'STATUS_SUCCEED';
/** Status name BanyanDB returns while a freshly created schema has not reached every node yet. */
export const STATUS_INTERNAL_ERROR = 'STATUS_INTERNAL_ERROR';
/** Status name of a span write to a trace the server does not know (yet). */
export const STATUS_NOT_FOUND = 'STATUS_NOT_FOUND';
/** Pseudo-status of a request the server never acknowledged before ending the stream. */
export const MISSING_ACK = 'MISSING_ACK';

/** First delay between STATUS_INTERNAL_ERROR re-sends. */
export const INTERNAL_RETRY_INITIAL_DELAY_MS = 50;
/** Upper bound of the delay between STATUS_INTERNAL_ERROR re-sends. */
export const INTERNAL_RETRY_MAX_DELAY_MS = 1_000;

/** Outcome of one write batch. */
export interface WriteBatchResult {
  /** Requests in the batch (each counted once, however often it was re-sent). */
  sent: number;
  /** Requests finally acknowledged with STATUS_SUCCEED. */
  acknowledged: number;
  /** Requests finally not acknowledged with STATUS_SUCCEED (status `MISSING_ACK` when no acknowledgement came). */
  rejected: RejectedWrite[];
  /** Final status of every request, by status name (STATUS_SUCCEED included); sums to `sent`. */
  statusCounts: Record<string, number>;
  /** Messages re-sent after a "schema not there yet" status (see WriteOptions.retryStatuses), summed over all rounds. */
  retries: number;
  /** Wall-clock time of the whole batch, retries included. */
  durationMs: number;
}

/** Which write protocol: stream acknowledgements carry `messageId`, trace acknowledgements echo `version`. */
export type WriteKind = 'stream' | 'trace';

export const WRITE_PATHS: Record<WriteKind, string> = {
  stream: '/banyandb.stream.v1.StreamService/Write',
  trace: '/banyandb.trace.v1.TraceService/Write',
};
const RESPONSE_TYPES: Record<WriteKind, string> = {
  stream: 'banyandb.stream.v1.WriteResponse',
  trace: 'banyandb.trace.v1.WriteResponse',
};

/** A decoded acknowledgement: which request (by id) and its status name. */
export interface Ack {
  id: number;
  status: string;
}

const SUCCEED_BYTES = Buffer.from(STATUS_SUCCEED);

/**
 * Reads a WriteResponse (a varint id field and a string status field; anything else length-delimited, such as the
 * metadata, skipped) without protobufjs: one per written message, so it is on the hot path. Returns undefined for
 * anything unusual (other wire types, multi-byte tags, truncation, ids beyond 2^53), which protobufjs then decodes.
 */
function readAck(bytes: Uint8Array, idField: number, statusField: number): Ack | undefined {
  const end = bytes.length;
  let pos = 0;
  let id = 0;
  let status = '';
  while (pos < end) {
    const tag = bytes[pos++]!;
    if (tag >= 0x80) return undefined;
    const wire = tag & 7;
    if (wire !== 0 && wire !== 2) return undefined;
    let v = 0;
    let mul = 1;
    let b: number;
    do {
      if (pos >= end || mul > 2 ** 49) return undefined;
      b = bytes[pos++]!;
      v += (b & 0x7f) * mul;
      mul *= 128;
    } while (b >= 0x80);
    if (wire === 0) {
      if (tag >>> 3 === idField) id = v;
      continue;
    }
    if (pos + v > end) return undefined;
    if (tag >>> 3 === statusField) status = statusText(bytes, pos, pos + v);
    pos += v;
  }
  return { id, status };
}

function statusText(bytes: Uint8Array, start: number, end: number): string {
  if (end - start === SUCCEED_BYTES.length) {
    let same = true;
    for (let i = 0; i < SUCCEED_BYTES.length; i++) {
      if (bytes[start + i] !== SUCCEED_BYTES[i]) {
        same = false;
        break;
      }
    }
    if (same) return STATUS_SUCCEED;
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8');
}

/** Acknowledgement decoders: stream WriteResponse {message_id = 1, status = 2}, trace {version = 2, status = 3}. */
export const ACK_DECODERS: Record<WriteKind, (bytes: Buffer) => Ack> = {
  stream: (bytes) => {
    const fast = readAck(bytes, 1, 2);
    if (fast) return fast;
    const r = decode<StreamWriteResponse>(RESPONSE_TYPES.stream, bytes);
    return { id: r.messageId ?? 0, status: r.status ?? '' };
  },
  trace: (bytes) => {
    const fast = readAck(bytes, 2, 3);
    if (fast) return fast;
    const r = decode<TraceWriteResponse>(RESPONSE_TYPES.trace, bytes);
    return { id: r.version ?? 0, status: r.status ?? '' };
  },
};

// ---------------------------------------------------------------------------------------------------------
// One Write stream.

/** What a batch session needs from the client. */
export interface WriteContext {
  readonly grpcClient: grpc.Client;
  readonly address: string;
  /** Registers a live call so `close()` can cancel it; returns the unregister function. */
  track(cancel: (err: BanyanDBPerfError) => void): () => void;
}

export interface SessionOptions {
  timeoutMs: number;
  signal: AbortSignal | undefined;
}

/**
 * Sends `frames` on one Write stream and resolves with the acknowledged status of each frame
 * (undefined = no acknowledgement before the server ended the stream). Rejects with a typed error on
 * transport failure, deadline, abort or client close; never hangs past `timeoutMs`.
 */
export function writeSession(
  ctx: WriteContext,
  kind: WriteKind,
  frames: readonly Uint8Array[],
  ids: readonly number[],
  opts: SessionOptions,
): Promise<(string | undefined)[]> {
  const path = WRITE_PATHS[kind];
  const decodeAck = ACK_DECODERS[kind];
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new AbortedError(`${path} aborted before it started`, { cause: opts.signal.reason }));
      return;
    }
    const statuses = new Array<string | undefined>(frames.length);
    // id -> indices still waiting for their acknowledgement (ids may repeat when the caller set them).
    const pending = new Map<number, number[]>();
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const list = pending.get(id);
      if (list) list.push(i);
      else pending.set(id, [i]);
    }

    const call = ctx.grpcClient.makeBidiStreamRequest<Uint8Array, Ack>(path, identitySerialize, decodeAck, {
      deadline: Date.now() + opts.timeoutMs,
    });
    let settled = false;
    let readableEnded = false;
    let statusOk = false;
    let wakeSender: (() => void) | undefined;

    const cleanup = (): void => {
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      untrack();
      wakeSender?.();
    };
    const fail = (err: BanyanDBPerfError): void => {
      if (settled) return;
      cleanup();
      call.cancel();
      reject(err);
    };
    const maybeFinish = (): void => {
      if (settled || !readableEnded || !statusOk) return;
      cleanup();
      resolve(statuses);
    };
    const onAbort = (): void =>
      fail(new AbortedError(`${path} on ${ctx.address} aborted with ${frames.length} messages in flight`, { cause: opts.signal?.reason }));
    const untrack = ctx.track((err) => fail(err));
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    call.on('data', (ack: Ack) => {
      const list = pending.get(ack.id);
      const index = list?.shift();
      if (index === undefined) return; // unknown or duplicate acknowledgement: ignored
      if (list!.length === 0) pending.delete(ack.id);
      statuses[index] = ack.status;
    });
    call.on('end', () => {
      readableEnded = true;
      maybeFinish();
    });
    call.on('status', (s: grpc.StatusObject) => {
      if (s.code === 0) {
        statusOk = true;
        maybeFinish();
      }
    });
    call.on('error', (err: Error) => {
      if (settled) return;
      // We only cancel after settling, so a CANCELLED status here means the server reset the stream.
      if ((err as { code?: number }).code === GRPC_CANCELLED) {
        fail(
          new UnavailableError(
            'UNAVAILABLE',
            GRPC_CANCELLED,
            path,
            `${path} on ${ctx.address}: the server closed the stream mid-way (${err.message})`,
            { cause: err },
          ),
        );
        return;
      }
      fail(mapGrpcError(err, path, ctx.address));
    });

    // Sender: honour backpressure (write() === false -> wait for 'drain'), then half-close.
    const send = async (): Promise<void> => {
      for (let i = 0; i < frames.length; i++) {
        if (settled) return;
        if (!call.write(frames[i]!)) {
          await new Promise<void>((wake) => {
            const done = (): void => {
              call.off('drain', done);
              call.off('close', done);
              wakeSender = undefined;
              wake();
            };
            wakeSender = done;
            call.once('drain', done);
            call.once('close', done);
          });
        }
      }
      if (!settled) call.end();
    };
    send().catch((err: unknown) => fail(mapGrpcError(err, path, ctx.address)));
  });
}

// ---------------------------------------------------------------------------------------------------------
// A batch: sessions + STATUS_INTERNAL_ERROR retries + accounting.

export interface BatchOptions extends SessionOptions {
  retryInternalErrorForMs: number;
  /** Statuses that mean "schema not there yet" and are re-sent; default {@link defaultRetryStatuses}. */
  retryStatuses: readonly string[];
  throwOnReject: boolean;
}

/**
 * Statuses BanyanDB v0.10.3's liaison answers while a freshly created resource has not reached its schema
 * cache: stream writes fail navigation (STATUS_INTERNAL_ERROR); span writes fail the trace lookup first
 * (STATUS_NOT_FOUND), or navigation (STATUS_INTERNAL_ERROR).
 */
export function defaultRetryStatuses(kind: WriteKind): readonly string[] {
  return kind === 'stream' ? [STATUS_INTERNAL_ERROR] : [STATUS_INTERNAL_ERROR, STATUS_NOT_FOUND];
}

const sleep = (ms: number, signal: AbortSignal | undefined): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError('aborted', { cause: signal.reason }));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError('aborted while waiting to retry STATUS_INTERNAL_ERROR writes', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Writes a batch of encoded frames, re-sending only the rejections whose status is in `retryStatuses` (when
 * every rejection is of those kinds) with backoff for up to `retryInternalErrorForMs`.
 */
export async function writeBatch(
  ctx: WriteContext & { readonly closed: boolean },
  kind: WriteKind,
  frames: readonly Uint8Array[],
  ids: readonly number[],
  opts: BatchOptions,
): Promise<WriteBatchResult> {
  if (ctx.closed) throw new ClosedError(`BanyanDBClient(${ctx.address})`);
  const start = performance.now();
  const final = await writeSession(ctx, kind, frames, ids, opts);
  let retries = 0;
  let delayMs = INTERNAL_RETRY_INITIAL_DELAY_MS;
  const retryable = new Set(opts.retryStatuses);
  while (opts.retryInternalErrorForMs > 0 && retryable.size > 0) {
    const retry: number[] = [];
    let otherRejection = false;
    for (let i = 0; i < final.length; i++) {
      const s = final[i];
      if (s === STATUS_SUCCEED) continue;
      if (s !== undefined && retryable.has(s)) retry.push(i);
      else otherRejection = true;
    }
    if (retry.length === 0 || otherRejection) break;
    const elapsed = performance.now() - start;
    if (elapsed + delayMs > opts.retryInternalErrorForMs) break;
    await sleep(delayMs, opts.signal);
    delayMs = Math.min(delayMs * 2, INTERNAL_RETRY_MAX_DELAY_MS);
    retries += retry.length;
    const again = await writeSession(
      ctx,
      kind,
      retry.map((i) => frames[i]!),
      retry.map((i) => ids[i]!),
      opts,
    );
    for (let j = 0; j < retry.length; j++) final[retry[j]!] = again[j];
  }

  const rejected: RejectedWrite[] = [];
  const statusCounts: Record<string, number> = {};
  let acknowledged = 0;
  for (let i = 0; i < final.length; i++) {
    const s = final[i] ?? MISSING_ACK;
    statusCounts[s] = (statusCounts[s] ?? 0) + 1;
    if (s === STATUS_SUCCEED) acknowledged++;
    else rejected.push({ id: ids[i]!, status: s });
  }
  const result: WriteBatchResult = {
    sent: frames.length,
    acknowledged,
    rejected,
    statusCounts,
    retries,
    durationMs: performance.now() - start,
  };
  if (rejected.length > 0 && opts.throwOnReject) {
    const summary = Object.entries(statusCounts)
      .filter(([s]) => s !== STATUS_SUCCEED)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ');
    throw new WriteRejectedError(
      `${WRITE_PATHS[kind]} on ${ctx.address}: ${rejected.length} of ${frames.length} writes rejected (${summary})`,
      { rejected, sent: frames.length, acknowledged },
    );
  }
  return result;
}
