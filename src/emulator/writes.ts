/**
 * Acceptance of one stream element / one span, mirroring BanyanDB 0.10.3's liaison and data node (FACTS 17-22):
 * timestamp checks, schema visibility, mod revision, trace id; malformed values are accepted and stored as nulls,
 * writes older than the group's TTL are acknowledged and dropped, a stream element written twice is stored once.
 * The `strict` behaviour refuses malformed shapes and types instead (STATUS_INTERNAL_ERROR), for the project's own
 * tests of its writes. An accepted write is only stored when its call ends (see server.ts): the returned `commit`
 * does that. Internal to the emulator.
 */
import type {
  IntervalRule,
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
import type { DataStore, StoredElement, WriteLog } from './store.js';
import { type AnyTagValue, checkTimestamp, fitsType, NULL_VALUE, timestampMs, valueKind } from './values.js';

export interface WriteContext {
  registry: Registry;
  store: DataStore;
  writeLog: WriteLog;
  schemaPropagationMs: number;
  clock: () => number;
  log: (line: string) => void;
  /** Refuse malformed writes instead of storing nulls (the `strict` behaviour). */
  strict: boolean;
}

/** The outcome of one write: its ack status; for an accepted write, what stores it when the call ends. */
export interface WriteOutcome {
  status: WriteStatus;
  /** Stores the write (absent when the write is rejected, or accepted and dropped). */
  commit?: () => void;
  /** Trace only: the span carried more tag values than its schema (or tag_spec) names (FACT 18). */
  overlong?: boolean;
}

const key = (group: string, name: string): string => `${group}\u0000${name}`;

const UNIT_MS: Record<string, number> = { UNIT_HOUR: 3_600_000, UNIT_DAY: 86_400_000 };

/** A schema is invisible to the write path until `schemaPropagationMs` after its creation. */
function visible<T>(ctx: WriteContext, stored: Stored<T> | undefined): Stored<T> | undefined {
  if (!stored) return undefined;
  return ctx.clock() - stored.createdAtMs >= ctx.schemaPropagationMs ? stored : undefined;
}

function reject(ctx: WriteContext, model: string, md: Metadata, id: number, status: WriteStatus, reason: string): WriteOutcome {
  ctx.log(`emulator: ${model} write ${md.group}/${md.name} #${id} -> ${status}: ${reason}`);
  return { status };
}

/** FACT 21: a write older than the group's TTL is acknowledged STATUS_SUCCEED and never stored. */
function olderThanTtl(ctx: WriteContext, group: string, ms: number): boolean {
  const ttl: IntervalRule | undefined = ctx.registry.groups.get(group)?.value.resourceOpts?.ttl;
  const unit = UNIT_MS[ttl?.unit ?? ''];
  if (!ttl?.num || !unit) return false;
  return ms < ctx.clock() - ttl.num * unit;
}

/** Per stored element list: identity (element id, series, timestamp) -> element, for FACT 22's dedupe. */
const elementIndexes = new WeakMap<readonly StoredElement[], Map<string, StoredElement>>();

/** Stores a stream element; the same element id, series and timestamp written again replaces the first (FACT 22). */
function storeElement(ctx: WriteContext, group: string, name: string, stream: Stream, e: Omit<StoredElement, 'seq'>): void {
  const series = (stream.entity?.tagNames ?? []).map((t) => JSON.stringify(e.tags.get(t) ?? null)).join('\u0001');
  const identity = `${e.elementId}\u0000${series}\u0000${e.timestampMs}`;
  const before = ctx.store.elementsOf(group, name);
  const existing = elementIndexes.get(before)?.get(identity);
  if (existing) {
    Object.assign(existing, e);
    return;
  }
  ctx.store.addElement(group, name, e);
  const list = ctx.store.elementsOf(group, name);
  let index = elementIndexes.get(list);
  if (!index) {
    index = new Map();
    elementIndexes.set(list, index);
  }
  index.set(identity, list[list.length - 1]!);
}

/** Accepts or rejects one stream element. `raw` is the request's protobuf encoding, for the write log. */
export function acceptStreamWrite(
  ctx: WriteContext,
  md: Metadata,
  req: StreamWriteRequest,
  spec: StreamTagFamilySpec[] | undefined,
  raw: Uint8Array,
): WriteOutcome {
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
  const stream = stored.value;
  const mapped = ctx.strict ? mapStreamTagsStrict(stream, req, spec) : mapStreamTags(stream, req, spec);
  if (typeof mapped === 'string') return reject(ctx, 'stream', md, id, 'STATUS_INTERNAL_ERROR', mapped);
  if (ctx.strict) {
    for (const e of stream.entity?.tagNames ?? []) {
      if (valueKind(mapped.get(e)) === 'null') {
        return reject(ctx, 'stream', md, id, 'STATUS_INTERNAL_ERROR', `navigation failed: entity tag "${e}" has no value`);
      }
    }
  }
  const ts = req.element?.timestamp ?? {};
  const ms = timestampMs(ts);
  if (olderThanTtl(ctx, group, ms)) return { status: 'STATUS_SUCCEED' };
  return {
    status: 'STATUS_SUCCEED',
    commit: () => {
      storeElement(ctx, group, name, stream, { elementId: req.element?.elementId ?? '', timestamp: ts, timestampMs: ms, tags: mapped });
      ctx.writeLog.append('stream', group, name, raw);
    },
  };
}

// What a schema implies for its writes (tag types, the positional layout), derived once per schema object instead of
// once per write: the registry replaces a schema's object on every change and never edits one in place.
const schemaLayouts = new WeakMap<Stream, { family: string; tags: string[] }[]>();
const schemaTypes = new WeakMap<Stream | Trace, Map<string, TagType | undefined>>();
const traceNames = new WeakMap<Trace, string[]>();

/** The (family, tag names) layout a stream write's positional values follow: its tag_family_spec, else the schema. */
function streamLayout(stream: Stream, spec: StreamTagFamilySpec[] | undefined): { family: string; tags: string[] }[] {
  if (spec) return spec.map((s) => ({ family: s.name ?? '', tags: s.tagNames ?? [] }));
  let layout = schemaLayouts.get(stream);
  if (!layout) {
    layout = (stream.tagFamilies ?? []).map((f) => ({ family: f.name ?? '', tags: (f.tags ?? []).map((t) => t.name ?? '') }));
    schemaLayouts.set(stream, layout);
  }
  return layout;
}

function streamTypes(stream: Stream): Map<string, TagType | undefined> {
  let types = schemaTypes.get(stream);
  if (!types) {
    types = new Map<string, TagType | undefined>();
    for (const f of stream.tagFamilies ?? []) for (const t of f.tags ?? []) types.set(t.name ?? '', t.type);
    schemaTypes.set(stream, types);
  }
  return types;
}

function traceTypes(trace: Trace): Map<string, TagType | undefined> {
  let types = schemaTypes.get(trace);
  if (!types) {
    types = new Map<string, TagType | undefined>();
    for (const t of trace.tags ?? []) types.set(t.name ?? '', t.type);
    schemaTypes.set(trace, types);
  }
  return types;
}

/** The trace schema's tag names in order (the layout of a span's values without a tag_spec). */
function traceTagNames(trace: Trace): string[] {
  let names = traceNames.get(trace);
  if (!names) {
    names = (trace.tags ?? []).map((t) => t.name ?? '');
    traceNames.set(trace, names);
  }
  return names;
}

/**
 * BanyanDB 0.10.3 (FACT 20): values map by position; a missing family or value, or a value of the wrong type, is
 * stored as null (entity tags too); values beyond the layout are ignored.
 */
function mapStreamTags(stream: Stream, req: StreamWriteRequest, spec: StreamTagFamilySpec[] | undefined): Map<string, TagValue> {
  const families = req.element?.tagFamilies ?? [];
  const types = streamTypes(stream);
  const out = new Map<string, TagValue>();
  for (const t of types.keys()) out.set(t, NULL_VALUE);
  const layout = streamLayout(stream, spec);
  for (let i = 0; i < layout.length; i++) {
    const want = layout[i]!;
    const values = families[i]?.tags ?? [];
    for (let j = 0; j < want.tags.length; j++) {
      const tagName = want.tags[j]!;
      if (!types.has(tagName)) continue;
      const v = values[j];
      out.set(tagName, v && valueKind(v) !== 'null' && fitsType(v, types.get(tagName)) ? v : NULL_VALUE);
    }
  }
  return out;
}

/** Strict: maps the values onto tag names; a problem description when the shape or a type is wrong. */
function mapStreamTagsStrict(
  stream: Stream,
  req: StreamWriteRequest,
  spec: StreamTagFamilySpec[] | undefined,
): Map<string, TagValue> | string {
  const families = req.element?.tagFamilies ?? [];
  const schemaFamilies = stream.tagFamilies ?? [];
  const out = new Map<string, TagValue>();
  const types = streamTypes(stream);
  const layout = streamLayout(stream, spec);
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
): WriteOutcome {
  const id = req.version ?? 0;
  const group = md.group ?? '';
  const name = md.name ?? '';
  const stored = visible(ctx, ctx.registry.traces.get(key(group, name)));
  if (!stored) return reject(ctx, 'trace', md, id, 'STATUS_NOT_FOUND', 'trace schema not found');
  const trace = stored.value;
  const tags = (req.tags ?? []) as AnyTagValue[];
  // BanyanDB checks the timestamp tag located through the tag spec, else the first timestamp-valued tag (FACT 19).
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
  const names = specNames ?? traceTagNames(trace);
  const mapped = ctx.strict ? mapTraceTagsStrict(trace, req, names, specNames !== undefined) : mapTraceTags(trace, req, names);
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
  const ms = timestampMs(ts?.timestamp);
  const overlong = (req.tags?.length ?? 0) > names.length;
  if (olderThanTtl(ctx, group, ms)) return { status: 'STATUS_SUCCEED', overlong };
  return {
    status: 'STATUS_SUCCEED',
    overlong,
    commit: () => {
      ctx.store.addSpan(group, name, {
        traceId: traceId?.str?.value ?? '',
        spanId: spanId?.str?.value ?? '',
        timestampMs: ms,
        tags: mapped,
        span: req.span ?? new Uint8Array(0),
      });
      ctx.writeLog.append('trace', group, name, raw);
    },
  };
}

/**
 * BanyanDB 0.10.3 (FACT 20): values map by position onto the tag_spec's names, else the schema's; a missing value
 * or one of the wrong type is stored as null. (More values than names fail the whole call, see server.ts.)
 */
function mapTraceTags(trace: Trace, req: TraceWriteRequest, names: readonly string[]): Map<string, TagValue> {
  const values = req.tags ?? [];
  const types = traceTypes(trace);
  const out = new Map<string, TagValue>();
  for (const t of types.keys()) out.set(t, NULL_VALUE);
  for (let i = 0; i < names.length; i++) {
    const tagName = names[i]!;
    if (!types.has(tagName)) continue;
    const v = values[i];
    out.set(tagName, v && valueKind(v) !== 'null' && fitsType(v, types.get(tagName)) ? v : NULL_VALUE);
  }
  return out;
}

function mapTraceTagsStrict(
  trace: Trace,
  req: TraceWriteRequest,
  names: readonly string[],
  bySpec: boolean,
): Map<string, TagValue> | string {
  const values = req.tags ?? [];
  const types = traceTypes(trace);
  if (values.length !== names.length) {
    return `the span has ${values.length} tag values, the ${bySpec ? 'tag_spec' : 'trace schema'} has ${names.length}`;
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
