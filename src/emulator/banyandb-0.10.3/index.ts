/** The BanyanDB 0.10.3 profile of the emulator (see profile.ts). */
export { BANYANDB_0_10_3, type ServerProfile } from './profile.js';
export * as texts from './texts.js';
