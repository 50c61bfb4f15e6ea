/**
 * Stream and trace queries over the in-memory data. The behaviour is BanyanDB 0.10.3's, quirks included;
 * it lives in the version profile (./banyandb-0.10.3/query.ts) so a later server version can be added
 * beside it. Internal to the emulator.
 */
export { DEFAULT_LIMIT as DEFAULT_QUERY_LIMIT, queryStream, queryTrace } from './banyandb-0.10.3/query.js';
