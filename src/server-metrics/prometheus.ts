/**
 * A parser for the Prometheus text exposition format (version 0.0.4), the format BanyanDB serves on its
 * observability port (`/metrics`). It is strict about structure and lenient about content: a line that cannot be
 * read is reported with its line number and skipped, so one odd line never loses the whole scrape.
 */

/** One sample: a metric name, its labels and its value. */
export interface PrometheusSample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
  /** The sample's own timestamp (ms since the epoch), when the exposition gave one. */
  timestampMs?: number;
}

/** The metric type declared by a `# TYPE` line (`untyped` when none was declared). */
export type PrometheusType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/** A metric family: the samples sharing a `# TYPE`/`# HELP` declaration. */
export interface PrometheusFamily {
  name: string;
  type: PrometheusType;
  help?: string;
  samples: PrometheusSample[];
}

/** A line that could not be read. */
export interface PrometheusProblem {
  /** 1-based line number in the scraped text. */
  line: number;
  message: string;
}

/** What {@link parsePrometheusText} read. */
export interface PrometheusExposition {
  families: Map<string, PrometheusFamily>;
  problems: PrometheusProblem[];
}

const TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*/;
/** Suffixes whose samples belong to the family without them (histograms and summaries). */
const FAMILY_SUFFIXES = ['_bucket', '_count', '_sum', '_total', '_created'] as const;

/** Parses a number the way Prometheus writes them (`+Inf`, `-Inf`, `NaN`, Go floats). */
function parseValue(text: string): number | undefined {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** Reads `{a="x",b="y"}` from `text` at `pos`; returns the labels and the position after `}`. */
function parseLabels(text: string, start: number): { labels: Record<string, string>; end: number } | string {
  const labels: Record<string, string> = {};
  let pos = start + 1;
  for (;;) {
    while (text[pos] === ' ') pos++;
    if (text[pos] === '}') return { labels, end: pos + 1 };
    const name = LABEL_NAME_RE.exec(text.slice(pos))?.[0];
    if (name === undefined) return `expected a label name at column ${pos + 1}`;
    pos += name.length;
    while (text[pos] === ' ') pos++;
    if (text[pos] !== '=') return `expected '=' after label ${name}`;
    pos++;
    while (text[pos] === ' ') pos++;
    if (text[pos] !== '"') return `expected '"' to open the value of label ${name}`;
    pos++;
    let value = '';
    for (;;) {
      const ch = text[pos];
      if (ch === undefined) return `unterminated value of label ${name}`;
      if (ch === '"') break;
      if (ch === '\\') {
        const next = text[pos + 1];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else return `bad escape '\\${next ?? ''}' in label ${name}`;
        pos += 2;
        continue;
      }
      value += ch;
      pos++;
    }
    labels[name] = value;
    pos++;
    while (text[pos] === ' ') pos++;
    if (text[pos] === ',') {
      pos++;
      continue;
    }
    if (text[pos] === '}') return { labels, end: pos + 1 };
    return `expected ',' or '}' after label ${name}`;
  }
}

/** The family a sample name belongs to, given the declared families. */
function familyOf(name: string, declared: Map<string, PrometheusFamily>): string {
  if (declared.has(name)) return name;
  for (const suffix of FAMILY_SUFFIXES) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      const family = declared.get(base);
      if (family !== undefined && family.type !== 'counter' && family.type !== 'gauge') return base;
    }
  }
  return name;
}

/**
 * Parses Prometheus text exposition. Never throws on content: lines it cannot read go to `problems`.
 * @param text the body of a `/metrics` answer
 */
export function parsePrometheusText(text: string): PrometheusExposition {
  const families = new Map<string, PrometheusFamily>();
  const problems: PrometheusProblem[] = [];
  const declare = (name: string): PrometheusFamily => {
    let family = families.get(name);
    if (family === undefined) {
      family = { name, type: 'untyped', samples: [] };
      families.set(name, family);
    }
    return family;
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '').trim();
    const lineNo = i + 1;
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s*(HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\s+(.*))?$/.exec(line);
      if (m === null) continue; // an ordinary comment
      const [, kind, name, rest = ''] = m as unknown as [string, string, string, string | undefined];
      const family = declare(name);
      if (kind === 'HELP') family.help = rest.replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
      else if (TYPES.has(rest.trim())) family.type = rest.trim() as PrometheusType;
      else problems.push({ line: lineNo, message: `unknown metric type '${rest.trim()}' for ${name}` });
      continue;
    }
    const name = NAME_RE.exec(line)?.[0];
    if (name === undefined) {
      problems.push({ line: lineNo, message: 'expected a metric name' });
      continue;
    }
    let pos = name.length;
    let labels: Record<string, string> = {};
    if (line[pos] === '{') {
      const parsed = parseLabels(line, pos);
      if (typeof parsed === 'string') {
        problems.push({ line: lineNo, message: `${name}: ${parsed}` });
        continue;
      }
      labels = parsed.labels;
      pos = parsed.end;
    }
    const fields = line.slice(pos).trim().split(/\s+/);
    const value = fields[0] === undefined || fields[0] === '' ? undefined : parseValue(fields[0]);
    if (value === undefined || fields.length > 2) {
      problems.push({ line: lineNo, message: `${name}: expected a value (and an optional timestamp), got '${line.slice(pos).trim()}'` });
      continue;
    }
    const sample: PrometheusSample = { name, labels, value };
    if (fields[1] !== undefined) {
      const ts = Number(fields[1]);
      if (!Number.isInteger(ts)) {
        problems.push({ line: lineNo, message: `${name}: timestamp '${fields[1]}' is not an integer (ms)` });
        continue;
      }
      sample.timestampMs = ts;
    }
    declare(familyOf(name, families)).samples.push(sample);
  }
  return { families, problems };
}

/** Every sample of `name` (a sample name, not a family name) whose labels include `match`. */
export function samplesOf(
  exposition: PrometheusExposition,
  name: string,
  match: Readonly<Record<string, string>> = {},
): PrometheusSample[] {
  const out: PrometheusSample[] = [];
  const family = exposition.families.get(familyOf(name, exposition.families));
  if (family === undefined) return out;
  for (const s of family.samples) {
    if (s.name !== name) continue;
    let ok = true;
    for (const [k, v] of Object.entries(match)) {
      if (s.labels[k] !== v) {
        ok = false;
        break;
      }
    }
    if (ok) out.push(s);
  }
  return out;
}

/** Sum of the samples of `name` matching `match`; `undefined` when there are none. */
export function sumOf(exposition: PrometheusExposition, name: string, match: Readonly<Record<string, string>> = {}): number | undefined {
  const samples = samplesOf(exposition, name, match);
  if (samples.length === 0) return undefined;
  let sum = 0;
  for (const s of samples) sum += s.value;
  return sum;
}
