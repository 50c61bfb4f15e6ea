/**
 * grpc-js service definitions built from the protobufjs services in src/client/proto.ts. Requests are
 * decoded into the SDK's plain shape (keeping the raw bytes, which the write log needs); responses are
 * encoded from plain objects. Internal to the emulator (also used by its tests to build a plain client).
 */
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { decode, encode, serviceType } from '../client/proto.js';
import type { StreamQueryResponse, TraceQueryResponse } from '../client/types.js';
import { encodeStreamQueryResponse, encodeTraceQueryResponse, encodeWriteResponse } from '../wire/responses.js';

const { Reader, Writer } = protobuf;

/** A decoded request and the bytes it came from. */
export interface Decoded<T> {
  msg: T;
  raw: Buffer;
}

const toBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * Response types encoded by src/wire's hand-written encoder (the same bytes as protobufjs, without its message objects);
 * it returns undefined for shapes it does not handle, which protobufjs then encodes.
 */
const FAST_RESPONSES: Record<string, (value: object) => Buffer | undefined> = {
  'banyandb.stream.v1.QueryResponse': (v) => encodeStreamQueryResponse(v as StreamQueryResponse),
  'banyandb.trace.v1.QueryResponse': (v) => encodeTraceQueryResponse(v as TraceQueryResponse),
  'banyandb.stream.v1.WriteResponse': (v) => encodeWriteResponse('stream', v),
  'banyandb.trace.v1.WriteResponse': (v) => encodeWriteResponse('trace', v),
};

/** Server-side definition: requests arrive as {@link Decoded}, responses are plain objects. */
export function serverServiceDefinition(serviceFullName: string): ServiceDefinition {
  const service = serviceType(serviceFullName);
  const def: Record<string, MethodDefinition<Decoded<unknown>, object>> = {};
  for (const method of Object.values(service.methods)) {
    method.resolve();
    const reqType = method.resolvedRequestType!.fullName.replace(/^\./, '');
    const resType = method.resolvedResponseType!.fullName.replace(/^\./, '');
    def[method.name] = {
      path: `/${serviceFullName}/${method.name}`,
      requestStream: method.requestStream === true,
      responseStream: method.responseStream === true,
      requestSerialize: (value) => value.raw,
      requestDeserialize: (bytes: Buffer) => ({ msg: decode<unknown>(reqType, bytes), raw: bytes }),
      responseSerialize: fastSerialize(resType),
      responseDeserialize: (bytes: Buffer) => decode<object>(resType, bytes),
      originalName: method.name,
    };
  }
  return def;
}

function fastSerialize(resType: string): (value: object) => Buffer {
  const fast = FAST_RESPONSES[resType];
  if (!fast) return (value) => toBuffer(encode(resType, value));
  return (value) => fast(value) ?? toBuffer(encode(resType, value));
}

/** Client-side definition over plain objects (for tests and tools that do not use the SDK client). */
export function clientServiceDefinition(serviceFullName: string): ServiceDefinition {
  const service = serviceType(serviceFullName);
  const def: Record<string, MethodDefinition<object, object>> = {};
  for (const method of Object.values(service.methods)) {
    method.resolve();
    const reqType = method.resolvedRequestType!.fullName.replace(/^\./, '');
    const resType = method.resolvedResponseType!.fullName.replace(/^\./, '');
    def[method.name] = {
      path: `/${serviceFullName}/${method.name}`,
      requestStream: method.requestStream === true,
      responseStream: method.responseStream === true,
      requestSerialize: (value: object) => toBuffer(encode(reqType, value)),
      requestDeserialize: (bytes: Buffer) => decode<object>(reqType, bytes),
      responseSerialize: (value: object) => toBuffer(encode(resType, value)),
      responseDeserialize: (bytes: Buffer) => decode<object>(resType, bytes),
    };
  }
  return def;
}

/** Every service the emulator serves, by fully qualified name. */
export const SERVICES = {
  health: 'grpc.health.v1.Health',
  group: 'banyandb.database.v1.GroupRegistryService',
  stream: 'banyandb.database.v1.StreamRegistryService',
  trace: 'banyandb.database.v1.TraceRegistryService',
  indexRule: 'banyandb.database.v1.IndexRuleRegistryService',
  indexRuleBinding: 'banyandb.database.v1.IndexRuleBindingRegistryService',
  streamData: 'banyandb.stream.v1.StreamService',
  traceData: 'banyandb.trace.v1.TraceService',
} as const;

/** `banyandb.common.v1.Service`, whose GetAPIVersion the project's proto/ subset does not carry. */
export const API_VERSION_SERVICE = 'banyandb.common.v1.Service';

/** The answer of GetAPIVersion: `GetAPIVersionResponse { APIVersion version = 1 }`, `APIVersion { version = 1; revision = 2 }`. */
export interface ApiVersion {
  version: string;
  revision: string;
}

/**
 * Server-side definition of GetAPIVersion, encoded by hand (two strings in one message): the request
 * (`GetAPIVersionRequest`) is empty and ignored.
 */
export function apiVersionServiceDefinition(): ServiceDefinition {
  const method: MethodDefinition<Buffer, ApiVersion> = {
    path: `/${API_VERSION_SERVICE}/GetAPIVersion`,
    requestStream: false,
    responseStream: false,
    requestSerialize: (value) => value,
    requestDeserialize: (bytes: Buffer) => bytes,
    responseSerialize: (v: ApiVersion) => {
      const inner = Writer.create().uint32(10).string(v.version).uint32(18).string(v.revision).finish();
      return toBuffer(Writer.create().uint32(10).bytes(inner).finish());
    },
    responseDeserialize: (bytes: Buffer) => decodeApiVersion(bytes),
    originalName: 'GetAPIVersion',
  };
  return { GetAPIVersion: method };
}

/** Reads a GetAPIVersionResponse (for tests). */
export function decodeApiVersion(bytes: Uint8Array): ApiVersion {
  const out: ApiVersion = { version: '', revision: '' };
  const r = Reader.create(bytes);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 !== 1) {
      r.skipType(tag & 7);
      continue;
    }
    const inner = Reader.create(r.bytes());
    while (inner.pos < inner.len) {
      const t = inner.uint32();
      if (t >>> 3 === 1) out.version = inner.string();
      else if (t >>> 3 === 2) out.revision = inner.string();
      else inner.skipType(t & 7);
    }
  }
  return out;
}
