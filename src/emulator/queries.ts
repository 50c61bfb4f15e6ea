/**
 * Stream and trace queries over the in-memory data, following BanyanDB v0.10.3's planners: the same
 * validation, defaults (limit 20, all time), ordering rules and error reporting. Internal to the emulator.
 */
import type {
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
} from '../client/types.js';
import { type Registry, streamTagTypes, traceTagTypes } from './registry.js';
import { invalidArgument, queryFailure } from './status.js';
import type { DataStore, StoredSpan } from './store.js';
import { checkTimestamp, collectIds, compileCriteria, MAX_TIME_MS, NULL_VALUE, PlanError, sortKey, timestampMs } from './values.js';

/** BanyanDB's default page size for stream and trace queries. */
export const DEFAULT_QUERY_LIMIT = 20;

const key = (group: string, name: string): string => `${group}\u0000${name}`;

interface Range {
  beginMs: number;
  endMs: number;
}

/** Absent → all time; otherwise both ends must be valid millisecond timestamps (INVALID_ARGUMENT). */
function resolveTimeRange(tr: TimeRange | undefined): Range {
  if (!tr) return { beginMs: 0, endMs: MAX_TIME_MS };
  const problem = checkTimestamp(tr.begin) ?? checkTimestamp(tr.end);
  if (problem) throw invalidArgument(`${JSON.stringify(tr)} is invalid :${problem}`);
  return { beginMs: timestampMs(tr.begin), endMs: timestampMs(tr.end) };
}

function requireGroupsAndName(req: { groups?: string[]; name?: string }): void {
  if (!req.groups?.length) throw invalidArgument('invalid QueryRequest.Groups: value must contain at least 1 item(s)');
  if (!req.name) throw invalidArgument('invalid QueryRequest.Name: value length must be at least 1 runes');
}

function findRule(rules: IndexRule[], name: string): IndexRule | undefined {
  return rules.find((r) => r.metadata?.name === name);
}

/** Runs `fn`, reporting planning errors the way BanyanDB does (UNKNOWN, wrapped). */
function plan<T>(prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof PlanError) throw queryFailure(`${prefix}: ${err.message}`);
    throw err;
  }
}

// ---------------------------------------------------------------- stream

