// The emulator child process's entry when banyandb-perf runs from its TypeScript sources (tests, examples, benches
// under tsx; see child.ts). The child starts without the parent's Node flags, so it registers tsx's loader itself
// before loading main.ts. Only the sources have this file: the package starts dist/emulator-server.js instead, so no
// library code path names tsx.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
