/**
 * A small strict JSON parser (RFC 8259) for schema files. Unlike `JSON.parse` it reports syntax errors
 * with a line and column in wording that does not depend on the Node.js version, and it rejects an
 * object that names the same key twice (which `JSON.parse` silently resolves to the last one).
 *
 * Internal: not part of the public API.
 */

/** A JSON syntax error at a 1-based line and column. */
export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  readonly line: number;
  readonly column: number;
  /** JSON path of the innermost value being parsed, e.g. `$.tags[1]`. */
  readonly jsonPath: string;
  /** What went wrong, without the position. */
  readonly detail: string;

  constructor(detail: string, line: number, column: number, jsonPath: string) {
    super(`${detail} at line ${line}, column ${column}`);
    this.detail = detail;
    this.line = line;
    this.column = column;
    this.jsonPath = jsonPath;
  }
}

/** Appends a member name to a JSON path: `.name` when it is an identifier, `["odd name"]` otherwise. */
export function jsonPathMember(path: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Parses a JSON text; a leading byte-order mark is ignored. Throws {@link JsonSyntaxError}. */
export function parseJson(text: string): unknown {
  return new Parser(text).parseDocument();
}

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  parseDocument(): unknown {
    this.skipWhitespace();
    if (this.pos >= this.text.length) this.fail('expected a JSON value, found the end of the file', '$');
    const value = this.parseValue('$', 0);
    this.skipWhitespace();
    if (this.pos < this.text.length) this.fail(`unexpected ${this.describe()} after the JSON value`, '$');
    return value;
  }

  private parseValue(path: string, depth: number): unknown {
    if (depth > 512) this.fail('JSON nested too deeply', path);
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.parseObject(path, depth);
      case '[':
        return this.parseArray(path, depth);
      case '"':
        return this.parseString(path);
      case 't':
        return this.parseLiteral('true', true, path);
      case 'f':
        return this.parseLiteral('false', false, path);
      case 'n':
        return this.parseLiteral('null', null, path);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.parseNumber(path);
        return this.fail(`expected a JSON value, found ${this.describe()}`, path);
    }
  }

  private parseObject(path: string, depth: number): Record<string, unknown> {
    this.pos++; // {
    const obj: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return obj;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail(`expected a quoted member name, found ${this.describe()}`, path);
      const keyPos = this.pos;
      const key = this.parseString(path);
      if (seen.has(key)) {
        this.pos = keyPos;
        this.fail(`duplicate member name ${JSON.stringify(key)}`, path);
      }
      seen.add(key);
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.fail(`expected ':' after member name ${JSON.stringify(key)}, found ${this.describe()}`, path);
      this.pos++;
      this.skipWhitespace();
      const memberPath = jsonPathMember(path, key);
      const value = this.parseValue(memberPath, depth + 1);
      Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
      this.skipWhitespace();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === '}') {
        this.pos++;
        return obj;
      }
      this.fail(`expected ',' or '}' after the value of ${JSON.stringify(key)}, found ${this.describe()}`, memberPath);
    }
  }

  private parseArray(path: string, depth: number): unknown[] {
    this.pos++; // [
    const arr: unknown[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return arr;
    }
    for (;;) {
      this.skipWhitespace();
      const itemPath = `${path}[${arr.length}]`;
      arr.push(this.parseValue(itemPath, depth + 1));
      this.skipWhitespace();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ']') {
        this.pos++;
        return arr;
      }
      this.fail(`expected ',' or ']' after an array element, found ${this.describe()}`, itemPath);
    }
  }

  private parseString(path: string): string {
    this.pos++; // opening quote
    let out = '';
    let start = this.pos;
    for (;;) {
      if (this.pos >= this.text.length) this.fail('unterminated string', path);
      const code = this.text.charCodeAt(this.pos);
      if (code === 0x22) {
        out += this.text.slice(start, this.pos);
        this.pos++;
        return out;
      }
      if (code < 0x20) this.fail('control character in a string (escape it)', path);
      if (code === 0x5c) {
        out += this.text.slice(start, this.pos);
        const e = this.text[this.pos + 1];
        if (e === 'u') {
          const hex = this.text.slice(this.pos + 2, this.pos + 6);
          if (!/^[0-9A-Fa-f]{4}$/.test(hex)) this.fail('invalid \\u escape in a string', path);
          out += String.fromCharCode(Number.parseInt(hex, 16));
          this.pos += 6;
        } else if (e !== undefined && e in ESCAPES) {
          out += ESCAPES[e];
          this.pos += 2;
        } else {
          this.fail('invalid escape in a string', path);
        }
        start = this.pos;
        continue;
      }
      this.pos++;
    }
  }

  private parseNumber(path: string): number {
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!m) this.fail(`invalid number, found ${this.describe()}`, path);
    const next = this.text[this.pos + m[0].length];
    if (next !== undefined && /[0-9.eE+-]/.test(next)) this.fail('invalid number', path);
    this.pos += m[0].length;
    return Number(m[0]);
  }

  private parseLiteral<T>(word: string, value: T, path: string): T {
    if (this.text.startsWith(word, this.pos) && !/[A-Za-z0-9_]/.test(this.text[this.pos + word.length] ?? '')) {
      this.pos += word.length;
      return value;
    }
    return this.fail(`expected a JSON value, found ${this.describe()}`, path);
  }

  private skipWhitespace(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else return;
    }
  }

  /** Describes what is at the current position, for error messages. */
  private describe(): string {
    if (this.pos >= this.text.length) return 'the end of the file';
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos, this.pos + 40));
    if (word) return `'${word[0]}'`;
    const ch = this.text[this.pos] ?? '';
    return ch >= ' ' && ch !== "'" ? `'${ch}'` : JSON.stringify(ch);
  }

  private fail(detail: string, path: string): never {
    let line = 1;
    let lineStart = 0;
    const end = Math.min(this.pos, this.text.length);
    for (let i = 0; i < end; i++) {
      if (this.text.charCodeAt(i) === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    throw new JsonSyntaxError(detail, line, end - lineStart + 1, path);
  }
}
