/**
 * Documentation checks: the README's set-up block, relative links and anchors across README.md and docs/,
 * the files the docs tell users to run, and the generated docs/api.md being current.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (p: string) => readFileSync(path.join(root, p), 'utf8');
const docs = [
  'README.md',
  ...readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function anchorsOf(markdown: string): Set<string> {
  const out = new Set<string>();
  const body = markdown.replace(/```[\s\S]*?```/g, '');
  for (const m of body.matchAll(/^#{1,6} (.+)$/gm)) {
    out.add(
      (m[1] ?? '')
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\- _]/gu, '')
        .replace(/ /g, '-'),
    );
  }
  return out;
}

test('README: one code block near the top holds exactly the two set-up commands', () => {
  const readme = read('README.md');
  const first = /```sh\n([\s\S]*?)```/.exec(readme);
  assert.ok(first, 'README has a sh code block');
  assert.ok(first.index < 1500, 'the set-up block is near the top');
  const commands = first[1]!
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l !== '');
  assert.deepEqual(commands, ['npm ci && npx tsx examples/stream-vs-trace.ts', 'npm ci && npm test']);
});

test('docs: every relative link points to an existing file and heading', () => {
  const problems: string[] = [];
  for (const file of docs) {
    const text = read(file).replace(/```[\s\S]*?```/g, '');
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const link = m[1]!;
      if (/^[a-z]+:/.test(link)) continue;
      const [target = '', anchor] = link.split('#');
      const resolved = target === '' ? file : path.normalize(path.join(path.dirname(file), target));
      if (!existsSync(path.join(root, resolved))) {
        problems.push(`${file}: ${link} (no such file)`);
        continue;
      }
      if (anchor && resolved.endsWith('.md') && !anchorsOf(read(resolved)).has(anchor)) {
        problems.push(`${file}: ${link} (no such heading)`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

test('docs: the scripts and files the docs tell users to run exist', () => {
  const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
  for (const script of ['test', 'build', 'docs:api', 'docs:api-md']) assert.ok(pkg.scripts[script], `npm run ${script}`);
  for (const file of [
    'examples/stream-vs-trace.ts',
    '.ci/run',
    'scripts/ci-docker.sh',
    'docker/Dockerfile.banyandb-source',
    'typedoc.json',
  ]) {
    assert.ok(existsSync(path.join(root, file)), file);
  }
});

test('docs/api.md is generated from the current TSDoc (npm run docs:api-md)', { timeout: 120_000 }, async () => {
  const run = promisify(execFile);
  const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
  try {
    await run(tsx, [path.join(root, 'scripts', 'gen-api-md.ts'), '--check'], { cwd: root });
  } catch (err) {
    const e = err as { stderr?: string; code?: number };
    assert.fail(`${e.stderr?.trim() || `gen-api-md --check exited ${e.code}`}`);
  }
});

/** The shell commands of a markdown text's ```sh blocks, comments dropped. */
function shCommands(markdown: string): string[] {
  return [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) =>
    (m[1] ?? '')
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, '').trim())
      .filter((l) => l !== ''),
  );
}

const QUICK_RUN = 'npm run cli -- test --target emulator --spans 600 --repeats 3';

test('README and getting-started: in a clone the CLI is `npm run cli --`, never `npx banyandb-perf`', () => {
  const readme = shCommands(read('README.md'));
  const guide = shCommands(read('docs/getting-started.md'));
  for (const cmd of ['npm run cli -- help', QUICK_RUN]) assert.ok(readme.includes(cmd), `README runs ${cmd}`);
  assert.ok(guide.includes(QUICK_RUN), `getting-started's first run is ${QUICK_RUN}`);
  // `npx banyandb-perf` only where the package is installed as a dependency (the block after `npm i banyandb-perf`).
  const npx = [...readme, ...guide].filter((c) => c.startsWith('npx banyandb-perf'));
  assert.deepEqual(npx, ['npx banyandb-perf help'], 'the one installed-package example');
  const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
  assert.equal(pkg.scripts.cli, 'tsx src/cli/main.ts');
});

test('README: the comparison table states the method of docs/methodology.md', () => {
  const readme = read('README.md');
  assert.doesNotMatch(readme, /Welch's t-test before naming a winner|95% CIs overlap/);
  const row = readme.split('\n').find((l) => l.startsWith('| Repeats |')) ?? '';
  for (const word of ['ratio of the medians', 'log-ratio interval', 'Holm–Bonferroni', '3 repeats', 'CV']) {
    assert.ok(row.includes(word), `${word} in: ${row}`);
  }
  assert.doesNotMatch(read('docs/getting-started.md'), /Welch's t-test finds/);
});

test('README: its CLI commands run as written in the clone (help, and a quick emulator run)', { timeout: 900_000 }, async () => {
  const run = promisify(execFile);
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  // The quick run writes into ./results: what was there before is put back afterwards.
  const results = path.join(root, 'results');
  const before = existsSync(results) ? new Set(readdirSync(results)) : undefined;
  const latest = path.join(results, 'latest.json');
  const latestBefore = existsSync(latest) ? readFileSync(latest) : undefined;
  try {
    for (const cmd of ['npm run cli -- help', QUICK_RUN]) {
      const started = Date.now();
      const r = await run('sh', ['-c', cmd], { cwd: root, env, maxBuffer: 64 * 1024 * 1024 }).then(
        (x) => ({ code: 0, ...x }),
        (e: { code?: number; stdout?: string; stderr?: string }) => ({
          code: e.code ?? -1,
          stdout: e.stdout ?? '',
          stderr: e.stderr ?? '',
        }),
      );
      assert.equal(r.code, 0, `${cmd} exited ${r.code}:\n${r.stderr.slice(-3000)}`);
      if (cmd.endsWith('help')) assert.match(r.stdout, /Usage: banyandb-perf <verb> \[flags\]/);
      else {
        assert.match(r.stdout, /== Verdict ==/);
        assert.match(r.stderr, /results written to /);
      }
      console.log(`# ${cmd}: exit 0 in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  } finally {
    if (existsSync(results)) {
      if (before === undefined) rmSync(results, { recursive: true, force: true });
      else {
        for (const f of readdirSync(results)) if (!before.has(f)) rmSync(path.join(results, f), { force: true });
        if (latestBefore) writeFileSync(latest, latestBefore);
      }
    }
  }
});
