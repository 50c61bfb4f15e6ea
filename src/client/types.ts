/**
 * Plain TypeScript shapes of the BanyanDB messages the SDK uses. Field names are protobuf's lowerCamel
 * JSON names; enums are their value names; int64/uint64 are JavaScript numbers; bytes are Uint8Array.
 * Unset fields are absent (proto3 defaults: '' / 0 / false / empty), as produced by `decode()` in proto.ts.
 */

export interface Timestamp {
  seconds?: number;
  nanos?: number;
}

export type Catalog = 'CATALOG_UNSPECIFIED' | 'CATALOG_STREAM' | 'CATALOG_MEASURE' | 'CATALOG_PROPERTY' | 'CATALOG_TRACE';

export interface Metadata {
  group?: string;
  name?: string;
  id?: number;
  createRevision?: number;
  modRevision?: number;
}

export type IntervalUnit = 'UNIT_UNSPECIFIED' | 'UNIT_HOUR' | 'UNIT_DAY';

export interface IntervalRule {
  unit?: IntervalUnit;
  num?: number;
}

export interface LifecycleStage {
  name?: string;
  shardNum?: number;
  segmentInterval?: IntervalRule;
  ttl?: IntervalRule;
  nodeSelector?: string;
  close?: boolean;
  replicas?: number;
}

export interface ResourceOpts {
  shardNum?: number;
  segmentInterval?: IntervalRule;
  ttl?: IntervalRule;
  stages?: LifecycleStage[];
  defaultStages?: string[];
  replicas?: number;
}

export interface Group {
  metadata?: Metadata;
  catalog?: Catalog;
  resourceOpts?: ResourceOpts;
  updatedAt?: Timestamp;
}

export type TagType =
  | 'TAG_TYPE_UNSPECIFIED'
  | 'TAG_TYPE_STRING'
  | 'TAG_TYPE_INT'
  | 'TAG_TYPE_STRING_ARRAY'
  | 'TAG_TYPE_INT_ARRAY'
  | 'TAG_TYPE_DATA_BINARY'
  | 'TAG_TYPE_TIMESTAMP';

export interface TagSpec {
  name?: string;
  type?: TagType;
}

export interface TagFamilySpec {
  name?: string;
  tags?: TagSpec[];
}

export interface Entity {
  tagNames?: string[];
}

export interface Stream {
  metadata?: Metadata;
  tagFamilies?: TagFamilySpec[];
  entity?: Entity;
  updatedAt?: Timestamp;
}

export interface TraceTagSpec {
  name?: string;
  type?: TagType;
}

export interface Trace {
  metadata?: Metadata;
  tags?: TraceTagSpec[];
  traceIdTagName?: string;
  timestampTagName?: string;
  spanIdTagName?: string;
  updatedAt?: Timestamp;
}

export type IndexRuleType = 'TYPE_UNSPECIFIED' | 'TYPE_INVERTED' | 'TYPE_SKIPPING' | 'TYPE_TREE';

export interface IndexRule {
  metadata?: Metadata;
  tags?: string[];
  type?: IndexRuleType;
  analyzer?: string;
  noSort?: boolean;
  updatedAt?: Timestamp;
}

export interface Subject {
  catalog?: Catalog;
  name?: string;
}

export interface IndexRuleBinding {
  metadata?: Metadata;
  rules?: string[];
  subject?: Subject;
  beginAt?: Timestamp;
  expireAt?: Timestamp;
  updatedAt?: Timestamp;
}

/** A tag value: exactly one member is set. */
export type TagValue =
  | { null: 'NULL_VALUE' | 0 }
  | { str: { value?: string } }
  | { strArray: { value?: string[] } }
  | { int: { value?: number } }
  | { intArray: { value?: number[] } }
  | { binaryData: Uint8Array }
  | { timestamp: Timestamp };

export interface TagFamilyForWrite {
  tags?: TagValue[];
}

export interface Tag {
  key?: string;
  value?: TagValue;
}

export interface TagFamily {
  name?: string;
  tags?: Tag[];
}

