/**
 * Reading and validating a schema directory into a {@link SchemaSet}.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { enumType } from '../client/proto.js';
import type { Catalog, Group, IndexRule, IndexRuleBinding, Stream, TagType, Timestamp, Trace } from '../client/types.js';
import { SchemaError } from '../errors.js';
import { MODELS, type Model } from '../results.js';
import { JsonSyntaxError, parseJson } from './json.js';
import { fromProtoJson, jsonTypeOf } from './protojson.js';

/** The two BanyanDB data models compared by banyandb-perf. */
export type SchemaModel = Model;

/** Every model, in load order. */
export const SCHEMA_MODELS: readonly SchemaModel[] = MODELS;

/** Kinds of schema resource, in the order they must be created. */
export type SchemaKind = 'group' | 'stream' | 'trace' | 'indexRule' | 'indexRuleBinding';

/** The message shape of each kind. */
export interface SchemaResourceMessages {
  group: Group;
  stream: Stream;
  trace: Trace;
  indexRule: IndexRule;
  indexRuleBinding: IndexRuleBinding;
}

/** One validated resource, read from one file. */
export type SchemaResource = {
  [K in SchemaKind]: {
    kind: K;
    /** The resource's group (a group's own name for kind `group`). */
    group: string;
    name: string;
    /** The model the resource belongs to, from its group's catalog. */
    model: SchemaModel;
    /** The file it was read from. */
    file: string;
    /** The message, in the SDK's plain shape (src/client/types.ts). */
    resource: SchemaResourceMessages[K];
  };
}[SchemaKind];

/** A resource of one kind. */
export type SchemaResourceOf<K extends SchemaKind> = Extract<SchemaResource, { kind: K }>;

/** Where files of one kind live and which message they hold. */
export interface SchemaKindInfo {
  kind: SchemaKind;
  /** Sub-directory holding files of this kind. */
  dir: string;
  /** Fully qualified message type. */
  type: string;
  /** How the kind is named in messages. */
  label: string;
}

/** Kinds in creation order, with their sub-directories and message types. */
export const SCHEMA_KINDS: readonly SchemaKindInfo[] = [
  { kind: 'group', dir: 'groups', type: 'banyandb.common.v1.Group', label: 'group' },
  { kind: 'stream', dir: 'streams', type: 'banyandb.database.v1.Stream', label: 'stream' },
  { kind: 'trace', dir: 'traces', type: 'banyandb.database.v1.Trace', label: 'trace' },
  { kind: 'indexRule', dir: 'index_rules', type: 'banyandb.database.v1.IndexRule', label: 'index rule' },
  { kind: 'indexRuleBinding', dir: 'index_rule_bindings', type: 'banyandb.database.v1.IndexRuleBinding', label: 'index rule binding' },
];

/** How a kind is named in messages, e.g. `index rule`. */
export function kindLabel(kind: SchemaKind): string {
  return SCHEMA_KINDS.find((k) => k.kind === kind)?.label ?? kind;
}

const CATALOG_OF_MODEL: Record<SchemaModel, Catalog> = { stream: 'CATALOG_STREAM', trace: 'CATALOG_TRACE' };

/** A validated set of schema resources, in creation order. */
export class SchemaSet {
  /** The directory the set was read from. */
  readonly dir: string;
  /** Every resource: groups, then streams, traces, index rules, bindings; files in name order within a kind. */
  readonly resources: readonly SchemaResource[];

  constructor(dir: string, resources: readonly SchemaResource[]) {
    this.dir = dir;
    this.resources = resources;
  }

  /** The resources of the given models (default both), in creation order. */
  select(models: readonly SchemaModel[] = SCHEMA_MODELS): SchemaResource[] {
    return this.resources.filter((r) => models.includes(r.model));
  }

  /** The resources of one kind. */
  ofKind<K extends SchemaKind>(kind: K): SchemaResourceOf<K>[] {
    return this.resources.filter((r): r is SchemaResourceOf<K> => r.kind === kind);
  }

  /** One resource by kind, group and name. */
  find<K extends SchemaKind>(kind: K, group: string, name: string): SchemaResourceOf<K> | undefined {
    return this.ofKind(kind).find((r) => r.group === group && r.name === name);
  }
}

