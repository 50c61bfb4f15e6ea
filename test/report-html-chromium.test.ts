/**
 * Renders the HTML report of the fixture in headless Chromium (offline, file://), checks the screenshot
 * (PNG size, not blank, both model colours present) and the rendered DOM (the charts' SVG elements).
 * Skips when no Chromium is installed, unless BANYANDB_PERF_REQUIRE_CHROMIUM=1 (CI).
 * Chromium binary: $BANYANDB_PERF_CHROMIUM, else chromium / chromium-browser / google-chrome on PATH.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, constants, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import { renderHtmlReport } from '../src/report/html.js';
import type { BenchmarkResult } from '../src/results.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', 'testdata', 'results', 'sample-result.json');
const WIDTH = 1400;
const HEIGHT = 2000;
const TIMEOUT_MS = 120_000;

async function findChromium(): Promise<string | undefined> {
  const given = process.env.BANYANDB_PERF_CHROMIUM;
  if (given) return given;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
      const p = join(dir, name);
      try {
        await access(p, constants.X_OK);
        return p;
      } catch {
        // next
      }
    }
  }
  return undefined;
}

const chromium = await findChromium();
const required = process.env.BANYANDB_PERF_REQUIRE_CHROMIUM === '1';
const skip =
  chromium === undefined && !required
    ? 'Chromium not installed (apt-get install -y chromium; set BANYANDB_PERF_REQUIRE_CHROMIUM=1 to fail instead)'
    : false;

function run(bin: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stderr }));
      else resolve({ stdout, stderr });
    });
  });
}

/** Chromium flags for an offline, reproducible headless run. */
function chromiumArgs(profile: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--hide-scrollbars',
    '--force-color-profile=srgb',
    `--user-data-dir=${profile}`,
    `--window-size=${WIDTH},${HEIGHT}`,
  ];
}

interface DecodedPng {
  width: number;
  height: number;
  channels: number;
  pixels: Buffer;
}

/** Minimal PNG decoder: 8-bit RGB/RGBA, non-interlaced (what Chromium writes). */
function decodePng(png: Buffer): DecodedPng {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const bitDepth = data[8];
      const colourType = data[9];
      assert.equal(bitDepth, 8, 'bit depth');
      assert.equal(data[12], 0, 'interlace');
      assert.ok(colourType === 2 || colourType === 6, `colour type ${colourType}`);
      channels = colourType === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[x - channels]! : 0;
      const b = prev[x]!;
      const c = x >= channels ? prev[x - channels]! : 0;
      const v = line[x]!;
      let r: number;
      switch (filter) {
        case 0:
          r = v;
          break;
        case 1:
          r = v + a;
          break;
        case 2:
          r = v + b;
          break;
        case 3:
          r = v + ((a + b) >> 1);
          break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          r = v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default:
          throw new Error(`PNG filter ${filter} on row ${y}`);
      }
      out[x] = r & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

function colourCounts(png: DecodedPng): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = 0; i < png.pixels.length; i += png.channels) {
    const rgb = (png.pixels[i]! << 16) | (png.pixels[i + 1]! << 8) | png.pixels[i + 2]!;
    counts.set(rgb, (counts.get(rgb) ?? 0) + 1);
  }
  return counts;
}

if (chromium === undefined && required) {
  it('finds Chromium (BANYANDB_PERF_REQUIRE_CHROMIUM=1)', () => {
    assert.fail('BANYANDB_PERF_REQUIRE_CHROMIUM=1 but no Chromium found: apt-get install -y chromium, or set BANYANDB_PERF_CHROMIUM');
  });
}

describe('HTML report in headless Chromium', { skip: skip || (chromium === undefined ? 'no Chromium' : false) }, () => {
  let dir: string;
  let htmlUrl: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'banyandb-perf-chromium-'));
    const result = JSON.parse(await readFile(FIXTURE, 'utf8')) as BenchmarkResult;
    const file = join(dir, 'report.html');
    await writeFile(file, renderHtmlReport(result));
    htmlUrl = pathToFileURL(file).href;
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('screenshots a non-blank page of the window size showing both models', { timeout: TIMEOUT_MS }, async () => {
    const shot = join(dir, 'report.png');
    await run(chromium!, [...chromiumArgs(join(dir, 'profile-shot')), `--screenshot=${shot}`, htmlUrl]);
    const png = decodePng(await readFile(shot));
    assert.equal(png.width, WIDTH);
    assert.equal(png.height, HEIGHT);
    const counts = colourCounts(png);
    assert.ok(counts.size > 50, `only ${counts.size} distinct colours: blank page?`);
    const total = png.width * png.height;
    const top = [...counts.values()].sort((a, b) => b - a)[0]!;
    assert.ok(top < total * 0.9, 'one colour covers more than 90% of the page');
    // Solid fills of the charts: stream #1d4ed8 (bars, legend) and trace #c2410c; banner border #b91c1c.
    for (const [name, rgb] of [
      ['stream blue', 0x1d4ed8],
      ['trace orange', 0xc2410c],
      ['warning red', 0xb91c1c],
    ] as const) {
      assert.ok((counts.get(rgb) ?? 0) > 100, `${name} (#${rgb.toString(16)}) hardly present: ${counts.get(rgb) ?? 0} px`);
    }
  });

  it('renders the charts as SVG elements in the DOM', { timeout: TIMEOUT_MS }, async () => {
    const { stdout } = await run(chromium!, [...chromiumArgs(join(dir, 'profile-dom')), '--dump-dom', htmlUrl]);
    for (const cls of ['throughput', 'query-latency', 'container-cpu', 'container-mem', 'disk']) {
      assert.match(stdout, new RegExp(`<svg class="chart ${cls}"`), `chart ${cls}`);
    }
    assert.equal(stdout.match(/<path class="series"/g)?.length, 10);
    assert.equal(stdout.match(/<rect class="bar"/g)?.length, 29);
    assert.match(stdout, /Figures from banyandb-perf's emulator, not BanyanDB/);
  });
});
