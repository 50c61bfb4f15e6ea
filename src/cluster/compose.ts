/**
 * Renders the two-instance compose file (Compose file format 3.8: read by Compose v1.29 and v2).
 */
import { MODELS, type Model } from '../results.js';
import {
  type ClusterOptions,
  CONTAINER_PORTS,
  MANAGED_LABEL,
  MODEL_LABEL,
  PROJECT_LABEL,
  type ResolvedClusterOptions,
  resolveClusterOptions,
  SERVICES,
} from './options.js';

/** A YAML value the emitter can write. */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

const PLAIN_SCALAR = /^[A-Za-z0-9_./][A-Za-z0-9_./:-]*$/;
const YAML_WORDS = /^(true|false|yes|no|on|off|null|y|n|~)$/i;

function scalar(value: string | number | boolean | null): string {
  if (value === null) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`cannot write ${value} as YAML`);
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  // Plain only when YAML cannot read it as anything but this string; otherwise a JSON (= YAML double-quoted) string.
  if (PLAIN_SCALAR.test(value) && !YAML_WORDS.test(value) && Number.isNaN(Number(value)) && !/^\d/.test(value)) return value;
  return JSON.stringify(value);
}

function key(k: string): string {
  return PLAIN_SCALAR.test(k) && !YAML_WORDS.test(k) && !/^\d/.test(k) ? k : JSON.stringify(k);
}

function isBlock(v: YamlValue): v is YamlValue[] | { [key: string]: YamlValue } {
  return v !== null && typeof v === 'object' && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0);
}

function emptyCollection(v: YamlValue[] | { [key: string]: YamlValue }): string {
  return Array.isArray(v) ? '[]' : '{}';
}

function emit(value: YamlValue, indent: number, lines: string[]): void {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isBlock(item) && !Array.isArray(item)) {
        const inner: string[] = [];
        emit(item, indent + 2, inner);
        lines.push(`${pad}- ${inner[0]?.trimStart() ?? ''}`, ...inner.slice(1));
      } else if (isBlock(item)) {
        lines.push(`${pad}-`);
        emit(item, indent + 2, lines);
      } else {
        lines.push(`${pad}- ${typeof item === 'object' && item !== null ? emptyCollection(item) : scalar(item)}`);
      }
    }
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (isBlock(v)) {
        lines.push(`${pad}${key(k)}:`);
        emit(v, indent + 2, lines);
      } else {
        lines.push(`${pad}${key(k)}: ${typeof v === 'object' && v !== null ? emptyCollection(v) : scalar(v)}`);
      }
    }
    return;
  }
  lines.push(`${pad}${scalar(value)}`);
}

/** Writes a YAML document (block style; strings quoted whenever a plain scalar could be misread). */
export function toYaml(value: YamlValue): string {
  const lines: string[] = [];
  emit(value, 0, lines);
  return `${lines.join('\n')}\n`;
}

/** Compose duration, e.g. `10s`, `1m30s` is written as `90s`, `500ms`. */
export function composeDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Compose byte size (binary units, as Docker reads them). */
export function composeBytes(bytes: number): string {
  for (const [unit, size] of [
    ['G', 1024 ** 3],
    ['M', 1024 ** 2],
    ['K', 1024],
  ] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}b`;
}

function cpus(n: number): string {
  return Number.isInteger(n) ? n.toFixed(1) : String(n);
}

/** Data-root flags of one instance: the model's own root and every other root live in the data volume. */
export function instanceCommand(model: Model, extraArgs: readonly string[] = []): string[] {
  return [
    'standalone',
    `--${model}-root-path=/data`,
    `--${model === 'stream' ? 'trace' : 'stream'}-root-path=/data`,
    '--measure-root-path=/data',
    '--property-root-path=/data',
    '--metadata-root-path=/data',
    '--schema-server-root-path=/data',
    `--grpc-port=${CONTAINER_PORTS.grpc}`,
    `--http-port=${CONTAINER_PORTS.http}`,
    ...extraArgs,
  ];
}

/** Container name of a model's instance in a project. */
export function containerName(projectName: string, model: Model): string {
  return `${projectName}-${SERVICES[model]}`;
}

/** Named data volume of a model (compose prefixes it with the project name). */
export function volumeKey(model: Model): string {
  return `${model}-data`;
}

/** The compose document as plain data. */
export function composeDocument(resolved: ResolvedClusterOptions): { [key: string]: YamlValue } {
  const services: { [key: string]: YamlValue } = {};
  const volumes: { [key: string]: YamlValue } = {};
  const hc = resolved.healthcheck;
  for (const model of MODELS) {
    const ports = resolved.ports[model];
    const limits = resolved.limits[model];
    const reservations = resolved.reservations[model];
    services[SERVICES[model]] = {
      image: resolved.imageName,
      container_name: containerName(resolved.projectName, model),
      hostname: SERVICES[model],
      labels: { [MANAGED_LABEL]: 'true', [PROJECT_LABEL]: resolved.projectName, [MODEL_LABEL]: model },
      command: instanceCommand(model, resolved.extraArgs),
      volumes: [`${volumeKey(model)}:/data`],
      ports: (Object.keys(CONTAINER_PORTS) as (keyof typeof CONTAINER_PORTS)[]).map(
        (k) => `${resolved.bindHost}:${ports[k]}:${CONTAINER_PORTS[k]}`,
      ),
      networks: ['banyandb-network'],
      deploy: {
        resources: {
          limits: { cpus: cpus(limits.cpus), memory: composeBytes(limits.memoryBytes) },
          reservations: { cpus: cpus(reservations.cpus), memory: composeBytes(reservations.memoryBytes) },
        },
      },
      healthcheck: {
        test: ['CMD', 'wget', '-q', '--spider', `http://localhost:${CONTAINER_PORTS.http}/api/healthz`],
        interval: composeDuration(hc.intervalMs),
        timeout: composeDuration(hc.timeoutMs),
        retries: hc.retries,
        start_period: composeDuration(hc.startPeriodMs),
      },
    };
    volumes[volumeKey(model)] = {
      driver: 'local',
      labels: { [MANAGED_LABEL]: 'true', [PROJECT_LABEL]: resolved.projectName, [MODEL_LABEL]: model },
    };
  }
  return {
    version: '3.8',
    services,
    volumes,
    networks: {
      'banyandb-network': { driver: 'bridge', labels: { [MANAGED_LABEL]: 'true', [PROJECT_LABEL]: resolved.projectName } },
    },
  };
}

/** The header written above the rendered compose file. */
export const COMPOSE_HEADER =
  '# Rendered by banyandb-perf (Cluster.renderCompose). Two isolated BanyanDB instances, one per data model,\n' +
  '# with the same CPU and memory limits. Edit the options, not this file: `banyandb-perf up` renders its own copy.\n';

/** Renders the compose file for the given options (defaults: the original harness's topology). */
export function renderCompose(options: ClusterOptions | ResolvedClusterOptions = {}): string {
  const resolved = 'imageName' in options ? options : resolveClusterOptions(options);
  return COMPOSE_HEADER + toYaml(composeDocument(resolved));
}
