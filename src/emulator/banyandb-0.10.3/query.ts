/**
 * Stream and trace queries as BanyanDB 0.10.3 answers them, quirks included (FACTS 24-39 of the conformance
 * corpus). The mechanisms are modelled on 0.10.3's query path, in our own words:
 *
 * - Stream (FACTS 24-30): answered element ids are xxHash64 of `group|name|id`; orders by an index rule merge
 *   one sorted iterator per shard with Go's heap, so equal keys alternate between shards.
 * - Trace, trace-id path (FACT 32): sorted ids, capped at limit+offset before filtering, whole traces, then a
 *   row filter that reads tags by name (correct).
 * - Trace, order_by path (FACTS 35-38): the secondary index ("SIDX") of the order rule holds, per shard and
 *   series, blocks of (key, trace id) with the span's other tags. Blocks are skipped by bloom/min-max checks
 *   (EQ on an INT compares the decimal text with the stored binary value and never matches); a block's
 *   elements are then matched by a filter that looks a condition's value up by its position among the
 *   condition tags but in a list built in projection order from the tags the block stores, so it may read
 *   another tag; a TIMESTAMP (or missing) value there is an error that drops the whole block. Blocks are
 *   merged in batches of limit+offset blocks (ordered by their first key), each batch drained before the
 *   next, and the shards' streams are merged by key: so a small limit is sorted but not the top N.
 *   The traces found are then fetched whole and filtered again, correctly, by name.
 *
 * Internal to the emulator; the one place for 0.10.3's query behaviour.
 */
import type {
  Condition,
  Criteria,
  IndexRule,
  Stream,
  StreamElement,
  StreamQueryRequest,
  StreamQueryResponse,
  Tag,
  TagFamily,
  TagType,
  TagValue,
  TimeRange,
  Trace,
  TraceQueryRequest,
  TraceQueryResponse,
  TraceSpan,
} from '../../client/types.js';
import { type Registry, streamTagTypes, traceTagTypes } from '../registry.js';
import { invalidArgument, queryFailure } from '../status.js';
import type { DataStore, StoredElement, StoredSpan } from '../store.js';
import {
  type AnyTagValue,
  checkTimestamp,
  compileCriteria,
  MAX_TIME_MS,
  NULL_VALUE,
  PlanError,
  sortKey,
  timestampMs,
  valueKind,
} from '../values.js';
import { xxhash64, xxhash64Hex } from '../xxhash64.js';
import { GoHeap, goTimestampText } from './go.js';

/** 0.10.3's page size when `limit` is 0 or absent, for streams (FACT 27) and traces (FACT 34). */
export const DEFAULT_LIMIT = 20;

const MIN_KEY = Number.NEGATIVE_INFINITY;
const MAX_KEY = Number.POSITIVE_INFINITY;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const encoder = new TextEncoder();

/** 0.10.3 wraps every planning/execution error in the bus status text. */
function internal(message: string): Error {
  return queryFailure(`code: STATUS_INTERNAL_ERROR, msg: ${message}`);
}

const gkey = (group: string, name: string): string => `${group}\u0000${name}`;

// ---------------------------------------------------------------- common request checks

interface Range {
  beginMs: number;
  endMs: number;
  given: boolean;
}

/** FACT 26: absent → all time; an empty message → INVALID_ARGUMENT without text; each bound checked. */
export function resolveTimeRange(tr: TimeRange | undefined | null): Range {
  if (!tr) return { beginMs: MIN_KEY, endMs: MAX_TIME_MS, given: false };
  if (!tr.begin && !tr.end) throw invalidArgument('');
  const problem = checkTimestamp(tr.begin) ?? checkTimestamp(tr.end);
  if (problem) {
    const text = [tr.begin ? `begin:${goTimestampText(tr.begin)}` : '', tr.end ? `end:${goTimestampText(tr.end)}` : '']
      .filter(Boolean)
      .join(' ');
    throw invalidArgument(`${text} is invalid :${problem}`);
  }
  return { beginMs: timestampMs(tr.begin), endMs: timestampMs(tr.end), given: true };
}

function requireGroupsAndName(req: { groups?: string[]; name?: string }): void {
  if (!req.groups?.length) throw invalidArgument('invalid QueryRequest.Groups: value must contain at least 1 item(s)');
  if (!req.name) throw invalidArgument('invalid QueryRequest.Name: value length must be at least 1 runes');
}

function segmentMs(registry: Registry, group: string): number {
  const si = registry.groups.get(group)?.value.resourceOpts?.segmentInterval;
  const num = si?.num || 1;
  return (si?.unit === 'UNIT_HOUR' ? HOUR_MS : DAY_MS) * num;
}

function shardNum(registry: Registry, group: string): number {
  return registry.groups.get(group)?.value.resourceOpts?.shardNum || 1;
}

