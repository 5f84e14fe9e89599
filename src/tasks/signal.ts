// Signal names and numbers as ctr knows them on Linux (moby/sys/signal's map, which
// has the real-time signals from SIGRTMIN=34 on), and its ParseSignal.

const base: Record<string, number> = {
  ABRT: 6, ALRM: 14, BUS: 7, CHLD: 17, CLD: 17, CONT: 18, FPE: 8, HUP: 1, ILL: 4, INT: 2,
  IO: 29, IOT: 6, KILL: 9, PIPE: 13, POLL: 29, PROF: 27, PWR: 30, QUIT: 3, SEGV: 11,
  STKFLT: 16, STOP: 19, SYS: 31, TERM: 15, TRAP: 5, TSTP: 20, TTIN: 21, TTOU: 22, URG: 23,
  USR1: 10, USR2: 12, VTALRM: 26, WINCH: 28, XCPU: 24, XFSZ: 25,
};

const SIGRTMIN = 34;
const SIGRTMAX = 64;

export const signalMap: Readonly<Record<string, number>> = (() => {
  const m: Record<string, number> = { ...base, RTMIN: SIGRTMIN, RTMAX: SIGRTMAX };
  for (let i = 1; i <= 15; i++) m[`RTMIN+${i}`] = SIGRTMIN + i;
  for (let i = 1; i <= 14; i++) m[`RTMAX-${i}`] = SIGRTMAX - i;
  return m;
})();

const INT64_MAX = (1n << 63n) - 1n;

/**
 * moby's ParseSignal: a decimal number (Go's Atoi; 0 is refused) or a name with or
 * without "SIG", in any case. The result is what ctr puts in KillRequest.signal, a
 * uint32 (so a negative number wraps as Go's conversion does).
 */
export function parseSignal(raw: string): number {
  if (/^[+-]?\d+$/.test(raw)) {
    const n = BigInt(raw);
    if (n >= -INT64_MAX - 1n && n <= INT64_MAX) {
      if (n === 0n) throw new Error(`invalid signal: ${raw}`);
      return Number(BigInt.asUintN(32, n));
    }
  }
  const upper = raw.toUpperCase();
  const name = upper.startsWith('SIG') ? upper.slice(3) : upper;
  const sig = Object.hasOwn(signalMap, name) ? signalMap[name] : undefined;
  if (sig === undefined) throw new Error(`invalid signal: ${raw}`);
  return sig;
}

/** The signal's name for node's process.on/kill ("SIGUSR1"), when node knows it. */
export function nodeSignalName(sig: number): NodeJS.Signals | undefined {
  for (const [name, n] of Object.entries(base)) {
    if (n === sig && name !== 'CLD' && name !== 'IOT' && name !== 'POLL') return `SIG${name}` as NodeJS.Signals;
  }
  return undefined;
}
