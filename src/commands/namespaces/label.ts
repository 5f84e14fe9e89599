import { NamespacesDefinition } from '../../api/github.com/containerd/containerd/api/services/namespaces/v1/namespace.js';
import { converted } from '../../client/errdefs.js';
import { CommandError, defineVerb } from '../../cli/types.js';
import { objectWithLabelArgs } from '../labels.js';

export default defineVerb({
  argsUsage: '<name> [<key>=<value>, ...]',
  description: 'set and clear labels for a namespace. empty value clears the label',
  options: (p) => objectWithLabelArgs(p.args),
  async run({ name, labels }, deps) {
    if (name === '') throw new CommandError('please specify a namespace');
    const ns = (await deps.connect()).service(NamespacesDefinition);
    // One update per label with a "labels.<key>" mask, as containerd's namespace store does.
    for (const [key, value] of Object.entries(labels)) {
      await converted(ns.update({ namespace: { name, labels: { [key]: value } }, updateMask: [`labels.${key}`] }));
    }
  },
});
