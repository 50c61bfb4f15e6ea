/**
 * banyandb-perf: the public API. Everything a user needs is exported from here; anything not exported
 * here is internal and may change without notice.
 */
export * from './errors.js';
export type * from './results.js';
export { RESULTS_SCHEMA_VERSION } from './results.js';
export type * from './client/types.js';