export function queryStream(registry: Registry, store: DataStore, req: StreamQueryRequest): StreamQueryResponse {
  requireGroupsAndName(req);
  if (!req.projection) throw invalidArgument('invalid QueryRequest.Projection: value is required');
  const range = resolveTimeRange(req.timeRange);
  const name = req.name ?? '';
  const groups = req.groups ?? [];
  const streams: Stream[] = groups.map((g) => {
    const s = registry.streams.get(key(g, name));
    if (!s) throw queryFailure(`fail to get execution context for stream ${name}: stream ${g}/${name} is not found`);
    return s.value;
  });
  const prefix = `fail to analyze the query request for stream ${name}`;
  const projection = (req.projection.tagFamilies ?? []).map((f) => ({ name: f.name ?? '', tags: f.tags ?? [] }));
  const candidates: { ts: number; seq: number; sort: number | string | undefined; element: StreamElement }[] = [];
  let orderRule: IndexRule | undefined;
  groups.forEach((group, gi) => {
    const stream = streams[gi]!;
    const types = streamTagTypes(stream);
    const rules = registry.rulesFor('CATALOG_STREAM', group, name);
    const predicate = plan(prefix, () => {
      for (const f of projection) {
        const family = stream.tagFamilies?.find((sf) => sf.name === f.name);
        if (!family) throw new PlanError(`tag family ${f.name} is not defined`);
        for (const t of f.tags) {
          if (!family.tags?.some((st) => st.name === t)) throw new PlanError(`tag ${f.name}.${t} is not defined`);
        }
      }
      return compileCriteria(req.criteria, types);
    });
    const ruleName = req.orderBy?.indexRuleName ?? '';
    if (ruleName) {
      const rule = findRule(rules, ruleName);
      if (!rule) throw queryFailure(`${prefix}: index is not defined: ${ruleName}`);
      if (rule.noSort) throw queryFailure(`${prefix}: index is not supported for sorting: ${ruleName}`);
      if ((rule.tags ?? []).length !== 1) {
        throw queryFailure(
          `execute the query plan for stream ${name}: only support one tag for sorting, but got ${rule.tags?.length ?? 0}`,
        );
      }
      orderRule = rule;
    }
    if (projection.length === 0) {
      throw queryFailure(`execute the query plan for stream ${name}: invalid query options: tagProjection is required`);
    }
    const sortTag = orderRule?.tags?.[0];
    for (const e of store.elementsOf(group, name)) {
      if (e.timestampMs < range.beginMs || e.timestampMs > range.endMs) continue;
      if (!predicate((t) => e.tags.get(t))) continue;
      const sort = sortTag ? sortKey(e.tags.get(sortTag)) : e.timestampMs;
      if (sort === undefined) continue; // not in the index the order uses
      const tagFamilies: TagFamily[] = projection.map((f) => ({
        name: f.name,
        tags: f.tags.map((t): Tag => ({ key: t, value: e.tags.get(t) ?? NULL_VALUE })),
      }));
      candidates.push({ ts: e.timestampMs, seq: e.seq, sort, element: { elementId: e.elementId, timestamp: e.timestamp, tagFamilies } });
    }
  });
  const desc = req.orderBy?.sort === 'SORT_DESC';
  candidates.sort((a, b) => {
    const byKey = cmp(a.sort, b.sort) || a.ts - b.ts || a.seq - b.seq;
    return desc ? -byKey : byKey;
  });
  const offset = req.offset ?? 0;
  const limit = req.limit || DEFAULT_QUERY_LIMIT;
  return { elements: candidates.slice(offset, offset + limit).map((c) => c.element) };
}

function cmp(a: number | string | undefined, b: number | string | undefined): number {
  if (a === b || a === undefined || b === undefined) return 0;
  return a < b ? -1 : 1;
}

// ---------------------------------------------------------------- trace

interface TraceHit {
  traceId: string;
  key: number | string;
  spans: StoredSpan[];
}

