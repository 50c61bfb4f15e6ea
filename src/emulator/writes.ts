/**
 * Acceptance of one stream element / one span, mirroring the checks BanyanDB v0.10.3's liaison makes
 * (timestamp, schema visibility, mod revision, entity / trace id) plus stricter shape and type checks.
 * Returns the write status name for the acknowledgement. Internal to the emulator.
 */
import type {
  Metadata,
  Stream,
  StreamTagFamilySpec,
  StreamWriteRequest,
  TagType,
  TagValue,
  Trace,
  TraceWriteRequest,
  WriteStatus,
} from '../client/types.js';
import type { Registry, Stored } from './registry.js';
import type { DataStore, WriteLog } from './store.js';
import { type AnyTagValue, checkTimestamp, fitsType, NULL_VALUE, timestampMs, valueKind } from './values.js';

export interface WriteContext {
  registry: Registry;
  store: DataStore;
  writeLog: WriteLog;
  schemaPropagationMs: number;
  clock: () => number;
  log: (line: string) => void;
}

const key = (group: string, name: string): string => `${group}\u0000${name}`;

/** A schema is invisible to the write path until `schemaPropagationMs` after its creation. */
function visible<T>(ctx: WriteContext, stored: Stored<T> | undefined): Stored<T> | undefined {
  if (!stored) return undefined;
  return ctx.clock() - stored.createdAtMs >= ctx.schemaPropagationMs ? stored : undefined;
}

function reject(ctx: WriteContext, model: string, md: Metadata, id: number, status: WriteStatus, reason: string): WriteStatus {
  ctx.log(`emulator: ${model} write ${md.group}/${md.name} #${id} -> ${status}: ${reason}`);
  return status;
}

/** Accepts or rejects one stream element. `raw` is the request's protobuf encoding, for the write log. */
export function acceptStreamWrite(
  ctx: WriteContext,
  md: Metadata,
  req: StreamWriteRequest,
  spec: StreamTagFamilySpec[] | undefined,
  raw: Uint8Array,
): WriteStatus {
  const id = req.messageId ?? 0;
  const group = md.group ?? '';
  const name = md.name ?? '';
  const tsProblem = checkTimestamp(req.element?.timestamp);
  if (tsProblem) return reject(ctx, 'stream', md, id, 'STATUS_INVALID_TIMESTAMP', `the element time is invalid: ${tsProblem}`);
  const stored = visible(ctx, ctx.registry.streams.get(key(group, name)));
  if ((md.modRevision ?? 0) > 0) {
    if (!stored) return reject(ctx, 'stream', md, id, 'STATUS_NOT_FOUND', 'stream schema not found');
    if (md.modRevision !== stored.value.metadata?.modRevision) {
      return reject(ctx, 'stream', md, id, 'STATUS_EXPIRED_SCHEMA', 'the stream schema is expired');
    }
  }
  if (!ctx.registry.groups.has(group) || !stored) {
    return reject(ctx, 'stream', md, id, 'STATUS_INTERNAL_ERROR', 'navigation failed: the stream (or its group) does not exist (yet)');
  }
  const mapped = mapStreamTags(stored.value, req, spec);
  if (typeof mapped === 'string') return reject(ctx, 'stream', md, id, 'STATUS_INTERNAL_ERROR', mapped);
  for (const e of stored.value.entity?.tagNames ?? []) {
    if (valueKind(mapped.get(e)) === 'null') {
      return reject(ctx, 'stream', md, id, 'STATUS_INTERNAL_ERROR', `navigation failed: entity tag "${e}" has no value`);
    }
  }
  const ts = req.element?.timestamp ?? {};
  ctx.store.addElement(group, name, {
    elementId: req.element?.elementId ?? '',
    timestamp: ts,
    timestampMs: timestampMs(ts),
    tags: mapped,
  });
  ctx.writeLog.append('stream', group, name, raw);
  return 'STATUS_SUCCEED';
}

/** Maps a stream write's positional values onto tag names; a problem description when the shape or a type is wrong. */
function mapStreamTags(stream: Stream, req: StreamWriteRequest, spec: StreamTagFamilySpec[] | undefined): Map<string, TagValue> | string {
  const families = req.element?.tagFamilies ?? [];
  const schemaFamilies = stream.tagFamilies ?? [];
  const out = new Map<string, TagValue>();
  const types = new Map<string, TagType | undefined>();
  for (const f of schemaFamilies) for (const t of f.tags ?? []) types.set(t.name ?? '', t.type);
  const layout: { family: string; tags: string[] }[] = spec
    ? spec.map((s) => ({ family: s.name ?? '', tags: s.tagNames ?? [] }))
    : schemaFamilies.map((f) => ({ family: f.name ?? '', tags: (f.tags ?? []).map((t) => t.name ?? '') }));
  if (families.length !== layout.length) {
    return `the element has ${families.length} tag families, the ${spec ? 'tag_family_spec' : 'stream schema'} has ${layout.length}`;
  }
  for (let i = 0; i < layout.length; i++) {
    const want = layout[i]!;
    const schemaFamily = schemaFamilies.find((f) => f.name === want.family);
    if (!schemaFamily) return `tag family "${want.family}" is not in the stream schema`;
    const values = families[i]?.tags ?? [];
    if (values.length !== want.tags.length) {
      return `tag family "${want.family}" has ${values.length} values, expected ${want.tags.length}`;
    }
    for (let j = 0; j < want.tags.length; j++) {
      const tagName = want.tags[j]!;
      if (!(schemaFamily.tags ?? []).some((t) => t.name === tagName)) return `tag "${tagName}" is not in tag family "${want.family}"`;
      const v = values[j];
      const type = types.get(tagName);
      if (!fitsType(v, type)) return `tag "${tagName}" is ${type} but the value is ${valueKind(v)}`;
      out.set(tagName, v && valueKind(v) !== 'null' ? v : NULL_VALUE);
    }
  }
  return out;
}

