import { ImagesDefinition } from '../../api/github.com/containerd/containerd/api/services/images/v1/images.js';
import { converted, ErrdefsError } from '../../client/errdefs.js';
import { Code } from '../../client/transport.js';
import { CommandError, defineVerb } from '../../cli/types.js';
import { withLease } from '../../images/lease.js';

export default defineVerb({
  argsUsage: '[flags] <source_ref> <target_ref> [<target_ref>, ...]',
  description: 'Tag an image for use in containerd.',
  flags: [{ name: 'force', kind: 'bool', usage: 'force target_ref to be created, regardless if it already exists' }],
  options: (p) => ({ refs: p.args, force: p.values.force as boolean }),
  async run({ refs, force }, deps) {
    const [ref = '', ...targets] = refs;
    if (ref === '') throw new CommandError('please provide an image reference to tag from');
    if (targets.length === 0) throw new CommandError('please provide an image reference to tag to');
    await withLease(await deps.connect(), async (conn) => {
      const images = conn.service(ImagesDefinition);
      const { image } = await converted(images.get({ name: ref }));
      for (const target of targets) {
        const copy = { name: target, labels: image?.labels ?? {}, target: image?.target };
        try {
          await converted(images.create({ image: copy }));
        } catch (e) {
          if (!(force && e instanceof ErrdefsError && e.code === Code.AlreadyExists)) throw e;
          // --force: replace the existing image.
          await converted(images.delete({ name: target, sync: false }));
          await converted(images.create({ image: copy }));
        }
        deps.stdout.write(`${target}\n`);
      }
    });
  },
});
