/** Options of the BanyanDB emulator and their defaults (resolved in one place). */
import { OptionsError } from '../errors.js';
import { checkOptionKeys, optionKeys } from '../options-check.js';

/** Default bind host of {@link startEmulator}: loopback only. */
export const DEFAULT_EMULATOR_HOST = '127.0.0.1';
/** Default ports: 0 lets the OS pick a free port. */
export const DEFAULT_EMULATOR_PORT = 0;
/** Default schema propagation delay: none. */
export const DEFAULT_SCHEMA_PROPAGATION_MS = 0;

/**
 * Which server behaviour the emulator reproduces.
 * - `'banyandb-0.10.3'`: BanyanDB 0.10.3 in every respect the conformance corpus recorded, quirks included
 *   (docs/emulator.md lists them by FACT number).
 * - `'strict'`: the same, but the registry refuses inconsistent schemas BanyanDB 0.10.3 accepts (FACT 11) and the
 *   write path refuses malformed writes it would store as nulls (FACT 20) with STATUS_INTERNAL_ERROR. For the
 *   project's own tests of the schemas and writes it sends; a request that passes only here may fail on BanyanDB.
 */
export type EmulatorBehaviour = 'banyandb-0.10.3' | 'strict';

/** Default behaviour: BanyanDB 0.10.3's. */
export const DEFAULT_EMULATOR_BEHAVIOUR: EmulatorBehaviour = 'banyandb-0.10.3';
const BEHAVIOURS: readonly EmulatorBehaviour[] = ['banyandb-0.10.3', 'strict'];

export interface EmulatorOptions {
  /**
   * Server behaviour to reproduce; see {@link EmulatorBehaviour}.
   * @default 'banyandb-0.10.3'
   */
  behaviour?: EmulatorBehaviour;
  /**
   * Host (interface address) both servers bind to.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * Host the HTTP server binds to, when it differs from {@link EmulatorOptions.host}.
   * @default host
   */
  httpHost?: string;
  /**
   * gRPC port; 0 picks a free port (read it back from {@link Emulator.grpcPort}).
   * @default 0
   */
  grpcPort?: number;
  /**
   * HTTP port (`GET /api/healthz`); 0 picks a free port.
   * @default 0
   */
  httpPort?: number;
  /**
   * A port of its own for `GET /metrics` (as BanyanDB's observability listener, 2121 in its image); 0 picks a free
   * port. The HTTP port serves `/metrics` too, always.
   * @default none (only the HTTP port serves it)
   */
  metricsPort?: number;
  /**
   * Directory under which every accepted write's protobuf bytes are appended (stream writes under
   * `<dataPath>/stream`, spans under `<dataPath>/trace`), so a data volume has a measurable footprint.
   * This is the emulator's footprint, not BanyanDB's. Unset: nothing is written to disk.
   * @default undefined
   */
  dataPath?: string;
  /**
   * Overrides the stream write-log directory (the CLI's `--stream-root-path`).
   * @default `<dataPath>/stream` when dataPath is set
   */
  streamDataPath?: string;
  /**
   * Overrides the trace write-log directory (the CLI's `--trace-root-path`).
   * @default `<dataPath>/trace` when dataPath is set
   */
  traceDataPath?: string;
  /**
   * For this long after a stream/trace is created, the write path does not see it yet, as in BanyanDB
   * before the schema has propagated: stream writes get STATUS_INTERNAL_ERROR, span writes STATUS_NOT_FOUND.
   * @default 0
   */
  schemaPropagationMs?: number;
  /**
   * Receives one line per rejected write and per lifecycle event.
   * @default no logging
   */
  log?: (line: string) => void;
}

export interface ResolvedEmulatorOptions {
  behaviour: EmulatorBehaviour;
  host: string;
  httpHost: string;
  grpcPort: number;
  httpPort: number;
  metricsPort: number | undefined;
  streamDataPath: string | undefined;
  traceDataPath: string | undefined;
  schemaPropagationMs: number;
  log: (line: string) => void;
}

function port(option: string, value: number | undefined): number {
  const p = value ?? DEFAULT_EMULATOR_PORT;
  if (!Number.isInteger(p) || p < 0 || p > 65535)
    throw new OptionsError(option, `${option} must be an integer port 0..65535, got ${String(value)}`);
  return p;
}

const EMULATOR_OPTION_KEYS = optionKeys<EmulatorOptions>({
  behaviour: true,
  host: true,
  httpHost: true,
  grpcPort: true,
  httpPort: true,
  metricsPort: true,
  dataPath: true,
  streamDataPath: true,
  traceDataPath: true,
  schemaPropagationMs: true,
  log: true,
});

export function resolveEmulatorOptions(o: EmulatorOptions = {}): ResolvedEmulatorOptions {
  checkOptionKeys(o, EMULATOR_OPTION_KEYS, 'startEmulator()');
  const propagation = o.schemaPropagationMs ?? DEFAULT_SCHEMA_PROPAGATION_MS;
  if (!Number.isFinite(propagation) || propagation < 0) {
    throw new OptionsError('schemaPropagationMs', `schemaPropagationMs must be a number >= 0, got ${String(o.schemaPropagationMs)}`);
  }
  const behaviour = o.behaviour ?? DEFAULT_EMULATOR_BEHAVIOUR;
  if (!BEHAVIOURS.includes(behaviour)) {
    throw new OptionsError(
      'behaviour',
      `behaviour must be one of ${BEHAVIOURS.map((b) => `'${b}'`).join(', ')}, got ${String(o.behaviour)}`,
    );
  }
  const host = o.host ?? DEFAULT_EMULATOR_HOST;
  if (!host) throw new OptionsError('host', 'host must not be empty');
  return {
    behaviour,
    host,
    httpHost: o.httpHost || host,
    grpcPort: port('grpcPort', o.grpcPort),
    httpPort: port('httpPort', o.httpPort),
    metricsPort: o.metricsPort === undefined ? undefined : port('metricsPort', o.metricsPort),
    streamDataPath: o.streamDataPath ?? (o.dataPath ? `${o.dataPath}/stream` : undefined),
    traceDataPath: o.traceDataPath ?? (o.dataPath ? `${o.dataPath}/trace` : undefined),
    schemaPropagationMs: propagation,
    log: o.log ?? (() => {}),
  };
}
