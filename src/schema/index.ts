/**
 * Schema files (protobuf JSON) for the stream and trace models, their validation, and loading them onto
 * a BanyanDB server.
 */
export {
  defaultSchemaDir,
  type LoadedResource,
  type LoadReport,
  type SchemaCallOptions,
  type SchemaClient,
  SchemaLoadError,
  SchemaLoader,
  type SchemaLoaderOptions,
  type SchemaResourceRegistry,
  type VerifiedResource,
  type VerifyReport,
} from './loader.js';
export { formatRfc3339, fromProtoJson, parseRfc3339 } from './protojson.js';
export {
  readSchemaDir,
  SCHEMA_KINDS,
  SCHEMA_MODELS,
  type SchemaKind,
  type SchemaKindInfo,
  type SchemaModel,
  type SchemaResource,
  type SchemaResourceMessages,
  type SchemaResourceOf,
  SchemaSet,
} from './set.js';
