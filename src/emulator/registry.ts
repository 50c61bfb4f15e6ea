/**
 * The emulator's schema registry: groups, streams, traces, index rules and bindings held in memory, with the
 * answers, revisions, error codes and texts of the server profile (BanyanDB 0.10.3 by default, FACTS 4-14):
 * its validator's chained texts, the inconsistent schemas it accepts, asynchronous group deletion and the
 * broken re-created group. In the `strict` behaviour the registry also refuses the inconsistent schemas
 * (listed in docs/emulator.md). Internal to the emulator.
 */

import { status } from '@grpc/grpc-js';
import type { Catalog, Group, IndexRule, IndexRuleBinding, Metadata, Stream, TagType, Timestamp, Trace } from '../client/types.js';
import { BANYANDB_0_10_3, type ServerProfile } from './banyandb-0.10.3/index.js';
import { alreadyExists, invalidArgument, notFound, RpcFailure, unknown } from './status.js';
import { timestampMs } from './values.js';

/** A stored resource and when (wall clock, ms) it was created. */
export interface Stored<T> {
  value: T;
  createdAtMs: number;
}

const key = (group: string, name: string): string => `${group}\u0000${name}`;

/** A crc32 of group+name, the id BanyanDB generates for an index rule created without one. */
function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text)) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function nowTimestamp(nowMs: number): Timestamp {
  return { seconds: Math.floor(nowMs / 1000), nanos: (nowMs % 1000) * 1_000_000 };
}

/** Tags of a schema subject by name with their declared type. */
export interface SubjectTags {
  types: Map<string, TagType>;
}

export function streamTagTypes(s: Stream): Map<string, TagType> {
  const m = new Map<string, TagType>();
  for (const f of s.tagFamilies ?? []) for (const t of f.tags ?? []) m.set(t.name ?? '', t.type ?? 'TAG_TYPE_UNSPECIFIED');
  return m;
}

export function traceTagTypes(t: Trace): Map<string, TagType> {
  const m = new Map<string, TagType>();
  for (const tag of t.tags ?? []) m.set(tag.name ?? '', tag.type ?? 'TAG_TYPE_UNSPECIFIED');
  return m;
}

type Kind = 'stream' | 'trace' | 'indexRule' | 'indexRuleBinding';

/** How strictly the registry checks schemas (see {@link RegistryOptions.strict}). */
export interface RegistryOptions {
  /** The server profile whose answers and texts the registry gives. @default BANYANDB_0_10_3 */
  profile?: ServerProfile;
  /**
   * Also refuse what BanyanDB 0.10.3 accepts although inconsistent (FACT 11): a stream in a non-stream group, an
   * undeclared entity tag, a trace whose identity tags are undeclared or mistyped, an index rule in a missing group,
   * a binding naming a missing rule or subject or expiring before it begins. @default false
   */
  strict?: boolean;
}

/** An asynchronous group deletion in progress (FACT 13). */
interface Deletion {
  startedMs: number;
  timer: NodeJS.Timeout;
}

const DATA_CATALOGS: ReadonlySet<Catalog | undefined> = new Set<Catalog | undefined>([
  'CATALOG_STREAM',
  'CATALOG_MEASURE',
  'CATALOG_TRACE',
]);

/** In-memory registry with BanyanDB's registry semantics. All methods throw {@link RpcFailure}s. */
export class Registry {
  readonly groups = new Map<string, Stored<Group>>();
  readonly streams = new Map<string, Stored<Stream>>();
  readonly traces = new Map<string, Stored<Trace>>();
  readonly indexRules = new Map<string, Stored<IndexRule>>();
  readonly bindings = new Map<string, Stored<IndexRuleBinding>>();
  private lastRevision = 0;
  private readonly deletions = new Map<string, Deletion>();
  /** Names of data groups deleted earlier in this process: a group re-created under one is broken (FACT 14). */
  private readonly deletedNames = new Set<string>();
  private readonly broken = new Set<string>();
  private readonly profile: ServerProfile;
  private readonly strict: boolean;
  /** Called when a group's deletion completes, so stored data goes with it. */
  onGroupDeleted: (group: string) => void = () => {};
  /** Answers whether a group holds data (BanyanDB refuses to delete such a group without force). */
  groupHasData: (group: string) => boolean = () => false;

