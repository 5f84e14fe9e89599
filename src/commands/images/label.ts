import { ImagesDefinition } from '../../api/github.com/containerd/containerd/api/services/images/v1/images.js';
import { converted } from '../../client/errdefs.js';
import { CommandError, defineVerb } from '../../cli/types.js';
import { goStringLess } from '../../format/presets.js';
import { objectWithLabelArgs } from '../labels.js';

export default defineVerb({
  argsUsage: '[flags] <name> [<key>=<value>, ...]',
  description: 'set and clear labels for an image',
  flags: [{ name: 'replace-all, r', kind: 'bool', usage: 'replace all labels' }],
  options: (p) => ({ ...objectWithLabelArgs(p.args), replaceAll: p.values['replace-all'] as boolean }),
  async run({ name, labels, replaceAll }, deps) {
    const conn = await deps.connect();
    if (name === '') throw new CommandError('please specify an image');
    // One field path per label, as ctr builds them ("labels" repeated with --replace-all).
    const paths = Object.keys(labels).map((k) => (replaceAll ? 'labels' : `labels.${k}`));
    // containerd's client always sends the (here empty) target: a 1.7 daemon dereferences
    // it unconditionally and crashes on an image without one.
    const { image } = await converted(conn.service(ImagesDefinition).update({ image: { name, labels, target: {} }, updateMask: paths }));
    // ctr prints Go map order (random); sorted is one of its orders and stable.
    const pairs = Object.entries(image?.labels ?? {}).map(([k, v]) => `${k}=${v}`).sort(goStringLess);
    deps.stdout.write(`${pairs.join(',')}\n`);
  },
});
