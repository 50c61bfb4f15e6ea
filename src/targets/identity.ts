/**
 * Server identity: ask each server its API version (GetAPIVersion) and say, as it named itself, which server
 * produced the figures. Nothing is guessed: a server that does not answer is `unknown`, with the reason.
 */
import type { ServerIdentity } from '../results.js';

/** What identity needs from a client (`BanyanDBClient` has it). */
export interface VersionClient {
  getAPIVersion(opts?: { timeoutMs?: number; signal?: AbortSignal }): Promise<{ version: string; revision: string }>;
}

/** The revision prefix banyandb-perf's emulator answers with (`emulator-<package version>`). */
export const EMULATOR_REVISION_PREFIX = 'emulator-';
/** The BanyanDB release the emulator reproduces (its version profile). */
export const EMULATED_BANYANDB = '0.10.3';
/** How long the version call may take before the server is reported unknown. */
export const IDENTITY_TIMEOUT_MS = 5_000;

/** Reads a GetAPIVersion answer into an identity (no call). */
export function identityOf(answer: { version: string; revision: string }): ServerIdentity {
  const { version, revision } = answer;
  if (revision.startsWith(EMULATOR_REVISION_PREFIX)) {
    const own = revision.slice(EMULATOR_REVISION_PREFIX.length) || 'unknown version';
    return {
      kind: 'emulator',
      apiVersion: version,
      revision,
      label: `banyandb-perf emulator ${own} (emulates BanyanDB ${EMULATED_BANYANDB})`,
    };
  }
  if (version === '') {
    return { kind: 'unknown', ...(revision ? { revision } : {}), label: 'unknown (GetAPIVersion answered no version)' };
  }
  return {
    kind: 'banyandb',
    apiVersion: version,
    revision,
    label: `BanyanDB ${version} (revision ${revision || 'unknown'})`,
  };
}

/** Asks one server its version; any failure gives `unknown` naming the failure. */
export async function askIdentity(client: VersionClient, signal?: AbortSignal): Promise<ServerIdentity> {
  try {
    return identityOf(await client.getAPIVersion({ timeoutMs: IDENTITY_TIMEOUT_MS, ...(signal ? { signal } : {}) }));
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    return { kind: 'unknown', label: `unknown (GetAPIVersion failed: ${why})` };
  }
}
