/**
 * The typed error family of banyandb-perf. Every error the SDK throws is a {@link BanyanDBPerfError}
 * with a stable {@link ErrorCode}; the lower-level failure (a gRPC status, a Docker CLI failure, a
 * file-system error) is kept as `cause`. Errors are mapped at the boundary where they enter the SDK.
 */

/** Stable error codes. */
export type ErrorCode =
  // gRPC / server side
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'INVALID_ARGUMENT'
  | 'UNAVAILABLE'
  | 'DEADLINE_EXCEEDED'
  | 'CANCELLED'
  | 'FAILED_PRECONDITION'
  | 'UNIMPLEMENTED'
  | 'INTERNAL'
  | 'UNKNOWN'
  // writes
  | 'WRITE_REJECTED'
  // a phase that gave up on an unresponsive or failing server
  | 'WRITE_STALLED'
  | 'WRITE_FAILING'
  | 'QUERY_FAILING'
  | 'SERVER_FAILED'
  // input validation
  | 'SCHEMA_INVALID'
  | 'OPTIONS_INVALID'
  // cluster / docker
  | 'DOCKER_NOT_INSTALLED'
  | 'DOCKER_NOT_RUNNING'
  | 'COMPOSE_MISSING'
  | 'PORT_IN_USE'
  | 'IMAGE_MISSING'
  | 'CONTAINER_UNHEALTHY'
  | 'CONTAINER_EXITED'
  | 'DOCKER_FAILED'
  /** Containers of the project exist but banyandb-perf did not start them, or they run another image than asked. */
  | 'PROJECT_MISMATCH'
  // lifecycle
  | 'ABORTED'
  | 'CLOSED'
  // results files
  | 'RESULTS_NOT_FOUND'
  | 'RESULTS_INVALID';

/**
 * What the user can do about an error, said once for each way banyandb-perf is used: library code is told
 * about options and calls (`Cluster.build({ image: 'emulator' })`), a command-line user about flags and verbs
 * (`--image emulator`). The error's `message` carries the library advice; the CLI prints the CLI one.
 */
export interface Advice {
  /** For code calling the library: options and functions. */
  library: string;
  /** For the command line: flags and verbs. */
  cli: string;
}

/** Options of every error constructor: the lower-level failure and, when there is something to do, the advice. */
export interface ErrorDetails {
  cause?: unknown;
  advice?: Advice | undefined;
}

/** Base class of every error banyandb-perf throws. */
export class BanyanDBPerfError extends Error {
  override readonly name: string = 'BanyanDBPerfError';
  readonly code: ErrorCode;
  /** What went wrong, without the advice (the `message` is this plus the library advice). */
  readonly problem: string;
  /** What to do about it, for library code and for the command line; `undefined` when the message says it all. */
  readonly advice: Advice | undefined;

  constructor(code: ErrorCode, message: string, options?: ErrorDetails) {
    super(
      options?.advice ? `${message}: ${options.advice.library}` : message,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.problem = message;
    this.advice = options?.advice;
  }

  /** The message for one audience: the problem and the advice in its terms (flags for `cli`, options for `library`). */
  messageFor(audience: keyof Advice): string {
    return this.advice ? `${this.problem}: ${this.advice[audience]}` : this.message;
  }

  /** Wraps anything thrown into a BanyanDBPerfError (returned as is when it already is one). */
  static from(err: unknown, code: ErrorCode = 'UNKNOWN'): BanyanDBPerfError {
    if (err instanceof BanyanDBPerfError) return err;
    if (err instanceof Error && err.name === 'AbortError') return new AbortedError(err.message, { cause: err });
    const message = err instanceof Error ? err.message : String(err);
    return new BanyanDBPerfError(code, message, { cause: err });
  }
}

/** A gRPC call failed; `grpcCode` is the numeric gRPC status code and `cause` the original status error. */
export class GrpcError extends BanyanDBPerfError {
  override readonly name: string = 'GrpcError';
  readonly grpcCode: number;
  /** Fully qualified method, e.g. `/banyandb.stream.v1.StreamService/Write`. */
  readonly method: string;

  constructor(code: ErrorCode, grpcCode: number, method: string, message: string, options?: ErrorDetails) {
    super(code, message, options);
    this.grpcCode = grpcCode;
    this.method = method;
  }
}

/** The server answered NOT_FOUND. */
export class NotFoundError extends GrpcError {
  override readonly name = 'NotFoundError';
}
/** The server answered ALREADY_EXISTS. */
export class AlreadyExistsError extends GrpcError {
  override readonly name = 'AlreadyExistsError';
}
/** The server answered INVALID_ARGUMENT. */
export class InvalidArgumentError extends GrpcError {
  override readonly name = 'InvalidArgumentError';
}
/** The server could not be reached or went away (UNAVAILABLE, connection refused, reset). */
export class UnavailableError extends GrpcError {
  override readonly name = 'UnavailableError';
}
/** A call's deadline passed (DEADLINE_EXCEEDED). */
export class DeadlineExceededError extends GrpcError {
  override readonly name = 'DeadlineExceededError';
}

/** One write acknowledgement that was not STATUS_SUCCEED. */
export interface RejectedWrite {
  /** message_id (stream) or version (trace) of the rejected write. */
  id: number;
  /** Status name as the server sent it, e.g. `STATUS_NOT_FOUND`; `MISSING_ACK` when no acknowledgement came. */
  status: string;
}

/** Some writes of a batch were not acknowledged as STATUS_SUCCEED. */
export class WriteRejectedError extends BanyanDBPerfError {
  override readonly name = 'WriteRejectedError';
  readonly rejected: RejectedWrite[];
  /** Count per status name. */
  readonly statusCounts: Record<string, number>;
  readonly sent: number;
  readonly acknowledged: number;

