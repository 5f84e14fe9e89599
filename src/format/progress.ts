// ctr's transfer progress (pkg/progress and the Display/ShowProgress of ctr's content
// command), byte for byte: a frame every 100 ms rendered through a (1,8,1,' ')
// tabwriter, 40-column bars whose colour codes are written even to files, and the
// erase-and-redraw that sizes lines by the console width of *stdin* (frames pile up
// when stdin is not a terminal). A frame is buffered and written at the next tick, as
// Go's progress.Writer does; the last frame is written at once.

import tty from 'node:tty';
import type { Output } from '../cli/types.js';
import { sprintf } from './printf.js';
import { TabWriter } from './tabwriter.js';
import { formatBytes, formatBytesPerSecond, newBytesPerSecond } from './units.js';

const GREEN = '\x1b[32m';
const RESET = '\x1b[0m';

/** progress.Bar formatted with %<width>r. */
export function progressBar(fraction: number, width = 40): string {
  const h = Math.min(1, Math.max(0, Number.isNaN(fraction) ? 0 : fraction));
  const cells = width - 2;
  const positive = Math.trunc(cells * h);
  const negative = cells - positive;
  return `|${GREEN}${'+'.repeat(positive)}${RESET}${negative > 0 ? '-'.repeat(negative) : ''}|`;
}

export interface StatusInfo {
  ref: string;
  status: string;
  offset: number;
  total: number;
}

/** content.Display: the status lines and the summary, through ctr's tabwriter. */
export function renderStatuses(statuses: readonly StatusInfo[], startMs: number, nowMs = Date.now()): string {
  const tw = new TabWriter(1, 8, 1, ' ', 0);
  let total = 0;
  for (const s of statuses) {
    total += s.offset;
    switch (s.status) {
      case 'downloading':
      case 'uploading': {
        const bar = progressBar(s.total > 0 ? s.offset / s.total : 0);
        tw.write(sprintf('%s:\t%s\t%s\t%8.8s/%s\t\n', s.ref, s.status, bar, formatBytes(s.offset), formatBytes(s.total)));
        break;
      }
      case 'resolving':
      case 'waiting':
        tw.write(`${s.ref}:\t${s.status}\t${progressBar(0)}\t\n`);
        break;
      default:
        tw.write(`${s.ref}:\t${s.status}\t${progressBar(1)}\t\n`);
    }
  }
  const elapsedNs = Math.max(0, nowMs - startMs) * 1e6;
  tw.write(sprintf('elapsed: %-4.1fs\ttotal: %7.6s\t(%s)\t\n',
    elapsedNs / 1e9, formatBytes(total), formatBytesPerSecond(newBytesPerSecond(total, Math.round(elapsedNs)))));
  return tw.flush();
}

/** The width of the console on stdin, or 0 when stdin is not a terminal (console.ConsoleFromFile(os.Stdin)). */
export function stdinWidth(stdin: { isTTY?: boolean; fd?: number; columns?: number } | undefined): () => number {
  if (!stdin?.isTTY) return () => 0;
  if (typeof stdin.columns === 'number') return () => stdin.columns ?? 0;
  let ws: tty.WriteStream | undefined;
  return () => {
    try {
      ws ??= new tty.WriteStream(stdin.fd ?? 0);
      (ws as unknown as { _handle?: { unref?(): void } })._handle?.unref?.();
      return ws.getWindowSize()[0];
    } catch {
      return 0;
    }
  };
}

const escapeRe = /\x1b\[[0-9]+m\x1b?/g;

/** progress.countLines: lines the text takes on a console `width` columns wide (bytes, colour codes removed). */
export function countLines(text: string, width: number): number {
  if (width <= 0) return 0;
  let lines = -1;
  for (const line of text.split('\n')) {
    const len = Buffer.byteLength(line.replace(escapeRe, ''));
    lines += Math.trunc((len - 1) / width) + 1;
  }
  return lines;
}

/** progress.Writer: buffers a frame; flush() erases the previous one and writes it. */
export class ProgressWriter {
  private buf = '';
  private lines = 0;

  constructor(private readonly out: Output, private readonly width: () => number) {}

  write(text: string): void {
    this.buf += text;
  }

  flush(): void {
    if (this.buf.length === 0) return;
    const clear = '\x1b[1A\x1b[2K\r'.repeat(this.lines);
    this.lines = countLines(this.buf, this.width());
    this.out.write(clear + this.buf);
    this.buf = '';
  }
}

/**
 * The 100 ms ticker loop ctr runs beside a transfer: at each tick the buffered frame is
 * written and a new one rendered; after stop(), one more tick renders and writes the
 * final frame. `render` returns undefined to skip a frame (a failed status query).
 */
export class ProgressLoop {
  private readonly fw: ProgressWriter;
  private timer: NodeJS.Timeout | undefined;
  private done = false;
  private busy = false;
  private finished: Promise<void>;
  private finish!: () => void;

  constructor(out: Output, width: () => number, private readonly render: (final: boolean) => Promise<string | undefined>) {
    this.fw = new ProgressWriter(out, width);
    this.finished = new Promise((r) => (this.finish = r));
    this.timer = setInterval(() => void this.tick(), 100);
  }

  private async tick(): Promise<void> {
    if (this.busy) return; // a Go ticker drops ticks while the receiver is busy
    this.busy = true;
    try {
      this.fw.flush();
      const final = this.done;
      const frame = await this.render(final);
      if (frame !== undefined) this.fw.write(frame);
      if (final) {
        this.fw.flush();
        clearInterval(this.timer);
        this.finish();
      }
    } finally {
      this.busy = false;
    }
  }

  /** Lets the UI update once more; resolves after the final frame is written. */
  stop(): Promise<void> {
    this.done = true;
    return this.finished;
  }

  /** Stops without a final frame (the transfer failed and ctr returns at once). */
  abort(): void {
    clearInterval(this.timer);
    this.finish();
  }
}
