import { CommandError, defineVerb } from '../../cli/types.js';
import { deleteContainer } from '../../containers/delete.js';
import { log } from '../../tasks/log.js';

export default defineVerb({
  argsUsage: '[flags] CONTAINER [CONTAINER, ...]',
  flags: [{ name: 'keep-snapshot', kind: 'bool', usage: 'do not clean up snapshot with container' }],
  options: (p) => ({ ids: p.args, keepSnapshot: p.values['keep-snapshot'] as boolean }),
  async run({ ids, keepSnapshot }, deps) {
    const conn = await deps.connect();
    if (ids.length === 0) throw new CommandError('must specify at least one container to delete: invalid argument');
    let first: unknown;
    for (const id of ids) {
      try {
        await deleteContainer(conn, id, { keepSnapshot });
      } catch (e) {
        first ??= e;
        log(deps.stderr, 'error', `failed to delete container "${id}"`, e);
      }
    }
    if (first) throw first;
  },
});