  constructor(
    private readonly clock: () => number = Date.now,
    options: RegistryOptions = {},
  ) {
    this.profile = options.profile ?? BANYANDB_0_10_3;
    this.strict = options.strict ?? false;
    for (const g of this.profile.internalGroups) this.groups.set(g.metadata?.name ?? '', this.stamp(g, undefined));
  }

  private get texts(): ServerProfile['texts'] {
    return this.profile.texts;
  }

  /**
   * Monotonic revisions on BanyanDB's nanosecond scale (~1.8e18, FACT 4). Doubles are 256 apart at that scale,
   * so consecutive revisions are kept 4096 apart to stay distinct and increasing.
   */
  private nextRevision(): number {
    this.lastRevision = Math.max(this.lastRevision + 4096, Math.floor(this.clock() * 1000) * 1000);
    return this.lastRevision;
  }

  /** Get/List answers carry `modRevision` (no `createRevision`) and `updatedAt` (FACT 4). */
  private stamp<T extends { metadata?: Metadata; updatedAt?: Timestamp }>(value: T, prev: Stored<T> | undefined): Stored<T> {
    const now = this.clock();
    const { createRevision: _ignored, ...metadata } = value.metadata ?? {};
    return {
      value: { ...value, metadata: { ...metadata, modRevision: this.nextRevision() }, updatedAt: nowTimestamp(now) },
      createdAtMs: prev?.createdAtMs ?? now,
    };
  }

  /** Cancels pending asynchronous deletions (the server is closing). */
  dispose(): void {
    for (const d of this.deletions.values()) clearTimeout(d.timer);
    this.deletions.clear();
  }

  // ---- groups ----

  createGroup(g: Group | undefined): void {
    const group = this.checkGroup(g, 'GroupRegistryServiceCreateRequest');
    const name = group.metadata?.name ?? '';
    if (this.groups.has(name)) throw alreadyExists(this.texts.ALREADY_EXISTS);
    this.groups.set(name, this.stamp(group, undefined));
    if (this.deletedNames.has(name) && DATA_CATALOGS.has(group.catalog)) this.broken.add(name);
  }

  updateGroup(g: Group | undefined): void {
    const group = this.checkGroup(g, 'GroupRegistryServiceUpdateRequest');
    const name = group.metadata?.name ?? '';
    const prev = this.groups.get(name);
    if (!prev) throw unknown(this.texts.schemaNotExist('', name));
    this.groups.set(name, this.stamp(group, prev));
  }

  getGroup(name: string): Group {
    const g = this.groups.get(name);
    if (!g) throw notFound(this.texts.NOT_FOUND);
    return g.value;
  }

  listGroups(): Group[] {
    return [...this.groups.values()].map((g) => g.value);
  }

  /** True when the group was re-created under the name of a group deleted earlier in this process (FACT 14). */
  isBroken(group: string): boolean {
    return this.broken.has(group);
  }

  /**
   * Starts the group's asynchronous deletion (FACT 13): the group stays visible for the profile's
   * `groupDeletionMs`, a second Delete meanwhile is refused, then the group and everything in it go.
   */
  deleteGroup(name: string, force: boolean): void {
    const running = this.deletions.get(name);
    if (running) throw unknown(this.texts.deletionInProgress(name, Math.floor((this.clock() - running.startedMs) / 1000)));
    const g = this.groups.get(name);
    if (!g) throw notFound(this.texts.NOT_FOUND);
    if (this.broken.has(name)) throw unknown(this.texts.collectDataInfoFailed(name));
    if (!force && this.groupHasData(name)) {
      throw failedPrecondition(`group ${name} is not empty, use force=true to delete non-empty groups`);
    }
    const timer = setTimeout(() => this.completeDeletion(name), this.profile.groupDeletionMs);
    timer.unref();
    this.deletions.set(name, { startedMs: this.clock(), timer });
  }