  constructor(message: string, details: { rejected: RejectedWrite[]; sent: number; acknowledged: number }, options?: ErrorDetails) {
    super('WRITE_REJECTED', message, options);
    this.rejected = details.rejected;
    this.sent = details.sent;
    this.acknowledged = details.acknowledged;
    const counts: Record<string, number> = {};
    for (const r of details.rejected) counts[r.status] = (counts[r.status] ?? 0) + 1;
    this.statusCounts = counts;
  }
}

/** A schema file is unreadable or does not describe a valid resource. */
export class SchemaError extends BanyanDBPerfError {
  override readonly name = 'SchemaError';
  /** The offending file, when there is one. */
  readonly file: string | undefined;
  /** JSON path inside the file, e.g. `$.tagFamilies[0].tags[2].type`. */
  readonly jsonPath: string | undefined;

  constructor(message: string, details: { file?: string; jsonPath?: string } = {}, options?: ErrorDetails) {
    super('SCHEMA_INVALID', message, options);
    this.file = details.file;
    this.jsonPath = details.jsonPath;
  }
}

/** An options object (or CLI flag) was invalid; raised before any work is done. */
export class OptionsError extends BanyanDBPerfError {
  override readonly name = 'OptionsError';
  /** The option or flag at fault, e.g. `concurrency` or `--batch-size`. */
  readonly option: string;

  constructor(option: string, message: string, options?: ErrorDetails) {
    super('OPTIONS_INVALID', message, options);
    this.option = option;
  }
}

/** Docker, Compose or a container failed; `code` says which way. */
export class ClusterError extends BanyanDBPerfError {
  override readonly name = 'ClusterError';
  /** The container (compose service) concerned, if any. */
  readonly service: string | undefined;
  /** Last log lines of that container, when they could be read. */
  readonly logs: string | undefined;

  constructor(code: ErrorCode, message: string, details: { service?: string; logs?: string } = {}, options?: ErrorDetails) {
    super(code, message, options);
    this.service = details.service;
    this.logs = details.logs;
  }
}

/**
 * A write or query phase gave up on its server: no acknowledged progress for the stall window (`WRITE_STALLED`), or
 * too many write batches (`WRITE_FAILING`) or queries (`QUERY_FAILING`) failed in a row, or the server is known to
 * have failed (`SERVER_FAILED`: e.g. its container exited; the message names it). Names the model, the server and
 * the last status seen; `cause` is the last failure (for `SERVER_FAILED`, the ClusterError), when there was one.
 */
export class PhaseFailedError extends BanyanDBPerfError {
  override readonly name = 'PhaseFailedError';
  readonly model: 'stream' | 'trace';
  readonly phase: 'warmup' | 'write' | 'query';
  /** The server's address (or `unknown`). */
  readonly server: string;
  /** The last non-success status or error code, e.g. `UNAVAILABLE`, `DEADLINE_EXCEEDED`, `STATUS_INTERNAL_ERROR`. */
  readonly lastStatus: string | undefined;

  constructor(
    code: 'WRITE_STALLED' | 'WRITE_FAILING' | 'QUERY_FAILING' | 'SERVER_FAILED',
    message: string,
    details: { model: 'stream' | 'trace'; phase: 'warmup' | 'write' | 'query'; server: string; lastStatus?: string | undefined },
    options?: ErrorDetails,
  ) {
    super(code, message, options);
    this.model = details.model;
    this.phase = details.phase;
    this.server = details.server;
    this.lastStatus = details.lastStatus;
  }
}

/** The operation was aborted through its AbortSignal. */
export class AbortedError extends BanyanDBPerfError {
  override readonly name = 'AbortedError';
  constructor(message = 'aborted', options?: ErrorDetails) {
    super('ABORTED', message, options);
  }
}

/** An object was used after `close()`. */
export class ClosedError extends BanyanDBPerfError {
  override readonly name = 'ClosedError';
  constructor(what: string) {
    super('CLOSED', `${what} is closed`);
  }
}

/** A results file (or directory) is missing, unreadable, not JSON, or of another results schema version. */
export class ResultsError extends BanyanDBPerfError {
  override readonly name = 'ResultsError';
  /** The file or directory concerned. */
  readonly file: string;

  constructor(code: 'RESULTS_NOT_FOUND' | 'RESULTS_INVALID', file: string, message: string, options?: ErrorDetails) {
    super(code, message, options);
    this.file = file;
  }
}
