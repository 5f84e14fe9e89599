import { NamespacesDefinition } from '../../api/github.com/containerd/containerd/api/services/namespaces/v1/namespace.js';
import { converted } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';
import { labelPairs, NARROW, table } from '../../format/presets.js';
import { formatFlag, outputFormat, writeJSON } from '../flagsets/format.js';

export default defineVerb({
  argsUsage: '[flags]',
  description: 'list namespaces',
  flags: [{ name: 'quiet, q', kind: 'bool', usage: 'print only the namespace name' }, formatFlag],
  options: (p) => ({ quiet: p.values.quiet as boolean, format: outputFormat(p.values.format) }),
  async run({ quiet, format }, deps) {
    const ns = (await deps.connect()).service(NamespacesDefinition);
    const { namespaces } = await converted(ns.list({}));
    if (quiet && format === 'table') {
      deps.stdout.write(namespaces.map((n) => `${n.name}\n`).join(''));
      return;
    }
    // ctr asks for each namespace's labels separately; the Gets are independent, so overlap them.
    const labels = await Promise.all(namespaces.map((n) => converted(ns.get({ name: n.name })).then((r) => r.namespace?.labels)));
    if (format === 'json') {
      writeJSON(deps.stdout, namespaces.map((n, i) => ({ name: n.name, labels: labels[i] ?? {} })));
      return;
    }
    // ctr joins with commas and prints nothing (not "-") for no labels.
    const rows = namespaces.map((n, i) => `${n.name}\t${labelPairs(labels[i])}\t`);
    deps.stdout.write(table(['NAME\tLABELS\t', ...rows], NARROW));
  },
});
