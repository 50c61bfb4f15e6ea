/**
 * What the emulator reproduces of BanyanDB 0.10.3 beyond its .proto files, in one place, so that the profile of a
 * later server version can be added beside this folder. Internal to the emulator.
 */
import type { Group } from '../../client/types.js';
import * as texts from './texts.js';

/** A server-version profile: the version-specific behaviour the emulator's services consult. */
export interface ServerProfile {
  /** Profile id, the folder name. */
  readonly id: string;
  /** GetAPIVersion's `version` (FACT 2). */
  readonly apiVersion: string;
  /** How long an asynchronous group deletion runs before Get answers NOT_FOUND (FACT 13). */
  readonly groupDeletionMs: number;
  /** Groups the server holds of its own, listed by Group List (FACT 9). */
  readonly internalGroups: readonly Group[];
  /** Exact answer texts. */
  readonly texts: typeof texts;
}

/**
 * BanyanDB 0.10.3 (standalone). The recorded deletion took ~255 ms; any value above the time a client needs for
 * one more call reproduces FACT 13.
 */
export const BANYANDB_0_10_3: ServerProfile = {
  id: 'banyandb-0.10.3',
  apiVersion: '0.10',
  groupDeletionMs: 250,
  internalGroups: [{ metadata: { name: '_deletion_task' }, catalog: 'CATALOG_PROPERTY', resourceOpts: { shardNum: 1 } }],
  texts,
};
