import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { OptionsError } from '../src/errors.js';
import {
  LATENCY_CAP_MS,
  RECYCLE_PAYLOADS,
  ROOT_PARENT_SPAN_ID,
  SPANS_ON_DEMAND,
  type Span,
  SpanGenerator,
  ZIPF_EXPONENTS,
} from '../src/generator/generator.js';
import { resolveScale, SCALES, type Scale } from '../src/generator/scale.js';

const END = 1_700_000_000_000;
const tiny: Scale = { name: 'tiny', spans: 5_000, traces: 100_000, services: 20, instances: 70, timeRangeMs: 600_000 };

function digest(gen: Iterable<Span>): string {
  const h = createHash('sha256');
  for (const s of gen) {
    h.update(
      JSON.stringify([
        s.traceId,
        s.spanId,
        s.parentSpanId,
        s.serviceId,
        s.serviceInstanceId,
        s.startTimeMs,
        s.latencyMs,
        s.isError,
        s.operationName,
        s.component,
        s.traceSpanCount,
      ]),
    );
    h.update(s.dataBinary);
  }
  return h.digest('hex');
}

function fields(s: Span): Omit<Span, 'dataBinary'> {
  const { dataBinary: _ignored, ...rest } = s;
  return rest;
}

describe('SpanGenerator determinism', () => {
  it('same seed and options give identical spans, payload bytes included', () => {
    const a = digest(new SpanGenerator({ seed: 7, scale: tiny, endTimeMs: END }).spans());
    const b = digest(new SpanGenerator({ seed: 7, scale: tiny, endTimeMs: END }).spans());
    assert.equal(a, b);
  });

  it('different seeds give different spans', () => {
    const a = digest(new SpanGenerator({ seed: 7, scale: tiny, endTimeMs: END }).spans());
    const b = digest(new SpanGenerator({ seed: 8, scale: tiny, endTimeMs: END }).spans());
    assert.notEqual(a, b);
    const t7 = new SpanGenerator({ seed: 7, scale: tiny, endTimeMs: END, includePayload: false }).traceAt(0);
    const t8 = new SpanGenerator({ seed: 8, scale: tiny, endTimeMs: END, includePayload: false }).traceAt(0);
    assert.notEqual(t7[0]!.traceId, t8[0]!.traceId);
  });

  it('includePayload: false changes nothing but dataBinary', () => {
    const withPayload = [...new SpanGenerator({ seed: 3, scale: tiny, endTimeMs: END }).spans()];
    const without = [...new SpanGenerator({ seed: 3, scale: tiny, endTimeMs: END, includePayload: false }).spans()];
    assert.equal(without.length, withPayload.length);
    for (let i = 0; i < without.length; i++) {
      assert.deepEqual(fields(without[i]!), fields(withPayload[i]!));
      assert.equal(without[i]!.dataBinary.length, 0);
      assert.ok(withPayload[i]!.dataBinary.length > 0);
    }
  });

  it('traceAt(i) equals the i-th trace of the stream, and traces({ fromTrace }) resumes the stream', () => {
    const gen = new SpanGenerator({ seed: 11, scale: tiny, endTimeMs: END });
    const stream = [...gen.traces()].map((t) => t.map((s) => ({ ...fields(s), bytes: Buffer.from(s.dataBinary).toString('base64') })));
    assert.ok(stream.length > 100);
    const other = new SpanGenerator({ seed: 11, scale: tiny, endTimeMs: END });
    for (const i of [0, 1, 57, stream.length - 1]) {
      const t = other.traceAt(i).map((s) => ({ ...fields(s), bytes: Buffer.from(s.dataBinary).toString('base64') }));
      assert.deepEqual(t, stream[i]);
      assert.equal(other.traceSizeAt(i), stream[i]!.length);
    }
    const resumed = [...other.traces({ fromTrace: 100 })];
    assert.equal(resumed.length, stream.length - 100);
    assert.equal(resumed[0]![0]!.traceId, stream[100]![0]!.traceId);
    assert.equal(resumed.at(-1)![0]!.spanId, stream.at(-1)![0]!.spanId);
  });

  it('stops after the trace that reaches the span bound (traces are never truncated); extentOf() agrees', () => {
    const gen = new SpanGenerator({ seed: 5, scale: tiny, endTimeMs: END, includePayload: false });
    let spans = 0;
    let traces = 0;
    let before = 0;
    for (const t of gen.traces()) {
      before = spans;
      spans += t.length;
      traces++;
      for (const s of t) assert.equal(s.traceSpanCount, t.length);
    }
    assert.ok(spans >= tiny.spans, `total ${spans} >= ${tiny.spans}`);
    assert.ok(before < tiny.spans, 'the last trace was needed to reach the bound');
    assert.deepEqual(gen.extentOf(), { traces, spans });
    assert.equal([...gen.spans()].length, spans);
  });

  it('the trace bound applies when it comes first', () => {
    const gen = new SpanGenerator({ scale: { ...tiny, traces: 10 }, endTimeMs: END, includePayload: false });
    assert.equal([...gen.traces()].length, 10);
    assert.throws(
      () => gen.traceAt(10),
      (e: unknown) => e instanceof OptionsError && e.option === 'traceIndex',
    );
  });
});

