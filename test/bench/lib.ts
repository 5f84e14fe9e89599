// Shared benchmark machinery: commands are timed alternately (ours, ctr, baseline…)
// in one run so that machine noise hits all of them alike; medians are compared.

import { spawnSync } from 'node:child_process';

export interface Contender {
  name: string;
  argv: string[];
  env?: Record<string, string>;
  /** Runs before each timed run, untimed (e.g. removing what the last run made). */
  before?: () => void;
}

export interface Measurement { name: string; medianMs: number; minMs: number; runs: number; maxRssKiB?: number }

function timeOnce(c: Contender): { ms: number; rssKiB: number } {
  c.before?.();
  // GNU time reports the child's peak RSS; the wall clock is ours.
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', ...c.argv], {
    env: { ...process.env, ...c.env },
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 64 << 20,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${c.argv.join(' ')} failed (${r.status}): ${r.stderr.trim().slice(-500)}`);
  const rssKiB = Number(r.stderr.trim().split('\n').pop());
  return { ms, rssKiB };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function measure(contenders: Contender[], runs: number, warmup = 2): Measurement[] {
  for (let i = 0; i < warmup; i++) for (const c of contenders) timeOnce(c);
  const samples = contenders.map(() => [] as number[]);
  const rss = contenders.map(() => 0);
  for (let i = 0; i < runs; i++) {
    contenders.forEach((c, j) => {
      const { ms, rssKiB } = timeOnce(c);
      samples[j]!.push(ms);
      rss[j] = Math.max(rss[j]!, rssKiB);
    });
  }
  return contenders.map((c, j) => ({
    name: c.name,
    medianMs: median(samples[j]!),
    minMs: Math.min(...samples[j]!),
    runs,
    maxRssKiB: rss[j],
  }));
}

/**
 * Prints the measurements and checks the targets: median-time ratios (a / b ≤ target)
 * and, for `rssMiB`, each named contender's peak RSS over all its runs below a limit.
 */
export function report(title: string, ms: Measurement[], ratios: Array<[string, string, number?]>, rssMiB: Array<[string, number]> = []): boolean {
  console.log(`\n## ${title}`);
  for (const m of ms) {
    console.log(`${m.name.padEnd(28)} median ${m.medianMs.toFixed(1).padStart(8)} ms   min ${m.minMs.toFixed(1).padStart(8)} ms   peak RSS ${((m.maxRssKiB ?? 0) / 1024).toFixed(1).padStart(6)} MiB   (${m.runs} runs)`);
  }
  let ok = true;
  for (const [a, b, target] of ratios) {
    const ma = ms.find((m) => m.name === a)!;
    const mb = ms.find((m) => m.name === b)!;
    const ratio = ma.medianMs / mb.medianMs;
    const verdict = target === undefined ? '' : ratio <= target ? `  (target ≤ ${target}: met)` : `  (target ≤ ${target}: NOT met)`;
    if (target !== undefined && ratio > target) ok = false;
    console.log(`ratio ${a} / ${b}: ${ratio.toFixed(2)}${verdict}`);
  }
  for (const [name, limit] of rssMiB) {
    const peak = (ms.find((m) => m.name === name)!.maxRssKiB ?? 0) / 1024;
    if (peak >= limit) ok = false;
    console.log(`peak RSS ${name}: ${peak.toFixed(1)} MiB  (target < ${limit}: ${peak < limit ? 'met' : 'NOT met'})`);
  }
  return ok;
}