function fail(file: string, jsonPath: string, message: string, cause?: unknown): never {
  throw new SchemaError(`${file}: ${message}`, { file, jsonPath }, cause === undefined ? undefined : { cause });
}

function isTagTypeSet(t: TagType | undefined): t is TagType {
  return t !== undefined && t !== 'TAG_TYPE_UNSPECIFIED';
}

function definedEnumNames(fullName: string): string {
  return Object.keys(enumType(fullName).values)
    .filter((n) => !n.endsWith('_UNSPECIFIED'))
    .join(', ');
}

function tsValue(t: Timestamp | undefined): number {
  return (t?.seconds ?? 0) * 1e9 + (t?.nanos ?? 0);
}

function quoteList(names: readonly string[], none = '(none defined)'): string {
  return names.length === 0 ? none : names.join(', ');
}

/** Reads one file into the plain message of its kind (JSON syntax + protojson checks). */
async function readResourceFile(file: string, info: SchemaKindInfo): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return fail(file, '$', `cannot read the file (${code}); expected a readable JSON file`, err);
  }
  let json: unknown;
  try {
    json = parseJson(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) {
      return fail(file, err.jsonPath, `invalid JSON at line ${err.line}, column ${err.column}: ${err.detail}`, err);
    }
    throw err;
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return fail(file, '$', `expected an object (one ${info.type} per file) for $, got ${jsonTypeOf(json)}`);
  }
  return fromProtoJson(info.type, json, { file });
}

/** Checks a resource's own fields (no cross-file references) and returns its group and name. */
function checkResource(kind: SchemaKind, file: string, msg: SchemaResourceMessages[SchemaKind]): { group: string; name: string } {
  const meta = msg.metadata;
  if (!meta) {
    fail(file, '$.metadata', `missing required field $.metadata; expected an object with ${kind === 'group' ? 'name' : 'group and name'}`);
  }
  if (!meta.name) fail(file, '$.metadata.name', 'missing required field $.metadata.name; expected a non-empty string');
  if (kind === 'group') {
    if (meta.group && meta.group !== meta.name) {
      fail(
        file,
        '$.metadata.group',
        `$.metadata.group is "${meta.group}"; expected it to be absent or the group's own name "${meta.name}"`,
      );
    }
    return { group: meta.name, name: meta.name };
  }
  if (!meta.group) fail(file, '$.metadata.group', 'missing required field $.metadata.group; expected a non-empty string');
  return { group: meta.group, name: meta.name };
}

function checkGroup(file: string, g: Group): SchemaModel {
  if (g.catalog === undefined || g.catalog === 'CATALOG_UNSPECIFIED') {
    fail(file, '$.catalog', 'missing required field $.catalog; expected CATALOG_STREAM or CATALOG_TRACE');
  }
  const model = (Object.keys(CATALOG_OF_MODEL) as SchemaModel[]).find((m) => CATALOG_OF_MODEL[m] === g.catalog);
  if (!model) fail(file, '$.catalog', `unsupported catalog ${g.catalog} for $.catalog; expected CATALOG_STREAM or CATALOG_TRACE`);
  const opts = g.resourceOpts;
  if (!opts)
    fail(file, '$.resourceOpts', 'missing required field $.resourceOpts; expected an object with shardNum, segmentInterval and ttl');
  if (!opts.shardNum) fail(file, '$.resourceOpts.shardNum', 'missing required field $.resourceOpts.shardNum; expected an integer >= 1');
  for (const key of ['segmentInterval', 'ttl'] as const) {
    const rule = opts[key];
    const path = `$.resourceOpts.${key}`;
    if (!rule) fail(file, path, `missing required field ${path}; expected an object with unit and num`);
    if (rule.unit === undefined || rule.unit === 'UNIT_UNSPECIFIED') {
      fail(
        file,
        `${path}.unit`,
        `missing required field ${path}.unit; expected one of: ${definedEnumNames('banyandb.common.v1.IntervalRule.Unit')}`,
      );
    }
    if (!rule.num) fail(file, `${path}.num`, `missing required field ${path}.num; expected an integer >= 1`);
  }
  return model;
}