describe('SpanGenerator structure', () => {
  it('builds one tree per trace with unique ids, instances of the right service and nested start times', () => {
    const gen = new SpanGenerator({ seed: 9, scale: { ...tiny, spans: 20_000 }, endTimeMs: END, includePayload: false });
    const traceIds = new Set<string>();
    const spanIds = new Set<string>();
    for (const trace of gen.traces()) {
      const byId = new Map<string, Span>();
      let roots = 0;
      const traceId = trace[0]!.traceId;
      assert.match(traceId, /^[0-9a-f]{32}$/);
      assert.ok(!traceIds.has(traceId), 'trace ids are unique');
      traceIds.add(traceId);
      for (const s of trace) {
        assert.equal(s.traceId, traceId);
        assert.match(s.spanId, /^[0-9a-f]{20}$/);
        assert.ok(!spanIds.has(s.spanId), 'span ids are unique');
        spanIds.add(s.spanId);
        assert.ok(s.serviceInstanceId.startsWith(`${s.serviceId}.instance_`), `${s.serviceInstanceId} belongs to ${s.serviceId}`);
        if (s.parentSpanId === ROOT_PARENT_SPAN_ID) {
          roots++;
        } else {
          const parent = byId.get(s.parentSpanId);
          assert.ok(parent, 'the parent is an earlier span of the same trace');
          assert.ok(
            s.startTimeMs >= parent.startTimeMs && s.startTimeMs <= parent.startTimeMs + parent.latencyMs,
            'starts in its parent window',
          );
        }
        byId.set(s.spanId, s);
      }
      assert.equal(roots, 1);
      assert.equal(trace[0]!.parentSpanId, ROOT_PARENT_SPAN_ID);
    }
  });

  it('instance ids cover every configured instance and stay within the service', () => {
    const gen = new SpanGenerator({
      seed: 1,
      scale: { ...tiny, spans: 50_000, services: 3, instances: 10 },
      endTimeMs: END,
      includePayload: false,
    });
    const instances = new Set<string>();
    for (const s of gen.spans()) instances.add(s.serviceInstanceId);
    // instance k belongs to service k mod 3: service_0 has 4 instances, service_1 and service_2 have 3.
    assert.deepEqual([...instances].sort(), [
      'service_0.instance_0',
      'service_0.instance_1',
      'service_0.instance_2',
      'service_0.instance_3',
      'service_1.instance_0',
      'service_1.instance_1',
      'service_1.instance_2',
      'service_2.instance_0',
      'service_2.instance_1',
      'service_2.instance_2',
    ]);
  });
});

