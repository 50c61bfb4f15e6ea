/**
 * The trace model's query side: a pattern asks for the traces holding a matching span (each returned whole);
 * `limit` counts traces. A query without a trace id needs an order_by naming an index rule bound to the trace.
 */
import type { Criteria, TraceQueryResponse } from '../client/types.js';
import { type QueryAnswer, type ReturnedSpan, tagMap, tagString } from './answer.js';
import { QUERY_PROJECTION, toTimeRange } from './catalogue.js';
import { checkTraceAnswer, limitFor } from './checks.js';
import type { QueryModelFactory } from './query-model.js';

/** Reads a trace query response into its traces' spans and the trace ids, in answer order. */
export function readTraceAnswer(res: TraceQueryResponse): QueryAnswer {
  const spans: ReturnedSpan[] = [];
  const traceIds: string[] = [];
  for (const t of res.traces ?? []) {
    const tags0 = t.spans?.[0] ? tagMap(t.spans[0].tags) : undefined;
    const traceId = t.traceId || tagString(tags0?.get('traceId')) || '';
    traceIds.push(traceId);
    for (const s of t.spans ?? []) {
      const tags = tagMap(s.tags);
      spans.push({ spanId: s.spanId || tagString(tags.get('spanId')) || '', traceId, tags, ...(s.span ? { payload: s.span } : {}) });
    }
  }
  return { spans, traceIds };
}

/** Leading tags of both tree rules of testdata/schema: conditions on them select series, not spans (FACT 35). */
const ENTITY_TAGS = new Set(['serviceId', 'serviceInstanceId']);

function conditionTags(c: Criteria | undefined): string[] {
  if (!c) return [];
  if ('condition' in c && c.condition) return [c.condition.name ?? ''];
  if ('le' in c && c.le) return [...conditionTags(c.le.left), ...conditionTags(c.le.right)];
  return [];
}

/**
 * The tag projection of an order_by-path query: the seven check tags, with the non-entity condition tags first, in
 * the order the criteria name them. In this path 0.10.3 matches a span's condition by position in a list built in
 * projection order (FACT 35, and the cause given there), so the condition tags lead the list and each condition
 * reads its own tag.
 */
export function orderPathProjection(criteria: Criteria | undefined): string[] {
  const first = conditionTags(criteria).filter((t) => !ENTITY_TAGS.has(t) && t !== 'traceId');
  return [...new Set(['traceId', 'spanId', ...first, ...QUERY_PROJECTION])];
}

export const traceQueryModel: QueryModelFactory = (client, { group, name }) => {
  /** Index rules bound to the trace (undefined: not looked up yet; null: unknown). */
  let treeRules: Set<string> | null | undefined;
  return {
    model: 'trace',
    group,
    name,
    /**
     * Reads which index rules are bound to the trace, once, through the client's registries when it has them. When
     * they cannot be read, every order rule is assumed present (and a missing one shows as an error).
     */
    async prepare() {
      if (treeRules !== undefined) return;
      if (!client.indexRuleBindings?.list) {
        treeRules = null;
        return;
      }
      try {
        // BanyanDB v0.10.3 checks only that the order rule is bound to the trace (not its type), so only that is checked.
        const bindings = await client.indexRuleBindings.list(group);
        const bound = new Set<string>();
        for (const b of bindings) {
          if (b.subject?.name === name && b.subject.catalog === 'CATALOG_TRACE') for (const r of b.rules ?? []) bound.add(r);
        }
        treeRules = bound;
      } catch {
        treeRules = null;
      }
    },
    plan(p, truth, entry, options) {
      if ('na' in p.trace) return { na: p.trace.na };
      const orderBy = p.trace.orderBy;
      const rule = orderBy?.indexRuleName;
      if (rule && treeRules && !treeRules.has(rule)) {
        return {
          na: `a trace query without a trace id needs an order_by naming an index rule (TYPE_TREE) bound to ${group}/${name}; "${rule}" is not bound to it (bound: ${[...treeRules].join(', ') || 'none'})`,
        };
      }
      const limit = limitFor(truth.traceCount, options.maxQueryTraces);
      const req = {
        groups: [group],
        name,
        timeRange: toTimeRange(p.timeRange),
        limit,
        ...(p.criteria ? { criteria: p.criteria } : {}),
        ...(orderBy ? { orderBy } : {}),
        tagProjection: orderBy ? orderPathProjection(p.criteria) : QUERY_PROJECTION,
      };
      return {
        limit,
        truncated: truth.traceCount >= limit,
        run: async (signal) => readTraceAnswer(await client.queryTrace(req, signal ? { signal } : {})),
        check: (answer) => checkTraceAnswer(p, truth, answer, limit, entry.facts.traceWritten),
      };
    },
  };
};
