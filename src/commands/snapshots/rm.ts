import { converted } from '../../client/errdefs.js';
import { CommandError, defineVerb } from '../../cli/types.js';
import { goQuote } from '../../cli/flags.js';
import { snapshotterOf } from './common.js';

export default defineVerb({
  argsUsage: '<key> [<key>, ...]',
  options: (p) => ({ keys: p.args }),
  async run({ keys }, deps) {
    const { sn, name } = await snapshotterOf(deps);
    for (const key of keys) {
      try {
        await converted(sn.remove({ snapshotter: name, key }));
      } catch (e) {
        throw new CommandError(`failed to remove ${goQuote(key)}: ${(e as Error).message}`);
      }
    }
  },
});