describe('SpanGenerator distributions', () => {
  const scale: Scale = { name: 'dist', spans: 50_000, traces: 1_000_000, services: 100, instances: 500, timeRangeMs: 3_600_000 };
  const gen = new SpanGenerator({ seed: 2024, scale, endTimeMs: END, includePayload: false });
  const spans = [...gen.spans()];

  it('trace sizes: 20% 1-5, 60% 6-20, 20% 21-100 (±2%)', () => {
    const n = 50_000;
    const buckets = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      const size = gen.traceSizeAt(i);
      assert.ok(size >= 1 && size <= 100);
      buckets[size <= 5 ? 0 : size <= 20 ? 1 : 2]!++;
    }
    const shares = buckets.map((b) => b / n);
    assert.ok(Math.abs(shares[0]! - 0.2) < 0.02, `1-5: ${shares[0]}`);
    assert.ok(Math.abs(shares[1]! - 0.6) < 0.02, `6-20: ${shares[1]}`);
    assert.ok(Math.abs(shares[2]! - 0.2) < 0.02, `21-100: ${shares[2]}`);
  });

  it('5% error spans (±0.5%)', () => {
    const errors = spans.filter((s) => s.isError === 1).length / spans.length;
    assert.ok(Math.abs(errors - 0.05) < 0.005, `error rate ${errors}`);
    assert.ok(spans.every((s) => s.isError === 0 || s.isError === 1));
  });

  it('latency: integer ms in [1, 30000], mean about 100 ms', () => {
    let sum = 0;
    for (const s of spans) {
      assert.ok(Number.isInteger(s.latencyMs) && s.latencyMs >= 1 && s.latencyMs <= LATENCY_CAP_MS);
      sum += s.latencyMs;
    }
    const mean = sum / spans.length;
    assert.ok(Math.abs(mean - 100) < 3, `mean latency ${mean}`);
  });

  it('start times: integer ms within [end - range, end)', () => {
    for (const s of spans) {
      assert.ok(Number.isInteger(s.startTimeMs));
      assert.ok(s.startTimeMs >= END - scale.timeRangeMs && s.startTimeMs < END, `${s.startTimeMs}`);
    }
    // Roots are uniform: the mean root start is near the middle of the range.
    const roots = spans.filter((s) => s.parentSpanId === ROOT_PARENT_SPAN_ID);
    const mean = roots.reduce((a, s) => a + s.startTimeMs, 0) / roots.length;
    assert.ok(Math.abs(mean - (END - scale.timeRangeMs / 2)) < scale.timeRangeMs * 0.03);
  });

  it('Zipf heads: services (s = 1.2), operation names (1.5), components (1.1) match their expected shares', () => {
    const count = (key: (s: Span) => string, name: string): number => spans.filter((s) => key(s) === name).length / spans.length;
    const h = (n: number, s: number): number => {
      let t = 0;
      for (let k = 1; k <= n; k++) t += 1 / k ** s;
      return t;
    };
    const pService = 1 / h(100, ZIPF_EXPONENTS.services);
    const pOp = 1 / h(1000, ZIPF_EXPONENTS.operationNames);
    const pComp = 1 / h(50, ZIPF_EXPONENTS.components);
    assert.ok(Math.abs(gen.serviceProbabilities()[0]! - pService) < 1e-12);
    const fs = count((s) => s.serviceId, 'service_0');
    const fs1 = count((s) => s.serviceId, 'service_1');
    assert.ok(Math.abs(fs - pService) < 0.01, `service_0 ${fs} vs ${pService}`);
    assert.ok(Math.abs(fs1 - pService / 2 ** 1.2) < 0.01, `service_1 ${fs1}`);
    const op0 = spans[0] ? count((s) => s.operationName, 'GET:/api/v1/orders/list') : 0;
    assert.ok(Math.abs(op0 - pOp) < 0.01, `top operation ${op0} vs ${pOp}`);
    const c0 = count((s) => s.component, 'SpringMVC');
    assert.ok(Math.abs(c0 - pComp) < 0.01, `top component ${c0} vs ${pComp}`);
  });
});

