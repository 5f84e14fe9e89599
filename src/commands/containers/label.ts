import { ContainersDefinition } from '../../api/github.com/containerd/containerd/api/services/containers/v1/containers.js';
import { converted } from '../../client/errdefs.js';
import { CommandError, defineVerb } from '../../cli/types.js';
import { objectWithLabelArgs } from '../labels.js';

export default defineVerb({
  argsUsage: '[flags] CONTAINER [<key>=<value>, ...]',
  description: 'set and clear labels for a container',
  options: (p) => objectWithLabelArgs(p.args),
  async run({ name: id, labels }, deps) {
    if (id === '') throw new CommandError('container id must be provided: invalid argument');
    const svc = (await deps.connect()).service(ContainersDefinition);
    await converted(svc.get({ id }));
    const paths = Object.keys(labels).map((k) => `labels.${k}`);
    // With no labels this is a full-record update, which the daemon refuses, as with ctr.
    const { container } = await converted(svc.update({
      container: { id, labels, runtime: { name: '' }, extensions: {} },
      updateMask: paths.length > 0 ? paths : undefined,
    }));
    const set = container?.labels ?? {};
    deps.stdout.write(`${Object.entries(set).map(([k, v]) => `${k}=${v}`).join(',')}\n`);
  },
});
