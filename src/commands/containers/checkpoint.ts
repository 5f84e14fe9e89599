import { isNotFound } from '../../client/errdefs.js';
import { CommandError, defineVerb } from '../../cli/types.js';
import { checkpointContainer } from '../../containers/checkpoint.js';
import { loadContainer, loadTaskRecord } from '../../tasks/load.js';
import { tasksClient } from '../../tasks/process.js';
import { converted } from '../../client/errdefs.js';

export default defineVerb({
  argsUsage: 'CONTAINER REF',
  flags: [
    { name: 'rw', kind: 'bool', usage: 'include the rw layer in the checkpoint' },
    { name: 'image', kind: 'bool', usage: 'include the image in the checkpoint' },
    { name: 'task', kind: 'bool', usage: 'checkpoint container task' },
  ],
  options: (p) => ({
    id: p.args[0] ?? '',
    ref: p.args[1] ?? '',
    flags: { rw: p.values.rw as boolean, image: p.values.image as boolean, task: p.values.task as boolean },
  }),
  async run({ id, ref, flags }, deps) {
    if (id === '') throw new CommandError('container id must be provided');
    if (ref === '') throw new CommandError('ref must be provided');
    const conn = await deps.connect();
    const c = await loadContainer(conn, id);
    let hasTask = true;
    try {
      await loadTaskRecord(conn, id);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      hasTask = false;
    }
    // A live task is paused for the checkpoint and resumed afterwards, whatever happens.
    if (hasTask) await converted(tasksClient(conn).pause({ containerId: id }));
    try {
      await checkpointContainer(conn, c, ref, flags);
    } finally {
      if (hasTask) {
        try {
          await converted(tasksClient(conn).resume({ containerId: id }));
        } catch (e) {
          deps.stdout.write(`error resuming task: ${(e as Error).message}\n`);
        }
      }
    }
  },
});
