import { LeasesDefinition } from '../../api/github.com/containerd/containerd/api/services/leases/v1/leases.js';
import { converted } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';

export default defineVerb({
  argsUsage: '[flags] <lease id> ...',
  description: 'delete a lease',
  flags: [{ name: 'sync', kind: 'bool', usage: 'Synchronously remove leases and all unreferenced resources' }],
  options: (p) => ({ ids: p.args, sync: p.values.sync as boolean }),
  async run({ ids, sync }, deps) {
    if (ids.length === 0) {
      // ctr shows the verb's help and succeeds.
      const { renderHelp } = await import('../../cli/help.js');
      const { commands, lookup, isGroup } = await import('../../cli/registry.js');
      const group = lookup(commands, 'leases')!;
      const verb = isGroup(group) ? lookup(group.verbs, 'delete') : undefined;
      deps.stdout.write(renderHelp('verb', ['leases', 'delete'], verb, (await verb!.load()).default));
      return;
    }
    const leases = (await deps.connect()).service(LeasesDefinition);
    for (const [i, id] of ids.entries()) {
      // Only the last delete waits for garbage collection, as in ctr.
      await converted(leases.delete({ id, sync: sync && i === ids.length - 1 }));
      deps.stdout.write(`${id}\n`);
    }
  },
});
