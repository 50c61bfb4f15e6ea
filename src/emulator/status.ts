/**
 * gRPC status failures raised inside the emulator's handlers. The handler wrappers in server.ts turn
 * them into the call's final status. Internal to the emulator.
 */
import { status } from '@grpc/grpc-js';

/** A failure that ends an RPC with `code` and `message`, as BanyanDB would. */
export class RpcFailure extends Error {
  override readonly name = 'RpcFailure';
  readonly code: status;
  constructor(code: status, message: string) {
    super(message);
    this.code = code;
  }
}

/** INVALID_ARGUMENT, in the style of BanyanDB's request validator interceptor. */
export function invalidArgument(message: string): RpcFailure {
  return new RpcFailure(status.INVALID_ARGUMENT, message);
}

/** NOT_FOUND, as BanyanDB's schema registry reports a missing resource. */
export function notFound(message = 'banyandb: resource not found'): RpcFailure {
  return new RpcFailure(status.NOT_FOUND, message);
}

/** ALREADY_EXISTS, as BanyanDB's schema registry reports a duplicate. */
export function alreadyExists(message = 'banyandb: resource already exists'): RpcFailure {
  return new RpcFailure(status.ALREADY_EXISTS, message);
}

/**
 * UNKNOWN: what a Go gRPC server sends when a handler returns a plain (non-status) error. BanyanDB does
 * this for schema validation failures (e.g. an empty name) and for every query-planning error.
 */
export function unknown(message: string): RpcFailure {
  return new RpcFailure(status.UNKNOWN, message);
}

/** Query errors travel through BanyanDB's bus and reach the client wrapped with this suffix. */
export function queryFailure(message: string): RpcFailure {
  return unknown(`${message}: invalid query message`);
}