/** Bytes of a tag value as BanyanDB's entity marshalling writes them (strings raw, ints 8 bytes big-endian). */
function entityBytes(v: TagValue | undefined): Uint8Array {
  const a = v as AnyTagValue | undefined;
  switch (valueKind(a)) {
    case 'str':
      return encoder.encode(a?.str?.value ?? '');
    case 'int': {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigInt64(0, BigInt(a?.int?.value ?? 0));
      return b;
    }
    case 'binaryData':
      return a?.binaryData ?? new Uint8Array(0);
    default:
      return new Uint8Array(0);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const valueKey = (v: TagValue | undefined): string => {
  const a = v as AnyTagValue | undefined;
  switch (valueKind(a)) {
    case 'str':
      return `s${a?.str?.value ?? ''}`;
    case 'int':
      return `i${a?.int?.value ?? 0}`;
    default:
      return `${valueKind(a)}${JSON.stringify(a ?? null)}`;
  }
};

// ---------------------------------------------------------------- stream

/** FACT 24: the element id BanyanDB answers with. */
export function answeredElementId(group: string, name: string, e: StoredElement): string {
  if (e.answerId === undefined) e.answerId = xxhash64Hex(`${group}|${name}|${e.elementId}`);
  return e.answerId;
}

interface StreamIndex {
  /** Elements sorted by (timestamp, write order). */
  byTime: StoredElement[];
  shardOf: Map<StoredElement, number>;
}

function streamIndex(store: DataStore, registry: Registry, group: string, stream: Stream): StreamIndex {
  const name = stream.metadata?.name ?? '';
  return store.derived('stream', group, name, 'time', () => {
    const byTime = [...store.elementsOf(group, name)].sort((a, b) => a.timestampMs - b.timestampMs || a.seq - b.seq);
    const shards = shardNum(registry, group);
    const entity = stream.entity?.tagNames ?? [];
    const seriesShard = new Map<string, number>();
    const shardOf = new Map<StoredElement, number>();
    for (const e of byTime) {
      const values = entity.map((t) => e.tags.get(t));
      const k = values.map(valueKey).join('\u0000');
      let shard = seriesShard.get(k);
      if (shard === undefined) {
        shard = Number(xxhash64(concat([encoder.encode(name), ...values.map(entityBytes)])) % BigInt(shards));
        seriesShard.set(k, shard);
      }
      shardOf.set(e, shard);
    }
    return { byTime, shardOf };
  });
}

/**
 * A string EQ condition every match must satisfy (the root, or under ANDs only), so that the candidates can
 * come from a per-tag value index instead of every element in the range. Only a speed-up: the full
 * predicate is still applied.
 */
function selectiveEq(c: Criteria | undefined): { tag: string; value: string } | undefined {
  if (!c) return undefined;
  const n = c as { le?: Criteria['le']; condition?: Condition };
  if (n.condition) {
    const v = n.condition.value as AnyTagValue | undefined;
    return n.condition.op === 'BINARY_OP_EQ' && valueKind(v) === 'str'
      ? { tag: n.condition.name ?? '', value: v?.str?.value ?? '' }
      : undefined;
  }
  if (n.le?.op === 'LOGICAL_OP_AND') return selectiveEq(n.le.left) ?? selectiveEq(n.le.right);
  return undefined;
}

/** Elements by their string value of `tag`, each list in time order (derived from the time index). */
function equalIndex(store: DataStore, group: string, name: string, index: StreamIndex, tag: string): Map<string, StoredElement[]> {
  return store.derived('stream', group, name, `eq:${tag}`, () => {
    const m = new Map<string, StoredElement[]>();
    for (const e of index.byTime) {
      const v = e.tags.get(tag) as AnyTagValue | undefined;
      if (valueKind(v) !== 'str') continue;
      const k = v?.str?.value ?? '';
      let list = m.get(k);
      if (!list) {
        list = [];
        m.set(k, list);
      }
      list.push(e);
    }
    return m;
  });
}

/** First index in `arr` (sorted by timestampMs) whose timestamp is >= ms. */
function lowerBound(arr: readonly { timestampMs: number }[], ms: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid]!.timestampMs < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(arr: readonly { timestampMs: number }[], ms: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid]!.timestampMs <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

type ProjectedFamily = { name: string; tags: string[] };

export function queryStream(registry: Registry, store: DataStore, req: StreamQueryRequest): StreamQueryResponse {
  requireGroupsAndName(req);
  if (!req.projection) throw invalidArgument('invalid QueryRequest.Projection: value is required');
  const range = resolveTimeRange(req.timeRange);
  const name = req.name ?? '';
  const groups = req.groups ?? [];
  const streams = groups.map((g) => {
    const s = registry.streams.get(gkey(g, name));
    if (!s) throw internal(`fail to get execution context for stream ${name}: stream doesn't exist`);
    return s.value;
  });
  const prefix = `fail to analyze the query request for stream ${name}`;
  const projection: ProjectedFamily[] = (req.projection.tagFamilies ?? []).map((f) => ({ name: f.name ?? '', tags: f.tags ?? [] }));
  const offset = req.offset ?? 0;
  const limit = req.limit || DEFAULT_LIMIT;
  const want = offset + limit;
  const ruleName = req.orderBy?.indexRuleName ?? '';
  const desc = req.orderBy?.sort === 'SORT_DESC';

  type Cand = { group: string; e: StoredElement };
  const perGroup: { group: string; stream: Stream; iter: Iterable<StoredElement>; sortTag?: string }[] = [];
  groups.forEach((group, gi) => {
    const stream = streams[gi]!;
    const familyOf = new Map<string, string>();
    for (const f of stream.tagFamilies ?? []) for (const t of f.tags ?? []) familyOf.set(t.name ?? '', f.name ?? '');
    for (const f of projection) for (const t of f.tags) if (!familyOf.has(t)) throw internal(`${prefix}: ${t}: tag is not defined`);
    const predicate = planned(prefix, () => compileCriteria(withoutMatch(req.criteria), streamTagTypes(stream)));
    let sortTag: string | undefined;
    if (ruleName) {
      const rule = registry.rulesFor('CATALOG_STREAM', group, name).find((r) => r.metadata?.name === ruleName);
      if (!rule) throw internal(`${prefix}: ${ruleName}: index is not define for the tag`);
      if ((rule.tags ?? []).length !== 1) {
        throw internal(`execute the query plan for stream ${name}: only support one tag for sorting, but got ${rule.tags?.length ?? 0}`);
      }
      sortTag = rule.tags?.[0];
    }
    const matchNever = hasMatch(req.criteria);
    // One tag getter for the whole scan (the element it reads is set per call): no closure per element scanned.
    let current: StoredElement | undefined;
    const get = (t: string): TagValue | undefined => current?.tags.get(t);
    const keep = (e: StoredElement): boolean => {
      if (matchNever || e.timestampMs < range.beginMs || e.timestampMs > range.endMs) return false;
      current = e;
      return predicate(get);
    };
    const index = streamIndex(store, registry, group, stream);
    const eq = sortTag ? undefined : selectiveEq(req.criteria);
    const source = eq ? (equalIndex(store, group, name, index, eq.tag).get(eq.value) ?? []) : index.byTime;
    const iter = sortTag ? byIndexRule(index, sortTag, desc, keep, segmentMs(registry, group)) : byTime(source, range, desc, keep);
    perGroup.push({ group, stream, iter, sortTag });
  });

  const picked: Cand[] = [];
  if (perGroup.length === 1) {
    const only = perGroup[0]!;
    for (const e of only.iter) {
      picked.push({ group: only.group, e });
      if (picked.length >= want) break;
    }
  } else {
    // Several groups: collect each group's first `want` and order them together.
    const all: (Cand & { k: number | string | undefined })[] = [];
    for (const g of perGroup) {
      let n = 0;
      for (const e of g.iter) {
        all.push({ group: g.group, e, k: g.sortTag ? sortKey(e.tags.get(g.sortTag)) : e.timestampMs });
        if (++n >= want) break;
      }
    }
    all.sort((a, b) => {
      const c = cmpKey(a.k, b.k) || a.e.timestampMs - b.e.timestampMs || a.e.seq - b.e.seq;
      return desc ? -c : c;
    });
    picked.push(...all.slice(0, want));
  }
  // The projected families' tag sets, once per group (not per element).
  const layouts = new Map<string, ProjectedLayout>();
  for (const g of perGroup) layouts.set(g.group, projectedLayout(g.stream, projection));
  return {
    elements: picked.slice(offset).map(({ group, e }) => projectElement(group, name, e, layouts.get(group)!)),
  };
}

function planned<T>(prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof PlanError) {
      const text = err.message.includes('does not exist in the current schema') ? `${err.message}: tag is not defined` : err.message;
      throw internal(`${prefix}: ${text}`);
    }
    throw err;
  }
}

/** FACT 28: MATCH on a plain string tag answers OK with no elements. */
function hasMatch(c: Criteria | undefined): boolean {
  if (!c) return false;
  const n = c as { le?: Criteria['le']; condition?: Condition };
  if (n.le) return hasMatch(n.le.left) || hasMatch(n.le.right);
  return n.condition?.op === 'BINARY_OP_MATCH';
}

