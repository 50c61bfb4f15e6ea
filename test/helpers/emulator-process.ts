/** A `banyandb-perf emulator` child process on free ports, for tests that need a server they can freeze or kill. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI_MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface EmulatorProcess {
  child: ChildProcess;
  /** gRPC `host:port`. */
  address: string;
  /** HTTP base URL (`/api/healthz`, `/metrics`). */
  http: string;
  /** Resumes it if frozen, then ends it (SIGTERM, SIGKILL after 5 s); a no-op once it exited. */
  stop(): Promise<void>;
}

/** Starts `banyandb-perf emulator --grpc-port 0 --http-port 0`; resolves once it serves. */
export async function emulatorProcess(): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_MAIN, 'emulator', '--grpc-port', '0', '--http-port', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const [address, http] = await new Promise<[string, string]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator process did not start: ${err}`)), 30_000);
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /serving gRPC on (\S+), HTTP on (\S+) /.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve([m[1] as string, m[2] as string]);
      }
    });
    child.on('exit', (code) => reject(new Error(`emulator process exited ${code}: ${err}`)));
  });
  return {
    child,
    address,
    http,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
    },
  };
}
