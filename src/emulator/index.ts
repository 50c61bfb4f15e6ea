/** The BanyanDB emulator: an in-memory, BanyanDB-compatible gRPC + HTTP server for tests and dry runs. */
export type { EmulatorBehaviour, EmulatorOptions } from './options.js';
export { DEFAULT_EMULATOR_BEHAVIOUR, DEFAULT_EMULATOR_HOST, DEFAULT_SCHEMA_PROPAGATION_MS } from './options.js';
export type { Emulator } from './server.js';
export { startEmulator } from './server.js';