/** Checks a list of tag specs; returns name -> type, and where each was declared. */
function checkTags(
  file: string,
  tags: readonly { name?: string; type?: TagType }[] | undefined,
  path: string,
  declared: Map<string, { type: TagType; path: string }>,
): void {
  if (!tags || tags.length === 0) fail(file, path, `missing required field ${path}; expected at least one tag`);
  tags.forEach((tag, i) => {
    const tp = `${path}[${i}]`;
    if (!tag.name) fail(file, `${tp}.name`, `missing required field ${tp}.name; expected a non-empty string`);
    if (!isTagTypeSet(tag.type)) {
      fail(file, `${tp}.type`, `missing required field ${tp}.type; expected one of: ${definedEnumNames('banyandb.database.v1.TagType')}`);
    }
    const earlier = declared.get(tag.name);
    if (earlier) fail(file, `${tp}.name`, `duplicate tag "${tag.name}" at ${tp}.name; already declared at ${earlier.path}`);
    declared.set(tag.name, { type: tag.type, path: `${tp}.name` });
  });
}

function checkTagReference(
  file: string,
  path: string,
  name: string | undefined,
  tags: Map<string, { type: TagType }>,
  what: string,
): TagType {
  if (!name)
    fail(file, path, `missing required field ${path}; expected the name of one of the ${what}'s tags: ${quoteList([...tags.keys()])}`);
  const tag = tags.get(name);
  if (!tag) fail(file, path, `unknown tag "${name}" for ${path}; expected one of the ${what}'s tags: ${quoteList([...tags.keys()])}`);
  return tag.type;
}

/** Tag name -> type of a stream (over all families) or a trace. */
export function subjectTags(r: SchemaResourceOf<'stream'> | SchemaResourceOf<'trace'>): Map<string, { type: TagType }> {
  const out = new Map<string, { type: TagType }>();
  if (r.kind === 'stream') {
    for (const fam of r.resource.tagFamilies ?? []) for (const t of fam.tags ?? []) if (t.name && t.type) out.set(t.name, { type: t.type });
  } else {
    for (const t of r.resource.tags ?? []) if (t.name && t.type) out.set(t.name, { type: t.type });
  }
  return out;
}

function checkStream(file: string, s: Stream): void {
  const families = s.tagFamilies;
  if (!families || families.length === 0)
    fail(file, '$.tagFamilies', 'missing required field $.tagFamilies; expected at least one tag family with tags');
  const declared = new Map<string, { type: TagType; path: string }>();
  const familyNames = new Map<string, string>();
  families.forEach((fam, i) => {
    const fp = `$.tagFamilies[${i}]`;
    if (!fam.name) fail(file, `${fp}.name`, `missing required field ${fp}.name; expected a non-empty string`);
    const earlier = familyNames.get(fam.name);
    if (earlier) fail(file, `${fp}.name`, `duplicate tag family "${fam.name}" at ${fp}.name; already declared at ${earlier}`);
    familyNames.set(fam.name, `${fp}.name`);
    checkTags(file, fam.tags, `${fp}.tags`, declared);
  });
  const names = s.entity?.tagNames;
  if (!names || names.length === 0)
    fail(file, '$.entity.tagNames', 'missing required field $.entity.tagNames; expected at least one tag name');
  names.forEach((n, i) => {
    checkTagReference(file, `$.entity.tagNames[${i}]`, n, declared, 'stream');
  });
}

function checkTrace(file: string, t: Trace): void {
  const declared = new Map<string, { type: TagType; path: string }>();
  checkTags(file, t.tags, '$.tags', declared);
  const expectType = (path: string, name: string | undefined, want: TagType) => {
    const type = checkTagReference(file, path, name, declared, 'trace');
    if (type !== want) fail(file, path, `tag "${name}" named by ${path} has type ${type}; expected a tag of type ${want}`);
  };
  expectType('$.traceIdTagName', t.traceIdTagName, 'TAG_TYPE_STRING');
  expectType('$.spanIdTagName', t.spanIdTagName, 'TAG_TYPE_STRING');
  expectType('$.timestampTagName', t.timestampTagName, 'TAG_TYPE_TIMESTAMP');
}

