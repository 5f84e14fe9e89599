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

/** csv.NewReader(s).Read(): the first record's fields. Columns count bytes from 1. */
export function readCSVRecord(input: string): string[] {
  const data = Buffer.from(input, 'utf8');
  // Lines as csv's readLine gives them: "\r\n" becomes "\n"; a last line without one is kept.
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0x0a) {
      let line = data.subarray(start, i + 1);
      if (line.length >= 2 && line[line.length - 2] === 0x0d) line = Buffer.concat([line.subarray(0, line.length - 2), Buffer.from('\n')]);
      lines.push(line);
      start = i + 1;
    }
  }
  if (start < data.length) {
    let last = data.subarray(start);
    if (last[last.length - 1] === 0x0d) last = last.subarray(0, last.length - 1);
    lines.push(last);
  }
  let lineNo = 0;
  const nextLine = (): Buffer | undefined => {
    // Empty lines between records are skipped.
    while (lineNo < lines.length) {
      const l = lines[lineNo++]!;
      if (l.length === 1 && l[0] === 0x0a) continue;
      return l;
    }
    return undefined;
  };
  let line = nextLine();
  if (line === undefined) throw new Error('EOF');
  const recLine = lineNo;
  let posLine = lineNo;
  let col = 1;
  const fields: string[] = [];
  const nlLen = (b: Buffer) => (b.length > 0 && b[b.length - 1] === 0x0a ? 1 : 0);
  for (;;) {
    if (line.length === 0 || line[0] !== 0x22) {
      const i = line.indexOf(0x2c);
      const field = i >= 0 ? line.subarray(0, i) : line.subarray(0, line.length - nlLen(line));
      const j = field.indexOf(0x22);
      if (j >= 0) throw new CSVParseError(recLine, lineNo, col + j, ERR_BARE_QUOTE);
      fields.push(field.toString('utf8'));
      if (i >= 0) {
        line = line.subarray(i + 1);
        col += i + 1;
        continue;
      }
      return fields;
    }
    // Quoted field.
    let buf: Buffer[] = [];
    line = line.subarray(1);
    col += 1;
    for (;;) {
      const i = line.indexOf(0x22);
      if (i >= 0) {
        buf.push(line.subarray(0, i));
        line = line.subarray(i + 1);
        col += i + 1;
        const rn = line[0];
        if (rn === 0x22) {
          buf.push(Buffer.from('"'));
          line = line.subarray(1);
          col += 1;
        } else if (rn === 0x2c) {
          line = line.subarray(1);
          col += 1;
          fields.push(Buffer.concat(buf).toString('utf8'));
          buf = [];
          break;
        } else if (nlLen(line) === line.length) {
          fields.push(Buffer.concat(buf).toString('utf8'));
          return fields;
        } else {
          throw new CSVParseError(recLine, lineNo, col, ERR_QUOTE);
        }
      } else if (line.length > 0) {
        buf.push(line);
        col += line.length;
        const next = lineNo < lines.length ? lines[lineNo++]! : undefined;
        line = next ?? Buffer.alloc(0);
        if (next && next.length > 0) {
          posLine++;
          col = 1;
        }
      } else {
        throw new CSVParseError(recLine, posLine, col, ERR_QUOTE);
      }
    }
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
