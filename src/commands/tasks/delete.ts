import { defineVerb, CommandError } from '../../cli/types.js';
import { attachIO } from '../../taskio/io.js';
import { log } from '../../tasks/log.js';
import { hasKnownIO, loadContainer, loadContainerTask, loadProcess, loadTaskRecord, recordedFifos } from '../../tasks/load.js';
import { TaskProcess, tasksClient, type ExitStatus } from '../../tasks/process.js';
import type { Connection } from '../../cli/types.js';

/** ctr's loadTask (container.Task with cio.Load): the task with its FIFOs to clean up. */
async function loadWithFifos(conn: Connection, id: string): Promise<TaskProcess> {
  await loadContainer(conn, id);
  const rec = await loadTaskRecord(conn, id);
  const io = hasKnownIO(rec) ? attachIO(recordedFifos(rec), {}) : undefined;
  return new TaskProcess(tasksClient(conn), id, '', rec.pid, io);
}

export default defineVerb({
  argsUsage: 'CONTAINER [CONTAINER, ...]',
  flags: [
    { name: 'force, f', kind: 'bool', usage: 'force delete task process' },
    { name: 'exec-id', kind: 'string', usage: 'process ID to kill' },
  ],
  options: (p) => ({ ids: p.args, force: p.values.force as boolean, execId: p.values['exec-id'] as string }),
  async run({ ids, force, execId }, deps) {
    const conn = await deps.connect();
    if (execId !== '') {
      const task = await loadContainerTask(conn, ids[0] ?? '');
      const proc = await loadProcess(task, execId);
      const status = await proc.delete({ force });
      if (status.code !== 0) throw new CommandError('', status.code);
      return;
    }
    let firstError: unknown;
    for (const id of ids) {
      let task: TaskProcess;
      try {
        task = await loadWithFifos(conn, id);
      } catch (e) {
        firstError ??= e;
        log(deps.stderr, 'error', `failed to load task from ${id}`, e);
        continue;
      }
      let status: ExitStatus;
      try {
        status = await task.delete({ force });
      } catch (e) {
        firstError ??= e;
        log(deps.stderr, 'error', `unable to delete ${id}`, e);
        continue;
      }
      if (status.code !== 0) log(deps.stderr, 'warning', `task ${id} exit with non-zero exit code ${status.code}`);
    }
    if (firstError !== undefined) throw firstError;
  },
});
