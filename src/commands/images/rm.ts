import { ImagesDefinition } from '../../api/github.com/containerd/containerd/api/services/images/v1/images.js';
import { converted, isNotFound } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';
import { startProgress } from './progress.js';
import { logLine, messageOf } from './shared.js';

export default defineVerb({
  argsUsage: '[flags] <ref> [<ref>, ...]',
  description: 'remove one or more images by reference',
  flags: [{ name: 'sync', kind: 'bool', usage: 'Synchronously remove image and all associated resources' }],
  options: (p) => ({ refs: p.args, sync: p.values.sync as boolean }),
  async run({ refs, sync }, deps) {
    const images = (await deps.connect()).service(ImagesDefinition);
    let exitErr: Error | undefined;
    // Only --sync waits (for garbage collection), so only it gets a spinner.
    const progress = sync ? await startProgress(deps, 'removing images…') : undefined;
    try {
      for (const [i, ref] of refs.entries()) {
        const last = i === refs.length - 1;
        progress?.update(last ? `removing ${ref}, collecting garbage…` : `removing ${ref} (${i + 1}/${refs.length})…`);
        try {
          // Only the last delete waits for garbage collection, as in ctr.
          await converted(images.delete({ name: ref, sync: sync && last }));
        } catch (e) {
          if (!isNotFound(e)) {
            exitErr ??= new Error(`unable to delete ${ref}: ${messageOf(e)}`);
            logLine(deps.stderr, 'error', `unable to delete ${ref}`, messageOf(e));
            continue;
          }
          logLine(deps.stderr, 'warning', `${ref}: image not found`);
          continue;
        }
        deps.stdout.write(`${ref}\n`);
      }
    } finally {
      progress?.stop();
    }
    if (exitErr) throw exitErr;
  },
});
