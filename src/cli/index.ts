/** The `banyandb-perf` command line as a function (for tests and embedding). */
export { type CliIo, EXIT, runCli } from './run.js';
