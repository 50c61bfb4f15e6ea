import { defineConfig } from 'tsup';

const node = { target: 'node20', platform: 'node', sourcemap: true, splitting: false } as const;

export default defineConfig([
  {
    // The library's entries (package.json `exports`): ESM first, CJS beside it, declarations for both. Code shared by
    // the entries goes into shared chunks, so a class (an error type, say) is one class whichever entry it came from.
    ...node,
    entry: { index: 'src/index.ts', emulator: 'src/emulator/index.ts', 'cli-runner': 'src/cli/index.ts', internals: 'src/internals.ts' },
    format: ['esm', 'cjs'],
    splitting: true,
    dts: true,
    treeshake: true,
    shims: true,
  },
  {
    // The span producer thread (src/workload/producer.ts loads it from beside the bundle that uses it).
    ...node,
    entry: { 'producer-worker': 'src/workload/producer-worker.ts' },
    format: ['esm'],
  },
  {
    // The CLI: dependencies come from the installed package.
    ...node,
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    // The stand-alone emulator, bundled whole (no node_modules) so the emulator image needs only node.
    // Bundled CommonJS dependencies call require() for Node built-ins, hence the createRequire banner.
    ...node,
    entry: { 'emulator-server': 'src/emulator/main.ts' },
    format: ['esm'],
    noExternal: [/.*/],
    banner: {
      js: "#!/usr/bin/env node\nimport { createRequire as __bpCreateRequire } from 'node:module';\nconst require = __bpCreateRequire(import.meta.url);",
    },
  },
]);
