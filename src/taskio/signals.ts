// ctr's ForwardAllSignals: while a foreground task runs, every signal the CLI gets is
// sent to the task instead of acting on the CLI. SIGURG is skipped as ctr skips it;
// SIGCHLD and SIGPIPE are node's own business (children we spawn, closed pipes), and
// SIGKILL/SIGSTOP and the synchronous fault signals cannot be caught at all.

import { os } from '../util/os.js';

const FORWARDED: NodeJS.Signals[] = [
  'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTRAP', 'SIGABRT', 'SIGUSR1', 'SIGUSR2', 'SIGALRM',
  'SIGTERM', 'SIGSTKFLT', 'SIGCONT', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGXCPU', 'SIGXFSZ',
  'SIGVTALRM', 'SIGWINCH', 'SIGIO', 'SIGPWR', 'SIGSYS',
];

export interface ForwardOptions {
  /** Sends the signal to the task; a not-found error stops forwarding, as in ctr. */
  kill(signal: number): Promise<void>;
  isNotFound(err: unknown): boolean;
  /** ctr logs other failures ("forward signal SIGx") and keeps going. */
  onError(signal: NodeJS.Signals, err: unknown): void;
  proc?: NodeJS.Process;
}

/** Starts forwarding; returns the function that stops it (ctr's StopCatch). */
export function forwardAllSignals(opts: ForwardOptions): () => void {
  const proc = opts.proc ?? process;
  let stopped = false;
  // After a not-found, ctr's goroutine ends but its channel still swallows signals.
  let forwarding = true;
  // Signals go out one at a time and in order, like ctr's single forwarding goroutine.
  let chain = Promise.resolve();
  const handler = (name: NodeJS.Signals) => {
    if (stopped || !forwarding) return;
    const num = os().constants.signals[name];
    chain = chain.then(async () => {
      if (stopped || !forwarding) return;
      try {
        await opts.kill(num);
      } catch (e) {
        if (opts.isNotFound(e)) {
          forwarding = false;
          return;
        }
        opts.onError(name, e);
      }
    });
  };
  for (const s of FORWARDED) proc.on(s, handler);
  const stop = () => {
    if (stopped) return;
    stopped = true;
    for (const s of FORWARDED) proc.off(s, handler);
  };
  return stop;
}
