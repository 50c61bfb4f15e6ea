/**
 * Images: make sure the image a cluster runs is present (pull, or build the emulator / a source image).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Advice, ClusterError } from '../errors.js';
import { docker, dockerError, run } from './docker.js';
import { EMULATOR_IMAGE, type ImageSpec, imageNameOf, SOURCE_IMAGE } from './options.js';

function moduleDir(): string {
  if (typeof __dirname === 'string') return __dirname;
  return path.dirname(fileURLToPath(import.meta.url));
}

/** The banyandb-perf package root (holds package.json, docker/ and dist/). */
export function packageRoot(): string {
  let dir = moduleDir();
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'banyandb-perf') return dir;
      } catch {
        // keep looking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new ClusterError('DOCKER_FAILED', `cannot find the banyandb-perf package root above ${moduleDir()}`);
    dir = parent;
  }
}

/** Is the image present locally? */
export async function imageExists(name: string, signal?: AbortSignal): Promise<boolean> {
  const r = await docker(['image', 'inspect', '--format', '{{.Id}}', name], { signal, timeoutMs: 60_000 });
  if (r.exitCode === 0) return true;
  if (/No such image|not found/i.test(r.stderr)) return false;
  throw dockerError('docker image inspect', r);
}

/** The label that records which build inputs an emulator image was made from. */
export const EMULATOR_BUILD_LABEL = 'org.banyandb-perf.emulator-build';

/** A label of an image, or undefined when the image or the label is absent. */
async function imageLabel(name: string, label: string, signal?: AbortSignal): Promise<string | undefined> {
  const r = await docker(['image', 'inspect', '--format', `{{index .Config.Labels "${label}"}}`, name], { signal, timeoutMs: 60_000 });
  if (r.exitCode !== 0) {
    if (/No such image|not found/i.test(r.stderr)) return undefined;
    throw dockerError('docker image inspect', r);
  }
  const v = r.stdout.trim();
  return v === '' || v === '<no value>' ? undefined : v;
}

/** A digest of everything the emulator image bundles: the emulator script, the helper scripts, the node version. */
export function emulatorFingerprint(emulatorScript?: string): string {
  const h = createHash('sha256');
  const script = emulatorScript ?? path.join(packageRoot(), 'dist', 'emulator-server.js');
  h.update(existsSync(script) ? readFileSync(script) : 'missing');
  const templates = path.join(packageRoot(), 'docker', 'emulator');
  for (const f of ['Dockerfile', 'banyand', 'wget', 'du', 'find']) {
    const p = path.join(templates, f);
    h.update(f).update(existsSync(p) ? readFileSync(p) : 'missing');
  }
  h.update(process.version);
  return h.digest('hex').slice(0, 16);
}

/** What to do about an image that is missing, for library code and for the command line. */
function howToBuild(image: ImageSpec, name: string): Advice {
  if (image === 'official' || (typeof image === 'object' && 'name' in image)) {
    return {
      library:
        `pull it where a registry is reachable (\`docker pull ${name}\`), or run the emulator image instead ` +
        "(Cluster.build({ image: 'emulator' }), or openTarget({ kind: 'emulator' }) for the emulator, no Docker needed) " +
        "or build BanyanDB from a checkout (Cluster.build({ image: { source: '<checkout>' } }))",
      cli:
        `pull it where a registry is reachable (\`docker pull ${name}\`), or run the emulator image instead ` +
        '(`--image emulator`, built offline; or `--target emulator` for the emulator, no Docker needed) ' +
        'or build BanyanDB from a checkout (`--source <checkout>`)',
    };
  }
  return { library: `build it with Cluster.build({ image: ${JSON.stringify(image)} })`, cli: 'build it with `banyandb-perf build`' };
}

export interface EnsureImageOptions {
  signal?: AbortSignal | undefined;
  emulatorScript?: string | undefined;
  /** Rebuild even when present (emulator and source images). */
  force?: boolean;
  onProgress?: (line: string) => void;
}