function checkIndexRule(file: string, r: IndexRule): void {
  const tags = r.tags;
  if (!tags || tags.length === 0) fail(file, '$.tags', 'missing required field $.tags; expected at least one tag name');
  const seen = new Map<string, number>();
  tags.forEach((t, i) => {
    if (!t) fail(file, `$.tags[${i}]`, `empty tag name at $.tags[${i}]; expected a non-empty string`);
    const earlier = seen.get(t);
    if (earlier !== undefined) fail(file, `$.tags[${i}]`, `duplicate tag "${t}" at $.tags[${i}]; already listed at $.tags[${earlier}]`);
    seen.set(t, i);
  });
  if (r.type === undefined || r.type === 'TYPE_UNSPECIFIED') {
    fail(file, '$.type', `missing required field $.type; expected one of: ${definedEnumNames('banyandb.database.v1.IndexRule.Type')}`);
  }
}

function checkBinding(file: string, b: IndexRuleBinding): void {
  if (!b.rules || b.rules.length === 0) fail(file, '$.rules', 'missing required field $.rules; expected at least one index rule name');
  if (!b.subject) fail(file, '$.subject', 'missing required field $.subject; expected an object with catalog and name');
  if (b.subject.catalog === undefined || b.subject.catalog === 'CATALOG_UNSPECIFIED') {
    fail(file, '$.subject.catalog', 'missing required field $.subject.catalog; expected CATALOG_STREAM or CATALOG_TRACE');
  }
  if (!b.subject.name) fail(file, '$.subject.name', 'missing required field $.subject.name; expected the name of a stream or trace');
  if (!b.beginAt) fail(file, '$.beginAt', 'missing required field $.beginAt; expected an RFC 3339 timestamp');
  if (!b.expireAt) fail(file, '$.expireAt', 'missing required field $.expireAt; expected an RFC 3339 timestamp');
  if (tsValue(b.expireAt) <= tsValue(b.beginAt)) fail(file, '$.expireAt', '$.expireAt is not after $.beginAt; expected a later timestamp');
}

