/**
 * BanyanDB 0.10.3's exact answer texts for the registry, write, health and HTTP paths, as the conformance corpus
 * (../shared/conformance/banyandb-0.10.3) recorded them. The FACT numbers refer to its FACTS.md. Query-side texts
 * live beside this file (emu-query). Internal to the emulator.
 */

/** FACT 5. */
export const ALREADY_EXISTS = 'banyandb: resource already exists';
/** FACT 6. */
export const NOT_FOUND = 'banyandb: resource not found';
/** FACT 8: a List with an empty group name. */
export const INPUT_INVALID = 'banyandb: input is invalid';
/** FACT 1: grpc.health Check of any named service. */
export const UNKNOWN_SERVICE = 'unknown service';

/**
 * FACT 10: the schema validator's chained text. `path` lists the failed fields from the request down, each as
 * `Message.Field`, e.g. `['GroupRegistryServiceCreateRequest.Group', 'Group.Metadata']`; `rule` is the innermost
 * failure, e.g. `value is required`.
 */
export function validatorChain(path: readonly string[], rule: string): string {
  let text = `invalid ${path[path.length - 1]}: ${rule}`;
  for (let i = path.length - 2; i >= 0; i--) text = `invalid ${path[i]}: embedded message failed validation | caused by: ${text}`;
  return text;
}

/** FACT 10: the registry's own (UNKNOWN) checks. */
export const METADATA_NAME_REQUIRED = 'metadata.name is required';
export const CATALOG_UNSPECIFIED = 'catalog is unspecified';
export const GROUP_RESOURCE_OPTS_NIL = 'group resourceOpts is nil';
export const STREAM_NAME_EMPTY = 'stream name is empty';
export const INDEX_RULE_TYPE_UNSPECIFIED = 'indexRule type is unspecified';

/** FACT 12: Update of a missing resource. */
export function schemaNotExist(group: string, name: string): string {
  return `schema ${group}/${name} not exist`;
}

/** FACT 13: a second Delete while the group's asynchronous deletion runs. */
export function deletionInProgress(group: string, secondsAgo: number): string {
  return `deletion task for group ${group} is already in progress (last updated ${secondsAgo}s ago)`;
}

/** FACT 14: Delete of a group re-created under an old name. */
export function collectDataInfoFailed(group: string): string {
  return `failed to collect data info for group ${group}: group ${group} not found`;
}

/** FACT 14: any query of a group re-created under an old name. */
export function recreatedGroupQuery(model: 'stream' | 'trace', name: string, group: string): string {
  return `code: STATUS_INTERNAL_ERROR, msg: execute the query plan for ${model} ${name}: group ${group} not found: invalid query message`;
}

/** FACT 18: call-ending write errors. */
export const WRITE_METADATA_REQUIRED = 'metadata is required for the first request of gRPC stream';
export const STREAM_WRITE_MESSAGE_ID_ZERO = 'invalid WriteRequest.MessageId: value must be greater than 0';
export const STREAM_WRITE_NO_ELEMENT = 'invalid WriteRequest.Element: value is required';
export const TRACE_WRITE_VERSION_ZERO = 'invalid WriteRequest.Version: value must be greater than 0';
export const TRACE_WRITE_NO_TAGS = 'invalid WriteRequest.Tags: value must contain at least 1 item(s)';
/** FACT 18: a trace write call holding a span with more tag values than the schema has tags. */
export function spansTagsMismatch(spans: number, tags: number): string {
  return `the number of spans ${spans} must match the number of tags ${tags}`;
}

/** FACT 3: HTTP answers. */
export const HTTP_HEALTHZ_CONTENT_TYPE = 'text/plain; charset=utf-8';
export const HTTP_JSON_CONTENT_TYPE = 'application/json';
export const HTTP_NOT_FOUND_BODY = '{"code":5,"message":"Not Found","details":[]}';
