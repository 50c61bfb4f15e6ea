/**
 * Strict protobuf-JSON ("protojson") conversion driven by the shared protobufjs reflection: turns a parsed
 * JSON value into the SDK's plain message shape (see src/client/types.ts) and rejects anything that is not a
 * valid rendering of the message, with a {@link SchemaError} that names the file, the JSON path and what was
 * expected.
 *
 * Accepted, as in the protobuf JSON mapping: field names in lowerCamel (JSON name) or snake_case (proto
 * name); enum values as names or numbers; 64-bit integers as numbers or decimal strings; 32-bit integers
 * also as decimal strings; floats also as "NaN" / "Infinity" / "-Infinity"; bytes as standard or URL-safe
 * base64; google.protobuf.Timestamp as an RFC 3339 string (Z or offset, 0–9 fraction digits);
 * google.protobuf.Struct / Value / ListValue as free JSON.
 *
 * Stricter than the mapping: `null` is rejected everywhere except as a google.protobuf.Value or
 * NullValue, and one field may not be given under both of its names.
 *
 * Internal: not part of the public API.
 */
import protobuf from 'protobufjs';
import { messageType } from '../client/proto.js';
import type { Timestamp } from '../client/types.js';
import { SchemaError } from '../errors.js';
import { jsonPathMember } from './json.js';

/** Converts `value` into the plain shape of message `typeName`; throws {@link SchemaError} when it does not fit. */
export function fromProtoJson<T>(typeName: string, value: unknown, options: { file?: string; jsonPath?: string } = {}): T {
  const walker = new Walker(options.file);
  return walker.message(messageType(typeName), value, options.jsonPath ?? '$') as T;
}

/** The JSON type of a value, as named in error messages. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Converts a lowerCamel JSON name back to the snake_case proto name it was derived from. */
export function snakeCase(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const INT_RANGES: Record<string, readonly [number, number]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  sint32: [-(2 ** 31), 2 ** 31 - 1],
  sfixed32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  fixed32: [0, 2 ** 32 - 1],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  sint64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  sfixed64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint64: [0, Number.MAX_SAFE_INTEGER],
  fixed64: [0, Number.MAX_SAFE_INTEGER],
};

/** Per message type: both names of every field, mapped to the field. */
const fieldIndexCache = new WeakMap<protobuf.Type, Map<string, protobuf.Field>>();

function fieldIndex(type: protobuf.Type): Map<string, protobuf.Field> {
  let index = fieldIndexCache.get(type);
  if (!index) {
    index = new Map();
    for (const f of type.fieldsArray) {
      index.set(f.name, f);
      index.set(snakeCase(f.name), f);
    }
    fieldIndexCache.set(type, index);
  }
  return index;
}

function typeName(t: protobuf.ReflectionObject): string {
  return t.fullName.replace(/^\./, '');
}

class Walker {
  constructor(private readonly file: string | undefined) {}

  fail(message: string, jsonPath: string): never {
    throw new SchemaError(this.file ? `${this.file}: ${message}` : message, { file: this.file, jsonPath });
  }

  wrongType(expected: string, path: string, value: unknown): never {
    return this.fail(`expected ${expected} for ${path}, got ${jsonTypeOf(value)}`, path);
  }

  message(type: protobuf.Type, value: unknown, path: string): unknown {
    switch (typeName(type)) {
      case 'google.protobuf.Timestamp':
        return this.timestamp(value, path);
      case 'google.protobuf.Value':
        return this.anyValue(value, path);
      case 'google.protobuf.Struct':
        return this.struct(value, path);
      case 'google.protobuf.ListValue':
        return this.listValue(value, path);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return this.wrongType(`an object (${typeName(type)})`, path, value);
    }
    const index = fieldIndex(type);
    const out: Record<string, unknown> = {};
    const setBy = new Map<string, string>(); // field name -> JSON path that set it
    const oneofSetBy = new Map<protobuf.OneOf, protobuf.Field>();
    for (const [key, raw] of Object.entries(value)) {
      const memberPath = jsonPathMember(path, key);
      const field = index.get(key);
      if (!field) {
        const names = type.fieldsArray.map((f) => f.name).join(', ');
        this.fail(`unknown field ${memberPath}; expected one of the fields of ${typeName(type)}: ${names}`, memberPath);
      }
      const earlier = setBy.get(field.name);
      if (earlier !== undefined) {
        this.fail(`field ${memberPath} repeats ${earlier} (both name the field ${field.name}); expected it once`, memberPath);
      }
      setBy.set(field.name, memberPath);
      const oneof = field.partOf;
      if (oneof && oneof.oneof.length > 1) {
        const other = oneofSetBy.get(oneof);
        if (other) {
          this.fail(
            `fields "${other.name}" and "${field.name}" of oneof "${oneof.name}" are both set in ${path}; expected at most one of: ${oneof.oneof.join(', ')}`,
            memberPath,
          );
        }
        oneofSetBy.set(oneof, field);
      }
      out[field.name] = this.field(field, raw, memberPath);
    }
    return out;
  }

