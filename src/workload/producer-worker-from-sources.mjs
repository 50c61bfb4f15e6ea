// The producer thread's entry when banyandb-perf runs from its TypeScript sources (tests, examples, benches under
// tsx). Node 20 does not carry tsx's loader hooks into worker threads, so this thread registers them itself before
// loading producer-worker.ts. Only the sources have this file: the package's bundles start dist/producer-worker.js
// instead (see producer.ts), so no library code path names tsx.
import { register } from 'tsx/esm/api';

register();
await import('./producer-worker.ts');