  private completeDeletion(name: string): void {
    this.deletions.delete(name);
    const g = this.groups.get(name);
    for (const map of [this.streams, this.traces, this.indexRules, this.bindings] as Map<string, Stored<{ metadata?: Metadata }>>[]) {
      for (const [k, v] of map) if (v.value.metadata?.group === name) map.delete(k);
    }
    this.groups.delete(name);
    if (DATA_CATALOGS.has(g?.value.catalog)) this.deletedNames.add(name);
    this.onGroupDeleted(name);
  }

  private checkGroup(g: Group | undefined, request: string): Group {
    const chain = (path: string[], rule: string): RpcFailure =>
      invalidArgument(this.texts.validatorChain([`${request}.Group`, ...path], rule));
    if (!g) throw invalidArgument(this.texts.validatorChain([`${request}.Group`], 'value is required'));
    if (!g.metadata) throw chain(['Group.Metadata'], 'value is required');
    const opts = g.resourceOpts;
    if (opts) {
      if (!opts.shardNum) throw chain(['Group.ResourceOpts', 'ResourceOpts.ShardNum'], 'value must be greater than 0');
      for (const [field, rule] of [
        ['SegmentInterval', opts.segmentInterval],
        ['Ttl', opts.ttl],
      ] as const) {
        if (rule && !rule.num)
          throw chain(['Group.ResourceOpts', `ResourceOpts.${field}`, 'IntervalRule.Num'], 'value must be greater than 0');
      }
    }
    if (!g.metadata.name) throw unknown(this.texts.METADATA_NAME_REQUIRED);
    if (!g.catalog || g.catalog === 'CATALOG_UNSPECIFIED') throw unknown(this.texts.CATALOG_UNSPECIFIED);
    if (g.catalog === 'CATALOG_PROPERTY') {
      if (!opts) throw unknown('resourceOpts is nil');
      return g;
    }
    const bad = nonPropertyGroupProblem(g);
    if (bad) throw unknown(bad);
    return g;
  }

  /** The group of a stream/trace must exist and be usable for data; strict: also of the right catalog. */
  private requireDataGroup(groupName: string, catalog: Catalog, what: string): void {
    const g = this.groups.get(groupName);
    if (!g) throw notFound(this.texts.NOT_FOUND);
    const bad = nonPropertyGroupProblem(g.value);
    if (bad) throw unknown(bad);
    if (this.strict && g.value.catalog !== catalog) {
      throw invalidArgument(`${what} needs a ${catalog} group, but group ${groupName} is ${g.value.catalog ?? 'CATALOG_UNSPECIFIED'}`);
    }
  }

  // ---- streams ----

  createStream(s: Stream | undefined): number {
    const stream = this.checkStream(s, 'StreamRegistryServiceCreateRequest');
    const k = key(stream.metadata?.group ?? '', stream.metadata?.name ?? '');
    this.requireDataGroup(stream.metadata?.group ?? '', 'CATALOG_STREAM', `stream ${stream.metadata?.name}`);
    if (this.streams.has(k)) throw alreadyExists(this.texts.ALREADY_EXISTS);
    const stored = this.stamp(stream, undefined);
    this.streams.set(k, stored);
    return stored.value.metadata?.modRevision ?? 0;
  }

  updateStream(s: Stream | undefined): number {
    const stream = this.checkStream(s, 'StreamRegistryServiceUpdateRequest');
    const { group = '', name = '' } = stream.metadata ?? {};
    const prev = this.streams.get(key(group, name));
    if (!prev) throw unknown(this.texts.schemaNotExist(group, name));
    this.requireDataGroup(group, 'CATALOG_STREAM', `stream ${name}`);
    const stored = this.stamp(stream, prev);
    this.streams.set(key(group, name), stored);
    return stored.value.metadata?.modRevision ?? 0;
  }

