/**
 * Maps gRPC failures to the SDK's typed error family at the boundary where they enter the SDK.
 * Internal: not part of the public API.
 */
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import {
  AlreadyExistsError,
  DeadlineExceededError,
  type ErrorCode,
  GrpcError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
} from '../errors.js';

/** Name of a numeric gRPC status code, e.g. `NOT_FOUND`. */
export function grpcStatusName(code: number): string {
  return (GrpcStatus as unknown as Record<number, string>)[code] ?? `CODE_${code}`;
}

const ERROR_CODES: Partial<Record<number, ErrorCode>> = {
  [GrpcStatus.CANCELLED]: 'CANCELLED',
  [GrpcStatus.FAILED_PRECONDITION]: 'FAILED_PRECONDITION',
  [GrpcStatus.UNIMPLEMENTED]: 'UNIMPLEMENTED',
  [GrpcStatus.INTERNAL]: 'INTERNAL',
};

/** True when `err` looks like a grpc-js ServiceError / StatusObject (a numeric `code`). */
export function isServiceError(err: unknown): err is ServiceError {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'number';
}

/**
 * Builds the typed error of a failed call from its gRPC status.
 * @param err the grpc-js error (kept as `cause`)
 * @param method fully qualified method, e.g. `/banyandb.stream.v1.StreamService/Write`
 * @param address the server address, named in the message
 */
export function mapGrpcError(err: unknown, method: string, address: string): GrpcError {
  if (err instanceof GrpcError) return err;
  const code = isServiceError(err) ? err.code : GrpcStatus.UNKNOWN;
  const details = isServiceError(err) ? err.details || err.message : err instanceof Error ? err.message : String(err);
  const message = `${method} on ${address} failed with ${grpcStatusName(code)}: ${details}`;
  const options = { cause: err };
  switch (code) {
    case GrpcStatus.NOT_FOUND:
      return new NotFoundError('NOT_FOUND', code, method, message, options);
    case GrpcStatus.ALREADY_EXISTS:
      return new AlreadyExistsError('ALREADY_EXISTS', code, method, message, options);
    case GrpcStatus.INVALID_ARGUMENT:
      return new InvalidArgumentError('INVALID_ARGUMENT', code, method, message, options);
    case GrpcStatus.UNAVAILABLE:
      return new UnavailableError('UNAVAILABLE', code, method, message, options);
    case GrpcStatus.DEADLINE_EXCEEDED:
      return new DeadlineExceededError('DEADLINE_EXCEEDED', code, method, message, options);
    default:
      return new GrpcError(ERROR_CODES[code] ?? 'UNKNOWN', code, method, message, options);
  }
}
