import { defineVerb } from '../../cli/types.js';
import { attachIO } from '../../taskio/io.js';
import { exitWith, superviseUntilExit } from '../../tasks/foreground.js';
import { containerSpec, hasKnownIO, loadContainer, loadTaskRecord, recordedFifos } from '../../tasks/load.js';
import { TaskProcess, tasksClient } from '../../tasks/process.js';
import { rawConsole } from '../../tasks/session.js';

export default defineVerb({
  argsUsage: 'CONTAINER',
  options: (p) => ({ id: p.args[0] ?? '' }),
  async run({ id }, deps) {
    const conn = await deps.connect();
    const container = await loadContainer(conn, id);
    const con = rawConsole(containerSpec(container).process?.terminal ?? false, deps.stderr);
    let task: TaskProcess | undefined;
    try {
      const rec = await loadTaskRecord(conn, id);
      // cio.WithStdio: our own stdin/stdout/stderr, even with a terminal.
      const io = hasKnownIO(rec)
        ? attachIO(recordedFifos(rec), { stdin: deps.stdin, stdout: deps.stdout, stderr: deps.stderr })
        : undefined;
      task = new TaskProcess(tasksClient(conn), id, '', rec.pid, io);
      const status = await superviseUntilExit(task, task.wait(), con, deps.stderr);
      if (status.error) throw status.error;
      exitWith(status.code);
    } finally {
      // ctr's deferred task.Delete (its own checks decide; the error is dropped) runs
      // before the exit status is passed on.
      await task?.delete().catch(() => {});
      task?.io?.release();
      con?.reset();
    }
  },
});