describe('SpanGenerator payload', () => {
  it('is valid JSON with 3-8 spans, consistent with the span, mean 9-10 KB by default', () => {
    const gen = new SpanGenerator({ seed: 1, scale: { ...tiny, spans: 3_000 }, endTimeMs: END });
    const decoder = new TextDecoder();
    let bytes = 0;
    let n = 0;
    for (const s of gen.spans()) {
      const seg = JSON.parse(decoder.decode(s.dataBinary));
      assert.equal(seg.traceId, s.traceId);
      assert.equal(seg.traceSegmentId, s.spanId);
      assert.equal(seg.service, s.serviceId);
      assert.equal(seg.serviceInstance, s.serviceInstanceId);
      assert.ok(seg.spans.length >= 3 && seg.spans.length <= 8, `${seg.spans.length} local spans`);
      const entry = seg.spans[0];
      assert.equal(entry.startTime, s.startTimeMs);
      assert.equal(entry.endTime, s.startTimeMs + s.latencyMs);
      assert.equal(entry.isError, s.isError === 1);
      assert.equal(entry.operationName, s.operationName);
      assert.equal(entry.component, s.component);
      assert.equal(entry.refs.length, s.parentSpanId === ROOT_PARENT_SPAN_ID ? 0 : 1);
      for (const local of seg.spans) {
        assert.ok(Array.isArray(local.tags) && local.tags.length >= 3);
        assert.ok(Array.isArray(local.logs) && local.logs.length === 3);
        assert.equal(typeof local.attachment.metrics.memoryUsage, 'number');
        assert.ok(local.startTime >= entry.startTime && local.endTime <= entry.endTime);
      }
      bytes += s.dataBinary.length;
      n++;
    }
    const mean = bytes / n;
    assert.ok(mean >= 9_000 && mean <= 10_000, `mean payload ${mean}`);
    const described = gen.describe().meanPayloadBytes;
    assert.ok(Math.abs(described - mean) / mean < 0.05, `describe() ${described} vs ${mean}`);
  });

  it('payloads vary: no two payloads are equal and sizes spread around the mean', () => {
    const gen = new SpanGenerator({ seed: 4, scale: { ...tiny, spans: 500 }, endTimeMs: END });
    const seen = new Set<string>();
    const sizes: number[] = [];
    for (const s of gen.spans()) {
      const h = createHash('sha1').update(s.dataBinary).digest('hex');
      assert.ok(!seen.has(h));
      seen.add(h);
      sizes.push(s.dataBinary.length);
    }
    assert.ok(Math.max(...sizes) > 1.3 * Math.min(...sizes));
  });

  for (const target of [2_000, 4_000, 30_000]) {
    it(`payloadBytes ${target}: mean within 10%`, () => {
      const gen = new SpanGenerator({ seed: 6, scale: { ...tiny, spans: 1_500 }, endTimeMs: END, payloadBytes: target });
      let bytes = 0;
      let n = 0;
      for (const s of gen.spans()) {
        JSON.parse(new TextDecoder().decode(s.dataBinary));
        bytes += s.dataBinary.length;
        n++;
      }
      const mean = bytes / n;
      assert.ok(Math.abs(mean - target) / target < 0.1, `mean ${mean} for ${target}`);
    });
  }
});

describe('scales and options', () => {
  it('has the three scales of the original harness', () => {
    assert.deepEqual(SCALES.small, {
      name: 'small',
      spans: 100_000,
      traces: 10_000,
      services: 100,
      instances: 500,
      timeRangeMs: 3_600_000,
    });
    assert.deepEqual(SCALES.medium, {
      name: 'medium',
      spans: 10_000_000,
      traces: 1_000_000,
      services: 1_000,
      instances: 5_000,
      timeRangeMs: 86_400_000,
    });
    assert.deepEqual(SCALES.large, {
      name: 'large',
      spans: 1_000_000_000,
      traces: 100_000_000,
      services: 10_000,
      instances: 50_000,
      timeRangeMs: 604_800_000,
    });
    assert.deepEqual(resolveScale('medium'), SCALES.medium);
    assert.deepEqual(new SpanGenerator({ includePayload: false }).options.scale, SCALES.small);
  });

  const bad: [string, unknown, string, string][] = [
    ['scale', 'huge', 'scale', 'scale: unknown scale "huge"; expected one of small, medium, large or a Scale object'],
    ['scale', 42, 'scale', 'scale: expected one of small, medium, large or a Scale object, got 42'],
    ['scale', { ...tiny, name: '' }, 'scale.name', 'scale.name: expected a non-empty string, got ""'],
    ['scale', { ...tiny, spans: 0 }, 'scale.spans', 'scale.spans: expected a positive integer, got 0'],
    ['scale', { ...tiny, traces: 1.5 }, 'scale.traces', 'scale.traces: expected a positive integer, got 1.5'],
    ['scale', { ...tiny, timeRangeMs: -1 }, 'scale.timeRangeMs', 'scale.timeRangeMs: expected a positive integer, got -1'],
    [
      'scale',
      { ...tiny, services: 10, instances: 5 },
      'scale.instances',
      'scale.instances: expected an integer >= scale.services (10), got 5',
    ],
    ['scale', { ...tiny, traces: 2 ** 32 }, 'scale.traces', 'scale.traces: expected at most 4294967295, got 4294967296'],
    ['seed', 1.5, 'seed', 'seed: expected a safe integer, got 1.5'],
    ['payloadBytes', 10, 'payloadBytes', 'payloadBytes: expected an integer between 1024 and 16777216, got 10'],
    ['errorRate', 2, 'errorRate', 'errorRate: expected a number between 0 and 1, got 2'],
    ['includePayload', 'yes', 'includePayload', 'includePayload: expected a boolean, got "yes"'],
    ['operationNames', 0, 'operationNames', 'operationNames: expected a positive integer <= 1000000, got 0'],
    [
      'endTimeMs',
      5,
      'endTimeMs',
      'endTimeMs: expected an integer (ms since the epoch) between 1000003600000 (1e12 + scale.timeRangeMs) and 9999999969999, got 5',
    ],
  ];
  for (const [key, value, option, message] of bad) {
    it(`rejects ${key} = ${JSON.stringify(value)} naming ${option}`, () => {
      assert.throws(
        () => new SpanGenerator({ [key]: value } as never),
        (e: unknown) => e instanceof OptionsError && e.option === option && e.message === message && e.code === 'OPTIONS_INVALID',
      );
    });
  }

  it('errorRate 0 and 1 are honoured', () => {
    const none = [...new SpanGenerator({ scale: tiny, endTimeMs: END, includePayload: false, errorRate: 0 }).spans()];
    assert.ok(none.every((s) => s.isError === 0));
    const all = [...new SpanGenerator({ scale: { ...tiny, spans: 300 }, endTimeMs: END, errorRate: 1 }).spans()];
    assert.ok(all.every((s) => s.isError === 1));
    assert.ok(all.every((s) => JSON.parse(new TextDecoder().decode(s.dataBinary)).spans[0].isError === true));
  });

  it('endTimeMs defaults to now floored to the second', () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const end = new SpanGenerator({ includePayload: false }).options.endTimeMs;
    assert.ok(end % 1000 === 0 && end >= before && end <= Date.now());
  });
});

