/**
 * CLI entry of the stand-alone emulator (`node dist/emulator-server.js`), also the entrypoint of the
 * emulator Docker image. Accepts BanyanDB's `standalone` command and its flags, so the same compose file
 * can start either; flags the emulator has no use for are ignored with a warning.
 */
import { startEmulator } from './server.js';

/** BanyanDB's default ports. */
const DEFAULT_GRPC_PORT = 17912;
const DEFAULT_HTTP_PORT = 17913;
/** In CLI mode the emulator listens on every interface, like BanyanDB in a container. */
const DEFAULT_CLI_HOST = '0.0.0.0';
/** Rejected writes logged before the emulator stops logging them one by one. */
const MAX_LOGGED_REJECTIONS = 100;

const USAGE = `Usage: emulator-server [standalone] [flags]

An in-memory BanyanDB v0.10.3-compatible server for tests and dry runs (banyandb-perf).
Its figures are never BanyanDB's.

Flags:
  --grpc-port <port>              gRPC port (default ${DEFAULT_GRPC_PORT})
  --http-port <port>              HTTP port, GET /api/healthz (default ${DEFAULT_HTTP_PORT})
  --host <addr>                   bind address of both servers (default ${DEFAULT_CLI_HOST})
  --grpc-host <addr>              bind address of the gRPC server
  --http-host <addr>              bind address of the HTTP server
  --stream-root-path <dir>        append accepted stream writes under <dir> (the emulator's footprint)
  --trace-root-path <dir>         append accepted span writes under <dir> (the emulator's footprint)
  --schema-propagation-ms <ms>    hide new streams/traces from writes for this long (default 0)
  --observability-listener-addr <[host]:port>
                                  also serve GET /metrics there, as BanyanDB does on :2121
                                  (default: /metrics on the HTTP port only)
  -h, --help                      show this help

Other BanyanDB flags (--measure-root-path, --pprof-listener-addr, ...) are accepted and ignored.
`;

/** Parsed command line. */
export interface CliConfig {
  help: boolean;
  grpcPort: number;
  httpPort: number;
  grpcHost: string;
  httpHost: string;
  streamRootPath: string | undefined;
  traceRootPath: string | undefined;
  schemaPropagationMs: number;
  /** --observability-listener-addr's port (its host is the HTTP host), when given. */
  metricsPort: number | undefined;
  ignored: string[];
}

/** A command-line problem: message for stderr, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const KNOWN = new Set([
  'grpc-port',
  'http-port',
  'host',
  'grpc-host',
  'http-host',
  'stream-root-path',
  'trace-root-path',
  'schema-propagation-ms',
  'observability-listener-addr',
]);

function portOf(flag: string, v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new UsageError(`--${flag} expects a port 0..65535, got "${v}"`);
  return n;
}

/** Parses the arguments (without node and the script). */
export function parseArgs(argv: readonly string[]): CliConfig {
  const cfg: CliConfig = {
    help: false,
    grpcPort: DEFAULT_GRPC_PORT,
    httpPort: DEFAULT_HTTP_PORT,
    grpcHost: DEFAULT_CLI_HOST,
    httpHost: DEFAULT_CLI_HOST,
    streamRootPath: undefined,
    traceRootPath: undefined,
    schemaPropagationMs: 0,
    metricsPort: undefined,
    ignored: [],
  };
  const args = [...argv];
  if (args[0] === 'standalone') args.shift();
  let host: string | undefined;
  let grpcHost: string | undefined;
  let httpHost: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-h' || arg === '--help') {
      cfg.help = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}" (only "standalone" and --flags are accepted)`);
    const eq = arg.indexOf('=');
    const flag = arg.slice(2, eq >= 0 ? eq : undefined);
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < args.length && !args[i + 1]!.startsWith('--')) value = args[++i];
    if (!KNOWN.has(flag)) {
      cfg.ignored.push(flag);
      continue;
    }
    if (value === undefined || value === '') throw new UsageError(`--${flag} needs a value`);
    switch (flag) {
      case 'grpc-port':
        cfg.grpcPort = portOf(flag, value);
        break;
      case 'http-port':
        cfg.httpPort = portOf(flag, value);
        break;
      case 'host':
        host = value;
        break;
      case 'grpc-host':
        grpcHost = value;
        break;
      case 'http-host':
        httpHost = value;
        break;
      case 'stream-root-path':
        cfg.streamRootPath = value;
        break;
      case 'trace-root-path':
        cfg.traceRootPath = value;
        break;
      case 'observability-listener-addr': {
        const m = /^(?:[^:]*|\[[0-9a-fA-F:.]+\]):(\d+)$/.exec(value);
        if (!m) throw new UsageError(`--${flag} expects [host]:port such as :2121, got "${value}"`);
        cfg.metricsPort = portOf(flag, m[1]!);
        break;
      }
      default: {
        const ms = Number(value);
        if (!Number.isFinite(ms) || ms < 0) throw new UsageError(`--${flag} expects milliseconds >= 0, got "${value}"`);
        cfg.schemaPropagationMs = ms;
      }
    }
  }
  cfg.grpcHost = grpcHost ?? host ?? DEFAULT_CLI_HOST;
  cfg.httpHost = httpHost ?? host ?? DEFAULT_CLI_HOST;
  return cfg;
}