export type BinaryOp =
  | 'BINARY_OP_UNSPECIFIED'
  | 'BINARY_OP_EQ'
  | 'BINARY_OP_NE'
  | 'BINARY_OP_LT'
  | 'BINARY_OP_GT'
  | 'BINARY_OP_LE'
  | 'BINARY_OP_GE'
  | 'BINARY_OP_HAVING'
  | 'BINARY_OP_NOT_HAVING'
  | 'BINARY_OP_IN'
  | 'BINARY_OP_NOT_IN'
  | 'BINARY_OP_MATCH';

export interface Condition {
  name?: string;
  op?: BinaryOp;
  value?: TagValue;
}

export type LogicalOp = 'LOGICAL_OP_UNSPECIFIED' | 'LOGICAL_OP_AND' | 'LOGICAL_OP_OR';

export interface LogicalExpression {
  op?: LogicalOp;
  left?: Criteria;
  right?: Criteria;
}

/** A criteria tree node: exactly one of `le` or `condition`. */
export type Criteria = { le: LogicalExpression; condition?: undefined } | { condition: Condition; le?: undefined };

export type Sort = 'SORT_UNSPECIFIED' | 'SORT_DESC' | 'SORT_ASC';

export interface QueryOrder {
  indexRuleName?: string;
  sort?: Sort;
}

export interface TagProjection {
  tagFamilies?: { name?: string; tags?: string[] }[];
}

export interface TimeRange {
  begin?: Timestamp;
  end?: Timestamp;
}

/** Write statuses, carried in write responses as these names. */
export type WriteStatus =
  | 'STATUS_UNSPECIFIED'
  | 'STATUS_SUCCEED'
  | 'STATUS_INVALID_TIMESTAMP'
  | 'STATUS_NOT_FOUND'
  | 'STATUS_EXPIRED_SCHEMA'
  | 'STATUS_INTERNAL_ERROR'
  | 'STATUS_DISK_FULL'
  | 'STATUS_VERSION_UNSUPPORTED'
  | 'STATUS_VERSION_DEPRECATED'
  | 'STATUS_METADATA_REQUIRED';

// ---- stream.v1 ----

export interface StreamElementValue {
  elementId?: string;
  timestamp?: Timestamp;
  tagFamilies?: TagFamilyForWrite[];
}

export interface StreamTagFamilySpec {
  name?: string;
  tagNames?: string[];
}

export interface StreamWriteRequest {
  metadata?: Metadata;
  element?: StreamElementValue;
  messageId?: number;
  tagFamilySpec?: StreamTagFamilySpec[];
}

export interface StreamWriteResponse {
  messageId?: number;
  status?: string;
  metadata?: Metadata;
}

export interface StreamElement {
  elementId?: string;
  timestamp?: Timestamp;
  tagFamilies?: TagFamily[];
}

export interface StreamQueryRequest {
  groups?: string[];
  name?: string;
  timeRange?: TimeRange;
  offset?: number;
  limit?: number;
  orderBy?: QueryOrder;
  criteria?: Criteria;
  projection?: TagProjection;
  trace?: boolean;
  stages?: string[];
}

export interface StreamQueryResponse {
  elements?: StreamElement[];
}

// ---- trace.v1 ----

export interface TraceWriteRequest {
  metadata?: Metadata;
  tags?: TagValue[];
  span?: Uint8Array;
  version?: number;
  tagSpec?: { tagNames?: string[] };
}

export interface TraceWriteResponse {
  metadata?: Metadata;
  version?: number;
  status?: string;
}

export interface TraceSpan {
  tags?: Tag[];
  span?: Uint8Array;
  spanId?: string;
}

export interface TraceResult {
  spans?: TraceSpan[];
  traceId?: string;
}

export interface TraceQueryRequest {
  groups?: string[];
  name?: string;
  timeRange?: TimeRange;
  offset?: number;
  limit?: number;
  orderBy?: QueryOrder;
  criteria?: Criteria;
  tagProjection?: string[];
  trace?: boolean;
  stages?: string[];
}

export interface TraceQueryResponse {
  traces?: TraceResult[];
}

// ---- grpc.health.v1 ----

/** `banyandb.common.v1.APIVersion`: what GetAPIVersion answers (BanyanDB 0.10.3: version `0.10`, a short revision). */
export interface APIVersion {
  version?: string;
  revision?: string;
}

export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';
