/**
 * Answer checks: one answer against its pattern's ground truth (per model: spans on streams, whole traces on traces),
 * and values read back against what was written.
 *
 * Limits. Each query asks for `min(expected + 1, max)` results (spans on stream, traces on trace): one more than the
 * truth, so an over-answer is visible. When the truth exceeds `max`, the answer is checked as "limited": exactly
 * `max` results, every one satisfying the predicate (checked on its returned tags), no duplicates.
 */
import type { Span } from '../generator/generator.js';
import { factsOf, type QueryAnswer, type ReturnedSpan } from './answer.js';
import type { ConcretePattern } from './catalogue.js';
import type { SpanFacts } from './facts.js';
import type { GroundTruth } from './truth.js';

/** A query limit for a ground truth: one more than expected (so over-answers show), at most `max`. */
export function limitFor(expected: number, max: number): number {
  return Math.max(1, Math.min(expected + 1, max));
}

/** One correctness finding. */
export interface Finding {
  what: string;
  expected: string;
  actual: string;
}

const sample = (ids: Iterable<string>, n = 5): string => {
  const out: string[] = [];
  for (const id of ids) {
    if (out.length === n) {
      out.push('…');
      break;
    }
    out.push(id);
  }
  return out.join(', ');
};

/**
 * Checks one stream answer (spans) against the pattern's ground truth. Span identity is the projected `spanId` tag
 * (never the answer's element id, which BanyanDB derives from the written one: FACT 24). `ordered`: the request
 * ordered by time, latest first, so a capped answer must be the exact latest `limit` matching spans.
 */
export function checkSpanAnswer(p: ConcretePattern, truth: GroundTruth, answer: QueryAnswer, limit: number, ordered = false): Finding[] {
  const f: Finding[] = [];
  const expectedCount = Math.min(truth.spanCount, limit);
  if (answer.spans.length !== expectedCount) {
    f.push({
      what: 'span count',
      expected: `${expectedCount}${truth.spanCount > limit ? ` (limit ${limit} of ${truth.spanCount})` : ''}`,
      actual: String(answer.spans.length),
    });
  }
  const ids = new Set<string>();
  const dups: string[] = [];
  for (const s of answer.spans) {
    if (ids.has(s.spanId)) dups.push(s.spanId);
    ids.add(s.spanId);
  }
  if (dups.length > 0) f.push({ what: 'duplicate span ids', expected: 'none', actual: sample(dups) });
  if (truth.spanIds && truth.spanCount < limit) {
    const missing = [...truth.spanIds].filter((id) => !ids.has(id));
    const extra = [...ids].filter((id) => !truth.spanIds?.has(id));
    if (missing.length > 0 || extra.length > 0) {
      f.push({
        what: 'span ids',
        expected: `${truth.spanCount} ids; missing: ${missing.length ? sample(missing) : 'none'}`,
        actual: `${ids.size} ids; unexpected: ${extra.length ? sample(extra) : 'none'}`,
      });
    }
  } else {
    const bad = answer.spans.filter((s) => !p.predicate(factsOf(s) as SpanFacts)).map((s) => s.spanId);
    if (bad.length > 0) f.push({ what: 'spans matching the predicate', expected: 'all', actual: `${bad.length} not: ${sample(bad)}` });
    // Ordered by time, latest first, and cut by the limit: BanyanDB's stream top-N is exact (FACT 25), so the answer
    // holds the latest `limit` matching spans (compared by start time: spans with equal times are interchangeable).
    if (ordered) {
      const got = answer.spans.map((s) => factsOf(s).startTimeMs);
      const want = truth.latestStartMs.slice(0, Math.min(limit, truth.spanCount));
      const sorted = got.every((v, i) => i === 0 || v <= (got[i - 1] as number));
      if (!sorted)
        f.push({ what: 'order (startTime, latest first)', expected: 'sorted', actual: `not sorted: ${sample(got.map(String))}` });
      const sameSet = [...got].sort((x, y) => y - x).every((v, i) => v === want[i]) && got.length === want.length;
      if (!sameSet) {
        f.push({
          what: `the latest ${want.length} matching spans (top-N by startTime)`,
          expected: `start times ${sample(want.map(String))}`,
          actual: `start times ${sample([...got].sort((x, y) => y - x).map(String))}`,
        });
      }
    }
  }
  return f;
}

/**
 * Checks one trace answer (whole traces) against the pattern's ground truth: the trace count, every trace matching,
 * every trace whole. Neither the order nor, for a capped answer, which traces were chosen (FACT 38).
 */
