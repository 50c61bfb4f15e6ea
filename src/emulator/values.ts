/**
 * Tag values in the emulator: type checks against a schema's TagType, timestamp checks like BanyanDB's,
 * and criteria evaluation over one element's (or span's) tag values. Internal to the emulator.
 */

import { status } from '@grpc/grpc-js';
import type { Condition, Criteria, TagType, TagValue, Timestamp } from '../client/types.js';
import { RpcFailure } from './status.js';

/** A query-planning error; the query handlers wrap it the way BanyanDB reports planning errors. */
export class PlanError extends Error {
  override readonly name = 'PlanError';
}

const planError = (message: string): PlanError => new PlanError(message);

/** The plain-object TagValue shape as decoded (all members optional). */
export interface AnyTagValue {
  null?: unknown;
  str?: { value?: string };
  strArray?: { value?: string[] };
  int?: { value?: number };
  intArray?: { value?: number[] };
  binaryData?: Uint8Array;
  timestamp?: Timestamp;
}

/** The null tag value, used for tags absent from a write. */
export const NULL_VALUE: TagValue = { null: 'NULL_VALUE' };

/** Which TagValue member is set; 'null' for the null value or an empty TagValue. */
export type ValueKind = 'null' | 'str' | 'strArray' | 'int' | 'intArray' | 'binaryData' | 'timestamp';

export function valueKind(v: TagValue | AnyTagValue | undefined): ValueKind {
  if (!v) return 'null';
  const a = v as AnyTagValue;
  if (a.str !== undefined) return 'str';
  if (a.int !== undefined) return 'int';
  if (a.timestamp !== undefined) return 'timestamp';
  if (a.binaryData !== undefined) return 'binaryData';
  if (a.strArray !== undefined) return 'strArray';
  if (a.intArray !== undefined) return 'intArray';
  return 'null';
}

const KIND_OF_TYPE: Record<TagType, ValueKind | undefined> = {
  TAG_TYPE_UNSPECIFIED: undefined,
  TAG_TYPE_STRING: 'str',
  TAG_TYPE_INT: 'int',
  TAG_TYPE_STRING_ARRAY: 'strArray',
  TAG_TYPE_INT_ARRAY: 'intArray',
  TAG_TYPE_DATA_BINARY: 'binaryData',
  TAG_TYPE_TIMESTAMP: 'timestamp',
};

/** The value member a tag of this type must carry. */
export function kindOfType(t: TagType | undefined): ValueKind | undefined {
  return t ? KIND_OF_TYPE[t] : undefined;
}

/** True when `v` may be stored in a tag of type `t` (null fits every type). */
export function fitsType(v: TagValue | undefined, t: TagType | undefined): boolean {
  const k = valueKind(v);
  return k === 'null' || k === kindOfType(t);
}

// ---- timestamps ----

const MIN_NANO_MS = -9_223_372_036_854.775; // Go's time range in nanoseconds, as milliseconds
const MAX_NANO_MS = 9_223_372_036_854.775;

