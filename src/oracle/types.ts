/**
 * What the query oracle needs from the outside: a client that queries (structural, so tests can pass a stand-in) and
 * the resolved options it reads.
 */
import type { IndexRuleBinding, StreamQueryRequest, StreamQueryResponse, TraceQueryRequest, TraceQueryResponse } from '../client/types.js';
import type { Scale } from '../generator/scale.js';

/** The query part of `BanyanDBClient` (it satisfies this). */
export interface QueryClient {
  queryStream(req: StreamQueryRequest, opts?: { timeoutMs?: number; signal?: AbortSignal }): Promise<StreamQueryResponse>;
  queryTrace(req: TraceQueryRequest, opts?: { timeoutMs?: number; signal?: AbortSignal }): Promise<TraceQueryResponse>;
  /** Index rule binding access, when the client has it (BanyanDBClient does): finds trace patterns a schema cannot serve. */
  indexRuleBindings?: { list(group: string): Promise<IndexRuleBinding[]> };
}

/** The resolved options the oracle reads (a `ResolvedWorkloadOptions` satisfies it). */
export interface OracleOptions {
  readonly seed: number;
  readonly scale: Readonly<Scale>;
  readonly endTimeMs: number;
  readonly payloadBytes: number | undefined;
  /** Largest stream query limit (spans). */
  readonly maxQuerySpans: number;
  /** Largest trace query limit (traces). */
  readonly maxQueryTraces: number;
  /** Timed executions of each pattern per repeat. */
  readonly queryIterations: number;
  /** Query repeats run by `QueryRunner.query()`. */
  readonly repeats: number;
  readonly signal: AbortSignal | undefined;
  /** Deadline of one query, ms (`DEFAULT_QUERY_TIMEOUT_MS`, 20 s, when absent). */
  readonly queryTimeoutMs?: number;
  /** Queries failing in a row after which the runner gives up on its server (`DEFAULT_MAX_FAILED_QUERIES`, 3, when absent). */
  readonly maxFailedQueries?: number;
}