async function listDir(dir: string, file: string): Promise<{ name: string; isDirectory: boolean }[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .map((e) => ({ name: e.name, isDirectory: e.isDirectory() }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return fail(
      file,
      '$',
      `cannot read the schema directory (${code}); expected a directory with groups/, streams/, traces/, index_rules/ and index_rule_bindings/`,
      err,
    );
  }
}

/**
 * Reads every `*.json` file of a schema directory and validates it, alone and against the others.
 * Throws {@link SchemaError} naming the file, the JSON path and what was expected.
 */
export async function readSchemaDir(dir: string): Promise<SchemaSet> {
  const subdirs = SCHEMA_KINDS.map((k) => `${k.dir}/`).join(', ');
  const top = await listDir(dir, dir);
  for (const e of top) {
    const path = join(dir, e.name);
    if (e.isDirectory && !SCHEMA_KINDS.some((k) => k.dir === e.name)) {
      fail(path, '$', `unexpected directory in the schema directory; expected only: ${subdirs}`);
    }
    if (!e.isDirectory && e.name.endsWith('.json')) {
      fail(path, '$', `schema file outside a kind directory; expected it under one of: ${subdirs}`);
    }
  }
  const present = new Set(top.filter((e) => e.isDirectory).map((e) => e.name));

  const resources: SchemaResource[] = [];
  const byKey = new Map<string, SchemaResource>();
  const groupModels = new Map<string, { model: SchemaModel; catalog: Catalog }>();

  for (const info of SCHEMA_KINDS) {
    if (!present.has(info.dir)) continue;
    const kindDir = join(dir, info.dir);
    const files = (await listDir(kindDir, kindDir)).filter((e) => e.name.endsWith('.json')).map((e) => join(kindDir, e.name));
    for (const file of files) {
      const msg = (await readResourceFile(file, info)) as SchemaResourceMessages[SchemaKind];
      const { group, name } = checkResource(info.kind, file, msg);
      let model: SchemaModel;
      if (info.kind === 'group') {
        model = checkGroup(file, msg as Group);
      } else {
        const g = groupModels.get(group);
        if (!g) {
          fail(
            file,
            '$.metadata.group',
            `unknown group "${group}" for $.metadata.group; expected one of the groups defined under groups/: ${quoteList([...groupModels.keys()])}`,
          );
        }
        model = g.model;
        if ((info.kind === 'stream' || info.kind === 'trace') && info.kind !== g.model) {
          fail(
            file,
            '$.metadata.group',
            `${info.label} "${name}" is in group "${group}" whose catalog is ${g.catalog}; expected a group with catalog ${CATALOG_OF_MODEL[info.kind]}`,
          );
        }
        if (info.kind === 'stream') checkStream(file, msg as Stream);
        else if (info.kind === 'trace') checkTrace(file, msg as Trace);
        else if (info.kind === 'indexRule') checkIndexRule(file, msg as IndexRule);
        else checkBinding(file, msg as IndexRuleBinding);
      }
      const key = `${info.kind}\u0000${group}\u0000${name}`;
      const earlier = byKey.get(key);
      if (earlier) {
        const what = info.kind === 'group' ? `group "${name}"` : `${info.label} "${name}" in group "${group}"`;
        fail(file, '$.metadata.name', `duplicate ${what}; already defined in ${earlier.file}`);
      }
      const entry = { kind: info.kind, group, name, model, file, resource: msg } as SchemaResource;
      byKey.set(key, entry);
      resources.push(entry);
      if (info.kind === 'group') groupModels.set(name, { model, catalog: (msg as Group).catalog as Catalog });
    }
  }

  if (!resources.some((r) => r.kind === 'group')) {
    fail(dir, '$', `no group found in the schema directory; expected at least one file under groups/ (and the others under ${subdirs})`);
  }

  const set = new SchemaSet(dir, resources);
  for (const binding of set.ofKind('indexRuleBinding')) checkBindingReferences(set, binding, groupModels);
  return set;
}

/** Checks a binding's subject and rules against the rest of the set, and its rules' tags against its subject. */
function checkBindingReferences(
  set: SchemaSet,
  binding: SchemaResourceOf<'indexRuleBinding'>,
  groups: Map<string, { model: SchemaModel; catalog: Catalog }>,
): void {
  const { file, group } = binding;
  const b = binding.resource;
  const subject = b.subject!;
  const g = groups.get(group)!;
  if (subject.catalog !== g.catalog) {
    fail(
      file,
      '$.subject.catalog',
      `$.subject.catalog is ${subject.catalog} but group "${group}" has catalog ${g.catalog}; expected ${g.catalog}`,
    );
  }
  const subjectKind = g.model; // 'stream' | 'trace'
  const target = set.find(subjectKind, group, subject.name!);
  if (!target) {
    const names = set
      .ofKind(subjectKind)
      .filter((r) => r.group === group)
      .map((r) => r.name);
    fail(
      file,
      '$.subject.name',
      `unknown ${subjectKind} "${subject.name}" for $.subject.name; expected one of the ${subjectKind}s of group "${group}": ${quoteList(names)}`,
    );
  }
  const tags = subjectTags(target);
  (b.rules ?? []).forEach((ruleName, i) => {
    const rule = set.find('indexRule', group, ruleName);
    if (!rule) {
      const names = set
        .ofKind('indexRule')
        .filter((r) => r.group === group)
        .map((r) => r.name);
      fail(
        file,
        `$.rules[${i}]`,
        `unknown index rule "${ruleName}" for $.rules[${i}]; expected one of the index rules of group "${group}": ${quoteList(names)}`,
      );
    }
    (rule.resource.tags ?? []).forEach((tag, j) => {
      if (!tags.has(tag)) {
        fail(
          rule.file,
          `$.tags[${j}]`,
          `unknown tag "${tag}" for $.tags[${j}]: ${subjectKind} "${target.name}", to which binding "${binding.name}" (${file}) binds this rule, has no such tag; expected one of: ${quoteList([...tags.keys()])}`,
        );
      }
    });
  });
}
