/**
 * `banyandb-perf emulator`: banyandb-perf's BanyanDB-compatible emulator in the foreground until Ctrl-C
 * (the same server as dist/emulator-server.js, on BanyanDB's default ports).
 */
import { once } from 'node:events';
import { startEmulator } from '../../emulator/index.js';
import { parseInteger, str } from '../args.js';
import { type CommandContext, EXIT } from '../context.js';

/** BanyanDB's default ports. */
const DEFAULT_GRPC_PORT = 17912;
const DEFAULT_HTTP_PORT = 17913;

export async function runEmulator(ctx: CommandContext): Promise<number> {
  const host = str(ctx.flags, 'host') ?? '127.0.0.1';
  const g = str(ctx.flags, 'grpc-port');
  const h = str(ctx.flags, 'http-port');
  const grpcPort = g === undefined ? DEFAULT_GRPC_PORT : parseInteger('--grpc-port', g, 0, 65_535);
  const httpPort = h === undefined ? DEFAULT_HTTP_PORT : parseInteger('--http-port', h, 0, 65_535);
  const emulator = await startEmulator({ host, grpcPort, httpPort });
  try {
    ctx.io.stderr(
      `banyandb-perf emulator serving gRPC on ${emulator.grpcAddress}, HTTP on ${emulator.httpAddress} (not BanyanDB; Ctrl-C to stop)\n`,
    );
    if (!ctx.signal.aborted) await once(ctx.signal, 'abort');
  } finally {
    await emulator.close();
    ctx.io.stderr('banyandb-perf emulator stopped.\n');
  }
  return EXIT.OK;
}
