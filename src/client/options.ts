/**
 * Options of BanyanDBClient and their defaults, resolved in one place.
 */
import { OptionsError } from '../errors.js';
import { optionKeys } from '../options-check.js';

/** Default deadline of each unary call. */
export const DEFAULT_CALL_TIMEOUT_MS = 10_000;
/** Default time connect() waits for the gRPC health check to answer SERVING. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
/** Default deadline of one write batch stream. */
export const DEFAULT_WRITE_TIMEOUT_MS = 60_000;
/** Default time STATUS_INTERNAL_ERROR write rejections are retried (schema propagation). */
export const DEFAULT_SCHEMA_RETRY_MS = 10_000;
/** Default maximum size of a received message (large query responses). */
export const DEFAULT_MAX_RECEIVE_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Default maximum size of a sent message. */
export const DEFAULT_MAX_SEND_MESSAGE_BYTES = 64 * 1024 * 1024;
/** First delay between health checks while waiting for SERVING. */
export const HEALTH_RETRY_INITIAL_DELAY_MS = 100;
/** Upper bound of the delay between health checks. */
export const HEALTH_RETRY_MAX_DELAY_MS = 1_000;
/** Upper bound of grpc-js' reconnect backoff, so a server that starts late is noticed quickly. */
export const MAX_RECONNECT_BACKOFF_MS = 1_000;

/** Options of {@link BanyanDBClient.connect}. */
export interface ClientOptions {
  /**
   * Deadline of each unary call (registry, query, health), in milliseconds.
   * @default 10_000
   */
  callTimeoutMs?: number;
  /**
   * How long `connect()` waits for `grpc.health.v1.Health/Check` to answer SERVING, in milliseconds.
   * @default 30_000
   */
  connectTimeoutMs?: number;
  /**
   * Deadline of one write batch stream (one attempt), in milliseconds.
   * @default 60_000
   */
  writeTimeoutMs?: number;
  /**
   * For how long a batch whose only rejections mean "schema still propagating" (STATUS_INTERNAL_ERROR;
   * for spans also STATUS_NOT_FOUND: see `WriteOptions.retryStatuses`) re-sends those messages, in
   * milliseconds; 0 disables the retries.
   * @default 10_000
   */
  schemaRetryMs?: number;
  /**
   * Largest message the client accepts, in bytes.
   * @default 67_108_864 (64 MiB)
   */
  maxReceiveMessageBytes?: number;
  /**
   * Largest message the client sends, in bytes.
   * @default 67_108_864 (64 MiB)
   */
  maxSendMessageBytes?: number;
}

/** Per-call options. */
export interface CallOptions {
  /**
   * Deadline of this call in milliseconds.
   * @default the client's `callTimeoutMs` (unary) or `writeTimeoutMs` (writes)
   */
  timeoutMs?: number;
  /** Cancels the call; it then rejects with AbortedError. */
  signal?: AbortSignal;
}

/** Options of a write batch. */
export interface WriteOptions extends CallOptions {
  /**
   * Throw WriteRejectedError when any write of the batch was not acknowledged with STATUS_SUCCEED;
   * with false, the rejections are only reported in the result.
   * @default true
   */
  throwOnReject?: boolean;
  /**
   * For how long to re-send "schema not there yet" rejections (see `retryStatuses`) of this batch, in
   * milliseconds; 0 disables.
   * @default the client's `schemaRetryMs`
   */
  retryInternalErrorForMs?: number;
  /**
   * Acknowledgement statuses that mean "the schema has not reached the write path yet" and are re-sent
   * within `retryInternalErrorForMs` (only when every rejection of the batch has one of them).
   * @default ['STATUS_INTERNAL_ERROR'] for stream writes; ['STATUS_INTERNAL_ERROR', 'STATUS_NOT_FOUND'] for
   *   trace writes (BanyanDB v0.10.3 answers an unknown trace with STATUS_NOT_FOUND)
   */
  retryStatuses?: readonly string[];
}

export type ResolvedClientOptions = Required<ClientOptions>;

/** Every key {@link BanyanDBClient.connect} takes (checked against the interfaces by the compiler). */
export const CONNECT_OPTION_KEYS = optionKeys<ClientOptions & { signal?: AbortSignal }>({
  callTimeoutMs: true,
  connectTimeoutMs: true,
  writeTimeoutMs: true,
  schemaRetryMs: true,
  maxReceiveMessageBytes: true,
  maxSendMessageBytes: true,
  signal: true,
});

function check(name: string, value: number | undefined, fallback: number, allowZero: boolean): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new OptionsError(
      name,
      `${name} must be a ${allowZero ? 'non-negative' : 'positive'} finite number of milliseconds/bytes, got ${String(value)}`,
    );
  }
  return value;
}

/** Validates client options and fills in the defaults. */
export function resolveClientOptions(options: ClientOptions = {}): ResolvedClientOptions {
  return {
    callTimeoutMs: check('callTimeoutMs', options.callTimeoutMs, DEFAULT_CALL_TIMEOUT_MS, false),
    connectTimeoutMs: check('connectTimeoutMs', options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS, false),
    writeTimeoutMs: check('writeTimeoutMs', options.writeTimeoutMs, DEFAULT_WRITE_TIMEOUT_MS, false),
    schemaRetryMs: check('schemaRetryMs', options.schemaRetryMs, DEFAULT_SCHEMA_RETRY_MS, true),
    maxReceiveMessageBytes: check('maxReceiveMessageBytes', options.maxReceiveMessageBytes, DEFAULT_MAX_RECEIVE_MESSAGE_BYTES, false),
    maxSendMessageBytes: check('maxSendMessageBytes', options.maxSendMessageBytes, DEFAULT_MAX_SEND_MESSAGE_BYTES, false),
  };
}

/** Validates a per-call timeout. */
export function resolveTimeout(name: string, value: number | undefined, fallback: number): number {
  return check(name, value, fallback, false);
}

/** Validates a per-batch retry window. */
export function resolveRetryWindow(name: string, value: number | undefined, fallback: number): number {
  return check(name, value, fallback, true);
}
