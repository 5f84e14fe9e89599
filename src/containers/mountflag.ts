// ctr's --mount values: "type=bind,src=/a,dst=/b,options=rbind:ro", one record read with
// Go's encoding/csv (quotes allowed, its error texts), then key=value fields.

import { goQuote } from '../cli/flags.js';
import type { Mount } from '../oci/spec.js';

const ERR_BARE_QUOTE = 'bare " in non-quoted-field';
const ERR_QUOTE = 'extraneous or missing " in quoted-field';

class CSVParseError extends Error {
  constructor(startLine: number, line: number, column: number, err: string) {
    super(startLine !== line
      ? `record on line ${startLine}; parse error on line ${line}, column ${column}: ${err}`
      : `parse error on line ${line}, column ${column}: ${err}`);
  }
}

/** csv.NewReader(s).Read(): the first record's fields, with Go's error texts and positions. */
export function readCSVRecord(input: string): string[] {
  const data = Buffer.from(input, 'utf8');
  let offset = 0;
  let numLine = 0;
  // csv's readLine: one line with its "\n" ("\r\n" normalised); at EOF a trailing "\r" is dropped.
  const readLine = (): { line: Buffer; eof: boolean } => {
    numLine++;
    if (offset >= data.length) return { line: Buffer.alloc(0), eof: true };
    const nl = data.indexOf(0x0a, offset);
    let line = data.subarray(offset, nl < 0 ? data.length : nl + 1);
    offset += line.length;
    if (nl < 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    const n = line.length;
    if (n >= 2 && line[n - 2] === 0x0d && line[n - 1] === 0x0a) line = Buffer.concat([line.subarray(0, n - 2), Buffer.from('\n')]);
    return { line, eof: false };
  };
  const nlLen = (b: Buffer) => (b.length > 0 && b[b.length - 1] === 0x0a ? 1 : 0);
  let line: Buffer;
  for (;;) {
    const r = readLine();
    if (r.eof) throw new Error('EOF');
    if (r.line.length === nlLen(r.line)) continue; // empty lines are skipped
    line = r.line;
    break;
  }
  const recLine = numLine;
  let posLine = numLine;
  let col = 1;
  const fields: string[] = [];
  const fail = (lineNo: number, column: number, err: string): never => {
    throw new CSVParseError(recLine, lineNo, column, err);
  };
  for (;;) {
    if (line.length === 0 || line[0] !== 0x22) {
      const i = line.indexOf(0x2c);
      const field = i >= 0 ? line.subarray(0, i) : line.subarray(0, line.length - nlLen(line));
      const j = field.indexOf(0x22);
      if (j >= 0) fail(numLine, col + j, ERR_BARE_QUOTE);
      fields.push(field.toString('utf8'));
      if (i < 0) return fields;
      line = line.subarray(i + 1);
      col += i + 1;
      continue;
    }
    const buf: Buffer[] = [];
    line = line.subarray(1);
    col += 1;
    for (;;) {
      const i = line.indexOf(0x22);
      if (i >= 0) {
        buf.push(line.subarray(0, i));
        line = line.subarray(i + 1);
        col += i + 1;
        if (line[0] === 0x22) {
          buf.push(Buffer.from('"'));
          line = line.subarray(1);
          col += 1;
        } else if (line[0] === 0x2c) {
          line = line.subarray(1);
          col += 1;
          break;
        } else if (nlLen(line) === line.length) {
          fields.push(Buffer.concat(buf).toString('utf8'));
          return fields;
        } else {
          fail(numLine, col - 1, ERR_QUOTE);
        }
      } else if (line.length > 0) {
        buf.push(line);
        col += line.length;
        const r = readLine();
        line = r.line;
        if (line.length > 0) {
          posLine++;
          col = 1;
        }
      } else {
        fail(posLine, col, ERR_QUOTE);
      }
    }
    fields.push(Buffer.concat(buf).toString('utf8'));
  }
}

/** run.parseMountFlag. */
export function parseMountFlag(m: string): Mount {
  const mount: Mount = { destination: '' };
  for (const field of readCSVRecord(m)) {
    const eq = field.indexOf('=');
    if (eq < 0) throw new Error('invalid mount specification: expected key=val');
    const key = field.slice(0, eq);
    const val = field.slice(eq + 1);
    switch (key) {
      case 'type': mount.type = val; break;
      case 'source':
      case 'src': mount.source = val; break;
      case 'destination':
      case 'dst': mount.destination = val; break;
      case 'options': mount.options = val.split(':'); break;
      default: throw new Error(`mount option ${goQuote(key)} not supported`);
    }
  }
  return mount;
}
