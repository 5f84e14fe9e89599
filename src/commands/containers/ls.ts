import { ContainersDefinition } from '../../api/github.com/containerd/containerd/api/services/containers/v1/containers.js';
import { converted } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';
import { table, WIDE } from '../../format/presets.js';

export default defineVerb({
  argsUsage: '[flags] [<filter>, ...]',
  flags: [{ name: 'quiet, q', kind: 'bool', usage: 'print only the container id' }],
  options: (p) => ({ filters: p.args, quiet: p.values.quiet as boolean }),
  async run({ filters, quiet }, deps) {
    const svc = (await deps.connect()).service(ContainersDefinition);
    const { containers } = await converted(svc.list({ filters }));
    if (quiet) {
      deps.stdout.write(containers.map((c) => `${c.id}\n`).join(''));
      return;
    }
    const rows = containers.map((c) => `${c.id}\t${c.image || '-'}\t${c.runtime?.name ?? ''}\t`);
    deps.stdout.write(table(['CONTAINER\tIMAGE\tRUNTIME\t', ...rows], WIDE));
  },
});
