/**
 * Documentation checks: the README's set-up block, relative links and anchors across README.md and docs/,
 * the files the docs tell users to run, and the generated docs/api.md being current.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
