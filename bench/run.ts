/**
 * `npm run bench`: runs every benchmark as a child process, one after another (so they do not compete for the
 * CPU), collects the `BENCH_RESULT {json}` line each prints last, and prints one summary table of the figures
 * against the performance targets, with the machine's load before and after.
 *
 *   npm run bench [-- --quick] [-- --full] [-- --only <name>[,<name>...]]
 *
 *   --quick   short runs (about 2-3 minutes); the medium-scale memory pass is shortened and labelled so
 *   --full    the medium-scale memory pass generates 10M spans (the scale's real size; ~6 min or more) instead of 2M
 *   --only    run only the named benches: generator, metrics, producer, write-full, write-path, workload-write, mixed
 *
 * Each bench's own human-readable output is shown as it runs. When the load average is above 1.5 before the first
 * bench (other processes competing for the 2 cores this was written on), the figures are flagged as unreliable.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    only: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

/** Load average (1 min) above which figures are flagged as unreliable. */
const LOAD_WARNING = 1.5;
const QUICK = values.quick;
const MEDIUM_SPANS = values.full ? 10_000_000 : QUICK ? 300_000 : 2_000_000;
const MEDIUM_LABEL = values.full
  ? '10M spans (full medium scale)'
  : QUICK
    ? '300k spans (--quick; use --full for 10M)'
    : '2M spans (use --full for 10M)';

interface Bench {
  name: string;
  script: string;
  args: string[];
}

const BENCHES: Bench[] = [
  {
    name: 'generator',
    script: 'generator.ts',
    args: ['--seconds', QUICK ? '3' : '10', '--spans', String(MEDIUM_SPANS)],
  },
  { name: 'metrics', script: 'metrics.ts', args: ['--samples', QUICK ? '2000000' : '10000000'] },
  { name: 'producer', script: 'producer.ts', args: ['--spans', QUICK ? '50000' : '200000', '--rounds', '3'] },
  { name: 'write-full', script: 'write-full.ts', args: ['--spans', QUICK ? '10000' : '30000', '--rounds', QUICK ? '3' : '5'] },
  { name: 'write-path', script: 'write-path.ts', args: ['--spans', QUICK ? '10000' : '30000'] },
  { name: 'workload-write', script: 'workload-write.ts', args: ['--spans', QUICK ? '10000' : '20000', '--repeats', QUICK ? '1' : '2'] },
  { name: 'mixed', script: 'mixed.ts', args: ['--seconds', QUICK ? '8' : '20'] },
];

if (values.help) {
  console.log(
    `usage: npm run bench [-- --quick] [-- --full] [-- --only <name>[,<name>...]]\nbenches: ${BENCHES.map((b) => b.name).join(', ')}`,
  );
  process.exit(0);
}
const only = values.only?.split(',').map((s) => s.trim());
for (const name of only ?? []) {
  if (!BENCHES.some((b) => b.name === name)) {
    console.error(`--only: unknown bench "${name}"; expected one of ${BENCHES.map((b) => b.name).join(', ')}`);
    process.exit(2);
  }
}
const selected = BENCHES.filter((b) => !only || only.includes(b.name));

interface Outcome {
  bench: Bench;
  result: Record<string, unknown> | undefined;
  exitCode: number | null;
  seconds: number;
  loadBefore: number[];
  loadAfter: number[];
}