  private checkStream(s: Stream | undefined, request: string): Stream {
    const top = `${request}.Stream`;
    const chain = (path: string[], rule: string): RpcFailure => invalidArgument(this.texts.validatorChain([top, ...path], rule));
    if (!s) throw invalidArgument(this.texts.validatorChain([top], 'value is required'));
    if (!s.metadata) throw chain(['Stream.Metadata'], 'value is required');
    if (!s.tagFamilies?.length) throw chain(['Stream.TagFamilies'], 'value must contain at least 1 item(s)');
    for (const [i, f] of s.tagFamilies.entries()) {
      const at = `Stream.TagFamilies[${i}]`;
      if (!f.name) throw chain([at, 'TagFamilySpec.Name'], 'value length must be at least 1 runes');
      if (!f.tags?.length) throw chain([at, 'TagFamilySpec.Tags'], 'value must contain at least 1 item(s)');
      for (const [j, t] of f.tags.entries()) {
        if (!t.name) throw chain([at, `TagFamilySpec.Tags[${j}]`, 'TagSpec.Name'], 'value length must be at least 1 runes');
      }
    }
    if (!s.entity) throw chain(['Stream.Entity'], 'value is required');
    if (!s.entity.tagNames?.length) throw chain(['Stream.Entity', 'Entity.TagNames'], 'value must contain at least 1 item(s)');
    if (!s.metadata.name) throw unknown(this.texts.STREAM_NAME_EMPTY);
    if (!s.metadata.group) throw unknown('stream group is empty');
    const seen = new Set<string>();
    for (const f of s.tagFamilies) {
      for (const t of f.tags ?? []) {
        if (t.name?.includes('#')) throw unknown(`tag name "${t.name}" must not contain reserved character "#"`);
        if (!t.type || t.type === 'TAG_TYPE_UNSPECIFIED') throw unknown('tag type is unspecified');
        if (this.strict && seen.has(t.name ?? '')) throw invalidArgument(`stream ${s.metadata.name}: tag "${t.name}" is declared twice`);
        seen.add(t.name ?? '');
      }
    }
    if (this.strict) {
      for (const e of s.entity.tagNames) {
        if (!seen.has(e)) throw invalidArgument(`stream ${s.metadata.name}: entity tag "${e}" is not declared in any tag family`);
      }
    }
    return s;
  }

  getStream(m: Metadata | undefined): Stream {
    const s = this.streams.get(key(m?.group ?? '', m?.name ?? ''));
    if (!s) throw notFound(this.texts.NOT_FOUND);
    return s.value;
  }

  // ---- traces ----

  createTrace(t: Trace | undefined): number {
    const trace = this.checkTrace(t, 'TraceRegistryServiceCreateRequest');
    const { group = '', name = '' } = trace.metadata ?? {};
    this.requireDataGroup(group, 'CATALOG_TRACE', `trace ${name}`);
    if (this.traces.has(key(group, name))) throw alreadyExists(this.texts.ALREADY_EXISTS);
    const stored = this.stamp(trace, undefined);
    this.traces.set(key(group, name), stored);
    return stored.value.metadata?.modRevision ?? 0;
  }

  updateTrace(t: Trace | undefined): number {
    const trace = this.checkTrace(t, 'TraceRegistryServiceUpdateRequest');
    const { group = '', name = '' } = trace.metadata ?? {};
    const prev = this.traces.get(key(group, name));
    if (!prev) throw unknown(this.texts.schemaNotExist(group, name));
    this.requireDataGroup(group, 'CATALOG_TRACE', `trace ${name}`);
    const stored = this.stamp(trace, prev);
    this.traces.set(key(group, name), stored);
    return stored.value.metadata?.modRevision ?? 0;
  }