/** Runs the CLI; resolves with the exit code once the emulator has stopped (or at once on bad usage). */
export async function main(argv: readonly string[]): Promise<number> {
  let cfg: CliConfig;
  try {
    cfg = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`emulator-server: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  if (cfg.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  for (const flag of cfg.ignored) process.stderr.write(`emulator-server: warning: ignoring BanyanDB flag --${flag}\n`);
  // Started with an IPC channel (openTarget's emulator child, see child.ts): the parent is gone once the channel
  // closes, whether it exited, crashed or was SIGKILLed; never outlive it.
  let onParentGone: (() => void) | undefined;
  // A terminal's Ctrl-C reaches the whole process group: the parent decides what follows (it closes the target, which
  // sends SIGTERM, or dies, which closes the channel), so the child does not stop on its own.
  if (process.send) {
    process.once('disconnect', () => (onParentGone ? onParentGone() : process.exit(0)));
    process.on('SIGINT', () => undefined);
  }
  let rejections = 0;
  const log = (line: string): void => {
    if (line.includes(' write ')) {
      rejections++;
      if (rejections > MAX_LOGGED_REJECTIONS) {
        if (rejections === MAX_LOGGED_REJECTIONS + 1) process.stderr.write('emulator-server: further rejected writes are not logged\n');
        return;
      }
    }
    process.stderr.write(`${line}\n`);
  };
  const emulator = await startEmulator({
    host: cfg.grpcHost,
    httpHost: cfg.httpHost,
    grpcPort: cfg.grpcPort,
    httpPort: cfg.httpPort,
    ...(cfg.metricsPort !== undefined ? { metricsPort: cfg.metricsPort } : {}),
    streamDataPath: cfg.streamRootPath,
    traceDataPath: cfg.traceRootPath,
    schemaPropagationMs: cfg.schemaPropagationMs,
    log,
  });
  const metricsNote = emulator.metricsPort !== undefined ? `, metrics on port ${emulator.metricsPort}` : '';
  process.stdout.write(
    `banyandb-perf emulator serving gRPC on ${emulator.grpcAddress} and HTTP on ${emulator.httpAddress}${metricsNote} (in-memory BanyanDB v0.10.3 emulator, not BanyanDB)\n`,
  );
  if (process.send && process.connected) {
    process.send({ type: 'banyandb-perf-emulator-ready', grpcAddress: emulator.grpcAddress, httpAddress: emulator.httpAddress });
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      process.stdout.write(`emulator-server: ${signal} received, closing\n`);
      emulator.close().then(
        () => resolve(0),
        (err: unknown) => {
          process.stderr.write(`emulator-server: close failed: ${err instanceof Error ? err.message : String(err)}\n`);
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    if (!process.send) process.once('SIGINT', () => stop('SIGINT'));
    onParentGone = () => stop('IPC disconnect (the parent is gone)');
    if (process.send && !process.connected) onParentGone();
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // gRPC keeps no handles after close(); exit explicitly anyway so a stray timer cannot hold the process.
    setImmediate(() => process.exit(code));
  },
  (err: unknown) => {
    process.stderr.write(`emulator-server: ${err instanceof Error ? err.message : String(err)}\n`);
    // 3: the environment cannot run it (a port in use), as the banyandb-perf CLI's exit codes.
    process.exit((err as { code?: unknown }).code === 'PORT_IN_USE' ? 3 : 1);
  },
);
