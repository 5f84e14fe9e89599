// A spinner on stderr for long work that ctr does silently (images import/export,
// images rm --sync, content prune references): a ctr-ts extension. It runs only when
// stderr is a terminal, so files, pipes and scripts get exactly ctr's bytes; ora (a
// bundle of its own) is loaded only then, so other runs pay nothing for it.

import type { Deps, Output } from '../../cli/types.js';

export interface Progress {
  /** Replaces the spinner's text (drawn with the next frame). */
  update(text: string): void;
  /** Clears the spinner; safe to call more than once. Every path out of the work calls it. */
  stop(): void;
}

const silent: Progress = { update: () => undefined, stop: () => undefined };

/** ora draws with tty.WriteStream's cursor methods; a stream without them gets no spinner. */
type Terminal = Output & NodeJS.WritableStream & { cursorTo(x: number): boolean };

function terminalOf(deps: Pick<Deps, 'stderr' | 'env'>): Terminal | undefined {
  const err = deps.stderr as Partial<Terminal>;
  // A dumb terminal cannot move the cursor back over the spinner, and one of no width
  // (a pty nobody sized) would have ora clear an endless number of lines.
  if (!err.isTTY || deps.env.TERM === 'dumb' || typeof err.cursorTo !== 'function' || !err.columns) return undefined;
  return err as Terminal;
}

/** Whether startProgress would draw anything (to skip work done only for the text). */
export const progressWanted = (deps: Pick<Deps, 'stderr' | 'env'>): boolean => terminalOf(deps) !== undefined;

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Starts a spinner with `text` when stderr is a terminal; otherwise a no-op Progress. */
export async function startProgress(deps: Pick<Deps, 'stderr' | 'env'>, text: string): Promise<Progress> {
  const stream = terminalOf(deps);
  if (!stream) return silent;
  const { ora } = await import('./spinner.js');
  // stdin stays untouched (import may be reading an archive from it); ora's own checks
  // (CI variables) are not ours: a terminal on stderr is the one condition.
  const spinner = ora({ text, stream, discardStdin: false, isEnabled: true }).start();
  let stopped = false;
  // A signal would end the process with the spinner's line still drawn: clear it, then
  // let the signal do what it would have done (our listener gone, it ends the process).
  const onSignal = (sig: NodeJS.Signals) => {
    stop();
    process.kill(process.pid, sig);
  };
  const stop = () => {
    if (stopped) return;
    stopped = true;
    for (const sig of SIGNALS) process.off(sig, onSignal);
    spinner.stop();
  };
  for (const sig of SIGNALS) process.once(sig, onSignal);
  return {
    update: (t) => {
      if (!stopped) spinner.text = t;
    },
    stop,
  };
}

/** Runs `work` with a spinner that is cleared however the work ends. */
export async function withProgress<T>(deps: Pick<Deps, 'stderr' | 'env'>, text: string, work: (p: Progress) => Promise<T>): Promise<T> {
  const p = await startProgress(deps, text);
  try {
    return await work(p);
  } finally {
    p.stop();
  }
}

/** Passes a byte stream through, telling `seen` the running total after each chunk. */
export async function* countBytes(source: AsyncIterable<Uint8Array>, seen: (total: number) => void): AsyncIterable<Uint8Array> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    seen(total);
    yield chunk;
  }
}
