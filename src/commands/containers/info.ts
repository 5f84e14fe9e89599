import { ContainersDefinition } from '../../api/github.com/containerd/containerd/api/services/containers/v1/containers.js';
import { converted } from '../../client/errdefs.js';
import { CommandError, defineVerb } from '../../cli/types.js';
import { containerInfoJSON } from '../../containers/info.js';

export default defineVerb({
  argsUsage: 'CONTAINER',
  flags: [{ name: 'spec', kind: 'bool', usage: 'only display the spec' }],
  options: (p) => ({ id: p.args[0] ?? '', spec: p.values.spec as boolean }),
  async run({ id, spec }, deps) {
    if (id === '') throw new CommandError('container id must be provided: invalid argument');
    const svc = (await deps.connect()).service(ContainersDefinition);
    const { container } = await converted(svc.get({ id }));
    deps.stdout.write(`${containerInfoJSON(container!, spec)}\n`);
  },
});
