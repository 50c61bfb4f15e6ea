/**
 * StreamWorkload and TraceWorkload: one model's write load (a {@link SpanWriter}) and its query oracle (a
 * {@link QueryRunner} from src/oracle) composed: write the generated spans, then run the query patterns against them,
 * checking every answer against the generator's ground truth.
 */

import type { StreamWriteRequest, TraceWriteRequest } from '../client/types.js';
import { ClosedError } from '../errors.js';
import type { QueryPatternInfo } from '../oracle/catalogue.js';
import type { QueryModelFactory } from '../oracle/query-model.js';
import { type PatternAnswerRecord, QueryRunner } from '../oracle/runner.js';
import { streamQueryModel } from '../oracle/stream-model.js';
import { traceQueryModel } from '../oracle/trace-model.js';
import type { GroundTruthStore } from '../oracle/truth.js';
import type { Model, QueryPatternResult, WriteRunResult } from '../results.js';
import { namespacedGroup } from '../schema/namespace.js';
import { type ModelAdapter, streamAdapter, traceAdapter, type WorkloadClient } from './model.js';
import {
  DEFAULT_STREAM_GROUP,
  DEFAULT_STREAM_NAME,
  DEFAULT_TRACE_GROUP,
  DEFAULT_TRACE_NAME,
  isResolvedWorkloadOptions,
  type ResolvedWorkloadOptions,
  resolveWorkloadOptions,
  type WorkloadOptions,
} from './options.js';
import { createQueryProgress } from './progress.js';
import { SpanWriter, type WarmupSummary } from './writer.js';

/** A model's two sides: how its spans are written and how its queries are asked. */
export interface ModelSides<Req> {
  model: Model;
  write: (group: string, name: string) => ModelAdapter<Req>;
  query: QueryModelFactory;
  defaults: { group: string; name: string };
}

export const STREAM_SIDES: ModelSides<StreamWriteRequest> = {
  model: 'stream',
  write: streamAdapter,
  query: streamQueryModel,
  defaults: { group: DEFAULT_STREAM_GROUP, name: DEFAULT_STREAM_NAME },
};

export const TRACE_SIDES: ModelSides<TraceWriteRequest> = {
  model: 'trace',
  write: traceAdapter,
  query: traceQueryModel,
  defaults: { group: DEFAULT_TRACE_GROUP, name: DEFAULT_TRACE_NAME },
};

/** A writer and a query runner over the same resource and data. */
export interface WorkloadParts<Req> {
  writer: SpanWriter<Req>;
  queries: QueryRunner;
}

/**
 * Builds a model's writer and query runner from resolved options (what runComparison composes per model).
 * `serverFailed`: aborts when this model's server is known to have failed; both then give up at once (`SERVER_FAILED`).
 */
export function composeWorkload<Req>(
  client: WorkloadClient,
  sides: ModelSides<Req>,
  options: ResolvedWorkloadOptions,
  truth?: GroundTruthStore,
  serverFailed?: AbortSignal,
): WorkloadParts<Req> {
  const resource = {
    group: namespacedGroup(options.group ?? sides.defaults.group, options.namespace),
    name: options.name ?? sides.defaults.name,
  };
  const writer = new SpanWriter(client, sides.write(resource.group, resource.name), options, serverFailed);
  const queries = new QueryRunner({
    client,
    model: sides.query,
    resource,
    options,
    writtenSpans: () => writer.writtenSpans,
    observe: (repeat, patterns) => createQueryProgress(sides.model, repeat, options, patterns),
    ...(truth ? { truth } : {}),
    ...(serverFailed ? { serverFailed } : {}),
  });
  return { writer, queries };
}

/** Shared behaviour of the two workloads: delegates writes to its writer and queries to its query runner. */
abstract class Workload<Req> {
  readonly model: Model;
  /** The resolved options. */
  readonly options: ResolvedWorkloadOptions;
  /** The write load. */
  readonly writer: SpanWriter<Req>;
  /** The query oracle of this model. */
  readonly queries: QueryRunner;

