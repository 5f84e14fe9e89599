import { ContainersDefinition } from '../../api/github.com/containerd/containerd/api/services/containers/v1/containers.js';
import { converted } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';
import { table, WIDE } from '../../format/presets.js';
import { formatFlag, isoTime, outputFormat, writeJSON } from '../flagsets/format.js';

export default defineVerb({
  argsUsage: '[flags] [<filter>, ...]',
  flags: [{ name: 'quiet, q', kind: 'bool', usage: 'print only the container id' }, formatFlag],
  options: (p) => ({ filters: p.args, quiet: p.values.quiet as boolean, format: outputFormat(p.values.format) }),
  async run({ filters, quiet, format }, deps) {
    const svc = (await deps.connect()).service(ContainersDefinition);
    const { containers } = await converted(svc.list({ filters }));
    if (format === 'json') {
      writeJSON(deps.stdout, containers.map((c) => ({
        id: c.id,
        image: c.image,
        runtime: c.runtime?.name ?? '',
        snapshotter: c.snapshotter,
        snapshotKey: c.snapshotKey,
        labels: c.labels,
        createdAt: isoTime(c.createdAt),
        updatedAt: isoTime(c.updatedAt),
      })));
      return;
    }
    if (quiet) {
      deps.stdout.write(containers.map((c) => `${c.id}\n`).join(''));
      return;
    }
    const rows = containers.map((c) => `${c.id}\t${c.image || '-'}\t${c.runtime?.name ?? ''}\t`);
    deps.stdout.write(table(['CONTAINER\tIMAGE\tRUNTIME\t', ...rows], WIDE));
  },
});
