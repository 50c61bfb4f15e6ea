/**
 * The emulator in a child process of its own (`openTarget({ kind: 'emulator' })`'s default), so its work runs on a
 * core other than the client's, as a Docker container or an external server would. The child is the stand-alone
 * emulator (main.ts: dist/emulator-server.js in the package, emulator-server-from-sources.mjs under tsx), started with
 * an IPC channel: it binds port 0, reports the ports it bound over the channel, and exits when the channel closes, so
 * it never outlives its parent, even one that crashed or was SIGKILLed.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AbortedError, ClusterError } from '../errors.js';

/** How long a child may take to report its ports, ms. */
export const EMULATOR_CHILD_START_TIMEOUT_MS = 30_000;
/** How long close() waits for a SIGTERMed child before it SIGKILLs it, ms. */
const CLOSE_GRACE_MS = 5_000;
/** Bytes of the child's stderr kept for error messages. */
const STDERR_TAIL = 4_000;

/** The IPC message the child sends once it serves (see main.ts). */
export interface EmulatorReadyMessage {
  type: 'banyandb-perf-emulator-ready';
  grpcAddress: string;
  httpAddress: string;
}

export interface EmulatorChildOptions {
  /** Directory of the write logs (`<dataPath>/stream`, `<dataPath>/trace`), as the in-process `dataPath`. */
  dataPath: string;
  /** A name for messages, e.g. `stream`. */
  name: string;
  signal?: AbortSignal;
}

/** A running emulator child process. */
export interface EmulatorChild {
  readonly pid: number;
  readonly grpcAddress: string;
  readonly httpAddress: string;
  /** Aborts with a ClusterError (CONTAINER_EXITED) when the child exits before close() was called. */
  readonly died: AbortSignal;
  /** Stops the child (SIGTERM, SIGKILL after a grace period) and waits until it has exited. Idempotent. */
  close(): Promise<void>;
}

/**
 * The child's entry: beside the bundle in the package (dist/emulator-server.js), the tsx launcher beside this file
 * under the TypeScript sources (a file of the sources only, so no library code path names tsx).
 */
function childEntry(): string {
  const here = import.meta.url;
  return fileURLToPath(new URL(here.endsWith('.ts') ? './emulator-server-from-sources.mjs' : './emulator-server.js', here));
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

/** Starts one emulator child on 127.0.0.1 (ports picked by the system) and waits until it reports them. */
export async function startEmulatorChild(options: EmulatorChildOptions): Promise<EmulatorChild> {
  const { dataPath, name, signal } = options;
  if (signal?.aborted) throw new AbortedError(`starting the ${name} emulator process`, { cause: signal.reason });
  const args = [
    'standalone',
    '--host',
    '127.0.0.1',
    '--grpc-port',
    '0',
    '--http-port',
    '0',
    '--stream-root-path',
    `${dataPath}/stream`,
    '--trace-root-path',
    `${dataPath}/trace`,
  ];
  // No inherited Node flags: the bundle needs none, the sources' launcher registers tsx itself, and some parent flags
  // (`--input-type`, `--test`) would break or change the child.
  const child: ChildProcess = fork(childEntry(), args, { execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL);
  });
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, sig) => {
      exit = { code, signal: sig };
      resolve();
    });
  });
  let closing = false;
  const died = new AbortController();
  const label = `emulator process ${child.pid ?? '?'} (${name})`;

  let ready: EmulatorReadyMessage;
  try {
    ready = await new Promise<EmulatorReadyMessage>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new ClusterError('CONTAINER_UNHEALTHY', `${label} did not report its ports within ${EMULATOR_CHILD_START_TIMEOUT_MS} ms`, {
              logs: stderr,
            }),
          ),
        EMULATOR_CHILD_START_TIMEOUT_MS,
      );
      const onAbort = (): void => reject(new AbortedError(`starting the ${name} emulator process`, { cause: signal?.reason }));
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      child.on('message', (m: unknown) => {
        if ((m as { type?: unknown } | null)?.type !== 'banyandb-perf-emulator-ready') return;
        done();
        resolve(m as EmulatorReadyMessage);
      });
      child.once('error', (err) => {
        done();
        reject(new ClusterError('CONTAINER_EXITED', `${label} could not start: ${err.message}`, { logs: stderr }, { cause: err }));
      });
      void exited.then(() => {
        done();
        const why = exit ? describeExit(exit.code, exit.signal) : 'exited';
        const tail = stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : '';
        reject(new ClusterError('CONTAINER_EXITED', `${label} ${why} before it served${tail}`, { logs: stderr }));
      });
    });
  } catch (err) {
    if (!exit) child.kill('SIGKILL');
    await exited;
    throw err;
  }

  void exited.then(() => {
    if (closing) return;
    const why = exit ? describeExit(exit.code, exit.signal) : 'exited';
    died.abort(new ClusterError('CONTAINER_EXITED', `${label} ${why}`, { service: `emulator-${name}`, logs: stderr }));
  });

  let closed: Promise<void> | undefined;
  return {
    pid: child.pid as number,
    grpcAddress: ready.grpcAddress,
    httpAddress: ready.httpAddress,
    died: died.signal,
    close(): Promise<void> {
      closed ??= (async () => {
        closing = true;
        if (exit) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_GRACE_MS);
        await exited;
        clearTimeout(timer);
      })();
      return closed;
    },
  };
}