describe('payload memory recycling (internal, used by the producer thread)', () => {
  it('the on-demand cursor gives the stream of spans() with the same payload bytes, recycled after every batch', () => {
    // The producer thread takes spans one by one and recycles the payload memory after each batch: each payload is
    // built when its span is taken, so a batch that ends inside a trace leaves nothing behind to copy.
    const scale = { name: 't', spans: 3_000, traces: 300, services: 5, instances: 10, timeRangeMs: 60_000 };
    const want = [...new SpanGenerator({ seed: 11, scale, endTimeMs: END }).spans()].map((s) => ({
      ...s,
      dataBinary: Buffer.from(s.dataBinary),
    }));
    const gen = new SpanGenerator({ seed: 11, scale, endTimeMs: END });
    const cursor = gen[SPANS_ON_DEMAND]();
    const got: Span[] = [];
    let batch: Span[] = [];
    for (let s = cursor.next(); s; s = cursor.next()) {
      batch.push({ ...s, dataBinary: Buffer.from(s.dataBinary) });
      if (batch.length === 37) {
        got.push(...batch);
        batch = [];
        gen[RECYCLE_PAYLOADS]();
      }
    }
    got.push(...batch);
    assert.equal(cursor.next(), undefined);
    assert.equal(got.length, want.length);
    for (let i = 0; i < want.length; i++) assert.deepEqual(got[i], want[i], `span ${i}`);
  });

  it('payloads written over recycled memory are the same bytes; recycled views are overwritten', () => {
    const scale = { name: 't', spans: 3_000, traces: 300, services: 5, instances: 10, timeRangeMs: 60_000 };
    const want = [...new SpanGenerator({ seed: 11, scale, endTimeMs: END }).traces()].map((t) => t.map((s) => Buffer.from(s.dataBinary)));
    const gen = new SpanGenerator({ seed: 11, scale, endTimeMs: END });
    let i = 0;
    let overwritten = 0;
    for (const trace of gen.traces()) {
      for (const [j, s] of trace.entries()) assert.ok(Buffer.from(s.dataBinary).equals(want[i]![j]!), `trace ${i} span ${j}`);
      const first = trace[0]!.dataBinary;
      gen[RECYCLE_PAYLOADS]();
      if (i + 1 < want.length) {
        const nextTrace = gen.traceAt(i + 1); // traceAt builds with the same builder: writes over recycled memory
        if (!Buffer.from(first).equals(want[i]![0]!)) overwritten++;
        assert.ok(Buffer.from(nextTrace[0]!.dataBinary).equals(want[i + 1]![0]!));
      }
      i++;
    }
    assert.equal(i, want.length);
    assert.ok(overwritten > 0, 'recycling reuses the memory');
  });
});