export function checkTraceAnswer(
  p: ConcretePattern,
  truth: GroundTruth,
  answer: QueryAnswer,
  limit: number,
  traceWritten: ReadonlyMap<string, number>,
): Finding[] {
  const f: Finding[] = [];
  const expectedTraces = Math.min(truth.traceCount, limit);
  if (answer.traceIds.length !== expectedTraces) {
    f.push({
      what: 'trace count',
      expected: `${expectedTraces}${truth.traceCount > limit ? ` (limit ${limit} of ${truth.traceCount})` : ''}`,
      actual: String(answer.traceIds.length),
    });
  }
  const got = new Set(answer.traceIds);
  if (got.size !== answer.traceIds.length)
    f.push({ what: 'duplicate trace ids', expected: 'none', actual: `${answer.traceIds.length - got.size}` });
  if (truth.traceIds && truth.traceCount < limit) {
    const missing = [...truth.traceIds].filter((id) => !got.has(id));
    const extra = [...got].filter((id) => !truth.traceIds?.has(id));
    if (missing.length > 0 || extra.length > 0) {
      f.push({
        what: 'trace ids',
        expected: `${truth.traceCount} ids; missing: ${missing.length ? sample(missing) : 'none'}`,
        actual: `${got.size} ids; unexpected: ${extra.length ? sample(extra) : 'none'}`,
      });
    }
    if (answer.spans.length !== truth.traceSpanCount && missing.length === 0 && extra.length === 0) {
      f.push({
        what: 'span count (all spans of the matching traces)',
        expected: String(truth.traceSpanCount),
        actual: String(answer.spans.length),
      });
    }
  } else {
    const byTrace = new Map<string, ReturnedSpan[]>();
    for (const s of answer.spans) {
      const list = byTrace.get(s.traceId);
      if (list) list.push(s);
      else byTrace.set(s.traceId, [s]);
    }
    const bad: string[] = [];
    const partial: string[] = [];
    for (const id of got) {
      const spans = byTrace.get(id) ?? [];
      if (!spans.some((s) => p.predicate(factsOf(s)))) bad.push(id);
      if (spans.length !== (traceWritten.get(id) ?? -1)) partial.push(`${id} (${spans.length}/${traceWritten.get(id) ?? 0})`);
    }
    if (bad.length > 0)
      f.push({ what: 'traces with a span matching the predicate', expected: 'all', actual: `${bad.length} not: ${sample(bad)}` });
    // The order of an order_by trace answer is not checked. FACT 38 saw answers sorted by each trace's best span on
    // data where a trace's spans share a series; 0.10.3's code keys a trace per series (by its earliest span there),
    // so on traces spread over services, as generated here, which order the server returns is not pinned down by the
    // recording. A check of it could fail a right answer: only what the server guarantees is checked (issue 9.3).
    if (partial.length > 0) f.push({ what: 'spans per returned trace', expected: 'all written spans', actual: sample(partial) });
  }
  return f;
}

/**
 * Reads back what was written: every returned span of a regenerated trace must carry the tag values and
 * payload bytes the generator produced (BanyanDB may acknowledge a malformed write and store empty values,
 * so acknowledgements alone prove nothing). Spans the answer lacks are reported by the id checks.
 */
export function checkValues(answer: QueryAnswer, expected: ReadonlyMap<string, Span>, wantPayload: boolean): Finding[] {
  const wrongTags: string[] = [];
  const wrongPayload: string[] = [];
  for (const s of answer.spans) {
    const e = expected.get(s.spanId);
    if (!e) continue;
    const got = factsOf(s);
    const fields: (keyof SpanFacts)[] = ['traceId', 'serviceId', 'serviceInstanceId', 'startTimeMs', 'latencyMs', 'isError'];
    const bad = fields.filter((k) => got[k] !== (e as unknown as SpanFacts)[k]);
    if (bad.length > 0) wrongTags.push(`${s.spanId} (${bad.map((k) => `${k} ${String(got[k])} != ${String(e[k])}`).join(', ')})`);
    if (wantPayload) {
      const p = s.payload;
      if (!p || p.byteLength !== e.dataBinary.byteLength || !Buffer.from(p.buffer, p.byteOffset, p.byteLength).equals(e.dataBinary)) {
        wrongPayload.push(`${s.spanId} (${p ? p.byteLength : 0} bytes, expected ${e.dataBinary.byteLength})`);
      }
    }
  }
  const f: Finding[] = [];
  if (wrongTags.length > 0)
    f.push({ what: 'tag values read back', expected: 'as written', actual: `${wrongTags.length} differ: ${sample(wrongTags)}` });
  if (wrongPayload.length > 0) {
    f.push({ what: 'payload bytes read back', expected: 'as written', actual: `${wrongPayload.length} differ: ${sample(wrongPayload)}` });
  }
  return f;
}