/** Makes the image present: builds emulator/source images, pulls others; IMAGE_MISSING when it cannot. */
export async function ensureImage(image: ImageSpec, options: EnsureImageOptions = {}): Promise<string> {
  const name = imageNameOf(image);
  if (image === 'emulator') {
    // Rebuilt whenever what it bundles changed: an image left by another version would run another emulator.
    const wanted = emulatorFingerprint(options.emulatorScript);
    if (options.force || (await imageLabel(name, EMULATOR_BUILD_LABEL, options.signal)) !== wanted) await buildEmulatorImage(options);
    return name;
  }
  if (typeof image === 'object' && 'source' in image) {
    if (options.force || !(await imageExists(name, options.signal))) await buildSourceImage(image.source, options);
    return name;
  }
  if (await imageExists(name, options.signal)) return name;
  options.onProgress?.(`pulling ${name}`);
  const r = await docker(['pull', name], { signal: options.signal });
  if (r.exitCode === 0) return name;
  const mapped = dockerError('docker pull', r);
  if (mapped.code === 'DOCKER_NOT_RUNNING') throw mapped;
  throw new ClusterError(
    'IMAGE_MISSING',
    `image ${name} is not present and could not be pulled (${r.stderr.trim().split('\n').pop() ?? ''})`,
    {},
    { cause: mapped, advice: howToBuild(image, name) },
  );
}

/** Shared libraries (and the dynamic loader) of an executable, per `ldd`. */
export async function sharedLibraries(executable: string): Promise<string[]> {
  let r: Awaited<ReturnType<typeof run>>;
  try {
    r = await run('ldd', [executable]);
  } catch (err) {
    throw new ClusterError(
      'DOCKER_FAILED',
      `cannot list the shared libraries of ${executable}: ldd is not available (the emulator image builds on Linux only)`,
      {},
      { cause: err },
    );
  }
  if (/not a dynamic executable/i.test(r.stdout + r.stderr)) return [];
  if (r.exitCode !== 0) throw new ClusterError('DOCKER_FAILED', `ldd ${executable} failed: ${r.stderr.trim()}`);
  const libs = new Set<string>();
  for (const line of r.stdout.split('\n')) {
    const arrow = /=>\s*(\/\S+)/.exec(line);
    const bare = /^\s*(\/\S+)\s+\(/.exec(line);
    const p = arrow?.[1] ?? bare?.[1];
    if (p) libs.add(p);
    if (/=>\s*not found/.test(line)) throw new ClusterError('DOCKER_FAILED', `ldd ${executable}: ${line.trim()}`);
  }
  return [...libs];
}

async function put(rootfs: string, target: string, source: string, mode?: number): Promise<void> {
  const dest = path.join(rootfs, target);
  await mkdir(path.dirname(dest), { recursive: true });
  await copyFile(source, dest); // follows symlinks: the image gets the real file under the linked name
  if (mode !== undefined) await chmod(dest, mode);
}

async function dockerBuild(
  context: string,
  tag: string,
  options: EnsureImageOptions,
  buildArgs: Record<string, string> = {},
  labels: Record<string, string> = {},
): Promise<void> {
  const args = ['build', '--tag', tag, '--label', 'org.banyandb-perf.image=1'];
  for (const [k, v] of Object.entries(labels)) args.push('--label', `${k}=${v}`);
  for (const [k, v] of Object.entries(buildArgs)) args.push('--build-arg', `${k}=${v}`);
  args.push(context);
  options.onProgress?.(`docker build --tag ${tag}`);
  const r = await docker(args, { signal: options.signal, env: { ...process.env, DOCKER_CLI_HINTS: 'false' } });
  if (r.exitCode !== 0) throw dockerError(`docker build ${tag}`, r);
}

/** The emulator script the image bundles: the given one or the package's dist/emulator-server.js. */
export function emulatorScriptPath(given?: string): string {
  const script = given ?? path.join(packageRoot(), 'dist', 'emulator-server.js');
  if (!existsSync(script)) {
    throw new ClusterError(
      'IMAGE_MISSING',
      `the emulator image needs the bundled emulator ${script}, which does not exist: run \`npm run build\` in the banyandb-perf package first`,
    );
  }
  return script;
}

/** Packages a bundled script still imports (anything but Node's built-ins): the image holds no node_modules. */
export function externalImports(source: string): string[] {
  const found = new Set<string>();
  const staticImport = /^\s*(?:import|export)\s+(?:[\w*{}\s,$]+\s+from\s+)?["']([^"'\n]+)["']/gm;
  const call = /\b(?:import|require)\s*\(\s*["']([^"'\n]+)["']\s*\)/g;
  for (const m of [...source.matchAll(staticImport), ...source.matchAll(call)]) {
    const spec = m[1] ?? '';
    if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:')) continue;
    const base = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec);
    if (builtinModules.includes(base)) continue;
    found.add(base);
  }
  return [...found];
}

/**
 * Builds {@link EMULATOR_IMAGE} offline: FROM scratch with the host's node binary, the libraries `ldd`
 * lists for it, the bundled emulator and node-based `wget`/`du`/`find` for the health check and disk footprint.
 */
