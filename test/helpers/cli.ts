/** The CLI as tests drive it: in-process through `runCli` with captured output, or as a real subprocess. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type CliIo, runCli } from '../../src/cli/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI_MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface Captured {
  code: number;
  out: string;
  err: string;
}

export interface CaptureOptions {
  /** The working directory the CLI resolves relative paths against. */
  cwd?: string;
  /** Sees each chunk the CLI writes to stderr, as it is written (to act at a given phase). */
  onStderr?: (text: string) => void;
}

/** Runs the CLI in this process and captures what it writes. */
export async function captureCli(argv: string[], options: CaptureOptions = {}): Promise<Captured> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
      options.onStderr?.(t);
    },
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
  };
  const code = await runCli(argv, io);
  return { code, out, err };
}

export interface Exited {
  /** The exit code, or the signal's name when a signal ended it. */
  code: number | string;
  out: string;
  err: string;
  /** Wall-clock ms from spawn to exit. */
  ms: number;
  /** Epoch ms at exit. */
  at: number;
}

export interface SubprocessOptions {
  /** Killed with SIGKILL after this many ms (default 60,000). */
  timeoutMs?: number;
  /** Default: the repository root. */
  cwd?: string;
  /** Sees each chunk of the child's stderr. */
  onStderr?: (text: string) => void;
}

/** Runs the real CLI (src/cli/main.ts under tsx) as a subprocess and resolves when it exits. */
export function cliSubprocess(args: string[], options: SubprocessOptions = {}): Promise<Exited> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', CLI_MAIN, ...args], {
      cwd: options.cwd ?? ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      options.onStderr?.(b.toString());
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const at = Date.now();
      resolve({ code: code ?? signal ?? 'none', out, err, ms: at - started, at });
    });
  });
}
