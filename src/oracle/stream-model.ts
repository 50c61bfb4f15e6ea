/** The stream model's query side: a pattern asks for matching spans (elements); `limit` counts spans. */
import type { StreamQueryResponse, TagValue } from '../client/types.js';
import { type QueryAnswer, type ReturnedSpan, tagMap, tagString } from './answer.js';
import { isTraceLookup, QUERY_PROJECTION, toTimeRange } from './catalogue.js';
import { checkSpanAnswer, limitFor } from './checks.js';
import type { QueryModelFactory } from './query-model.js';

/**
 * Reads a stream query response into spans and the distinct trace ids among them. A span is named by its projected
 * `spanId` tag: BanyanDB answers `element_id` as hex(xxHash64("group|name|id")), not the written id (FACT 24).
 */
export function readStreamAnswer(res: StreamQueryResponse): QueryAnswer {
  const spans: ReturnedSpan[] = [];
  const traces = new Set<string>();
  for (const e of res.elements ?? []) {
    const tags = new Map<string, TagValue>();
    for (const f of e.tagFamilies ?? []) for (const [k, v] of tagMap(f.tags)) tags.set(k, v);
    const traceId = tagString(tags.get('traceId')) ?? '';
    const data = tags.get('dataBinary');
    const payload = data && 'binaryData' in data ? data.binaryData : undefined;
    // The projected payload is the span's payload, held once: not also among its tags.
    if (payload) tags.delete('dataBinary');
    spans.push({ spanId: tagString(tags.get('spanId')) ?? '', traceId, tags, ...(payload ? { payload } : {}) });
    traces.add(traceId);
  }
  return { spans, traceIds: [...traces] };
}

export const streamQueryModel: QueryModelFactory = (client, { group, name }) => ({
  model: 'stream',
  group,
  name,
  prepare: async () => {},
  plan(p, truth, _entry, options) {
    const limit = limitFor(truth.spanCount, options.maxQuerySpans);
    const lookup = isTraceLookup(p);
    // Tags read back: the span identity (spanId; FACT 24: the element id is not the written id), the trace id for
    // the cross-model check, the predicate's tags (capped answers are checked on them) and startTime (the order).
    const tags = lookup ? QUERY_PROJECTION : [...new Set(['traceId', 'spanId', 'startTime', ...p.reads])];
    const req = {
      groups: [group],
      name,
      timeRange: toTimeRange(p.timeRange),
      limit,
      ...(p.criteria ? { criteria: p.criteria } : {}),
      // Latest first: a capped answer is then the exact latest `limit` matching spans (FACT 25).
      ...(lookup ? {} : { orderBy: { sort: 'SORT_DESC' as const } }),
      projection: {
        // A trace-by-id lookup serves a trace's detail view, which needs the segments: fetch them, as the trace model
        // always does. Every other pattern reads ids and tags only: no payload.
        tagFamilies: lookup
          ? [
              { name: 'primary', tags },
              { name: 'data_binary', tags: ['dataBinary'] },
            ]
          : [{ name: 'primary', tags }],
      },
    };
    return {
      limit,
      truncated: truth.spanCount >= limit,
      run: async (signal) => readStreamAnswer(await client.queryStream(req, signal ? { signal } : {})),
      check: (answer) => checkSpanAnswer(p, truth, answer, limit, !lookup),
    };
  },
});
