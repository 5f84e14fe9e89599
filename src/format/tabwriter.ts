// A port of Go's text/tabwriter: ctr prints every table through it, so column
// widths, padding and block boundaries must come out exactly as Go computes them.
// Input is text in which a cell is terminated by '\t' (or '\v', a "soft" cell);
// text after the last tab of a line is not a cell and does not affect widths.
// Go's Escape byte (0xff) cannot occur in a well-formed string and is not handled.

/** Treat `<...>` as zero width and `&...;` as one character wide. */
export const FilterHTML = 1 << 0;
/** Go's StripEscape; accepted for completeness, it has no effect on strings here. */
export const StripEscape = 1 << 1;
/** Pad on the left of cell text (ignored when padchar is '\t', as in Go). */
export const AlignRight = 1 << 2;
/** Columns made only of empty soft ('\v'-terminated) cells get width 0. */
export const DiscardEmptyColumns = 1 << 3;
/** Leading empty cells are padded with tabs regardless of padchar. */
export const TabIndent = 1 << 4;
/** Print '|' between columns. */
export const Debug = 1 << 5;

interface Cell {
  text: string;
  /** width in Unicode code points, like utf8.RuneCount */
  width: number;
  /** terminated by '\t' (as opposed to '\v', '\n', '\f' or end of input) */
  htab: boolean;
}

function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A surrogate pair is one code point; a lone surrogate counts as one, like an
    // invalid UTF-8 byte sequence counts as one rune per bad byte in Go.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

export class TabWriter {
  private readonly minwidth: number;
  private readonly tabwidth: number;
  private readonly padding: number;
  private readonly padchar: string;
  private readonly flags: number;
  private readonly sink: ((chunk: string) => void) | undefined;

  // Cells keep their own text: one growing buffer sliced after every append
  // would be flattened again and again, quadratic in the table size.
  /** current incomplete cell; its width covers text up to `counted` */
  private cell: Cell = { text: '', width: 0, htab: false };
  private counted = 0;
  /** terminator of an open HTML tag ('>') or entity (';'), or '' */
  private endChar = '';
  private lines: Cell[][] = [[]];
  private widths: number[] = [];
  private out: string[] = [];

  /**
   * Same parameters as Go's tabwriter.NewWriter. `padchar` is one character.
   * Without `output`, formatted text is collected and returned by flush();
   * with it, text is handed over as soon as Go would write it.
   */
  constructor(
    minwidth: number,
    tabwidth: number,
    padding: number,
    padchar: string,
    flags = 0,
    output?: (chunk: string) => void,
  ) {
    if (minwidth < 0 || tabwidth < 0 || padding < 0) {
      throw new RangeError('negative minwidth, tabwidth, or padding');
    }
    if (padchar.length !== 1) throw new RangeError('padchar must be a single character');
    this.minwidth = minwidth;
    this.tabwidth = tabwidth;
    this.padding = padding;
    this.padchar = padchar;
    this.flags = padchar === '\t' ? flags & ~AlignRight : flags;
    this.sink = output;
  }

