// A TOML reader for the subset hosts.toml uses: comments, `key = value` with bare,
// quoted and dotted keys, [table] and [a."b".c] headers, strings (basic with escapes,
// literal, multi-line), booleans, integers, floats, arrays (nested, multi-line) and
// inline tables. Each table remembers the line it was opened on, because containerd
// orders [host."…"] entries by their position in the file.

export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;
export interface TomlTable { [key: string]: TomlValue }

export class TomlError extends Error {
  constructor(line: number, message: string) {
    super(`(${line}, 1): ${message}`);
    this.name = 'TomlError';
  }
}

/** Line (1-based) on which each table object was opened. */
export const tableLines = new WeakMap<TomlTable, number>();

export function parseToml(text: string): TomlTable {
  const root: TomlTable = {};
  tableLines.set(root, 1);
  let current = root;
  let pos = 0;
  let line = 1;
  const err = (msg: string): never => { throw new TomlError(line, msg); };
  const peek = () => text[pos] ?? '';
  const skipWs = () => { while (peek() === ' ' || peek() === '\t') pos++; };
  const skipComment = () => { if (peek() === '#') while (pos < text.length && peek() !== '\n') pos++; };
  const skipWsNl = () => {
    for (;;) {
      skipWs();
      skipComment();
      if (peek() === '\n') { pos++; line++; continue; }
      if (peek() === '\r' && text[pos + 1] === '\n') { pos += 2; line++; continue; }
      return;
    }
  };

  const parseBasicString = (): string => {
    const multi = text.startsWith('"""', pos);
    pos += multi ? 3 : 1;
    if (multi && peek() === '\n') { pos++; line++; }
    let out = '';
    for (;;) {
      if (pos >= text.length) err('unclosed string');
      const c = text[pos]!;
      if (multi ? text.startsWith('"""', pos) : c === '"') { pos += multi ? 3 : 1; return out; }
      if (c === '\n') { if (!multi) err('newline in string'); line++; }
      if (c === '\\') {
        const e = text[pos + 1] ?? '';
        pos += 2;
        const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };
        if (e in simple) { out += simple[e]; continue; }
        if (e === 'u' || e === 'U') {
          const n = e === 'u' ? 4 : 8;
          const hex = text.slice(pos, pos + n);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) err('invalid unicode escape');
          out += String.fromCodePoint(parseInt(hex, 16));
          pos += n;
          continue;
        }
        if (multi && (e === '\n' || e === ' ' || e === '\t' || e === '\r')) {
          pos--;
          while (/[ \t\r\n]/.test(peek())) { if (peek() === '\n') line++; pos++; }
          continue;
        }
        err(`invalid escape sequence \\${e}`);
      }
      out += c;
      pos++;
    }
  };

  const parseLiteralString = (): string => {
    const multi = text.startsWith("'''", pos);
    pos += multi ? 3 : 1;
    if (multi && peek() === '\n') { pos++; line++; }
    const end = text.indexOf(multi ? "'''" : "'", pos);
    if (end < 0) err('unclosed string');
    const s = text.slice(pos, end);
    if (!multi && s.includes('\n')) err('newline in string');
    line += (s.match(/\n/g) ?? []).length;
    pos = end + (multi ? 3 : 1);
    return s;
  };

  const parseKeyPart = (): string => {
    skipWs();
    if (peek() === '"') return parseBasicString();
    if (peek() === "'") return parseLiteralString();
    const m = /^[A-Za-z0-9_-]+/.exec(text.slice(pos));
    if (!m) err('invalid key');
    pos += m![0].length;
    return m![0];
  };

  const parseKey = (): string[] => {
    const parts = [parseKeyPart()];
    for (;;) {
      skipWs();
      if (peek() !== '.') return parts;
      pos++;
      parts.push(parseKeyPart());
    }
  };

  const parseValue = (): TomlValue => {
    skipWs();
    const c = peek();
    if (c === '"') return parseBasicString();
    if (c === "'") return parseLiteralString();
    if (c === '[') {
      pos++;
      const arr: TomlValue[] = [];
      for (;;) {
        skipWsNl();
        if (peek() === ']') { pos++; return arr; }
        arr.push(parseValue());
        skipWsNl();
        if (peek() === ',') { pos++; continue; }
        if (peek() === ']') { pos++; return arr; }
        err('expected , or ] in array');
      }
    }
    if (c === '{') {
      pos++;
      const t: TomlTable = {};
      tableLines.set(t, line);
      skipWs();
      if (peek() === '}') { pos++; return t; }
      for (;;) {
        const key = parseKey();
        skipWs();
        if (peek() !== '=') err('expected = in inline table');
        pos++;
        assign(t, key, parseValue());
        skipWs();
        if (peek() === ',') { pos++; continue; }
        if (peek() === '}') { pos++; return t; }
        err('expected , or } in inline table');
      }
    }
    const m = /^[^\s,\]}#]+/.exec(text.slice(pos));
    if (!m) err('expected a value');
    const raw = m![0];
    pos += raw.length;
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    const num = raw.replace(/_/g, '');
    if (/^[+-]?(0x[0-9a-fA-F]+|0o[0-7]+|0b[01]+|\d+)$/.test(num)) return Number(num.replace(/^\+/, ''));
    if (/^[+-]?(\d+(\.\d+)?([eE][+-]?\d+)?|inf|nan)$/.test(num)) return Number(num.replace(/inf/, 'Infinity'));
    return err(`invalid value ${raw}`);
  };

  const descend = (table: TomlTable, key: string): TomlTable => {
    const v = table[key];
    if (v === undefined) {
      const t: TomlTable = {};
      tableLines.set(t, line);
      table[key] = t;
      return t;
    }
    if (typeof v !== 'object' || Array.isArray(v)) err(`key ${key} is not a table`);
    return v as TomlTable;
  };

  function assign(table: TomlTable, key: string[], value: TomlValue): void {
    let t = table;
    for (const k of key.slice(0, -1)) t = descend(t, k);
    const last = key[key.length - 1]!;
    if (last in t) err(`duplicate key ${last}`);
    t[last] = value;
  }

  for (;;) {
    skipWsNl();
    if (pos >= text.length) break;
    if (peek() === '[') {
      if (text[pos + 1] === '[') err('arrays of tables are not supported');
      pos++;
      const key = parseKey();
      skipWs();
      if (peek() !== ']') err('expected ] after table name');
      pos++;
      let t = root;
      for (const k of key) t = descend(t, k);
      tableLines.set(t, line);
      current = t;
    } else {
      const key = parseKey();
      skipWs();
      if (peek() !== '=') err('expected = after key');
      pos++;
      assign(current, key, parseValue());
    }
    skipWs();
    skipComment();
    if (pos < text.length && peek() !== '\n' && peek() !== '\r') err('expected end of line');
  }
  return root;
}