function withoutMatch(c: Criteria | undefined): Criteria | undefined {
  if (!c) return c;
  const n = c as { le?: Criteria['le']; condition?: Condition };
  if (n.le) return { le: { ...n.le, left: withoutMatch(n.le.left), right: withoutMatch(n.le.right) } } as Criteria;
  if (n.condition?.op === 'BINARY_OP_MATCH') return { condition: { ...n.condition, op: 'BINARY_OP_NE' } } as Criteria;
  return c;
}

function cmpKey(a: number | string | undefined, b: number | string | undefined): number {
  if (a === b || a === undefined || b === undefined) return 0;
  return a < b ? -1 : 1;
}

function* byTime(
  arr: readonly StoredElement[],
  range: Range,
  desc: boolean,
  keep: (e: StoredElement) => boolean,
): Generator<StoredElement> {
  const lo = range.given ? lowerBound(arr, range.beginMs) : 0;
  const hi = range.given ? upperBound(arr, range.endMs) : arr.length;
  if (desc) {
    for (let i = hi - 1; i >= lo; i--) if (keep(arr[i]!)) yield arr[i]!;
  } else {
    for (let i = lo; i < hi; i++) if (keep(arr[i]!)) yield arr[i]!;
  }
}

/**
 * FACT 25 with 0.10.3's tie order: one iterator per table (segment x shard), each sorted by the rule's tag
 * then write order (the index's hit order, also under DESC), merged with Go's heap (equal keys alternate).
 */
function* byIndexRule(
  index: StreamIndex,
  tag: string,
  desc: boolean,
  keep: (e: StoredElement) => boolean,
  segMs: number,
): Generator<StoredElement> {
  const tables = new Map<string, { seg: number; shard: number; els: { k: number | string; e: StoredElement }[] }>();
  for (const e of index.byTime) {
    const k = sortKey(e.tags.get(tag));
    if (k === undefined) continue; // not in the index
    const seg = Math.floor(e.timestampMs / segMs);
    const shard = index.shardOf.get(e) ?? 0;
    const id = `${seg}\u0000${shard}`;
    let t = tables.get(id);
    if (!t) {
      t = { seg, shard, els: [] };
      tables.set(id, t);
    }
    t.els.push({ k, e });
  }
  const ordered = [...tables.values()].sort((a, b) => a.seg - b.seg || a.shard - b.shard);
  const iters = ordered.map((t) => {
    const els = t.els.filter((x) => keep(x.e));
    els.sort((a, b) => (desc ? -cmpKey(a.k, b.k) : cmpKey(a.k, b.k)) || a.e.seq - b.e.seq);
    return { els, i: 0 };
  });
  const heap = new GoHeap<{ els: { k: number | string; e: StoredElement }[]; i: number }>((x, y) => {
    const c = cmpKey(x.els[x.i]!.k, y.els[y.i]!.k);
    return desc ? c > 0 : c < 0;
  });
  for (const it of iters) if (it.els.length) heap.push(it);
  while (heap.length) {
    const top = heap.pop();
    yield top.els[top.i]!.e;
    top.i++;
    if (top.i < top.els.length) heap.push(top);
  }
}

/** A projection resolved against a stream's schema: each requested family with, per tag, whether the family holds it. */
type ProjectedLayout = { name: string; tags: string[]; inFamily: boolean[] }[];

/** FACT 29: families in request order; a tag outside its family is null; families without tags are left out. */
function projectedLayout(stream: Stream, projection: ProjectedFamily[]): ProjectedLayout {
  const out: ProjectedLayout = [];
  for (const f of projection) {
    if (f.tags.length === 0) continue;
    const schemaFamily = stream.tagFamilies?.find((sf) => sf.name === f.name);
    const inFamily = new Set((schemaFamily?.tags ?? []).map((t) => t.name ?? ''));
    out.push({ name: f.name, tags: f.tags, inFamily: f.tags.map((t) => inFamily.has(t)) });
  }
  return out;
}

function projectElement(group: string, name: string, e: StoredElement, layout: ProjectedLayout): StreamElement {
  const out: StreamElement = { elementId: answeredElementId(group, name, e), timestamp: e.timestamp };
  if (layout.length === 0) return out;
  const families: TagFamily[] = new Array(layout.length);
  for (let i = 0; i < layout.length; i++) {
    const f = layout[i]!;
    const tags: Tag[] = new Array(f.tags.length);
    for (let j = 0; j < f.tags.length; j++) {
      const t = f.tags[j]!;
      tags[j] = { key: t, value: (f.inFamily[j] ? e.tags.get(t) : undefined) ?? NULL_VALUE };
    }
    families[i] = { name: f.name, tags };
  }
  out.tagFamilies = families;
  return out;
}

// ---------------------------------------------------------------- trace: literals and the logical tag filter

type Lit = { k: 'str'; v: string } | { k: 'int'; v: number } | { k: 'strArr'; v: string[] } | { k: 'intArr'; v: number[] } | { k: 'null' };

class MatchError extends Error {}

function goTagValueText(v: AnyTagValue | undefined): string {
  switch (valueKind(v)) {
    case 'timestamp':
      return `timestamp:${goTimestampText(v?.timestamp)}`;
    case 'binaryData':
      return `binary_data:${JSON.stringify(Buffer.from(v?.binaryData ?? []).toString('latin1'))}`;
    default:
      return JSON.stringify(v ?? {});
  }
}

/** BanyanDB's parseExpr: timestamps and bytes are not comparable values. */
function parseLit(v: TagValue | undefined, asError: (msg: string) => Error): Lit {
  const a = v as AnyTagValue | undefined;
  switch (valueKind(a)) {
    case 'str':
      return { k: 'str', v: a?.str?.value ?? '' };
    case 'int':
      return { k: 'int', v: Number(a?.int?.value ?? 0) };
    case 'strArray':
      return { k: 'strArr', v: a?.strArray?.value ?? [] };
    case 'intArray':
      return { k: 'intArr', v: (a?.intArray?.value ?? []).map(Number) };
    case 'null':
      return { k: 'null' };
    default:
      throw asError(`tag filter parses ${goTagValueText(a)}: unsupported condition value type`);
  }
}

function litEqual(a: Lit, b: Lit): boolean {
  if (a.k === 'str' && b.k === 'str') return a.v === b.v;
  if (a.k === 'int' && b.k === 'int') return a.v === b.v;
  if ((a.k === 'strArr' && b.k === 'strArr') || (a.k === 'intArr' && b.k === 'intArr')) {
    return a.v.length === b.v.length && a.v.every((x, i) => x === b.v[i]);
  }
  return false;
}

/** `a.Compare(b)`: [sign, comparable]. */
function litCompare(a: Lit, b: Lit): [number, boolean] {
  if (a.k === 'int' && b.k === 'int') return [Math.sign(a.v - b.v), true];
  if (a.k === 'str' && b.k === 'str') return [a.v < b.v ? -1 : a.v > b.v ? 1 : 0, true];
  return [0, false];
}