/** Milliseconds since the epoch (fractional when the timestamp is finer than a millisecond). */
export function timestampMs(t: Timestamp | undefined): number {
  return (t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;
}

/**
 * BanyanDB's timestamp check: present, inside Go's nanosecond time range and of millisecond precision.
 * Returns the reason when invalid.
 */
export function checkTimestamp(t: Timestamp | undefined): string | undefined {
  if (!t) return 'time is empty';
  const ms = timestampMs(t);
  if (ms < MIN_NANO_MS || ms > MAX_NANO_MS) return 'time is out of range';
  if ((t.nanos ?? 0) % 1_000_000 !== 0) return 'time is not millisecond precision';
  return undefined;
}

/** The largest millisecond Go's time.Time in nanoseconds can represent: the default end of a time range. */
export const MAX_TIME_MS = Math.floor(MAX_NANO_MS);

// ---- criteria ----

/** Per-tag information a criteria evaluation needs: the declared type. */
export type TagTypes = ReadonlyMap<string, TagType>;

/**
 * A compiled criteria tree: a predicate over a tag lookup. Tags listed in `skip` evaluate to true
 * (BanyanDB's trace planner leaves trace-id, span-id and order-rule tags to other stages).
 */
export type Predicate = (get: (tag: string) => TagValue | undefined) => boolean;

const ALWAYS: Predicate = () => true;

/** Compiles a criteria tree against the schema's tag types; throws a {@link PlanError} on bad input. */
export function compileCriteria(criteria: Criteria | undefined, types: TagTypes, skip: ReadonlySet<string> = new Set()): Predicate {
  if (!criteria) return ALWAYS;
  const c = criteria as { le?: Criteria['le']; condition?: Condition };
  if (c.le) {
    const le = c.le;
    if (!le.left && !le.right) throw planError('invalid logical expression: both sides(left and right) are empty');
    if (!le.left) return compileCriteria(le.right, types, skip);
    if (!le.right) return compileCriteria(le.left, types, skip);
    const left = compileCriteria(le.left, types, skip);
    const right = compileCriteria(le.right, types, skip);
    if (le.op === 'LOGICAL_OP_OR') return (get) => left(get) || right(get);
    if (le.op === 'LOGICAL_OP_AND') return (get) => left(get) && right(get);
    throw planError(`unsupported logical operation ${le.op ?? 'LOGICAL_OP_UNSPECIFIED'}`);
  }
  if (c.condition) return compileCondition(c.condition, types, skip);
  throw planError('invalid criteria type: neither a logical expression nor a condition');
}

function compileCondition(cond: Condition, types: TagTypes, skip: ReadonlySet<string>): Predicate {
  const name = cond.name ?? '';
  const type = types.get(name);
  if (type === undefined) throw planError(`tag "${name}" does not exist in the current schema`);
  if (skip.has(name)) return ALWAYS;
  const op = cond.op ?? 'BINARY_OP_UNSPECIFIED';
  const value = cond.value as AnyTagValue | undefined;
  const tagKind = kindOfType(type);
  const isArrayTag = tagKind === 'strArray' || tagKind === 'intArray';
  switch (op) {
    case 'BINARY_OP_EQ':
    case 'BINARY_OP_NE':
    case 'BINARY_OP_LT':
    case 'BINARY_OP_LE':
    case 'BINARY_OP_GT':
    case 'BINARY_OP_GE': {
      const target = scalarOf(value, tagKind, name) ?? '';
      return (get) => {
        const actual = scalarOf(get(name) as AnyTagValue | undefined, tagKind, name, true);
        // null, or a value of another type than the condition's (a str value on an INT tag): never equal.
        if (actual === undefined || typeof actual !== typeof target) return op === 'BINARY_OP_NE';
        const cmp = compare(actual, target);
        switch (op) {
          case 'BINARY_OP_EQ':
            return cmp === 0;
          case 'BINARY_OP_NE':
            return cmp !== 0;
          case 'BINARY_OP_LT':
            return cmp < 0;
          case 'BINARY_OP_LE':
            return cmp <= 0;
          case 'BINARY_OP_GT':
            return cmp > 0;
          default:
            return cmp >= 0;
        }
      };
    }
    case 'BINARY_OP_IN':
    case 'BINARY_OP_NOT_IN': {
      if (isArrayTag) throw planError(`${op === 'BINARY_OP_IN' ? 'in' : 'not in'} condition is not supported for array type`);
      const set = new Set(listOf(value, name));
      const negate = op === 'BINARY_OP_NOT_IN';
      return (get) => {
        const actual = scalarOf(get(name) as AnyTagValue | undefined, tagKind, name, true);
        if (actual === undefined) return negate;
        return set.has(actual) !== negate;
      };
    }
    case 'BINARY_OP_HAVING':
    case 'BINARY_OP_NOT_HAVING': {
      if (!isArrayTag) throw planError(`having condition needs an array tag, "${name}" is ${type}`);
      const wanted = listOf(value, name);
      const negate = op === 'BINARY_OP_NOT_HAVING';
      return (get) => {
        const v = get(name) as AnyTagValue | undefined;
        const have = new Set<string | number>(v?.strArray?.value ?? v?.intArray?.value ?? []);
        return wanted.every((w) => have.has(w)) !== negate;
      };
    }
    default:
      throw new RpcFailure(status.UNIMPLEMENTED, `the emulator does not support condition operation ${op} (tag "${name}")`);
  }
}

function compare(a: string | number, b: string | number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

/** A comparable scalar of a value for a tag of kind `tagKind`; undefined for null when `allowNull`. */
function scalarOf(
  v: AnyTagValue | undefined,
  tagKind: ValueKind | undefined,
  name: string,
  allowNull = false,
): string | number | undefined {
  const k = valueKind(v);
  if (k === 'null') {
    if (allowNull) return undefined;
    throw planError(`condition on tag "${name}" has no value`);
  }
  if (k === 'str') return v?.str?.value ?? '';
  if (k === 'int') return v?.int?.value ?? 0;
  if (k === 'timestamp') return timestampMs(v?.timestamp);
  if (allowNull) return undefined; // stored value of another kind: never equal
  throw planError(`condition value for tag "${name}" must be ${tagKind ?? 'a scalar'}, got ${k}`);
}

function listOf(v: AnyTagValue | undefined, name: string): (string | number)[] {
  const k = valueKind(v);
  if (k === 'strArray') return v?.strArray?.value ?? [];
  if (k === 'intArray') return v?.intArray?.value ?? [];
  if (k === 'str') return [v?.str?.value ?? ''];
  if (k === 'int') return [v?.int?.value ?? 0];
  throw planError(`condition on tag "${name}" needs a list value, got ${k}`);
}

/** Collects the string values of EQ/IN conditions on `tagName` anywhere in the tree (BanyanDB's trace-id extraction). */
export function collectIds(criteria: Criteria | undefined, tagName: string): { found: boolean; ids: string[] } {
  const ids: string[] = [];
  let found = false;
  const walk = (c: Criteria | undefined): void => {
    if (!c) return;
    const n = c as { le?: Criteria['le']; condition?: Condition };
    if (n.le) {
      walk(n.le.left);
      walk(n.le.right);
      return;
    }
    const cond = n.condition;
    if (cond && cond.name === tagName && (cond.op === 'BINARY_OP_EQ' || cond.op === 'BINARY_OP_IN')) {
      found = true;
      const v = cond.value as AnyTagValue | undefined;
      if (v?.str) ids.push(v.str.value ?? '');
      if (v?.strArray) ids.push(...(v.strArray.value ?? []));
    }
  };
  walk(criteria);
  return { found, ids };
}

/** A sort key for a stored value (int, timestamp ms or string); undefined for null. */
export function sortKey(v: TagValue | undefined): number | string | undefined {
  const a = v as AnyTagValue | undefined;
  switch (valueKind(a)) {
    case 'int':
      return a?.int?.value ?? 0;
    case 'timestamp':
      return timestampMs(a?.timestamp);
    case 'str':
      return a?.str?.value ?? '';
    default:
      return undefined;
  }
}
