// The tabwriter settings ctr uses, by table (minwidth, tabwidth, padding, padchar).

import { formatTable, type TableOptions } from './tabwriter.js';

/** images, namespaces, leases, snapshots: tabwriter.NewWriter(w, 1, 8, 1, ' ', 0) */
export const NARROW: TableOptions = { minwidth: 1, tabwidth: 8, padding: 1, padchar: ' ' };
/** containers, tasks, plugins: (4, 8, 4, ' ') */
export const WIDE: TableOptions = { minwidth: 4, tabwidth: 8, padding: 4, padchar: ' ' };
/** tasks ps, tasks metrics: (1, 8, 4, ' ') */
export const PS: TableOptions = { minwidth: 1, tabwidth: 8, padding: 4, padchar: ' ' };
/** content ls, content active: real tabs padded to 8-column stops */
export const TABBED: TableOptions = { minwidth: 1, tabwidth: 8, padding: 1, padchar: '\t' };

export const table = (lines: readonly string[], opts: TableOptions): string => formatTable(lines, opts);

/** "k=v" pairs sorted and joined with commas, as ctr prints label maps. */
export function labelPairs(labels: Record<string, string> | undefined): string {
  return Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`).sort(goStringLess).join(',');
}

/** Go's sort.Strings order: byte-wise on UTF-8, which for strings is code-point order. */
export function goStringLess(a: string, b: string): number {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return Buffer.compare(ba, bb);
}
