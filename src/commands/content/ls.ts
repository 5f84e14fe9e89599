import { defineVerb } from '../../cli/types.js';
import { goStringLess, table, TABBED } from '../../format/presets.js';
import { humanDuration } from '../../format/duration.js';
import { humanSize } from '../../format/units.js';
import { walkContent, type Info } from './store.js';
import { sinceNs } from './time.js';
import { formatFlag, isoTime, labelObject, outputFormat, writeJSON } from '../flagsets/format.js';

/** ctr joins labels in Go's map order, which is random; sorted is one such order. */
export const labelList = (labels: Record<string, string>): string =>
  Object.entries(labels).map(([k, v]) => `${k}=${v}`).sort(goStringLess).join(',');

export default defineVerb({
  argsUsage: '[flags]',
  description: 'list blobs in the content store',
  flags: [{ name: 'quiet, q', kind: 'bool', usage: 'print only the blob digest' }, formatFlag],
  options: (p) => ({ filters: p.args, quiet: p.values.quiet as boolean, format: outputFormat(p.values.format) }),
  async run({ filters, quiet, format }, deps) {
    const conn = await deps.connect();
    if (format === 'json') {
      // Unlike the table, nothing is printed when the walk fails: half a list is not a document.
      const docs = [];
      for await (const i of walkContent(conn, filters)) {
        docs.push({ digest: i.digest, size: i.size, createdAt: isoTime(i.createdAt), updatedAt: isoTime(i.updatedAt), labels: labelObject(i.labels) });
      }
      writeJSON(deps.stdout, docs);
      return;
    }
    if (quiet) {
      for await (const info of walkContent(conn, filters)) deps.stdout.write(`${info.digest}\n`);
      return;
    }
    const lines = ['DIGEST\tSIZE\tAGE\tLABELS'];
    const row = (i: Info) => `${i.digest}\t${humanSize(i.size)}\t${humanDuration(sinceNs(i.createdAt))}\t${labelList(i.labels) || '-'}`;
    try {
      for await (const info of walkContent(conn, filters)) lines.push(row(info));
    } finally {
      // ctr's deferred Flush prints what was gathered, also when the walk fails.
      deps.stdout.write(table(lines, TABBED));
    }
  },
});
