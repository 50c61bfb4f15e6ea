/**
 * The query side of a model: how a pattern becomes this model's request, how its answer is read and checked. Every
 * difference between the stream and the trace model's queries lives in an implementation of this interface
 * (stream-model.ts, trace-model.ts); the runner does not know which model it runs.
 */
import type { Model } from '../results.js';
import type { QueryAnswer } from './answer.js';
import type { ConcretePattern } from './catalogue.js';
import type { Finding } from './checks.js';
import type { GroundTruth, TruthEntry } from './truth.js';
import type { OracleOptions, QueryClient } from './types.js';

/** One pattern's request on one model, ready to run. */
export interface QueryPlan {
  /** The request's limit (spans on streams, traces on traces). */
  limit: number;
  /** True when the ground truth exceeds the limit, so the answer is a subset of the truth. */
  truncated: boolean;
  /** Sends the request once and reads the answer. */
  run(signal?: AbortSignal): Promise<QueryAnswer>;
  /** Checks one answer against the pattern's ground truth. */
  check(answer: QueryAnswer): Finding[];
}

/** A pattern this model cannot answer, and why. */
export interface NotAnswerable {
  na: string;
}

/** The query side of one model, bound to one resource and client. */
export interface QueryModel {
  readonly model: Model;
  readonly group: string;
  readonly name: string;
  /** Reads what the model needs to know before its first plan (once; later calls return at once). */
  prepare(): Promise<void>;
  /** The request of `p` on this model, or why this model cannot answer it. */
  plan(p: ConcretePattern, truth: GroundTruth, entry: TruthEntry, options: OracleOptions): QueryPlan | NotAnswerable;
}

/** Builds a model's query side for a resource and a client. */
export type QueryModelFactory = (client: QueryClient, resource: { group: string; name: string }) => QueryModel;
