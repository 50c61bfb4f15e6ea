/**
 * `banyandb-perf emulator`: banyandb-perf's BanyanDB-compatible emulator in the foreground until Ctrl-C
 * (the same server as dist/emulator-server.js, on BanyanDB's default ports).
 */
import { once } from 'node:events';
import { startEmulator } from '../../emulator/index.js';
import { CLI_EMULATOR_GRPC_PORT, CLI_EMULATOR_HOST, CLI_EMULATOR_HTTP_PORT, parseInteger, str } from '../args.js';
import { type CommandContext, EXIT } from '../context.js';

export async function runEmulator(ctx: CommandContext): Promise<number> {
  const host = str(ctx.flags, 'host') ?? CLI_EMULATOR_HOST;
  const g = str(ctx.flags, 'grpc-port');
  const h = str(ctx.flags, 'http-port');
  const grpcPort = g === undefined ? CLI_EMULATOR_GRPC_PORT : parseInteger('--grpc-port', g, 0, 65_535);
  const httpPort = h === undefined ? CLI_EMULATOR_HTTP_PORT : parseInteger('--http-port', h, 0, 65_535);
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