/** `value.BelongTo(list)` (a scalar list member compares by identity in 0.10.3, so scalar-to-scalar is false). */
function litBelongTo(value: Lit, list: Lit): boolean {
  if (value.k === 'int' && list.k === 'intArr') return list.v.includes(value.v);
  if (value.k === 'str' && list.k === 'strArr') return list.v.includes(value.v);
  if (value.k === 'intArr' && list.k === 'intArr') return value.v.every((x) => list.v.includes(x));
  if (value.k === 'strArr' && list.k === 'strArr') return value.v.every((x) => list.v.includes(x));
  if (value.k === 'intArr' && list.k === 'int') return value.v.length === 1 && value.v[0] === list.v;
  if (value.k === 'strArr' && list.k === 'str') return value.v.length === 1 && value.v[0] === list.v;
  return false;
}

type TagFilter =
  | { k: 'dummy' }
  | { k: 'and' | 'or'; subs: TagFilter[] }
  | { k: 'not'; inner: TagFilter }
  | { k: 'eq' | 'in' | 'having' | 'match'; name: string; lit: Lit }
  | { k: 'range'; name: string; lower?: Lit; upper?: Lit; incL: boolean; incU: boolean };

const DUMMY: TagFilter = { k: 'dummy' };

type Node = { le?: Criteria['le']; condition?: Condition };

function buildTagFilter(
  c: Criteria | undefined,
  types: ReadonlyMap<string, TagType>,
  entity: ReadonlySet<string>,
  hasGlobalIndex: boolean,
  skipped: ReadonlySet<string>,
): TagFilter {
  if (!c) return DUMMY;
  const n = c as Node;
  if (n.condition) {
    const cond = n.condition;
    const name = cond.name ?? '';
    if (!types.has(name)) throw new PlanError(`tag "${name}" does not exist in the current schema: tag is not defined`);
    const lit = parseLit(cond.value, (m) => new PlanError(m));
    if (entity.has(name) && !hasGlobalIndex) return DUMMY;
    if (skipped.has(name)) return DUMMY;
    const type = types.get(name);
    const isArray = type === 'TAG_TYPE_STRING_ARRAY' || type === 'TAG_TYPE_INT_ARRAY';
    switch (cond.op) {
      case 'BINARY_OP_GT':
        return { k: 'range', name, lower: lit, incL: false, incU: false };
      case 'BINARY_OP_GE':
        return { k: 'range', name, lower: lit, incL: true, incU: false };
      case 'BINARY_OP_LT':
        return { k: 'range', name, upper: lit, incL: false, incU: false };
      case 'BINARY_OP_LE':
        return { k: 'range', name, upper: lit, incL: false, incU: true };
      case 'BINARY_OP_EQ':
        return { k: 'eq', name, lit };
      case 'BINARY_OP_MATCH':
        return { k: 'match', name, lit };
      case 'BINARY_OP_NE':
        return { k: 'not', inner: { k: 'eq', name, lit } };
      case 'BINARY_OP_HAVING':
        return { k: 'having', name, lit };
      case 'BINARY_OP_NOT_HAVING':
        return { k: 'not', inner: { k: 'having', name, lit } };
      case 'BINARY_OP_IN':
        if (isArray) throw new PlanError('in condition is not supported for array type: unsupported condition operation');
        return { k: 'in', name, lit };
      case 'BINARY_OP_NOT_IN':
        if (isArray) throw new PlanError('not in condition is not supported for array type: unsupported condition operation');
        return { k: 'not', inner: { k: 'in', name, lit } };
      default:
        throw new PlanError(`tag filter parses ${JSON.stringify(cond)}: unsupported condition operation`);
    }
  }
  if (n.le) {
    const left = buildTagFilter(n.le.left, types, entity, hasGlobalIndex, skipped);
    const right = buildTagFilter(n.le.right, types, entity, hasGlobalIndex, skipped);
    if (left === DUMMY && right === DUMMY) return DUMMY;
    const subs = [left, right].filter((f) => f !== DUMMY);
    if (n.le.op === 'LOGICAL_OP_AND') return { k: 'and', subs };
    if (n.le.op === 'LOGICAL_OP_OR') {
      if (hasGlobalIndex) throw new PlanError("global index doesn't support OR: unsupported logical operation");
      return { k: 'or', subs };
    }
  }
  throw new PlanError('invalid criteria type');
}

/** Evaluates a tag filter; `get` returns a tag's value or throws {@link MatchError}. Every branch is evaluated. */
function matchFilter(f: TagFilter, get: (name: string) => TagValue): boolean {
  switch (f.k) {
    case 'dummy':
      return true;
    case 'and':
    case 'or': {
      let result: boolean | undefined;
      for (const s of f.subs) {
        const r = matchFilter(s, get);
        result = result === undefined ? r : f.k === 'and' ? result && r : result || r;
      }
      return result ?? true;
    }
    case 'not':
      return !matchFilter(f.inner, get);
    case 'eq': {
      const v = get(f.name) as AnyTagValue | undefined;
      // Strings and ints compare without building a literal (the same answer as parseLit + litEqual).
      if (v?.str !== undefined) return f.lit.k === 'str' && f.lit.v === (v.str.value ?? '');
      if (v?.int !== undefined) return f.lit.k === 'int' && f.lit.v === Number(v.int.value ?? 0);
      return litEqual(
        f.lit,
        parseLit(v as TagValue | undefined, (m) => new MatchError(m)),
      );
    }
    case 'in':
      return litBelongTo(
        parseLit(get(f.name), (m) => new MatchError(m)),
        f.lit,
      );
    case 'having': {
      const v = parseLit(get(f.name), (m) => new MatchError(m));
      const want = f.lit.k === 'strArr' || f.lit.k === 'intArr' ? f.lit.v : f.lit.k === 'null' ? [] : [f.lit.v];
      const have = v.k === 'strArr' || v.k === 'intArr' ? (v.v as (string | number)[]) : [];
      return want.every((w) => have.includes(w));
    }
    case 'match':
      return false;
    case 'range': {
      const tv = get(f.name) as AnyTagValue | undefined;
      if (tv?.int !== undefined && tv.str === undefined) {
        // An int against int bounds, without building a literal (the same answer as the general path below).
        const x = Number(tv.int.value ?? 0);
        if (f.lower) {
          if (f.lower.k !== 'int') return false;
          const c = Math.sign(f.lower.v - x);
          if (f.incL ? c > 0 : c >= 0) return false;
        }
        if (f.upper) {
          if (f.upper.k !== 'int') return false;
          const c = Math.sign(f.upper.v - x);
          if (f.incU ? c < 0 : c <= 0) return false;
        }
        return true;
      }
      const v = parseLit(tv as TagValue | undefined, (m) => new MatchError(m));
      if (f.lower) {
        const [c, ok] = litCompare(f.lower, v);
        if (!ok) return false;
        if (f.incL ? c > 0 : c >= 0) return false;
      }
      if (f.upper) {
        const [c, ok] = litCompare(f.upper, v);
        if (!ok) return false;
        if (f.incU ? c < 0 : c <= 0) return false;
      }
      return true;
    }
  }
}

// ---------------------------------------------------------------- trace: index-side filter (buildFilter)

/** An entity tuple over the entity tags; `undefined` is "any". */
type Entity = (TagValue | undefined)[];

