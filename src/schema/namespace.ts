/**
 * Per-run data namespaces: every group of a schema set renamed `<group>_<namespace>` (and every stream, trace,
 * index rule and binding moved into the renamed group), so a run writes, counts, queries and deletes only its own
 * data on a server that may hold other runs' or the user's data.
 *
 * BanyanDB 0.10.3 breaks a group whose name is created again after a delete in the same server process (queries
 * then fail `group ... not found`): a namespace is therefore never reused; {@link newRunId} draws a fresh one.
 */
import { randomBytes } from 'node:crypto';
import { OptionsError } from '../errors.js';
import type { SchemaResource } from './set.js';
import { SchemaSet } from './set.js';

/** What a namespace may look like: lower-case letters and digits, 1 to 24 characters (it ends up in directory names). */
export const NAMESPACE_PATTERN = /^[a-z0-9]{1,24}$/;

/** A fresh run id: `r` and 10 random hex digits, e.g. `r3f9a0c1b2d` (40 random bits: never reused in practice). */
export function newRunId(): string {
  return `r${randomBytes(5).toString('hex')}`;
}

/** Throws {@link OptionsError} naming `option` unless `ns` is undefined or matches {@link NAMESPACE_PATTERN}. */
export function checkNamespace(option: string, ns: unknown): asserts ns is string | undefined {
  if (ns === undefined) return;
  if (typeof ns !== 'string' || !NAMESPACE_PATTERN.test(ns)) {
    throw new OptionsError(
      option,
      `${option} must be 1 to 24 lower-case letters or digits (e.g. a run id such as r3f9a0c1b2d), got ${typeof ns === 'string' ? JSON.stringify(ns) : typeof ns}`,
    );
  }
}

/** The name of `group` in namespace `ns`: `<group>_<ns>`; `group` itself without a namespace. */
export function namespacedGroup(group: string, ns: string | undefined): string {
  return ns ? `${group}_${ns}` : group;
}

function renamed(r: SchemaResource, ns: string): SchemaResource {
  const group = namespacedGroup(r.group, ns);
  if (r.kind === 'group') {
    const meta = { ...r.resource.metadata, name: group };
    if (r.resource.metadata?.group) meta.group = group;
    return { ...r, group, name: group, resource: { ...r.resource, metadata: meta } };
  }
  return { ...r, group, resource: { ...r.resource, metadata: { ...r.resource.metadata, group } } } as SchemaResource;
}

/** A copy of `set` with every group renamed into namespace `ns` (the set itself when `ns` is undefined). */
export function namespaceSchema(set: SchemaSet, ns: string | undefined): SchemaSet {
  checkNamespace('namespace', ns);
  if (!ns) return set;
  return new SchemaSet(
    set.dir,
    set.resources.map((r) => renamed(r, ns)),
  );
}
