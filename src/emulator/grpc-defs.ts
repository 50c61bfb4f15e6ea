/**
 * grpc-js service definitions built from the protobufjs services in src/client/proto.ts. Requests are
 * decoded into the SDK's plain shape (keeping the raw bytes, which the write log needs); responses are
 * encoded from plain objects. Internal to the emulator (also used by its tests to build a plain client).
 */
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { decode, encode, serviceType } from '../client/proto.js';

/** A decoded request and the bytes it came from. */
export interface Decoded<T> {
  msg: T;
  raw: Buffer;
}

const toBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

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
      responseSerialize: (value: object) => toBuffer(encode(resType, value)),
      responseDeserialize: (bytes: Buffer) => decode<object>(resType, bytes),
      originalName: method.name,
    };
  }
  return def;
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