  protected constructor(
    client: WorkloadClient,
    sides: ModelSides<Req>,
    options: WorkloadOptions | ResolvedWorkloadOptions,
    parts?: WorkloadParts<Req>,
  ) {
    // Options resolved by resolveWorkloadOptions() are used as they are (resolved once, where they entered).
    const resolve = () =>
      isResolvedWorkloadOptions(options)
        ? options
        : resolveWorkloadOptions(options, undefined, `new ${sides.model === 'stream' ? 'Stream' : 'Trace'}Workload()`);
    const p = parts ?? composeWorkload(client, sides, resolve());
    this.writer = p.writer;
    this.queries = p.queries;
    this.options = p.writer.options;
    this.model = sides.model;
  }

  /** The query patterns (same list on both models; a model that cannot answer one reports it as `n/a`). */
  get patterns(): QueryPatternInfo[] {
    return this.queries.patterns;
  }

  /** Group and name written to and queried. */
  get resource(): { group: string; name: string } {
    return this.writer.resource;
  }

  /** The warm-up's figures, once it ran. */
  get warmup(): WarmupSummary | undefined {
    return this.writer.warmup;
  }

  /** See {@link SpanWriter.writtenSpans}. */
  get writtenSpans(): number {
    return this.writer.writtenSpans;
  }

  /** Cross-model record of each pattern's first checked answer. */
  get answers(): ReadonlyMap<string, PatternAnswerRecord> {
    return this.queries.answers;
  }

  #closed = false;

  /**
   * Stops the span producer thread ({@link SpanWriter.close}). Afterwards writes and queries throw ClosedError.
   * Idempotent and safe to call concurrently (every caller waits for the same teardown).
   */
  close(): Promise<void> {
    this.#closed = true;
    return this.writer.close();
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  #assertOpen(what: string): void {
    if (this.#closed) throw new ClosedError(`${this.model === 'stream' ? 'StreamWorkload' : 'TraceWorkload'} (${what})`);
  }

  /** Same as {@link close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** See {@link SpanWriter.writeWarmup}. */
  writeWarmup(): Promise<WarmupSummary> {
    return this.writer.writeWarmup();
  }

  /** See {@link SpanWriter.writeRepeat}. */
  writeRepeat(index: number): Promise<WriteRunResult> {
    return this.writer.writeRepeat(index);
  }

  /** See {@link SpanWriter.write}. */
  write(): Promise<WriteRunResult[]> {
    return this.writer.write();
  }

  /** See {@link QueryRunner.queryOnce}. */
  async queryOnce(pattern: string): Promise<number> {
    this.#assertOpen('queryOnce');
    return this.queries.queryOnce(pattern);
  }

  /** See {@link QueryRunner.query}. */
  async query(patterns?: string[]): Promise<QueryPatternResult[][]> {
    this.#assertOpen('query');
    return this.queries.query(patterns);
  }

  /** See {@link QueryRunner.queryRepeat}. */
  async queryRepeat(index: number, patterns?: string[]): Promise<QueryPatternResult[]> {
    this.#assertOpen('queryRepeat');
    return this.queries.queryRepeat(index, patterns);
  }
}

/** Writes spans to and queries a BanyanDB stream (default `segment_stream` in `stream_performance_test`). */
export class StreamWorkload extends Workload<StreamWriteRequest> {
  /** @param parts - internal: the writer and query runner runComparison composed (then `options` is not read). */
  constructor(client: WorkloadClient, options: WorkloadOptions | ResolvedWorkloadOptions = {}, parts?: WorkloadParts<StreamWriteRequest>) {
    super(client, STREAM_SIDES, options, parts);
  }
}

/** Writes spans to and queries a BanyanDB trace (default `segment_trace` in `trace_performance_test`). */
export class TraceWorkload extends Workload<TraceWriteRequest> {
  /** @param parts - internal: the writer and query runner runComparison composed (then `options` is not read). */
  constructor(client: WorkloadClient, options: WorkloadOptions | ResolvedWorkloadOptions = {}, parts?: WorkloadParts<TraceWriteRequest>) {
    super(client, TRACE_SIDES, options, parts);
  }
}

export type { WarmupSummary } from './writer.js';
