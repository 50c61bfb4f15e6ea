/**
 * Tiny inline-SVG chart drawing (line and grouped bar charts) for the offline HTML report.
 * No dependencies; every text goes through {@link escapeHtml}.
 */

/** Escapes text for HTML/SVG element content and attribute values. */
export function escapeHtml(s: unknown): string {
  return String(s).replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** One line of a line chart. */
export interface LineSeries {
  name: string;
  color: string;
  points: readonly (readonly [number, number])[];
  dashed?: boolean;
}

/** One series of a grouped bar chart: one value per category (null = no figure). */
export interface BarSeries {
  name: string;
  color: string;
  values: readonly (number | null)[];
  /** Text drawn instead of a bar when the value is null, e.g. `n/a`. */
  missingLabel?: string;
}

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"';

/** "Nice" axis ticks covering [0, max] (or [min, max]). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max <= min) max = min + 1;
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag) as number;
  const start = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = start; v <= max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Short tick label: 1.2k, 3.4M, 0.05. */
export function tickLabel(v: number, unit?: 'bytes'): string {
  if (unit === 'bytes') {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let x = v;
    let i = 0;
    while (Math.abs(x) >= 1024 && i < units.length - 1) {
      x /= 1024;
      i++;
    }
    return `${Number(x.toPrecision(3))} ${units[i]}`;
  }
  const a = Math.abs(v);
  if (a >= 1e9) return `${Number((v / 1e9).toPrecision(3))}G`;
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return `${Number(v.toPrecision(3))}`;
}

/** Y ticks from 0 to max: decimal steps, or steps in a binary unit (KiB, MiB, ...) for bytes. */
function yTicksFor(max: number, unit?: 'bytes'): number[] {
  if (unit !== 'bytes') return niceTicks(0, max);
  let div = 1;
  while (max / div >= 1024 && div < 1024 ** 4) div *= 1024;
  return niceTicks(0, max / div).map((t) => t * div);
}

function frame(width: number, height: number): Frame {
  return { width, height, left: 72, right: 20, top: 36, bottom: 72 };
}

function open(f: Frame, title: string, cls: string): string {
  return (
    `<svg class="chart ${escapeHtml(cls)}" viewBox="0 0 ${f.width} ${f.height}" ` +
    `width="${f.width}" height="${f.height}" role="img" aria-label="${escapeHtml(title)}" ${FONT} font-size="12">` +
    `<title>${escapeHtml(title)}</title>` +
    `<rect x="0" y="0" width="${f.width}" height="${f.height}" fill="#ffffff"/>` +
    `<text x="${f.width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="600" fill="#1f2937">${escapeHtml(title)}</text>`
  );
}

/** Ticks of a log axis covering [min, max] (> 0): every power of ten, with 2 and 5 between when there are few decades. */
export function logTicks(min: number, max: number): number[] {
  // A bar at exactly a power of ten keeps a visible height: the axis starts one decade below it.
  const lo = Math.floor(Math.log10(min) - 1e-9);
  let hi = Math.ceil(Math.log10(max));
  if (hi <= lo) hi = lo + 1;
  const ticks: number[] = [];
  const fine = hi - lo <= 3;
  for (let e = lo; e <= hi; e++) {
    const base = 10 ** e;
    ticks.push(Number(base.toPrecision(12)));
    if (fine && e < hi) ticks.push(Number((2 * base).toPrecision(12)), Number((5 * base).toPrecision(12)));
  }
  return ticks;
}

function yAxis(
  f: Frame,
  ticks: number[],
  scale: (v: number) => number,
  label: string,
  unit?: 'bytes',
  format?: (v: number) => string,
): string {
  let s = '';
  for (const t of ticks) {
    const y = scale(t);
    s += `<line x1="${f.left}" x2="${f.width - f.right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#e5e7eb"/>`;
    s += `<text x="${f.left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" fill="#4b5563">${escapeHtml(format ? format(t) : tickLabel(t, unit))}</text>`;
  }
  const cy = f.top + (f.height - f.top - f.bottom) / 2;
  s += `<text class="axis-label" x="16" y="${cy}" text-anchor="middle" transform="rotate(-90 16 ${cy})" fill="#374151">${escapeHtml(label)}</text>`;
  s += `<line x1="${f.left}" x2="${f.left}" y1="${f.top}" y2="${f.height - f.bottom}" stroke="#9ca3af"/>`;
  s += `<line x1="${f.left}" x2="${f.width - f.right}" y1="${f.height - f.bottom}" y2="${f.height - f.bottom}" stroke="#9ca3af"/>`;
  return s;
}

/** Approximate width of a legend entry (swatch + text at 12px). */
function legendItemWidth(name: string): number {
  return 40 + name.length * 7;
}

/** Rows of legend entries that fit the chart's width. */
function legendRows<T extends { name: string }>(width: number, left: number, right: number, items: readonly T[]): T[][] {
  const rows: T[][] = [[]];
  let x = left;
  for (const it of items) {
    const w = legendItemWidth(it.name);
    if (x + w > width - right && rows[rows.length - 1]!.length > 0) {
      rows.push([]);
      x = left;
    }
    rows[rows.length - 1]!.push(it);
    x += w;
  }
  return rows;
}

/** Extra height the legend needs beyond its first row. */
function legendExtra(width: number, items: readonly { name: string }[]): number {
  return (legendRows(width, 72, 20, items).length - 1) * LEGEND_ROW;
}

const LEGEND_ROW = 18;

function legend(f: Frame, items: readonly { name: string; color: string; dashed?: boolean }[]): string {
  const rows = legendRows(f.width, f.left, f.right, items);
  let s = '<g class="legend">';
  rows.forEach((row, r) => {
    let x = f.left;
    const y = f.height - 18 - (rows.length - 1 - r) * LEGEND_ROW;
    for (const it of row) {
      const dash = it.dashed ? ' stroke-dasharray="6 3"' : '';
      s += `<line x1="${x}" x2="${x + 22}" y1="${y - 4}" y2="${y - 4}" stroke="${escapeHtml(it.color)}" stroke-width="4"${dash}/>`;
      s += `<text x="${x + 28}" y="${y}" fill="#1f2937">${escapeHtml(it.name)}</text>`;
      x += legendItemWidth(it.name);
    }
  });
  return `${s}</g>`;
}

/** A line chart of one or more series; returns an `<svg>` element as text. */
export function lineChart(opts: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly LineSeries[];
  width?: number;
  height?: number;
  yUnit?: 'bytes';
  cls?: string;
}): string {
  const f = frame(opts.width ?? 640, (opts.height ?? 320) + legendExtra(opts.width ?? 640, opts.series));
  f.bottom += legendExtra(opts.width ?? 640, opts.series);
  const pts = opts.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  let svg = open(f, opts.title, opts.cls ?? 'line-chart');
  if (pts.length === 0) {
    return `${svg}<text x="${f.width / 2}" y="${f.height / 2}" text-anchor="middle" fill="#6b7280">no data</text></svg>`;
  }
  const xMin = Math.min(...pts.map((p) => p[0]));
  const xMaxRaw = Math.max(...pts.map((p) => p[0]));
  const xMax = xMaxRaw > xMin ? xMaxRaw : xMin + 1;
  const yTicks = yTicksFor(Math.max(...pts.map((p) => p[1]), 0), opts.yUnit);
  const yMax = yTicks[yTicks.length - 1] ?? 1;
  const sx = (x: number) => f.left + ((x - xMin) / (xMax - xMin)) * (f.width - f.left - f.right);
  const sy = (y: number) => f.height - f.bottom - (y / yMax) * (f.height - f.top - f.bottom);
  svg += yAxis(f, yTicks, sy, opts.yLabel, opts.yUnit);
  for (const t of niceTicks(xMin, xMax, 6).filter((t) => t >= xMin && t <= xMax)) {
    svg += `<text x="${sx(t).toFixed(1)}" y="${f.height - f.bottom + 16}" text-anchor="middle" fill="#4b5563">${escapeHtml(tickLabel(t))}</text>`;
  }
  svg += `<text class="axis-label" x="${f.left + (f.width - f.left - f.right) / 2}" y="${f.height - f.bottom + 34}" text-anchor="middle" fill="#374151">${escapeHtml(opts.xLabel)}</text>`;
  for (const s of opts.series) {
    const p = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (p.length === 0) continue;
    const d = p.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    const dash = s.dashed ? ' stroke-dasharray="6 3"' : '';
    svg += `<path class="series" d="${d}" fill="none" stroke="${escapeHtml(s.color)}" stroke-width="2"${dash}><title>${escapeHtml(s.name)}</title></path>`;
    if (p.length === 1)
      svg += `<circle cx="${sx(p[0]![0]).toFixed(1)}" cy="${sy(p[0]![1]).toFixed(1)}" r="3" fill="${escapeHtml(s.color)}"/>`;
  }
  svg += legend(f, opts.series);
  return `${svg}</svg>`;
}