  private checkTrace(t: Trace | undefined, request: string): Trace {
    const top = `${request}.Trace`;
    const chain = (path: string[], rule: string): RpcFailure => invalidArgument(this.texts.validatorChain([top, ...path], rule));
    if (!t) throw invalidArgument(this.texts.validatorChain([top], 'value is required'));
    if (!t.metadata) throw chain(['Trace.Metadata'], 'value is required');
    if (!t.tags?.length) throw chain(['Trace.Tags'], 'value must contain at least 1 item(s)');
    for (const [i, tag] of t.tags.entries()) {
      if (!tag.name) throw chain([`Trace.Tags[${i}]`, 'TraceTagSpec.Name'], 'value length must be at least 1 runes');
    }
    if (!t.traceIdTagName) throw chain(['Trace.TraceIdTagName'], 'value length must be at least 1 runes');
    if (!t.timestampTagName) throw chain(['Trace.TimestampTagName'], 'value length must be at least 1 runes');
    if (!t.spanIdTagName) throw chain(['Trace.SpanIdTagName'], 'value length must be at least 1 runes');
    if (!t.metadata.name) throw unknown('trace name is empty');
    if (!t.metadata.group) throw unknown('trace group is empty');
    const types = new Map<string, TagType | undefined>();
    for (const tag of t.tags) {
      if (tag.name?.includes('#')) throw unknown(`tag name "${tag.name}" must not contain reserved character "#"`);
      if (!tag.type || tag.type === 'TAG_TYPE_UNSPECIFIED') throw unknown('trace tag type is unspecified');
      if (this.strict && types.has(tag.name ?? '')) throw invalidArgument(`trace ${t.metadata.name}: tag "${tag.name}" is declared twice`);
      types.set(tag.name ?? '', tag.type);
    }
    if (!this.strict) return t;
    const expect: [string, string, TagType][] = [
      ['trace_id_tag_name', t.traceIdTagName, 'TAG_TYPE_STRING'],
      ['span_id_tag_name', t.spanIdTagName, 'TAG_TYPE_STRING'],
      ['timestamp_tag_name', t.timestampTagName, 'TAG_TYPE_TIMESTAMP'],
    ];
    for (const [field, tagName, type] of expect) {
      const declared = types.get(tagName);
      if (declared === undefined) throw invalidArgument(`trace ${t.metadata.name}: ${field} "${tagName}" is not one of its tags`);
      if (declared !== type) throw invalidArgument(`trace ${t.metadata.name}: ${field} "${tagName}" must be ${type}, is ${declared}`);
    }
    return t;
  }

  getTrace(m: Metadata | undefined): Trace {
    const t = this.traces.get(key(m?.group ?? '', m?.name ?? ''));
    if (!t) throw notFound(this.texts.NOT_FOUND);
    return t.value;
  }

  // ---- index rules ----

  createIndexRule(r: IndexRule | undefined): void {
    const rule = this.checkIndexRule(r, 'IndexRuleRegistryServiceCreateRequest');
    const { group = '', name = '' } = rule.metadata ?? {};
    if (this.strict && !this.groups.has(group)) throw notFound(this.texts.NOT_FOUND);
    if (this.indexRules.has(key(group, name))) throw alreadyExists(this.texts.ALREADY_EXISTS);
    this.indexRules.set(key(group, name), this.stamp(rule, undefined));
  }

  updateIndexRule(r: IndexRule | undefined): void {
    const rule = this.checkIndexRule(r, 'IndexRuleRegistryServiceUpdateRequest');
    const { group = '', name = '' } = rule.metadata ?? {};
    const prev = this.indexRules.get(key(group, name));
    if (!prev) throw unknown(this.texts.schemaNotExist(group, name));
    this.indexRules.set(key(group, name), this.stamp(rule, prev));
  }

  private checkIndexRule(r: IndexRule | undefined, request: string): IndexRule {
    const top = `${request}.IndexRule`;
    const chain = (path: string[], rule: string): RpcFailure => invalidArgument(this.texts.validatorChain([top, ...path], rule));
    if (!r) throw invalidArgument(this.texts.validatorChain([top], 'value is required'));
    if (!r.metadata) throw chain(['IndexRule.Metadata'], 'value is required');
    if (!r.tags?.length) throw chain(['IndexRule.Tags'], 'value must contain at least 1 item(s)');
    if (!r.metadata.name) throw unknown('indexRule name is empty');
    if (!r.metadata.group) throw unknown('indexRule group is empty');
    if (!r.type || r.type === 'TYPE_UNSPECIFIED') throw unknown(this.texts.INDEX_RULE_TYPE_UNSPECIFIED);
    const id = r.metadata.id || crc32(`${r.metadata.group}${r.metadata.name}`);
    return { ...r, metadata: { ...r.metadata, id } };
  }

  getIndexRule(m: Metadata | undefined): IndexRule {
    const r = this.indexRules.get(key(m?.group ?? '', m?.name ?? ''));
    if (!r) throw notFound(this.texts.NOT_FOUND);
    return r.value;
  }

