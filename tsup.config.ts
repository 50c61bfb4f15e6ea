import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library: ESM first, CJS beside it, declarations for both.
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    treeshake: true,
    shims: true,
  },
  {
    // Executables: the CLI and the stand-alone emulator (also bundled whole into the emulator image).
    entry: { cli: 'src/cli/main.ts', 'emulator-server': 'src/emulator/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