type SkipFilter =
  | { k: 'eq'; tag: string; lit: Lit }
  | { k: 'range'; tag: string; lower?: number; upper?: number; incL: boolean; incU: boolean; numeric: boolean }
  | { k: 'none' }
  | { k: 'and' | 'or'; l: SkipFilter; r: SkipFilter };

interface IndexFilter {
  filter: SkipFilter | null;
  entities: Entity[] | null;
  condTags: string[];
  traceIds: string[];
  min: number;
  max: number;
}

const isAny = (entities: Entity[]): boolean => entities.every((e) => e.every((v) => v === undefined));

function parseEntities(op: string | undefined, width: number, left: Entity[], right: Entity[]): Entity[] | null {
  const leftAny = isAny(left);
  const rightAny = isAny(right);
  const merged = [...left, ...right];
  const result: Entity = new Array(width).fill(undefined);
  if (op === 'LOGICAL_OP_AND') {
    if (leftAny && !rightAny) return right;
    if (!leftAny && rightAny) return left;
    for (let i = 0; i < width; i++) {
      let entry: TagValue | undefined;
      for (const m of merged) {
        const e = m[i];
        if (e === undefined) continue;
        if (entry === undefined) entry = e;
        else if (valueKey(entry) !== valueKey(e)) return null;
      }
      result[i] = entry;
    }
  } else if (op === 'LOGICAL_OP_OR') {
    if (leftAny) return left;
    if (rightAny) return right;
    for (let i = 0; i < width; i++) {
      let entry: TagValue | undefined;
      let first = true;
      for (const m of merged) {
        const e = m[i];
        if (first) {
          entry = e;
          first = false;
        } else if (valueKey(entry) !== valueKey(e)) return merged;
      }
      result[i] = entry;
    }
  }
  return [result];
}

function boundsOf(cond: Condition): [number, number] {
  const v = cond.value as AnyTagValue | undefined;
  let value: number;
  if (valueKind(v) === 'int') value = Number(v?.int?.value ?? 0);
  else if (valueKind(v) === 'timestamp') value = timestampMs(v?.timestamp);
  else return [MAX_KEY, MIN_KEY];
  switch (cond.op) {
    case 'BINARY_OP_GT':
      return [value + 1, MIN_KEY];
    case 'BINARY_OP_GE':
      return [value, MIN_KEY];
    case 'BINARY_OP_LT':
      return [MAX_KEY, value - 1];
    case 'BINARY_OP_LE':
      return [MAX_KEY, value];
    default:
      return [MAX_KEY, MIN_KEY];
  }
}

interface FilterCtx {
  types: ReadonlyMap<string, TagType>;
  entityList: string[];
  traceIdTag: string;
  spanIdTag: string;
  orderByTag: string;
}

function buildIndexFilter(c: Criteria | undefined, ctx: FilterCtx): IndexFilter {
  const anyEntity: Entity = ctx.entityList.map(() => undefined);
  if (!c) return { filter: null, entities: [anyEntity], condTags: [], traceIds: [], min: MIN_KEY, max: MAX_KEY };
  const n = c as Node;
  if (n.condition) {
    const cond = n.condition;
    const name = cond.name ?? '';
    if (!ctx.types.has(name)) throw new PlanError(`tag "${name}" does not exist in the current schema: tag is not defined`);
    let min = MIN_KEY;
    let max = MAX_KEY;
    if (name === ctx.orderByTag) {
      const [cmin, cmax] = boundsOf(cond);
      if (cmin !== MAX_KEY) min = cmin;
      if (cmax !== MIN_KEY) max = cmax;
    }
    const entityIdx = ctx.entityList.indexOf(name);
    const v = cond.value as AnyTagValue | undefined;
    const isEntityOp = entityIdx >= 0 && (cond.op === 'BINARY_OP_EQ' || cond.op === 'BINARY_OP_IN');
    if (isEntityOp) {
      const kind = valueKind(v);
      if (kind === 'strArray' || kind === 'intArray') {
        if (cond.op === 'BINARY_OP_IN') {
          const items =
            kind === 'strArray'
              ? (v?.strArray?.value ?? []).map((s) => ({ str: { value: s } }))
              : (v?.intArray?.value ?? []).map((i) => ({ int: { value: i } }));
          const entities = items.map((item) => {
            const e = [...anyEntity];
            e[entityIdx] = item as TagValue;
            return e;
          });
          return { filter: null, entities, condTags: [], traceIds: [], min, max };
        }
      } else if (kind !== 'null') {
        const e = [...anyEntity];
        e[entityIdx] = cond.value as TagValue;
        return { filter: null, entities: [e], condTags: [], traceIds: [], min, max };
      }
    }
    const condTags: string[] = [];
    let traceIds: string[] = [];
    if (name === ctx.traceIdTag && (cond.op === 'BINARY_OP_EQ' || cond.op === 'BINARY_OP_IN')) {
      traceIds = [...(v?.str ? [v.str.value ?? ''] : []), ...(v?.strArray?.value ?? [])];
    } else if (name !== ctx.spanIdTag) condTags.push(name);
    const lit = parseLit(cond.value, (m) => new PlanError(m));
    let filter: SkipFilter;
    switch (cond.op) {
      case 'BINARY_OP_EQ':
        filter = { k: 'eq', tag: name, lit };
        break;
      case 'BINARY_OP_GT':
      case 'BINARY_OP_GE':
      case 'BINARY_OP_LT':
      case 'BINARY_OP_LE': {
        const numeric = lit.k === 'int';
        const x = lit.k === 'int' ? lit.v : 0;
        filter =
          cond.op === 'BINARY_OP_GT' || cond.op === 'BINARY_OP_GE'
            ? { k: 'range', tag: name, lower: x, incL: cond.op === 'BINARY_OP_GE', incU: false, numeric }
            : { k: 'range', tag: name, upper: x, incL: false, incU: cond.op === 'BINARY_OP_LE', numeric };
        break;
      }
      default:
        filter = { k: 'none' };
    }
    return { filter, entities: [anyEntity], condTags, traceIds, min, max };
  }
  if (n.le) {
    if (!n.le.left && !n.le.right)
      throw new PlanError('both sides(left and right) of the logical expression are empty: invalid logical expression');
    if (!n.le.left) return buildIndexFilter(n.le.right, ctx);
    if (!n.le.right) return buildIndexFilter(n.le.left, ctx);
    const l = buildIndexFilter(n.le.left, ctx);
    const r = buildIndexFilter(n.le.right, ctx);
    const condTags = [...new Set([...l.condTags, ...r.condTags])];
    const traceIds = [...l.traceIds, ...r.traceIds];
    const and = n.le.op === 'LOGICAL_OP_AND';
    const min = and ? Math.max(l.min, r.min) : Math.min(l.min, r.min);
    const max = and ? Math.min(l.max, r.max) : Math.max(l.max, r.max);
    const entities = parseEntities(n.le.op, ctx.entityList.length, l.entities ?? [], r.entities ?? []);
    if (!entities) return { filter: null, entities: null, condTags, traceIds, min, max };
    let filter: SkipFilter | null;
    if (!l.filter) filter = r.filter;
    else if (!r.filter) filter = l.filter;
    else if (n.le.op === 'LOGICAL_OP_AND' || n.le.op === 'LOGICAL_OP_OR') filter = { k: and ? 'and' : 'or', l: l.filter, r: r.filter };
    else throw new PlanError('invalid criteria type');
    return { filter, entities, condTags, traceIds, min, max };
  }
  throw new PlanError('invalid criteria type');
}