  // ---- bindings ----

  createBinding(b: IndexRuleBinding | undefined): void {
    const binding = this.checkBinding(b, 'IndexRuleBindingRegistryServiceCreateRequest');
    const { group = '', name = '' } = binding.metadata ?? {};
    if (this.bindings.has(key(group, name))) throw alreadyExists(this.texts.ALREADY_EXISTS);
    this.bindings.set(key(group, name), this.stamp(binding, undefined));
  }

  updateBinding(b: IndexRuleBinding | undefined): void {
    const binding = this.checkBinding(b, 'IndexRuleBindingRegistryServiceUpdateRequest');
    const { group = '', name = '' } = binding.metadata ?? {};
    const prev = this.bindings.get(key(group, name));
    if (!prev) throw unknown(this.texts.schemaNotExist(group, name));
    this.bindings.set(key(group, name), this.stamp(binding, prev));
  }

  private checkBinding(b: IndexRuleBinding | undefined, request: string): IndexRuleBinding {
    const top = `${request}.IndexRuleBinding`;
    const chain = (path: string[], rule: string): RpcFailure => invalidArgument(this.texts.validatorChain([top, ...path], rule));
    if (!b) throw invalidArgument(this.texts.validatorChain([top], 'value is required'));
    if (!b.metadata) throw chain(['IndexRuleBinding.Metadata'], 'value is required');
    if (!b.rules?.length) throw chain(['IndexRuleBinding.Rules'], 'value must contain at least 1 item(s)');
    if (!b.subject) throw chain(['IndexRuleBinding.Subject'], 'value is required');
    if (!b.subject.name) throw chain(['IndexRuleBinding.Subject', 'Subject.Name'], 'value length must be at least 1 runes');
    if (!b.beginAt) throw chain(['IndexRuleBinding.BeginAt'], 'value is required');
    if (!b.expireAt) throw chain(['IndexRuleBinding.ExpireAt'], 'value is required');
    const { group = '', name = '' } = b.metadata;
    if (!name) throw unknown('indexRuleBinding name is empty');
    if (!group) throw unknown('indexRuleBinding group is empty');
    if (!b.subject.catalog || b.subject.catalog === 'CATALOG_UNSPECIFIED') throw unknown('indexRuleBinding subject catalog is unspecified');
    if (this.strict) this.checkBindingReferences(b, group, name);
    return b;
  }

  /** Strict only: dangling references and an inverted window are refused at binding time. */
  private checkBindingReferences(b: IndexRuleBinding, group: string, name: string): void {
    if (!this.groups.has(group)) throw notFound(this.texts.NOT_FOUND);
    if (timestampMs(b.expireAt) <= timestampMs(b.beginAt)) {
      throw invalidArgument(`index rule binding ${name}: expire_at must be later than begin_at`);
    }
    const subject = b.subject?.name ?? '';
    let types: Map<string, TagType>;
    let sortable: 'any' | 'trace' = 'any';
    if (b.subject?.catalog === 'CATALOG_STREAM') {
      types = streamTagTypes(this.getSubject(this.streams, group, subject, 'stream', name));
    } else if (b.subject?.catalog === 'CATALOG_TRACE') {
      types = traceTagTypes(this.getSubject(this.traces, group, subject, 'trace', name));
      sortable = 'trace';
    } else {
      throw invalidArgument(`index rule binding ${name}: the emulator binds only streams and traces, not ${b.subject?.catalog}`);
    }
    for (const ruleName of b.rules ?? []) {
      const rule = this.indexRules.get(key(group, ruleName));
      if (!rule) throw notFound(`index rule binding ${name}: index rule ${group}/${ruleName} not found`);
      for (const tag of rule.value.tags ?? []) {
        if (!types.has(tag)) {
          throw invalidArgument(`index rule binding ${name}: rule ${ruleName} indexes tag "${tag}", which ${subject} does not declare`);
        }
      }
      if (sortable === 'trace') {
        const last = rule.value.tags?.[rule.value.tags.length - 1] ?? '';
        const t = types.get(last);
        if (t !== 'TAG_TYPE_INT' && t !== 'TAG_TYPE_TIMESTAMP') {
          throw invalidArgument(
            `index rule binding ${name}: rule ${ruleName} ends with tag "${last}" (${t}); trace index rules must end with an INT or TIMESTAMP tag`,
          );
        }
      }
    }
  }