export async function buildEmulatorImage(options: EnsureImageOptions = {}): Promise<string> {
  if (process.platform !== 'linux') {
    throw new ClusterError(
      'IMAGE_MISSING',
      `the emulator image is assembled from the host's node binary and builds on Linux only (this is ${process.platform})`,
    );
  }
  const script = emulatorScriptPath(options.emulatorScript);
  const external = externalImports(readFileSync(script, 'utf8'));
  if (external.length > 0) {
    throw new ClusterError(
      'IMAGE_MISSING',
      `the emulator script ${script} imports ${external.join(', ')}, but the image has no node_modules: bundle it whole ` +
        '(tsup `noExternal` for the emulator-server entry)',
    );
  }
  const templates = path.join(packageRoot(), 'docker', 'emulator');
  const context = await mkdtemp(path.join(tmpdir(), 'banyandb-perf-emulator-'));
  try {
    const rootfs = path.join(context, 'rootfs');
    const node = await realpath(process.execPath);
    await put(rootfs, 'usr/local/bin/node', node, 0o755);
    const libs = await sharedLibraries(node);
    for (const lib of libs) await put(rootfs, lib, lib);
    await put(rootfs, 'app/emulator-server.js', script);
    const map = `${script}.map`;
    if (existsSync(map)) await put(rootfs, 'app/emulator-server.js.map', map);
    await writeFile(path.join(rootfs, 'app', 'package.json'), '{ "type": "module" }\n');
    await put(rootfs, 'banyand', path.join(templates, 'banyand'), 0o755);
    await put(rootfs, 'bin/wget', path.join(templates, 'wget'), 0o755);
    await put(rootfs, 'bin/du', path.join(templates, 'du'), 0o755);
    await put(rootfs, 'bin/find', path.join(templates, 'find'), 0o755);
    for (const dir of ['tmp', 'data']) await mkdir(path.join(rootfs, dir), { recursive: true, mode: 0o1777 });
    await chmod(path.join(rootfs, 'tmp'), 0o1777);
    await copyFile(path.join(templates, 'Dockerfile'), path.join(context, 'Dockerfile'));
    const libraryPath = [...new Set(libs.map((l) => path.dirname(l)))].join(':');
    await dockerBuild(
      context,
      EMULATOR_IMAGE,
      options,
      { LIBRARY_PATH: libraryPath || '/lib' },
      { [EMULATOR_BUILD_LABEL]: emulatorFingerprint(options.emulatorScript) },
    );
    return EMULATOR_IMAGE;
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

/** Go architecture name of this machine. */
function goArch(): string {
  return process.arch === 'x64' ? 'amd64' : process.arch;
}

/** The release binary of a BanyanDB checkout (`banyand/build/bin/linux/<arch>/banyand-server-static|slim`). */
export async function sourceBinary(checkout: string): Promise<string> {
  const root = path.resolve(checkout);
  if (!existsSync(path.join(root, 'banyand')) || !existsSync(path.join(root, 'go.mod'))) {
    throw new ClusterError(
      'IMAGE_MISSING',
      `${root} is not a BanyanDB checkout (expected go.mod and banyand/ in it)`,
      {},
      {
        advice: { library: 'give image.source the root of a BanyanDB clone', cli: 'give --source the root of a BanyanDB clone' },
      },
    );
  }
  const dir = path.join(root, 'banyand', 'build', 'bin', 'linux', goArch());
  for (const name of ['banyand-server-static', 'banyand-server-slim']) {
    const p = path.join(dir, name);
    if (existsSync(p) && (await stat(p)).isFile()) return p;
  }
  throw new ClusterError(
    'IMAGE_MISSING',
    `the BanyanDB checkout ${root} has no release binary at ${path.join(dir, 'banyand-server-static')}: build it in the checkout with ` +
      `\`make generate && PLATFORMS=linux/${goArch()} make -C banyand release\``,
  );
}

/** Builds {@link SOURCE_IMAGE} from a BanyanDB checkout's release binary and docker/Dockerfile.banyandb-source. */
export async function buildSourceImage(checkout: string, options: EnsureImageOptions = {}): Promise<string> {
  const binary = await sourceBinary(checkout);
  const context = await mkdtemp(path.join(tmpdir(), 'banyandb-perf-source-'));
  try {
    await copyFile(binary, path.join(context, 'banyand'));
    await chmod(path.join(context, 'banyand'), 0o755);
    await copyFile(path.join(packageRoot(), 'docker', 'Dockerfile.banyandb-source'), path.join(context, 'Dockerfile'));
    await dockerBuild(context, SOURCE_IMAGE, options);
    return SOURCE_IMAGE;
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}
