import { defineVerb } from '../../cli/types.js';
import { humanDuration } from '../../format/duration.js';
import { table, TABBED } from '../../format/presets.js';
import { humanSize } from '../../format/units.js';
import { listStatuses } from '../../images/content.js';
import { sinceNs } from './time.js';
import { formatFlag, isoTime, outputFormat, writeJSON } from '../flagsets/format.js';

export default defineVerb({
  argsUsage: '[flags] [<regexp>]',
  description: 'display the ongoing transfers',
  flags: [
    { name: 'timeout, t', kind: 'duration', usage: 'total timeout for fetch', envVar: 'CONTAINERD_FETCH_TIMEOUT' },
    { name: 'root', kind: 'string', usage: 'path to content store root', value: '/tmp/content' },
    formatFlag,
  ],
  options: (p) => ({ match: p.args[0] ?? '', format: outputFormat(p.values.format) }),
  async run({ match, format }, deps) {
    const conn = await deps.connect();
    // ctr passes the (possibly empty) argument as the one filter.
    const active = await listStatuses(conn, [match]);
    if (format === 'json') {
      writeJSON(deps.stdout, active.map((s) => ({
        ref: s.ref, offset: s.offset, total: s.total, startedAt: isoTime(s.startedAt), updatedAt: isoTime(s.updatedAt),
      })));
      return;
    }
    const rows = active.map((s) => `${s.ref}\t${humanSize(s.offset)}\t${humanDuration(sinceNs(s.startedAt))}\t`);
    deps.stdout.write(table(['REF\tSIZE\tAGE\t', ...rows], TABBED));
  },
});
