/**
 * The BanyanDB gRPC client: connection + health, schema registries, write batches, queries.
 */
export { BanyanDBClient } from './client.js';
export {
  type CallOptions,
  type ClientOptions,
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
  DEFAULT_MAX_SEND_MESSAGE_BYTES,
  DEFAULT_SCHEMA_RETRY_MS,
  DEFAULT_WRITE_TIMEOUT_MS,
  type WriteOptions,
} from './options.js';
export type { GroupRegistry, ResourceExistence, ResourceKey, ResourceRegistry } from './registry.js';
export {
  defaultRetryStatuses,
  MISSING_ACK,
  STATUS_INTERNAL_ERROR,
  STATUS_NOT_FOUND,
  STATUS_SUCCEED,
  type WriteBatchResult,
  type WriteKind,
} from './write.js';