/** A grouped bar chart: one group per category, one bar per series; returns an `<svg>` element as text. */
export function barChart(opts: {
  title: string;
  yLabel: string;
  categories: readonly string[];
  series: readonly BarSeries[];
  width?: number;
  height?: number;
  yUnit?: 'bytes';
  cls?: string;
  valueLabel?: (v: number) => string;
  /** Logarithmic y axis (values must be > 0), so small bars stay visible beside large ones. @default false */
  log?: boolean;
  /** Tick label of the y axis. @default tickLabel */
  tickFormat?: (v: number) => string;
}): string {
  const width = opts.width ?? 640;
  // Crowded category labels are slanted; the chart grows to make room for them.
  const longest = Math.max(0, ...opts.categories.map((c) => c.length * 7));
  const slant = opts.categories.length > 0 && longest > ((width - 92) / opts.categories.length) * 0.95;
  const labelExtra = slant ? Math.min(140, Math.round(longest * 0.5)) : 0;
  const extra = legendExtra(width, opts.series) + labelExtra;
  const f = frame(width, (opts.height ?? 320) + extra);
  f.bottom += extra;
  const values = opts.series
    .flatMap((s) => s.values)
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && (!opts.log || v > 0));
  let svg = open(f, opts.title, opts.cls ?? 'bar-chart');
  if (values.length === 0 || opts.categories.length === 0) {
    return `${svg}<text x="${f.width / 2}" y="${f.height / 2}" text-anchor="middle" fill="#6b7280">no data</text></svg>`;
  }
  const plotH = f.height - f.top - f.bottom;
  let yTicks: number[];
  let sy: (y: number) => number;
  if (opts.log) {
    yTicks = logTicks(Math.min(...values), Math.max(...values));
    const lo = Math.log10(yTicks[0]!);
    const hi = Math.log10(yTicks[yTicks.length - 1]!);
    sy = (y: number) => f.height - f.bottom - ((Math.log10(Math.max(y, 10 ** lo)) - lo) / (hi - lo)) * plotH;
  } else {
    yTicks = yTicksFor(Math.max(...values, 0), opts.yUnit);
    const yMax = yTicks[yTicks.length - 1] ?? 1;
    sy = (y: number) => f.height - f.bottom - (y / yMax) * plotH;
  }
  svg += yAxis(f, yTicks, sy, opts.yLabel, opts.yUnit, opts.tickFormat);
  const plotW = f.width - f.left - f.right;
  const groupW = plotW / opts.categories.length;
  const barW = Math.max(2, (groupW * 0.8) / Math.max(1, opts.series.length));
  opts.categories.forEach((cat, ci) => {
    const gx = f.left + ci * groupW + groupW * 0.1;
    opts.series.forEach((s, si) => {
      const v = s.values[ci];
      const x = gx + si * barW;
      if (typeof v === 'number' && Number.isFinite(v) && (!opts.log || v > 0)) {
        const y = sy(Math.max(0, v));
        const h = f.height - f.bottom - y;
        const label = opts.valueLabel ? opts.valueLabel(v) : tickLabel(v, opts.yUnit);
        svg += `<rect class="bar" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(barW - 1).toFixed(1)}" height="${Math.max(0, h).toFixed(1)}" fill="${escapeHtml(s.color)}"><title>${escapeHtml(`${cat} — ${s.name}: ${label}`)}</title></rect>`;
      } else if (s.missingLabel) {
        const cx = x + barW / 2;
        const cy = f.height - f.bottom - 6;
        svg += `<text x="${cx.toFixed(1)}" y="${cy}" text-anchor="start" transform="rotate(-90 ${cx.toFixed(1)} ${cy})" font-size="10" fill="#b91c1c">${escapeHtml(s.missingLabel)}</text>`;
      }
    });
    const lx = (f.left + ci * groupW + groupW / 2).toFixed(1);
    const ly = f.height - f.bottom + 16;
    svg += slant
      ? `<text x="${lx}" y="${ly}" text-anchor="end" transform="rotate(-30 ${lx} ${ly})" fill="#1f2937">${escapeHtml(cat)}</text>`
      : `<text x="${lx}" y="${ly}" text-anchor="middle" fill="#1f2937">${escapeHtml(cat)}</text>`;
  });
  svg += legend(f, opts.series);
  return `${svg}</svg>`;
}