  /** Feed text; may emit output when a line without cells or a '\f' ends a block. */
  write(text: string): this {
    let start = 0;
    const html = (this.flags & FilterHTML) !== 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.endChar === '') {
        // '\t', '\v', '\n', '\f'
        if (c === 9 || c === 11 || c === 10 || c === 12) {
          this.append(text.slice(start, i));
          this.updateWidth();
          start = i + 1;
          const ncells = this.terminateCell(c === 9);
          if (c === 10 || c === 12) {
            this.lines.push([]);
            // A line with a single cell cannot be part of any column block, so
            // everything collected so far is final; '\f' forces the same.
            if (c === 12 || ncells === 1) {
              this.flushInternal();
              if (c === 12 && this.flags & Debug) this.emit('---\n');
            }
          }
        } else if (html && (c === 60 || c === 38)) {
          // '<' starts a tag, '&' an entity
          this.append(text.slice(start, i));
          this.updateWidth();
          start = i;
          this.endChar = c === 60 ? '>' : ';';
        }
      } else if (text[i] === this.endChar) {
        this.append(text.slice(start, i + 1));
        start = i + 1;
        this.endEscape();
      }
    }
    this.append(text.slice(start));
    return this;
  }

  /**
   * Format everything buffered (an unterminated last line is written as is) and
   * return the text produced since the previous flush(), or '' with an output sink.
   */
  flush(): string {
    this.flushInternal();
    const s = this.out.join('');
    this.out = [];
    return s;
  }

  private emit(s: string): void {
    if (s === '') return;
    if (this.sink) this.sink(s);
    else this.out.push(s);
  }

  private reset(): void {
    this.cell = { text: '', width: 0, htab: false };
    this.counted = 0;
    this.endChar = '';
    this.lines = [[]];
    this.widths = [];
  }

  private append(text: string): void {
    this.cell.text += text;
  }

  private updateWidth(): void {
    this.cell.width += runeCount(this.cell.text.slice(this.counted));
    this.counted = this.cell.text.length;
  }

  private endEscape(): void {
    // An HTML tag has no width; an entity counts as one character.
    if (this.endChar === ';') this.cell.width++;
    this.counted = this.cell.text.length;
    this.endChar = '';
  }

  private terminateCell(htab: boolean): number {
    this.cell.htab = htab;
    const line = this.lines[this.lines.length - 1];
    line.push(this.cell);
    this.cell = { text: '', width: 0, htab: false };
    this.counted = 0;
    return line.length;
  }

  private flushInternal(): void {
    if (this.cell.text !== '') {
      if (this.endChar !== '') this.endEscape();
      this.terminateCell(false);
    }
    this.format(0, this.lines.length);
    this.reset();
  }

  private writePadding(textw: number, cellw: number, useTabs: boolean): void {
    if (this.padchar === '\t' || useTabs) {
      // Tabs have no known width without a tabwidth, so no padding is possible.
      if (this.tabwidth === 0) return;
      const tw = this.tabwidth;
      const padded = Math.ceil(cellw / tw) * tw;
      const n = padded - textw;
      this.emit('\t'.repeat(Math.ceil(n / tw)));
      return;
    }
    this.emit(this.padchar.repeat(cellw - textw));
  }

  private writeLines(line0: number, line1: number): void {
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i];
      let useTabs = (this.flags & TabIndent) !== 0;
      for (let j = 0; j < line.length; j++) {
        const c = line[j];
        if (j > 0 && this.flags & Debug) this.emit('|');
        if (c.text === '') {
          if (j < this.widths.length) this.writePadding(c.width, this.widths[j], useTabs);
        } else {
          useTabs = false;
          if (this.flags & AlignRight) {
            if (j < this.widths.length) this.writePadding(c.width, this.widths[j], false);
            this.emit(c.text);
          } else {
            this.emit(c.text);
            if (j < this.widths.length) this.writePadding(c.width, this.widths[j], false);
          }
        }
      }
      if (i + 1 === this.lines.length) {
        // the last, unterminated line: its pending text is written without a newline
        this.emit(this.cell.text);
      } else {
        this.emit('\n');
      }
    }
  }

  // Column blocks: for the column after those already sized (this.widths), find
  // each run of consecutive lines that have a cell there, size it, and recurse
  // into the next column within that run.
  private format(line0: number, line1: number): void {
    const column = this.widths.length;
    for (let cur = line0; cur < line1; cur++) {
      if (column >= this.lines[cur].length - 1) continue;

      this.writeLines(line0, cur);
      line0 = cur;

      let width = this.minwidth;
      let discardable = true;
      for (; cur < line1; cur++) {
        const line = this.lines[cur];
        if (column >= line.length - 1) break;
        const c = line[column];
        const w = c.width + this.padding;
        if (w > width) width = w;
        if (c.width > 0 || c.htab) discardable = false;
      }
      if (discardable && this.flags & DiscardEmptyColumns) width = 0;

      this.widths.push(width);
      this.format(line0, cur);
      this.widths.pop();
      line0 = cur;
    }
    this.writeLines(line0, line1);
  }
}

export interface TableOptions {
  minwidth: number;
  tabwidth: number;
  padding: number;
  padchar: string;
  flags?: number;
}

/**
 * Format whole lines (each containing '\t'-terminated cells) in one go; each
 * line gets a '\n', exactly as if written with fmt.Fprintln and then flushed.
 */
export function formatTable(lines: readonly string[], opts: TableOptions): string {
  const w = new TabWriter(opts.minwidth, opts.tabwidth, opts.padding, opts.padchar, opts.flags ?? 0);
  for (const line of lines) w.write(line + '\n');
  return w.flush();
}