  private getSubject<T>(map: Map<string, Stored<T>>, group: string, subject: string, what: string, binding: string): T {
    const s = map.get(key(group, subject));
    if (!s) throw notFound(`index rule binding ${binding}: ${what} ${group}/${subject} not found`);
    return s.value;
  }

  getBinding(m: Metadata | undefined): IndexRuleBinding {
    const b = this.bindings.get(key(m?.group ?? '', m?.name ?? ''));
    if (!b) throw notFound(this.texts.NOT_FOUND);
    return b.value;
  }

  // ---- generic ----

  private mapOf(kind: Kind): Map<string, Stored<{ metadata?: Metadata }>> {
    switch (kind) {
      case 'stream':
        return this.streams;
      case 'trace':
        return this.traces;
      case 'indexRule':
        return this.indexRules;
      default:
        return this.bindings;
    }
  }

  /** FACT 8: a missing group lists nothing; an empty group name is INVALID_ARGUMENT. */
  list<T>(kind: Kind, group: string): T[] {
    if (!group) throw invalidArgument(this.texts.INPUT_INVALID);
    return [...this.mapOf(kind).values()].filter((v) => v.value.metadata?.group === group).map((v) => v.value as T);
  }

  /** FACT 6: deleting a missing stream/trace/rule/binding is OK with `deleted` false. */
  delete(kind: Kind, m: Metadata | undefined): boolean {
    return this.mapOf(kind).delete(key(m?.group ?? '', m?.name ?? ''));
  }

  exist(kind: Kind, m: Metadata | undefined): { hasGroup: boolean; hasResource: boolean } {
    if (this.mapOf(kind).has(key(m?.group ?? '', m?.name ?? ''))) return { hasGroup: true, hasResource: true };
    if (!m) throw invalidArgument('metadata is absent');
    return { hasGroup: this.groups.has(m.group ?? ''), hasResource: false };
  }

  /** When the stream/trace was created (ms), for the schema-propagation window. */
  createdAtMs(kind: 'stream' | 'trace', group: string, name: string): number | undefined {
    return this.mapOf(kind).get(key(group, name))?.createdAtMs;
  }

  /** Index rules bound to a subject (in binding order, deduplicated). */
  rulesFor(catalog: Catalog, group: string, name: string): IndexRule[] {
    const out = new Map<string, IndexRule>();
    for (const b of this.bindings.values()) {
      const v = b.value;
      if (v.metadata?.group !== group || v.subject?.name !== name || v.subject?.catalog !== catalog) continue;
      for (const r of v.rules ?? []) {
        const rule = this.indexRules.get(key(group, r));
        if (rule && !out.has(r)) out.set(r, rule.value);
      }
    }
    return [...out.values()];
  }
}

function failedPrecondition(message: string): RpcFailure {
  return new RpcFailure(status.FAILED_PRECONDITION, message);
}

/** BanyanDB's checks on a group that holds streams, measures or traces; the problem, or undefined. */
function nonPropertyGroupProblem(g: Group): string | undefined {
  const o = g.resourceOpts;
  if (!o) return BANYANDB_0_10_3.texts.GROUP_RESOURCE_OPTS_NIL;
  if (!o.shardNum) return 'group shardNum is invalid';
  if (!o.segmentInterval) return 'group segmentInterval is nil';
  if (!o.segmentInterval.num) return 'group segmentInterval num is invalid';
  if (!o.segmentInterval.unit || o.segmentInterval.unit === 'UNIT_UNSPECIFIED') return 'group segmentInterval unit is unspecified';
  if (!o.ttl) return 'group ttl is nil';
  if (!o.ttl.num) return 'group ttl num is invalid';
  if (!o.ttl.unit || o.ttl.unit === 'UNIT_UNSPECIFIED') return 'group ttl unit is unspecified';
  return undefined;
}