/** Accepts or rejects one span. */
export function acceptTraceWrite(
  ctx: WriteContext,
  md: Metadata,
  req: TraceWriteRequest,
  specNames: string[] | undefined,
  raw: Uint8Array,
): WriteStatus {
  const id = req.version ?? 0;
  const group = md.group ?? '';
  const name = md.name ?? '';
  const stored = visible(ctx, ctx.registry.traces.get(key(group, name)));
  if (!stored) return reject(ctx, 'trace', md, id, 'STATUS_NOT_FOUND', 'trace schema not found');
  const trace = stored.value;
  const tags = (req.tags ?? []) as AnyTagValue[];
  // BanyanDB checks the timestamp tag located through the tag spec, else the first timestamp-valued tag.
  let tsProblem: string | undefined;
  let found = false;
  const specTsIdx = specNames ? specNames.indexOf(trace.timestampTagName ?? '') : -1;
  if (specTsIdx >= 0 && tags[specTsIdx]?.timestamp) {
    tsProblem = checkTimestamp(tags[specTsIdx]?.timestamp);
    found = true;
  }
  if (!found) {
    const first = tags.find((t) => t?.timestamp !== undefined);
    if (first) {
      tsProblem = checkTimestamp(first.timestamp);
      found = true;
    }
  }
  if (!found) return reject(ctx, 'trace', md, id, 'STATUS_INVALID_TIMESTAMP', `timestamp tag not found: ${trace.timestampTagName}`);
  if (tsProblem) return reject(ctx, 'trace', md, id, 'STATUS_INVALID_TIMESTAMP', `the timestamp is invalid: ${tsProblem}`);
  if ((md.modRevision ?? 0) > 0 && md.modRevision !== trace.metadata?.modRevision) {
    return reject(ctx, 'trace', md, id, 'STATUS_EXPIRED_SCHEMA', 'the trace schema is expired');
  }
  if (!ctx.registry.groups.has(group))
    return reject(ctx, 'trace', md, id, 'STATUS_INTERNAL_ERROR', 'navigation failed: the group does not exist');
  const mapped = mapTraceTags(trace, req, specNames);
  if (typeof mapped === 'string') return reject(ctx, 'trace', md, id, 'STATUS_INTERNAL_ERROR', mapped);
  const traceId = mapped.get(trace.traceIdTagName ?? '') as AnyTagValue | undefined;
  if (valueKind(traceId) !== 'str')
    return reject(ctx, 'trace', md, id, 'STATUS_INTERNAL_ERROR', 'navigation failed: trace ID must be a string');
  const spanId = mapped.get(trace.spanIdTagName ?? '') as AnyTagValue | undefined;
  if (valueKind(spanId) !== 'str') return reject(ctx, 'trace', md, id, 'STATUS_INTERNAL_ERROR', 'span ID must be a string');
  const ts = mapped.get(trace.timestampTagName ?? '') as AnyTagValue | undefined;
  if (valueKind(ts) !== 'timestamp') {
    return reject(ctx, 'trace', md, id, 'STATUS_INVALID_TIMESTAMP', `timestamp tag ${trace.timestampTagName} has no value`);
  }
  ctx.store.addSpan(group, name, {
    traceId: traceId?.str?.value ?? '',
    spanId: spanId?.str?.value ?? '',
    timestampMs: timestampMs(ts?.timestamp),
    tags: mapped,
    span: req.span ?? new Uint8Array(0),
  });
  ctx.writeLog.append('trace', group, name, raw);
  return 'STATUS_SUCCEED';
}

function mapTraceTags(trace: Trace, req: TraceWriteRequest, specNames: string[] | undefined): Map<string, TagValue> | string {
  const values = req.tags ?? [];
  const types = new Map<string, TagType | undefined>();
  for (const t of trace.tags ?? []) types.set(t.name ?? '', t.type);
  const names = specNames ?? (trace.tags ?? []).map((t) => t.name ?? '');
  if (values.length !== names.length) {
    return `the span has ${values.length} tag values, the ${specNames ? 'tag_spec' : 'trace schema'} has ${names.length}`;
  }
  const out = new Map<string, TagValue>();
  for (let i = 0; i < names.length; i++) {
    const tagName = names[i]!;
    if (!types.has(tagName)) return `tag "${tagName}" is not in the trace schema`;
    const v = values[i];
    const type = types.get(tagName);
    if (!fitsType(v, type)) return `tag "${tagName}" is ${type} but the value is ${valueKind(v)}`;
    out.set(tagName, v && valueKind(v) !== 'null' ? v : NULL_VALUE);
  }
  return out;
}
