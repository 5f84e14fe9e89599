import { LeasesDefinition } from '../../api/github.com/containerd/containerd/api/services/leases/v1/leases.js';
import { converted } from '../../client/errdefs.js';
import { CommandError, defineVerb } from '../../cli/types.js';
import { labelPairs, NARROW, table } from '../../format/presets.js';
import { formatRFC3339 } from '../../format/time.js';
import { formatFlag, isoTime, outputFormat, writeJSON } from '../flagsets/format.js';

export default defineVerb({
  argsUsage: '[flags] <filter>',
  description: 'list active leases by containerd',
  flags: [{ name: 'quiet, q', kind: 'bool', usage: 'print only the blob digest' }, formatFlag],
  options: (p) => ({ filters: p.args, quiet: p.values.quiet as boolean, format: outputFormat(p.values.format) }),
  async run({ filters, quiet, format }, deps) {
    const leases = (await deps.connect()).service(LeasesDefinition);
    let list;
    try {
      list = (await converted(leases.list({ filters }))).leases;
    } catch (e) {
      throw new CommandError(`failed to list leases: ${(e as Error).message}`);
    }
    if (format === 'json') {
      writeJSON(deps.stdout, list.map((l) => ({ id: l.id, createdAt: isoTime(l.createdAt), labels: l.labels })));
      return;
    }
    if (quiet) {
      deps.stdout.write(list.map((l) => `${l.id}\n`).join(''));
      return;
    }
    const rows = list.map((l) => `${l.id}\t${formatRFC3339(l.createdAt ?? { seconds: 0, nanos: 0 })}\t${labelPairs(l.labels) || '-'}\t`);
    deps.stdout.write(table(['ID\tCREATED AT\tLABELS\t', ...rows], NARROW));
  },
});
