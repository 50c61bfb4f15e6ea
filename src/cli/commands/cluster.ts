/**
 * The container verbs of the original run script: build, up, down, clean, logs, ps, stats.
 */
import { Cluster, type ContainerState, type StartedCluster } from '../../cluster/cluster.js';
import { type ClusterOptions, DEFAULT_PROJECT_NAME } from '../../cluster/options.js';
import { BanyanDBPerfError, ClusterError } from '../../errors.js';
import { parseChoice, parseInteger, str } from '../args.js';
import { type CommandContext, EXIT } from '../context.js';
import { formatBytesForCli } from '../format.js';
import { clusterFlags } from './options.js';

/** A handle on the running cluster, with a hint to run `up` when there is none. */
async function attach(ctx: CommandContext): Promise<StartedCluster> {
  try {
    return await Cluster.attach(clusterOptions(ctx));
  } catch (err) {
    if (err instanceof ClusterError && err.code.startsWith('CONTAINER_')) {
      throw new ClusterError(
        err.code,
        `no running cluster: ${err.message}. Start one with \`banyandb-perf up${clusterFlags(ctx.flags).project ? ` --project ${clusterFlags(ctx.flags).project}` : ''}\`.`,
        { ...(err.service ? { service: err.service } : {}) },
        { cause: err },
      );
    }
    throw err;
  }
}

function clusterOptions(ctx: CommandContext, extra: Partial<ClusterOptions> = {}): ClusterOptions {
  const cf = clusterFlags(ctx.flags);
  return {
    ...(cf.image ? { image: cf.image } : {}),
    ...(cf.project ? { projectName: cf.project } : {}),
    ...cf.ports,
    keep: cf.keep,
    signal: ctx.signal,
    ...extra,
  };
}

export async function runBuild(ctx: CommandContext): Promise<number> {
  const image = await Cluster.build({ ...clusterOptions(ctx), onProgress: (line) => ctx.io.stderr(`  ${line}\n`) });
  if (ctx.json) ctx.io.stdout(`${JSON.stringify({ image })}\n`);
  else ctx.say(`Image ready: ${image}\n`);
  return EXIT.OK;
}

export async function runUp(ctx: CommandContext): Promise<number> {
  // Containers started by `up` stay until `down`/`clean`: keep them when this process ends.
  const cluster = await Cluster.start({
    ...clusterOptions(ctx),
    keep: true,
    handleSignals: false,
    onProgress: (line) => ctx.io.stderr(`  ${line}\n`),
  });
  if (ctx.json) {
    ctx.io.stdout(
      `${JSON.stringify({ project: cluster.projectName, addresses: cluster.addresses, target: cluster.target, containers: cluster.containers })}\n`,
    );
  } else {
    ctx.say(
      [
        `Cluster ${cluster.projectName} is up: ${cluster.target.description}`,
        `  stream: ${cluster.addresses.stream} (container ${cluster.containers.stream})`,
        `  trace:  ${cluster.addresses.trace} (container ${cluster.containers.trace})`,
        cluster.projectName === DEFAULT_PROJECT_NAME
          ? 'Run `banyandb-perf test` to benchmark it, `banyandb-perf down` to stop it.'
          : `Run \`banyandb-perf test --project ${cluster.projectName}\` to benchmark it, \`banyandb-perf down --project ${cluster.projectName}\` to stop it.`,
        '',
      ].join('\n'),
    );
  }
  return EXIT.OK;
}

export async function runDown(ctx: CommandContext): Promise<number> {
  const options = clusterOptions(ctx);
  await Cluster.down(options);
  const project = options.projectName ?? DEFAULT_PROJECT_NAME;
  ctx.say(`Containers of project ${project} stopped and removed (data volumes kept; \`banyandb-perf clean\` removes them).\n`);
  return EXIT.OK;
}

export async function runClean(ctx: CommandContext): Promise<number> {
  const options = clusterOptions(ctx);
  await Cluster.clean(options);
  ctx.say(`Containers, network and data volumes of project ${options.projectName ?? DEFAULT_PROJECT_NAME} removed.\n`);
  return EXIT.OK;
}

/** Rows as columns: each column as wide as its widest cell, two spaces apart (never run together). */
export function columns(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows
    .map((row) => `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd())
    .join('\n');
}

export async function runLogs(ctx: CommandContext): Promise<number> {
  const service = str(ctx.flags, 'service');
  const tailText = str(ctx.flags, 'tail');
  const tail = tailText === undefined ? undefined : tailText === 'all' ? ('all' as const) : parseInteger('--tail', tailText, 0);
  const follow = ctx.flags.follow === true;
  const cluster = await attach(ctx);
  const text = await cluster.logs({
    ...(service !== undefined ? { service: parseChoice('--service', service, ['stream', 'trace'] as const) } : {}),
    ...(tail !== undefined ? { tail } : {}),
    follow,
    signal: ctx.signal,
    ...(follow ? { onData: (chunk: string) => ctx.io.stdout(chunk) } : {}),
  });
  if (!follow) ctx.io.stdout(text.endsWith('\n') || text === '' ? text : `${text}\n`);
  return EXIT.OK;
}

function stateRow(s: ContainerState): string[] {
  const exit = s.status === 'exited' ? ` exit ${s.exitCode}${s.oomKilled ? ' (OOM killed)' : ''}` : '';
  return [
    s.model,
    s.container,
    `${s.status}${exit}`,
    s.health,
    `grpc ${s.ports.grpc}, http ${s.ports.http}${s.error ? `  ${s.error}` : ''}`,
  ];
}

export async function runPs(ctx: CommandContext): Promise<number> {
  // Like `docker-compose ps`: the state whether or not the containers run.
  const states = await Cluster.ps(clusterOptions(ctx));
  if (ctx.json) ctx.io.stdout(`${JSON.stringify(states, null, 2)}\n`);
  else ctx.say(`${columns([['MODEL', 'CONTAINER', 'STATUS', 'HEALTH', 'PORTS'], ...states.map(stateRow)])}\n`);
  return EXIT.OK;
}

export async function runStats(ctx: CommandContext): Promise<number> {
  const cluster = await attach(ctx);
  const samples = await cluster.stats({ signal: ctx.signal });
  if (ctx.json) {
    ctx.io.stdout(`${JSON.stringify(samples, null, 2)}\n`);
    return EXIT.OK;
  }
  if (samples.length === 0) throw new BanyanDBPerfError('DOCKER_FAILED', 'docker stats returned no sample for the containers.');
  const rows = samples.map((s) => [
    s.model,
    s.container,
    `${s.cpuPercent.toFixed(1)}%`,
    `${formatBytesForCli(s.memBytes)} / ${formatBytesForCli(s.memLimitBytes)}`,
    `${formatBytesForCli(s.netRxBytes)} / ${formatBytesForCli(s.netTxBytes)}`,
    `${formatBytesForCli(s.blockReadBytes)} / ${formatBytesForCli(s.blockWriteBytes)}`,
  ]);
  ctx.say(`${columns([['MODEL', 'CONTAINER', 'CPU', 'MEM / LIMIT', 'NET RX / TX', 'BLOCK R / W'], ...rows])}\n`);
  return EXIT.OK;
}
