/**
 * The protobuf runtime shared by the client, the emulator and the SchemaLoader: one protobufjs Root,
 * built from the descriptor compiled out of proto/, and fixed conversion options so every module sees
 * messages in the same plain-object shape (see types.ts).
 *
 * Internal: not part of the public API.
 */
import protobuf from 'protobufjs';
import { descriptor } from './descriptor.generated.js';

export const root: protobuf.Root = protobuf.Root.fromJSON(descriptor as unknown as protobuf.INamespace);
root.resolveAll();

/** How decoded messages are turned into plain objects everywhere in the SDK. */
export const TO_OBJECT: protobuf.IConversionOptions = {
  longs: Number,
  enums: String,
  arrays: true,
  defaults: false,
  oneofs: false,
};

const typeCache = new Map<string, protobuf.Type>();

/** Looks up a message type by its fully qualified name, e.g. `banyandb.stream.v1.WriteRequest`. */
export function messageType(fullName: string): protobuf.Type {
  let t = typeCache.get(fullName);
  if (!t) {
    t = root.lookupType(fullName);
    typeCache.set(fullName, t);
  }
  return t;
}

/** Looks up an enum by its fully qualified name. */
export function enumType(fullName: string): protobuf.Enum {
  return root.lookupEnum(fullName);
}

/** Looks up a service by its fully qualified name. */
export function serviceType(fullName: string): protobuf.Service {
  return root.lookupService(fullName);
}

/**
 * Encodes a plain object (enums as names or numbers) into protobuf bytes.
 * `fromObject` converts enum names, Timestamps and bytes; use {@link encodeRaw} on the hot path.
 */
export function encode(fullName: string, obj: object): Uint8Array {
  const t = messageType(fullName);
  return t.encode(t.fromObject(obj as Record<string, unknown>)).finish();
}

/**
 * Encodes an object already in protobufjs' runtime shape (enums as numbers, bytes as Uint8Array) without
 * conversion: the fast path for write requests.
 */
export function encodeRaw(fullName: string, obj: object): Uint8Array {
  return messageType(fullName).encode(obj).finish();
}

/** Decodes bytes into the SDK's plain-object shape. */
export function decode<T>(fullName: string, bytes: Uint8Array): T {
  const t = messageType(fullName);
  return t.toObject(t.decode(bytes), TO_OBJECT) as T;
}

/** Converts a plain object to protobuf's canonical JSON-ish plain shape and back; used to deep-copy messages. */
export function normalize<T>(fullName: string, obj: object): T {
  const t = messageType(fullName);
  return t.toObject(t.fromObject(obj as Record<string, unknown>), TO_OBJECT) as T;
}
