/** The stream model's query side: a pattern asks for matching spans (elements); `limit` counts spans. */
import type { StreamQueryResponse, TagValue } from '../client/types.js';
import { type QueryAnswer, type ReturnedSpan, tagMap, tagString } from './answer.js';
import { isTraceLookup, QUERY_PROJECTION, toTimeRange } from './catalogue.js';
import { checkSpanAnswer, limitFor } from './checks.js';
import type { QueryModelFactory } from './query-model.js';

/** Reads a stream query response into spans and the distinct trace ids among them. */
export function readStreamAnswer(res: StreamQueryResponse): QueryAnswer {
  const spans: ReturnedSpan[] = [];
  const traces = new Set<string>();
  for (const e of res.elements ?? []) {
    const tags = new Map<string, TagValue>();
    for (const f of e.tagFamilies ?? []) for (const [k, v] of tagMap(f.tags)) tags.set(k, v);
    const traceId = tagString(tags.get('traceId')) ?? '';
    const data = tags.get('dataBinary');
    const payload = data && 'binaryData' in data ? data.binaryData : undefined;
    spans.push({ spanId: e.elementId ?? tagString(tags.get('spanId')) ?? '', traceId, tags, ...(payload ? { payload } : {}) });
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
    const req = {
      groups: [group],
      name,
      timeRange: toTimeRange(p.timeRange),
      limit,
      ...(p.criteria ? { criteria: p.criteria } : {}),
      projection: {
        // A trace-by-id lookup serves a trace's detail view, which needs the segments: fetch them, as the
        // trace model always does. List patterns fetch span metadata only (the trace model cannot leave the
        // span bytes out; that cost is its own and shows in its figures).
        tagFamilies: isTraceLookup(p)
          ? [
              { name: 'primary', tags: QUERY_PROJECTION },
              { name: 'data_binary', tags: ['dataBinary'] },
            ]
          : [{ name: 'primary', tags: QUERY_PROJECTION }],
      },
    };
    return {
      limit,
      truncated: truth.spanCount >= limit,
      run: async (signal) => readStreamAnswer(await client.queryStream(req, signal ? { signal } : {})),
      check: (answer) => checkSpanAnswer(p, truth, answer, limit),
    };
  },
});