  field(field: protobuf.Field, value: unknown, path: string): unknown {
    if (field instanceof protobuf.MapField || (field as { map?: boolean }).map) {
      return this.map(field as unknown as protobuf.MapField, value, path);
    }
    if (field.repeated) {
      if (!Array.isArray(value)) return this.wrongType('an array', path, value);
      return value.map((item, i) => this.single(field, item, `${path}[${i}]`));
    }
    return this.single(field, value, path);
  }

  map(field: protobuf.MapField, value: unknown, path: string): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return this.wrongType('an object (a map)', path, value);
    const out: Record<string, unknown> = {};
    for (const [key, raw] of Object.entries(value)) {
      const memberPath = jsonPathMember(path, key);
      if (field.keyType !== 'string') {
        if (field.keyType === 'bool') {
          if (key !== 'true' && key !== 'false') this.fail(`expected a map key "true" or "false" for ${memberPath}`, memberPath);
        } else this.integer(field.keyType, key, memberPath);
      }
      Object.defineProperty(out, key, { value: this.single(field, raw, memberPath), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  /** One (non-repeated) value of the field's type. */
  single(field: protobuf.FieldBase, value: unknown, path: string): unknown {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) return this.message(resolved, value, path);
    if (resolved instanceof protobuf.Enum) return this.enumValue(resolved, value, path);
    return this.scalar(field.type, value, path);
  }

  enumValue(en: protobuf.Enum, value: unknown, path: string): string {
    if (value === null && typeName(en) === 'google.protobuf.NullValue') return 'NULL_VALUE';
    const names = Object.keys(en.values);
    if (typeof value === 'string') {
      if (Object.hasOwn(en.values, value)) return value;
      return this.fail(
        `unknown value ${JSON.stringify(value)} for ${path} (enum ${typeName(en)}); expected one of: ${names.join(', ')}`,
        path,
      );
    }
    if (typeof value === 'number') {
      const name = Number.isInteger(value) ? en.valuesById[value] : undefined;
      if (name !== undefined) return name;
      return this.fail(
        `unknown value ${value} for ${path} (enum ${typeName(en)}); expected one of: ${names.map((n) => `${n} (${en.values[n]})`).join(', ')}`,
        path,
      );
    }
    return this.wrongType(`an enum value name (${typeName(en)}) as a string`, path, value);
  }

  scalar(type: string, value: unknown, path: string): unknown {
    switch (type) {
      case 'string':
        if (typeof value !== 'string') return this.wrongType('a string', path, value);
        return value;
      case 'bool':
        if (typeof value !== 'boolean') return this.wrongType('a boolean', path, value);
        return value;
      case 'double':
      case 'float':
        return this.float(type, value, path);
      case 'bytes':
        return this.bytes(value, path);
      default:
        if (type in INT_RANGES) return this.integer(type, value, path);
        return this.fail(`cannot convert ${path}: unsupported protobuf type ${type}`, path);
    }
  }

  integer(type: string, value: unknown, path: string): number {
    const range = INT_RANGES[type] ?? [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
    let n: number;
    if (typeof value === 'number') n = value;
    else if (typeof value === 'string' && /^-?[0-9]+$/.test(value)) n = Number(value);
    else if (typeof value === 'string')
      return this.fail(`expected an integer (${type}) for ${path}, got string ${JSON.stringify(value)}`, path);
    else return this.wrongType(`an integer (${type})`, path, value);
    if (!Number.isInteger(n)) return this.fail(`expected an integer (${type}) for ${path}, got ${String(value)}`, path);
    if (n < range[0] || n > range[1]) {
      return this.fail(`expected an integer in [${range[0]}, ${range[1]}] (${type}) for ${path}, got ${String(value)}`, path);
    }
    return n;
  }

  float(type: string, value: unknown, path: string): number {
    if (typeof value === 'number') return value;
    if (typeof value === 'string') {
      if (value === 'NaN') return Number.NaN;
      if (value === 'Infinity') return Number.POSITIVE_INFINITY;
      if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
      if (/^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/.test(value)) return Number(value);
      return this.fail(`expected a number (${type}) for ${path}, got string ${JSON.stringify(value)}`, path);
    }
    return this.wrongType(`a number (${type})`, path, value);
  }

  bytes(value: unknown, path: string): Uint8Array {
    if (typeof value !== 'string') return this.wrongType('a base64 string (bytes)', path, value);
    const body = value.replace(/={1,2}$/, '');
    if (!/^[A-Za-z0-9+/]*$/.test(body) && !/^[A-Za-z0-9_-]*$/.test(body)) {
      return this.fail(`expected base64 (bytes) for ${path}, got a string with characters outside the base64 alphabet`, path);
    }
    if (body.length % 4 === 1 || (value.length !== body.length && value.length % 4 !== 0)) {
      return this.fail(`expected base64 (bytes) for ${path}, got a string of invalid length ${value.length}`, path);
    }
    return new Uint8Array(Buffer.from(body, body.includes('-') || body.includes('_') ? 'base64url' : 'base64'));
  }

  timestamp(value: unknown, path: string): Timestamp {
    if (typeof value !== 'string') return this.wrongType('an RFC 3339 timestamp string', path, value);
    const parsed = parseRfc3339(value);
    if (typeof parsed === 'string') {
      return this.fail(
        `invalid timestamp ${JSON.stringify(value)} for ${path} (${parsed}); expected RFC 3339 such as 2024-01-01T00:00:00Z`,
        path,
      );
    }
    return parsed;
  }

  anyValue(value: unknown, path: string): unknown {
    if (value === null) return { nullValue: 'NULL_VALUE' };
    if (typeof value === 'number') return { numberValue: value };
    if (typeof value === 'string') return { stringValue: value };
    if (typeof value === 'boolean') return { boolValue: value };
    if (Array.isArray(value)) return { listValue: this.listValue(value, path) };
    return { structValue: this.struct(value, path) };
  }

  struct(value: unknown, path: string): unknown {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return this.wrongType('an object (google.protobuf.Struct)', path, value);
    const fields: Record<string, unknown> = {};
    for (const [key, raw] of Object.entries(value)) {
      Object.defineProperty(fields, key, {
        value: this.anyValue(raw, jsonPathMember(path, key)),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return { fields };
  }

  listValue(value: unknown, path: string): unknown {
    if (!Array.isArray(value)) return this.wrongType('an array (google.protobuf.ListValue)', path, value);
    return { values: value.map((v, i) => this.anyValue(v, `${path}[${i}]`)) };
  }
}

const RFC3339 =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))$/;
/** Seconds of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the range of google.protobuf.Timestamp. */
const MIN_SECONDS = -62_135_596_800;
const MAX_SECONDS = 253_402_300_799;

/** Days since 1970-01-01 of a proleptic Gregorian date (valid for every year, unlike Date.UTC below 100). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/**
 * Parses an RFC 3339 date-time (`2024-01-01T00:00:00Z`, `2024-01-01T08:00:00.5+08:00`, up to nanosecond
 * fractions) into a Timestamp; returns the reason as a string when the text is not one.
 */
export function parseRfc3339(text: string): Timestamp | string {
  const m = RFC3339.exec(text);
  if (!m) return 'not in the form YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)';
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fraction = m[7];
  if (month < 1 || month > 12) return `month ${m[2]} out of range`;
  if (day < 1 || day > daysInMonth(year, month)) return `day ${m[3]} does not exist in ${m[1]}-${m[2]}`;
  if (hour > 23) return `hour ${m[4]} out of range`;
  if (minute > 59) return `minute ${m[5]} out of range`;
  if (second > 59) return `second ${m[6]} out of range`;
  if (fraction !== undefined && fraction.length > 9) return 'more than 9 fractional digits';
  let offsetSeconds = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return `offset ${m[9]}${m[10]}:${m[11]} out of range`;
    offsetSeconds = (m[9] === '-' ? -1 : 1) * (oh * 3600 + om * 60);
  }
  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds;
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) return 'outside 0001-01-01T00:00:00Z..9999-12-31T23:59:59Z';
  const nanos = fraction === undefined ? 0 : Number(fraction.padEnd(9, '0'));
  return nanos === 0 ? { seconds } : { seconds, nanos };
}

/** Formats a Timestamp as RFC 3339 in UTC (`Z`), with as many fraction digits as needed (0, 3, 6 or 9). */
export function formatRfc3339(ts: Timestamp): string {
  const seconds = ts.seconds ?? 0;
  const nanos = ts.nanos ?? 0;
  const iso = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  if (nanos === 0) return `${iso}Z`;
  let frac = String(nanos).padStart(9, '0');
  while (frac.endsWith('000')) frac = frac.slice(0, -3);
  return `${iso}.${frac}Z`;
}