// ---------------------------------------------------------------- trace: the secondary index (SIDX) model

interface SidxElement {
  key: number;
  span: StoredSpan;
}

interface SidxBlock {
  seriesId: bigint;
  entity: TagValue[];
  els: SidxElement[];
  minKey: number;
  maxKey: number;
  /** Tags this rule's index stores (schema order), with per-block value stats computed on demand. */
  stored: ReadonlySet<string>;
  strValues?: Map<string, Set<string>>;
  intBounds?: Map<string, [number, number] | null>;
}

interface SidxTable {
  seg: number;
  shard: number;
  blocks: SidxBlock[];
}

function sidxTables(store: DataStore, registry: Registry, group: string, trace: Trace, rule: IndexRule): SidxTable[] {
  const name = trace.metadata?.name ?? '';
  const ruleName = rule.metadata?.name ?? '';
  return store.derived('trace', group, name, `sidx:${ruleName}`, () => {
    const segMs = segmentMs(registry, group);
    const shards = shardNum(registry, group);
    const ruleTags = rule.tags ?? [];
    const keyTag = ruleTags[ruleTags.length - 1] ?? '';
    const prefixTags = ruleTags.slice(0, -1);
    const stored = new Set(
      (trace.tags ?? [])
        .map((t) => t.name ?? '')
        .filter((t) => t !== trace.traceIdTagName && t !== trace.spanIdTagName && !ruleTags.includes(t)),
    );
    const shardOfTrace = new Map<string, number>();
    const seriesIds = new Map<string, bigint>();
    const tables = new Map<string, { seg: number; shard: number; blocks: Map<string, SidxBlock> }>();
    const subject = concat([encoder.encode(name.replace(/[|\\]/g, (m) => `\\${m}`)), encoder.encode('|')]);
    for (const s of store.spansOf(group, name)) {
      const kv = s.tags.get(keyTag) as AnyTagValue | undefined;
      const kind = valueKind(kv);
      if (kind !== 'int' && kind !== 'timestamp') continue;
      const key = kind === 'int' ? Number(kv?.int?.value ?? 0) : timestampMs(kv?.timestamp);
      let shard = shardOfTrace.get(s.traceId);
      if (shard === undefined) {
        shard = Number(xxhash64(encoder.encode(s.traceId)) % BigInt(shards));
        shardOfTrace.set(s.traceId, shard);
      }
      const seg = Math.floor(s.timestampMs / segMs);
      const entity = prefixTags.map((t) => s.tags.get(t) ?? NULL_VALUE);
      const ek = entity.map(valueKey).join('\u0000');
      let sid = seriesIds.get(ek);
      if (sid === undefined) {
        sid = xxhash64(concat([subject, ...entity.map(seriesValueBytes)]));
        seriesIds.set(ek, sid);
      }
      const tid = `${seg}\u0000${shard}`;
      let table = tables.get(tid);
      if (!table) {
        table = { seg, shard, blocks: new Map() };
        tables.set(tid, table);
      }
      let block = table.blocks.get(ek);
      if (!block) {
        block = { seriesId: sid, entity, els: [], minKey: key, maxKey: key, stored };
        table.blocks.set(ek, block);
      }
      block.els.push({ key, span: s });
    }
    const out: SidxTable[] = [];
    for (const t of [...tables.values()].sort((a, b) => a.seg - b.seg || a.shard - b.shard)) {
      const blocks = [...t.blocks.values()];
      for (const b of blocks) {
        b.els.sort((x, y) => x.key - y.key || x.span.seq - y.span.seq);
        b.minKey = b.els[0]!.key;
        b.maxKey = b.els[b.els.length - 1]!.key;
      }
      out.push({ seg: t.seg, shard: t.shard, blocks });
    }
    return out;
  });
}

/** A series entry as BanyanDB marshals it: type byte, escaped value, `|`. */
function seriesValueBytes(v: TagValue): Uint8Array {
  const a = v as AnyTagValue;
  const kind = valueKind(a);
  const type = kind === 'str' ? 1 : kind === 'int' ? 2 : kind === 'binaryData' ? 4 : kind === 'timestamp' ? 7 : 0;
  let raw: Uint8Array;
  if (kind === 'int') {
    raw = new Uint8Array(8);
    const x = BigInt(a.int?.value ?? 0);
    new DataView(raw.buffer).setBigUint64(0, BigInt.asUintN(64, (x << 1n) ^ (x >> 63n)));
  } else raw = kind === 'null' ? new Uint8Array(0) : entityBytes(v);
  const escaped: number[] = [type];
  for (const b of raw) {
    if (b === 0x7c || b === 0x5c) escaped.push(0x5c);
    escaped.push(b);
  }
  escaped.push(0x7c);
  return Uint8Array.from(escaped);
}

function blockStrValues(b: SidxBlock, tag: string): Set<string> {
  b.strValues ??= new Map();
  let set = b.strValues.get(tag);
  if (!set) {
    set = new Set();
    for (const e of b.els) {
      const v = e.span.tags.get(tag) as AnyTagValue | undefined;
      if (valueKind(v) === 'str') set.add(v?.str?.value ?? '');
    }
    b.strValues.set(tag, set);
  }
  return set;
}

