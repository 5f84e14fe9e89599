import { NamespacesDefinition } from '../../api/github.com/containerd/containerd/api/services/namespaces/v1/namespace.js';
import { converted } from '../../client/errdefs.js';
import { CommandError, defineVerb } from '../../cli/types.js';
import { objectWithLabelArgs } from '../labels.js';

export default defineVerb({
  argsUsage: '<name> [<key>=<value>]',
  description: 'create a new namespace. it must be unique',
  options: (p) => objectWithLabelArgs(p.args),
  async run({ name, labels }, deps) {
    if (name === '') throw new CommandError('please specify a namespace');
    const ns = (await deps.connect()).service(NamespacesDefinition);
    await converted(ns.create({ namespace: { name, labels } }));
  },
});