export function queryTrace(registry: Registry, store: DataStore, req: TraceQueryRequest): TraceQueryResponse {
  requireGroupsAndName(req);
  const range = resolveTimeRange(req.timeRange);
  const name = req.name ?? '';
  const groups = req.groups ?? [];
  const traces: Trace[] = groups.map((g) => {
    const t = registry.traces.get(key(g, name));
    if (!t) throw queryFailure(`fail to get execution context for trace ${name}: trace ${g}/${name} is not found`);
    return t.value;
  });
  const first = traces[0]!;
  for (const t of traces.slice(1)) {
    for (const field of ['traceIdTagName', 'spanIdTagName', 'timestampTagName'] as const) {
      if (t[field] !== first[field]) throw queryFailure(`${field} mismatch for trace ${name}: ${first[field]} != ${t[field]}`);
    }
  }
  const traceIdTag = first.traceIdTagName ?? '';
  const spanIdTag = first.spanIdTagName ?? '';
  const prefix = `fail to analyze the query request for trace ${name}`;
  const types = new Map<string, TagType>();
  for (const t of traces) for (const [k, v] of traceTagTypes(t)) types.set(k, v);
  const rules = groups.flatMap((g) => registry.rulesFor('CATALOG_TRACE', g, name));
  const ruleName = req.orderBy?.indexRuleName ?? '';
  const orderRule = ruleName ? findRule(rules, ruleName) : undefined;
  if (ruleName && !orderRule) throw queryFailure(`${prefix}: index rule ${ruleName} not found`);
  const projection = [...new Set(req.tagProjection ?? [])];
  for (const t of projection) if (!types.has(t)) throw queryFailure(`${prefix}: tag ${t} is not defined`);
  // Trace-id and span-id conditions, and conditions on the order rule's tags, are not row filters in BanyanDB.
  const skip = new Set([traceIdTag, spanIdTag, ...(orderRule?.tags ?? [])]);
  const predicate = plan(prefix, () => compileCriteria(req.criteria, types, skip));
  if (orderRule?.noSort) throw queryFailure(`${prefix}: index is not supported for sorting: ${ruleName}`);
  const traceIds = collectIds(req.criteria, traceIdTag);
  const spanIds = collectIds(req.criteria, spanIdTag);
  const spanIdSet = new Set(spanIds.ids);
  const inRange = (s: StoredSpan): boolean => s.timestampMs >= range.beginMs && s.timestampMs <= range.endMs;
  const rowMatches = (s: StoredSpan): boolean =>
    inRange(s) && (!spanIds.found || spanIdSet.has(s.spanId)) && predicate((t) => s.tags.get(t));
  const spansOf = (traceId: string): StoredSpan[] => groups.flatMap((g) => store.tracesOf(g, name).get(traceId) ?? []);

  let hits: TraceHit[];
  if (traceIds.ids.length > 0) {
    hits = [...new Set(traceIds.ids)]
      .sort()
      .map((traceId) => ({ traceId, key: traceId, spans: spansOf(traceId) }))
      .filter((h) => h.spans.some(rowMatches));
  } else {
    const sort = req.orderBy?.sort ?? 'SORT_UNSPECIFIED';
    if (!orderRule && sort === 'SORT_UNSPECIFIED') {
      throw queryFailure(`execute the query plan for trace ${name}: invalid query options: either traceIDs or order must be specified`);
    }
    if (!orderRule) return { traces: [] }; // BanyanDB looks for a "default" secondary index, which traces do not have
    const keyTag = orderRule.tags?.[orderRule.tags.length - 1] ?? '';
    const desc = sort === 'SORT_DESC';
    // Conditions on the order rule's tags narrow the index scan (the rule's prefix tags act as its series).
    const rulePredicate = plan(prefix, () =>
      compileCriteria(req.criteria, types, new Set([...types.keys()].filter((t) => !(orderRule.tags ?? []).includes(t)))),
    );
    const best = new Map<string, number | string>();
    for (const g of groups) {
      for (const [traceId, spans] of store.tracesOf(g, name)) {
        for (const s of spans) {
          const k = sortKey(s.tags.get(keyTag));
          if (k === undefined || !rowMatches(s) || !rulePredicate((t) => s.tags.get(t))) continue;
          const prev = best.get(traceId);
          if (prev === undefined || (desc ? k > prev : k < prev)) best.set(traceId, k);
        }
      }
    }
    hits = [...best].map(([traceId, k]) => ({ traceId, key: k, spans: spansOf(traceId) }));
    hits.sort((a, b) => {
      const byKey = cmp(a.key, b.key);
      return (desc ? -byKey : byKey) || (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0);
    });
  }
  const offset = req.offset ?? 0;
  const limit = req.limit || DEFAULT_QUERY_LIMIT;
  const regular = projection.filter((t) => t !== traceIdTag && t !== spanIdTag);
  const withTraceId = projection.includes(traceIdTag);
  const withSpanId = projection.includes(spanIdTag);
  return {
    traces: hits.slice(offset, offset + limit).map((h) => ({
      traceId: h.traceId,
      spans: h.spans.map((s): TraceSpan => {
        const tags: Tag[] = regular.map((t) => ({ key: t, value: s.tags.get(t) ?? NULL_VALUE }));
        if (withTraceId) tags.push({ key: traceIdTag, value: { str: { value: s.traceId } } as TagValue });
        if (withSpanId) tags.push({ key: spanIdTag, value: { str: { value: s.spanId } } as TagValue });
        return { tags, span: s.span, spanId: s.spanId };
      }),
    })),
  };
}
