/**
 * Reports of a benchmark result: plain-text console report, self-contained HTML report, and the
 * versioned results files (JSON + HTML + latest.json).
 */
export { type ConsoleReportOptions, formatConsoleReport } from './console.js';
export {
  DEFAULT_RESULTS_DIR,
  LATEST_FILE,
  readLastResults,
  readResultsFile,
  type WrittenResults,
  writeResults,
} from './files.js';
export { EMULATOR_WARNING, isEmulatorTarget } from './format.js';
export { renderHtmlReport } from './html.js';
export { escapeHtml } from './svg.js';