function runBench(b: Bench): Promise<Outcome> {
  const loadBefore = os.loadavg();
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(`./${b.script}`, import.meta.url)), ...b.args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let result: Record<string, unknown> | undefined;
    let pendingLine = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const lines = (pendingLine + chunk).split('\n');
      pendingLine = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('BENCH_RESULT ')) {
          try {
            result = JSON.parse(line.slice('BENCH_RESULT '.length)) as Record<string, unknown>;
          } catch {
            console.error(`[run] ${b.name}: unreadable BENCH_RESULT line`);
          }
        } else {
          process.stdout.write(`  ${line}\n`);
        }
      }
    });
    child.on('close', (code) => {
      if (pendingLine) process.stdout.write(`  ${pendingLine}\n`);
      resolve({ bench: b, result, exitCode: code, seconds: (performance.now() - t0) / 1000, loadBefore, loadAfter: os.loadavg() });
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Summary rows.

interface Row {
  figure: string;
  value: string;
  target: string;
  /** true met, false not met, undefined informational. */
  met: boolean | undefined;
  load: string;
}

const n0 = (x: number): string => Math.round(x).toLocaleString('en-US');
const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
const loadOf = (o: Outcome): string => `${o.loadBefore[0]!.toFixed(1)}→${o.loadAfter[0]!.toFixed(1)}`;
// biome-ignore lint/suspicious/noExplicitAny: figures come from JSON printed by the benches
type J = any;

function rowsFor(o: Outcome): Row[] {
  const r = o.result as J;
  const load = loadOf(o);
  if (!r) return [{ figure: `${o.bench.name}: no result (exit code ${o.exitCode})`, value: '-', target: '-', met: false, load }];
  switch (o.bench.name) {
    case 'generator': {
      const rows: Row[] = [];
      const w = r.withPayload;
      if (w) {
        rows.push({
          figure: `generator, ~${n0(w.meanPayloadBytes)} B payloads, best of 3 (wall clock)`,
          value: `${n0(w.bestSpansPerSec)} spans/s`,
          target: '>= 100,000 spans/s',
          met: w.bestSpansPerSec >= 100_000,
          load,
        });
        rows.push({
          figure: '  same, per CPU-second of the process (steadier under load)',
          value: `${n0(w.bestSpansPerCpuSec)} spans/s`,
          target: '(informational)',
          met: undefined,
          load,
        });
      }
      if (r.withoutPayload) {
        rows.push({
          figure: 'generator without payloads, best of 3 (wall clock)',
          value: `${n0(r.withoutPayload.bestSpansPerSec)} spans/s`,
          target: '(informational)',
          met: undefined,
          load,
        });
      }
      const m = r.memory;
      if (m) {
        rows.push({
          figure: `peak RSS: medium pass ${MEDIUM_LABEL} / small pass (100k)`,
          value: `${m.peakRssRatio.toFixed(2)}x (${mib(m.medium.peakRssBytes)} / ${mib(m.small.peakRssBytes)})`,
          target: '<= 1.2x',
          met: m.peakRssRatio <= 1.2,
          load,
        });
        rows.push({
          figure: '  retained after forced GC: medium / small',
          value: `${(m.medium.retainedBytes / m.small.retainedBytes).toFixed(2)}x (${mib(m.medium.retainedBytes)} / ${mib(m.small.retainedBytes)})`,
          target: '(informational)',
          met: undefined,
          load,
        });
      }
      return rows;
    }
    case 'metrics':
      return [
        {
          figure: 'LatencyRecorder.record(), CPU time per sample (median of 3)',
          value: `${r.medianRecordNs.toFixed(1)} ns`,
          target: '< 1,000 ns',
          met: r.medianRecordNs < 1000,
          load,
        },
      ];
    case 'producer': {
      const rows: Row[] = [];
      for (const model of ['trace', 'stream']) {
        const m = r[model];
        if (!m) continue;
        rows.push({
          figure: `${model}: producer thread's work on one thread, CPU per span: generate + encode (generate, encode)`,
          value: `${m.totalUsPerSpan.toFixed(1)} µs (${m.generateUsPerSpan.toFixed(1)}, ${m.encodeUsPerSpan.toFixed(1)})`,
          target: '(informational)',
          met: undefined,
          load,
        });
      }
      return rows;
    }
    case 'write-full': {
      const rows: Row[] = [];
      for (const model of ['trace', 'stream']) {
        const m = r[model];
        if (!m) continue;
        rows.push({
          figure: `${model}: full write path (generator + workload + client), batch ${r.batch}, median`,
          value: `${n0(m.full.spansPerSec)} spans/s, ${m.full.mbPerSec.toFixed(0)} MB/s`,
          target: '>= 20,000 spans/s',
          met: m.full.spansPerSec >= 20_000,
          load,
        });
        rows.push({
          figure: `${model}: full / pre-encoded (same run; pre-encoded ${n0(m.pre.spansPerSec)} spans/s)`,
          value: `${m.ratio.toFixed(2)}`,
          target: '>= 0.9',
          met: m.ratio >= 0.9,
          load,
        });
        if (m.plain) {
          rows.push({
            // The first is the cost of a producer thread beside the event loop, the second what the workload adds.
            figure: `${model}:   producer thread + plain loop / pre-encoded; full / producer thread + plain loop`,
            value: `${m.plainRatio.toFixed(2)}; ${(m.full.spansPerSec / m.plain.spansPerSec).toFixed(2)}`,
            target: '(informational)',
            met: undefined,
            load,
          });
        }
        rows.push({
          // When the client is the bottleneck (an idle machine, the sink on the other core), the ratio tends to this.
          figure: `${model}:   client CPU per span, full / pre-encoded (client-bound ratio)`,
          value: `${m.full.clientCpuUsPerSpan.toFixed(0)} / ${m.pre.clientCpuUsPerSpan.toFixed(0)} µs (${(m.pre.clientCpuUsPerSpan / m.full.clientCpuUsPerSpan).toFixed(2)})`,
          target: '(informational)',
          met: undefined,
          load,
        });
        if (m.full.threads && m.pre.threads) {
          const t = (x: J): string => `${x.eventLoop.toFixed(0)} / ${x.producer.toFixed(0)} / ${x.other.toFixed(0)}`;
          rows.push({
            figure: `${model}:   same by thread, event loop / producer / V8+libuv (GC): full; pre-encoded`,
            value: `${t(m.full.threads)} µs; ${t(m.pre.threads)} µs`,
            target: '(informational)',
            met: undefined,
            load,
          });
        }
        if (m.full.loop && m.pre.loop) {
          const l = (x: J): string => `${x.onCpu.toFixed(0)} / ${x.waitingForCpu.toFixed(0)} / ${x.idle.toFixed(0)}`;
          rows.push({
            figure: `${model}:   event loop wall time per span, on a CPU / busy waiting for a CPU / idle: full; pre-encoded`,
            value: `${l(m.full.loop)} µs; ${l(m.pre.loop)} µs`,
            target: '(informational)',
            met: undefined,
            load,
          });
        }
      }
      return rows;
    }
    case 'write-path': {
      const rows: Row[] = [];
      for (const model of ['trace', 'stream']) {
        const m = r[model];
        if (!m) continue;
        rows.push({
          figure: `${model}: client only (bench-built requests) / pre-encoded`,
          value: `${n0(m.full.spansPerSec)} / ${n0(m.pre.spansPerSec)} spans/s (${m.ratioWall.toFixed(2)})`,
          target: '(informational)',
          met: undefined,
          load,
        });
      }
      return rows;
    }
    case 'mixed': {
      const rows: Row[] = [];
      for (const model of ['stream', 'trace']) {
        const m = r[model];
        if (!m) continue;
        rows.push({
          figure: `${model}: mixed load (writes ${n0(r.rate)}/s + queries ${r.qps}/s) against the sink, reached`,
          value: `${n0(m.spansPerSec)} spans/s, ${m.queriesPerSec.toFixed(1)} queries/s`,
          target: `>= 95% of both rates`,
          met: m.spansPerSec >= 0.95 * r.rate && m.queriesPerSec >= 0.95 * r.qps,
          load,
        });
        rows.push({
          figure: `${model}:   harness CPU at that load (not the bottleneck)`,
          value: `${(m.cpuShareOfCore * 100).toFixed(0)}% of one core, ${m.cpuUsPerSpan.toFixed(0)} µs per span`,
          target: '< 50% of one core',
          met: m.cpuShareOfCore < 0.5,
          load,
        });
      }
      return rows;
    }
    case 'workload-write': {
      const rows: Row[] = [];
      for (const model of ['trace', 'stream']) {
        const runs = r[model] as { spansPerSec: number }[] | undefined;
        if (!runs?.length) continue;
        rows.push({
          figure: `${model}: workload write, repeats`,
          value: `${runs.map((x) => n0(x.spansPerSec)).join(', ')} spans/s`,
          target: '(informational)',
          met: undefined,
          load,
        });
      }
      return rows;
    }
    default:
      return [];
  }
}

function table(rows: Row[]): string {
  const header: Row = { figure: 'figure', value: 'value', target: 'target', met: undefined, load: 'load 1m' };
  const status = (x: Row): string => (x === header ? 'status' : x.met === undefined ? '' : x.met ? 'met' : 'NOT MET');
  const w = (f: (x: Row) => string): number => Math.max(...[header, ...rows].map((x) => f(x).length));
  const wf = w((x) => x.figure);
  const wv = w((x) => x.value);
  const wt = w((x) => x.target);
  const ws = w(status);
  const line = (x: Row): string =>
    `${x.figure.padEnd(wf)}  ${x.value.padStart(wv)}  ${x.target.padEnd(wt)}  ${status(x).padEnd(ws)}  ${x.load}`;
  const rule = '-'.repeat(wf + wv + wt + ws + 8 + 10);
  return [line(header), rule, ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const loadStart = os.loadavg();
  const cpus = os.cpus();
  console.log(
    `npm run bench${QUICK ? ' --quick' : ''}${values.full ? ' --full' : ''}: ${selected.map((b) => b.name).join(', ')}\n` +
      `node ${process.version}, ${os.platform()} ${os.arch()}, ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? 'unknown'}), ` +
      `load average at start ${loadStart.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const outcomes: Outcome[] = [];
  for (const b of selected) {
    console.log(`\n=== ${b.name} (bench/${b.script} ${b.args.join(' ')})`);
    const o = await runBench(b);
    console.log(`=== ${b.name}: ${o.seconds.toFixed(0)} s, exit code ${o.exitCode}, load ${loadOf(o)}`);
    outcomes.push(o);
  }
  const loadEnd = os.loadavg();
  const rows = outcomes.flatMap(rowsFor);
  console.log(`\nSummary (node ${process.version}, ${cpus.length} x ${cpus[0]?.model.trim() ?? 'unknown CPU'})`);
  console.log(table(rows));
  console.log(
    `load average at start ${loadStart.map((l) => l.toFixed(2)).join(' ')}, at end ${loadEnd.map((l) => l.toFixed(2)).join(' ')}` +
      ` (1, 5, 15 min) on ${cpus.length} CPUs`,
  );
  // The write benches keep three threads busy (event loop, producer thread, sink), so the load average during and
  // right after them says little about other processes; the load before the first bench does.
  console.log('(the write benches themselves keep up to 3 threads busy: a 1-min load near 2-3 after them is their own)');
  if (loadStart[0]! > LOAD_WARNING) {
    console.log(
      `WARNING: the load average was ${loadStart[0]!.toFixed(1)} (> ${LOAD_WARNING}) before the first bench: other processes ` +
        'competed for the CPU, so throughput figures are unreliable (too low); CPU-time figures are steadier but also inflated.',
    );
  }
  if (outcomes.some((o) => o.exitCode !== 0 || !o.result)) process.exitCode = 1;
}

await main();
