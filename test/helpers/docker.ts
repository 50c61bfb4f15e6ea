/** What a Compose project left behind, for the Docker tests' "no orphans" checks. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface ProjectResources {
  containers: string[];
  volumes: string[];
  networks: string[];
}

/** Containers (running or not), volumes and networks carrying the project's Compose label. */
export async function projectResources(project: string): Promise<ProjectResources> {
  const label = `label=com.docker.compose.project=${project}`;
  const list = async (format: string, ...args: string[]) => {
    const { stdout } = await exec('docker', [...args, '--filter', label, '--format', format]);
    return stdout.split('\n').filter((l) => l.trim() !== '');
  };
  const [containers, volumes, networks] = await Promise.all([
    list('{{.Names}}', 'ps', '-a'),
    list('{{.Name}}', 'volume', 'ls'),
    list('{{.Name}}', 'network', 'ls'),
  ]);
  return { containers, volumes, networks };
}

/** A benchmark run that passed: exit 0 (no query mismatch, no failed write, no dead container). */
export function benchmarkPassed(code: number | string, _stderr: string): boolean {
  return code === 0;
}
