/**
 * The mixed phase on servers that may hold other data: the schema is created in a namespace of its own on each
 * server (fresh groups, never a reused name: BanyanDB 0.10.3 breaks a re-created group), the phase runs there, and
 * the groups are deleted again unless asked to keep them. So queries over "the last 15 minutes" see only this
 * phase's spans, whatever the separate phases or anybody else wrote.
 */
import type { BanyanDBClient } from '../client/client.js';
import { checkOptionKeys, optionKeys } from '../options-check.js';
import { SchemaLoader } from '../schema/loader.js';
import { newRunId } from '../schema/namespace.js';
import type { SchemaSet } from '../schema/set.js';
import { type MixedOptions, type MixedResult, runMixed } from './mixed.js';

/** Input of {@link runMixedInNamespace}. */
export interface MixedInNamespaceInput {
  stream: BanyanDBClient;
  trace: BanyanDBClient;
  /** Schema directory. @default the package's testdata/schema */
  schemaDir?: string;
  /** The namespace the phase's groups are created in. @default a fresh run id */
  namespace?: string;
  /** Leave the phase's groups on the servers. @default false */
  keepData?: boolean;
  options?: MixedOptions;
}

/** The resource of `model` in a (namespaced) schema set, and the trace model's time-ordered rule. */
function resourceOf(set: SchemaSet, kind: 'stream' | 'trace'): { group: string; name: string } {
  const r = set.resources.find((x) => x.kind === kind);
  if (r === undefined) throw new Error(`the schema set of ${set.dir} has no ${kind}`);
  return { group: r.group, name: r.name };
}

/**
 * The group names the phase will use on each server for `namespace` (read from the schema directory, nothing sent):
 * what a server-metrics sampler sums over.
 */
export async function mixedNamespaceGroups(
  clients: { stream: BanyanDBClient; trace: BanyanDBClient },
  namespace: string,
  schemaDir?: string,
): Promise<{ stream: string[]; trace: string[] }> {
  const dir = schemaDir !== undefined ? { dir: schemaDir } : {};
  const out = { stream: [] as string[], trace: [] as string[] };
  for (const model of ['stream', 'trace'] as const) {
    const set = await new SchemaLoader(clients[model], { ...dir, namespace, models: [model] }).schema();
    out[model] = [resourceOf(set, model).group];
  }
  return out;
}

/** Runs {@link runMixed} in a namespace of its own on both servers; returns its result and the namespace used. */
export async function runMixedInNamespace(input: MixedInNamespaceInput): Promise<MixedResult & { namespace: string }> {
  checkOptionKeys(
    input,
    optionKeys<MixedInNamespaceInput>({ stream: true, trace: true, schemaDir: true, namespace: true, keepData: true, options: true }),
    'runMixedInNamespace()',
  );
  const namespace = input.namespace ?? newRunId();
  const dir = input.schemaDir !== undefined ? { dir: input.schemaDir } : {};
  const loaders = {
    stream: new SchemaLoader(input.stream, { ...dir, namespace, models: ['stream'] }),
    trace: new SchemaLoader(input.trace, { ...dir, namespace, models: ['trace'] }),
  };
  const signal = input.options?.signal;
  try {
    await loaders.stream.load(signal ? { signal } : {});
    await loaders.trace.load(signal ? { signal } : {});
    const stream = resourceOf(await loaders.stream.schema(), 'stream');
    const trace = resourceOf(await loaders.trace.schema(), 'trace');
    const result = await runMixed({ stream: { client: input.stream, ...stream }, trace: { client: input.trace, ...trace } }, input.options);
    return { ...result, namespace };
  } finally {
    if (!input.keepData) {
      await loaders.stream.drop();
      await loaders.trace.drop();
    }
  }
}
