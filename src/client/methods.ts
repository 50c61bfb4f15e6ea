/**
 * grpc-js method definitions built from the protobufjs services of proto.ts: the method path
 * (`/banyandb.stream.v1.StreamService/Write`) plus serializers that encode/decode through the shared Root.
 * Internal: not part of the public API.
 */
import { decode, encode, serviceType } from './proto.js';

/** One RPC, ready for `grpc.Client.makeUnaryRequest` / `makeBidiStreamRequest`. */
export interface MethodDef<Req, Res> {
  /** `/package.Service/Method` */
  readonly path: string;
  readonly requestType: string;
  readonly responseType: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  readonly serialize: (value: Req) => Buffer;
  readonly deserialize: (bytes: Buffer) => Res;
}

/** Views a Uint8Array as a Buffer without copying (grpc-js needs Buffer methods on serialized messages). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Serializer for frames that are already protobuf-encoded. */
export const identitySerialize = (frame: Uint8Array): Buffer => asBuffer(frame);

/**
 * Builds the definition of `service`'s `method` (both fully qualified / as declared in proto/).
 * Requests are encoded with `encode()` (fromObject: enum names, nested plain objects); responses are
 * decoded into the SDK's plain shape.
 */
export function methodDef<Req extends object, Res>(serviceFullName: string, methodName: string): MethodDef<Req, Res> {
  const service = serviceType(serviceFullName);
  const method = service.methods[methodName];
  if (!method) throw new Error(`proto service ${serviceFullName} has no method ${methodName}`);
  method.resolve();
  const requestType = method.resolvedRequestType!.fullName.replace(/^\./, '');
  const responseType = method.resolvedResponseType!.fullName.replace(/^\./, '');
  return {
    path: `/${serviceFullName}/${methodName}`,
    requestType,
    responseType,
    requestStream: method.requestStream === true,
    responseStream: method.responseStream === true,
    serialize: (value: Req) => asBuffer(encode(requestType, value)),
    deserialize: (bytes: Buffer) => decode<Res>(responseType, bytes),
  };
}
