// Normalisation for transfer output that differs between two runs of ctr itself:
// progress frames (count, timings, the order Go starts sibling downloads in) and
// content ls (AGE, and label order, which 1.6 prints in map order).

import assert from 'node:assert/strict';

const statusLine = /^\S+:\s+(resolving|resolved|waiting|downloading|uploading|done|exists)\s+\|\x1b\[(32m|<DUR>)\+*\x1b\[(0m|<DUR>)-*\|\s(\s*[\d.]+ \S+\/[\d.]+ \S+\s)?$/;
const elapsedLine = /^elapsed: \d+\.\d\s*s\s+total:\s+\S+( \S+)?\s+\(\S+ \S+\/s\)\s*$/;

/** Keeps the last progress frame (sibling lines sorted, the summary blanked) and what follows it. */
export function finalFrame(out: string): string {
  const lines = out.split('\n');
  const ends = lines.map((l, i) => (l.startsWith('elapsed: ') ? i : -1)).filter((i) => i >= 0);
  if (ends.length === 0) return out;
  const last = ends[ends.length - 1]!;
  const first = ends.length > 1 ? ends[ends.length - 2]! + 1 : 0;
  for (const l of lines.slice(0, first)) {
    assert.ok(statusLine.test(l) || elapsedLine.test(l), `malformed progress line: ${JSON.stringify(l)}`);
  }
  const frame = lines.slice(first, last);
  const [head, ...rest] = frame;
  return [head, ...rest.sort(), 'elapsed: <E>', ...lines.slice(last + 1)].join('\n');
}

/** content ls in a form that two runs share: digest, size and the sorted labels (1.6 prints them in map order). */
export const contentLabels = (s: string) => s.split('\n').map((l) => {
  const cols = l.split('\t').filter(Boolean);
  if (cols.length < 2 || l.startsWith('DIGEST')) return l.startsWith('DIGEST') ? 'DIGEST' : l;
  return `${cols[0]} ${cols[1]} ${(cols[cols.length - 1] ?? '').split(',').sort().join(',')}`;
}).join('\n');

export const pullNormalize = (s: string) => (s.includes('elapsed: ') ? finalFrame(s) : contentLabels(s));


/** For failed transfers: drops the (well-formed) frames, whose number depends on timing. */
export function stripFrames(out: string): string {
  return out.split('\n').filter((l) => {
    const isFrame = statusLine.test(l) || elapsedLine.test(l);
    return !isFrame;
  }).join('\n');
}