function blockIntBounds(b: SidxBlock, tag: string): [number, number] | null {
  b.intBounds ??= new Map();
  if (!b.intBounds.has(tag)) {
    let lo = MAX_KEY;
    let hi = MIN_KEY;
    for (const e of b.els) {
      const v = e.span.tags.get(tag) as AnyTagValue | undefined;
      if (valueKind(v) !== 'int') continue;
      const x = Number(v?.int?.value ?? 0);
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    b.intBounds.set(tag, lo <= hi ? [lo, hi] : null);
  }
  return b.intBounds.get(tag) ?? null;
}

/** Block skipping: bloom filter for EQ (an INT's decimal text is never in it), min/max for INT ranges. */
function shouldSkip(f: SkipFilter | null, b: SidxBlock, types: ReadonlyMap<string, TagType>): boolean {
  if (!f) return false;
  switch (f.k) {
    case 'none':
      return false;
    case 'and':
    case 'or':
      return shouldSkip(f.l, b, types) && shouldSkip(f.r, b, types);
    case 'eq': {
      if (!b.stored.has(f.tag)) return true;
      if (types.get(f.tag) !== 'TAG_TYPE_STRING' || f.lit.k !== 'str') return true;
      return !blockStrValues(b, f.tag).has(f.lit.v);
    }
    case 'range': {
      if (!b.stored.has(f.tag) || types.get(f.tag) !== 'TAG_TYPE_INT' || !f.numeric) return false;
      const bounds = blockIntBounds(b, f.tag);
      if (!bounds) return false;
      const [lo, hi] = bounds;
      if (f.lower !== undefined && (hi < f.lower || (!f.incL && hi === f.lower))) return true;
      if (f.upper !== undefined && (lo > f.upper || (!f.incU && lo === f.upper))) return true;
      return false;
    }
  }
}

interface Cursor {
  keys: number[];
  traceIds: string[];
  idx: number;
}

interface OrderScan {
  asc: boolean;
  batchBlocks: number;
  minKey: number;
  maxKey: number;
  skip: SkipFilter | null;
  /** The SIDX-side matcher: filter plus the tag order it reads. */
  matcher?: { filter: TagFilter; condIndex: Map<string, number>; order: string[] };
  types: ReadonlyMap<string, TagType>;
}

/** Loads one block as 0.10.3 does: per-block trace dedup, the position-reading matcher, the key range. */
function loadBlock(b: SidxBlock, scan: OrderScan): Cursor | undefined {
  const seen = new Set<string>();
  const keys: number[] = [];
  const traceIds: string[] = [];
  const order = scan.matcher ? scan.matcher.order.filter((t) => b.stored.has(t)) : [];
  // One value list and one getter for the whole block, refilled per element (nothing allocated per element).
  const list: TagValue[] = [];
  const condIndex = scan.matcher?.condIndex;
  const get = (name: string): TagValue => {
    const i = condIndex?.get(name);
    const v = i === undefined ? undefined : list[i];
    if (!v) throw new MatchError(`tag value is nil for tag "${name}"`);
    return v;
  };
  // The block's elements are sorted by key. Without a matcher an element outside [minKey, maxKey] has no effect at
  // all (it is skipped before anything is recorded), so only the key range is visited, found by binary search. With a
  // matcher every element is visited: a match error on any of them drops the whole block.
  const els = b.els;
  let from = 0;
  let to = els.length;
  if (!scan.matcher) {
    from = firstKeyAtLeast(els, scan.minKey);
    to = firstKeyAbove(els, scan.maxKey);
  }
  for (let i = from; i < to; i++) {
    const e = els[i]!;
    if (seen.has(e.span.traceId)) continue;
    if (scan.matcher) {
      list.length = 0;
      for (const t of order) {
        const v = e.span.tags.get(t);
        if (v && valueKind(v) !== 'null') list.push(v);
      }
      let ok: boolean;
      try {
        ok = matchFilter(scan.matcher.filter, get);
      } catch (err) {
        if (err instanceof MatchError) return undefined; // "tag filter match error": the block is dropped
        throw err;
      }
      if (!ok) continue;
    }
    if (e.key < scan.minKey || e.key > scan.maxKey) continue;
    seen.add(e.span.traceId);
    keys.push(e.key);
    traceIds.push(e.span.traceId);
  }
  if (keys.length === 0) return undefined;
  return { keys, traceIds, idx: scan.asc ? 0 : keys.length - 1 };
}

/** First index of `els` (sorted by key) whose key is >= k. */
function firstKeyAtLeast(els: readonly SidxElement[], k: number): number {
  let lo = 0;
  let hi = els.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (els[mid]!.key < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index of `els` (sorted by key) whose key is > k. */
function firstKeyAbove(els: readonly SidxElement[], k: number): number {
  let lo = 0;
  let hi = els.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (els[mid]!.key <= k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function blockLess(a: SidxBlock, b: SidxBlock): boolean {
  if (a.minKey !== b.minKey) return a.minKey < b.minKey;
  if (a.maxKey !== b.maxKey) return a.maxKey < b.maxKey;
  return a.seriesId < b.seriesId;
}

/** One shard's answer stream: blocks in key order, merged in batches of `batchBlocks`, each batch drained. */
function* shardStream(blocks: SidxBlock[], scan: OrderScan): Generator<{ key: number; traceId: string }> {
  const sorted = [...blocks].sort((a, b) =>
    scan.asc ? (blockLess(a, b) ? -1 : blockLess(b, a) ? 1 : 0) : blockLess(b, a) ? -1 : blockLess(a, b) ? 1 : 0,
  );
  const step = scan.asc ? 1 : -1;
  const heap = new GoHeap<Cursor>((x, y) => (scan.asc ? x.keys[x.idx]! < y.keys[y.idx]! : x.keys[x.idx]! > y.keys[y.idx]!));
  let initialized = false;
  for (let i = 0; i < sorted.length; i += scan.batchBlocks) {
    const cursors = sorted
      .slice(i, i + scan.batchBlocks)
      .map((b) => loadBlock(b, scan))
      .filter((c): c is Cursor => c !== undefined);
    if (cursors.length === 0) continue;
    for (const c of cursors) {
      if (initialized) heap.push(c);
      else heap.a.push(c);
    }
    if (!initialized) {
      heap.init();
      initialized = true;
    }
    const seen = new Set<string>();
    while (heap.length) {
      const top = heap.a[0]!;
      if (top.idx < 0 || top.idx >= top.keys.length) {
        heap.pop();
        continue;
      }
      const traceId = top.traceIds[top.idx]!;
      const key = top.keys[top.idx]!;
      if (!seen.has(traceId)) {
        seen.add(traceId);
        yield { key, traceId };
      }
      top.idx += step;
      if (top.idx < 0 || top.idx >= top.keys.length) heap.pop();
      else heap.fix(0);
    }
  }
}

/** The merge of the shards' streams by key (Go heap), first occurrence of each trace id. */
function* mergeShards(streams: Generator<{ key: number; traceId: string }>[], asc: boolean): Generator<string> {
  type Src = { gen: Generator<{ key: number; traceId: string }>; cur: { key: number; traceId: string } };
  const heap = new GoHeap<Src>((x, y) => (asc ? x.cur.key < y.cur.key : x.cur.key > y.cur.key));
  for (const gen of streams) {
    const first = gen.next();
    if (!first.done) heap.push({ gen, cur: first.value });
  }
  const seen = new Set<string>();
  while (heap.length) {
    const src = heap.pop();
    if (!seen.has(src.cur.traceId)) {
      seen.add(src.cur.traceId);
      yield src.cur.traceId;
    }
    const next = src.gen.next();
    if (!next.done) {
      src.cur = next.value;
      heap.push(src);
    }
  }
}

// ---------------------------------------------------------------- trace query

export function queryTrace(registry: Registry, store: DataStore, req: TraceQueryRequest): TraceQueryResponse {
  requireGroupsAndName(req);
  const range = resolveTimeRange(req.timeRange);
  const name = req.name ?? '';
  const groups = req.groups ?? [];
  const traces = groups.map((g) => {
    const t = registry.traces.get(gkey(g, name));
    if (!t) throw internal(`fail to get execution context for trace ${name}: trace not found`);
    return t.value;
  });
  const schema = traces[0]!;
  const traceIdTag = schema.traceIdTagName ?? '';
  const spanIdTag = schema.spanIdTagName ?? '';
  const types = traceTagTypes(schema);
  const rules = registry.rulesFor('CATALOG_TRACE', groups[0]!, name);
  const prefix = `fail to analyze the query request for trace ${name}`;
  const ruleName = req.orderBy?.indexRuleName ?? '';
  const orderRule = ruleName ? rules.find((r) => r.metadata?.name === ruleName) : undefined;
  if (ruleName && !orderRule) throw internal(`${prefix}: index rule ${ruleName} not found`);
  const orderByTag = orderRule ? (orderRule.tags?.[orderRule.tags.length - 1] ?? '') : '';
  const requested = req.tagProjection ?? [];
  for (const t of requested) if (!types.has(t)) throw internal(`${prefix}: ${t}: tag is not defined`);
  const entityList = (rules[0]?.tags?.length ?? 0) > 1 ? (rules[0]?.tags ?? []).slice(0, -1) : [];

  let index: IndexFilter;
  let tagFilter: TagFilter;
  try {
    index = buildIndexFilter(req.criteria, { types, entityList, traceIdTag, spanIdTag, orderByTag });
    const skipped = new Set([traceIdTag, spanIdTag]);
    const namedLikeTag = rules.find((r) => r.metadata?.name === orderByTag);
    for (const t of namedLikeTag?.tags ?? []) skipped.add(t);
    tagFilter = req.criteria ? buildTagFilter(req.criteria, types, new Set(entityList), index.traceIds.length > 0, skipped) : DUMMY;
  } catch (err) {
    if (err instanceof PlanError) throw internal(`${prefix}: ${err.message}`);
    throw err;
  }
  const orderGiven = req.orderBy !== undefined && req.orderBy !== null;
  if (index.traceIds.length === 0 && !orderGiven) {
    throw internal(`execute the query plan for trace ${name}: invalid query options: either traceIDs or order must be specified`);
  }
  let min = index.min;
  let max = index.max;
  if (!orderByTag || orderByTag === schema.timestampTagName) {
    min = range.beginMs;
    max = range.endMs;
  }
  const offset = req.offset ?? 0;
  const limit = req.limit || DEFAULT_LIMIT;
  const maxTraces = offset + limit;

  // Projection as the storage reads it: requested (minus ids), entity tags, condition tags.
  const projectionNames = [...new Set([...requested, ...entityList, ...index.condTags])].filter((t) => t !== traceIdTag && t !== spanIdTag);
  const spanIds = spanIdCondition(req.criteria, spanIdTag);

  // Segments selected by the time range.
  const segOk = (g: string, seg: number): boolean => {
    if (!range.given) return true;
    const ms = segmentMs(registry, g);
    return seg * ms <= range.endMs && (seg + 1) * ms > range.beginMs;
  };
  const spansOf = (traceId: string): StoredSpan[] =>
    groups.flatMap((g) =>
      (store.tracesOf(g, name).get(traceId) ?? []).filter((s) => segOk(g, Math.floor(s.timestampMs / segmentMs(registry, g)))),
    );

  let candidates: Iterable<string>;
  if (index.traceIds.length > 0) {
    candidates = [...index.traceIds].sort().slice(0, maxTraces);
  } else {
    if (!orderRule || !index.entities) return { traces: [] };
    if ((orderRule.tags ?? []).slice(0, -1).join('\u0000') !== entityList.join('\u0000')) return { traces: [] };
    const asc = req.orderBy?.sort !== 'SORT_DESC';
    const condIndex = new Map(index.condTags.map((t, i) => [t, i]));
    const scan: OrderScan = {
      asc,
      batchBlocks: maxTraces,
      minKey: min,
      maxKey: max,
      skip: index.filter,
      types,
      ...(tagFilter !== DUMMY ? { matcher: { filter: tagFilter, condIndex, order: projectionNames } } : {}),
    };
    const entities = index.entities;
    const streams: Generator<{ key: number; traceId: string }>[] = [];
    groups.forEach((g, gi) => {
      for (const table of sidxTables(store, registry, g, traces[gi]!, orderRule)) {
        if (!segOk(g, table.seg)) continue;
        const blocks = table.blocks.filter(
          (b) =>
            b.maxKey >= min &&
            b.minKey <= max &&
            entities.some((e) => e.every((v, i) => v === undefined || valueKey(v) === valueKey(b.entity[i]))) &&
            !shouldSkip(scan.skip, b, types),
        );
        if (blocks.length) streams.push(shardStream(blocks, scan));
      }
    });
    candidates = mergeShards(streams, asc);
  }

  const rowFilterOn = index.traceIds.length > 0 || tagFilter !== DUMMY || spanIds !== undefined;
  const out: { traceId: string; spans: StoredSpan[] }[] = [];
  let skippedOffset = 0;
  for (const traceId of candidates) {
    if (out.length >= limit) break;
    const spans = spansOf(traceId);
    if (spans.length === 0) continue;
    if (rowFilterOn) {
      let matched: boolean;
      try {
        matched = spans.some(
          (s) =>
            (spanIds === undefined || spanIds.has(s.spanId)) &&
            matchFilter(tagFilter, (t) => (projectionNames.includes(t) ? (s.tags.get(t) ?? NULL_VALUE) : nilValue(t))),
        );
      } catch (err) {
        if (err instanceof MatchError) break; // the iterator stops at a filter error
        throw err;
      }
      if (!matched) continue;
    }
    if (skippedOffset < offset) {
      skippedOffset++;
      continue;
    }
    out.push({ traceId, spans });
  }
  const regular = requested.filter((t) => t !== traceIdTag && t !== spanIdTag);
  const shown = [...new Set(projectionNames)].filter((t) => regular.includes(t));
  const withTraceId = requested.includes(traceIdTag);
  const withSpanId = requested.includes(spanIdTag);
  return {
    traces: out.map((h) => ({
      traceId: h.traceId,
      spans: h.spans.map((s): TraceSpan => {
        const span: TraceSpan = { span: s.span, spanId: s.spanId };
        if (requested.length > 0) {
          const tags: Tag[] = shown.map((t) => ({ key: t, value: s.tags.get(t) ?? NULL_VALUE }));
          if (withTraceId) tags.push({ key: traceIdTag, value: { str: { value: s.traceId } } as TagValue });
          if (withSpanId) tags.push({ key: spanIdTag, value: { str: { value: s.spanId } } as TagValue });
          span.tags = tags;
        }
        return span;
      }),
    })),
  };
}

function nilValue(tag: string): never {
  throw new MatchError(`tag "${tag}" does not exist in the current schema`);
}

/** Span ids of EQ/IN conditions on the span-id tag anywhere in the tree, or undefined when there are none. */
function spanIdCondition(c: Criteria | undefined, spanIdTag: string): Set<string> | undefined {
  let found = false;
  const ids = new Set<string>();
  const walk = (x: Criteria | undefined): void => {
    if (!x) return;
    const n = x as Node;
    if (n.le) {
      walk(n.le.left);
      walk(n.le.right);
      return;
    }
    const cond = n.condition;
    if (cond?.name === spanIdTag && (cond.op === 'BINARY_OP_EQ' || cond.op === 'BINARY_OP_IN')) {
      found = true;
      const v = cond.value as AnyTagValue | undefined;
      if (v?.str) ids.add(v.str.value ?? '');
      for (const s of v?.strArray?.value ?? []) ids.add(s);
    }
  };
  walk(c);
  return found ? ids : undefined;
}
