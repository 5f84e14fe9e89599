import { converted } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';
import { SnapshotsDefinition } from '../../api/github.com/containerd/containerd/api/services/snapshots/v1/snapshots.js';
import { withUser } from '../../oci/user.js';
import type { IOCreator } from '../../taskio/io.js';
import { exitWith, superviseUntilExit } from '../../tasks/foreground.js';
import { containerSpec, loadContainer, loadTask } from '../../tasks/load.js';
import { TaskProcess } from '../../tasks/process.js';
import { rawConsole } from '../../tasks/session.js';
import { stdioCreator } from '../../tasks/stdio.js';

/** typeurl's name for an OCI runtime-spec Process (sent as JSON). */
const PROCESS_TYPE_URL = 'types.containerd.io/opencontainers/runtime-spec/1/Process';

export default defineVerb({
  argsUsage: '[flags] CONTAINER CMD [ARG...]',
  skipArgReorder: true,
  flags: [
    { name: 'cwd', kind: 'string', usage: 'working directory of the new process' },
    { name: 'tty, t', kind: 'bool', usage: 'allocate a TTY for the container' },
    { name: 'detach, d', kind: 'bool', usage: 'detach from the task after it has started execution' },
    { name: 'exec-id', kind: 'string', usage: 'exec specific id for the process', required: true },
    { name: 'fifo-dir', kind: 'string', usage: 'directory used for storing IO FIFOs' },
    { name: 'log-uri', kind: 'string', usage: 'log uri for custom shim logging' },
    { name: 'user', kind: 'string', usage: 'user id or name' },
  ],
  options: (p) => ({
    id: p.args[0] ?? '',
    args: p.args.slice(1),
    cwd: p.values.cwd as string,
    tty: p.values.tty as boolean,
    detach: p.values.detach as boolean,
    execId: p.values['exec-id'] as string,
    fifoDir: p.values['fifo-dir'] as string,
    logURI: p.values['log-uri'] as string,
    user: p.values.user as string,
  }),
  async run(o, deps) {
    if (o.id === '') throw new Error('container id must be provided');
    const conn = await deps.connect();
    const container = await loadContainer(conn, o.id);
    const spec = containerSpec(container);
    if (o.user !== '') {
      await withUser(o.user)({
        namespace: conn.namespace,
        container,
        snapshotMounts: async (snapshotter, key) => (await converted(conn.service(SnapshotsDefinition).mounts({ snapshotter, key }))).mounts,
      }, spec);
    }
    const pspec = { ...spec.process!, terminal: o.tty, args: o.args };
    if (o.cwd !== '') pspec.cwd = o.cwd;
    const task = await loadTask(conn, o.id);

    if (o.tty && o.logURI !== '') throw new Error("can't use log-uri with tty");
    if (o.logURI !== '' && o.fifoDir !== '') throw new Error("can't use log-uri with fifo-dir");
    const con = rawConsole(o.tty, deps.stderr);
    let proc: TaskProcess | undefined;
    try {
      const stdio = stdioCreator({ console: con, logURI: o.logURI, fifoDir: o.fifoDir }, deps);
      proc = await execProcess(task, o.execId, pspec, stdio.io);
      stdio.bind(proc);
      let code = 0;
      try {
        const exited = o.detach ? undefined : proc.wait();
        await proc.start();
        if (!exited) return;
        const status = await superviseUntilExit(proc, exited, con, deps.stderr);
        if (status.error) throw status.error;
        code = status.code;
      } finally {
        // ctr's deferred process.Delete, whose error is dropped.
        if (!o.detach) await proc.delete().catch(() => {});
      }
      exitWith(code);
    } finally {
      proc?.io?.release();
      con?.reset();
    }
  },
});

/** task.Exec: the process's IO, then the Exec call; the IO goes again if that fails. */
async function execProcess(task: TaskProcess, execId: string, spec: object, ioCreator: IOCreator): Promise<TaskProcess> {
  if (execId === '') throw new Error('exec id must not be empty: invalid argument');
  const io = await ioCreator(execId);
  const cfg = io.config;
  try {
    await converted(task.tasks.exec({
      containerId: task.containerId,
      execId,
      terminal: cfg.terminal,
      stdin: cfg.stdin,
      stdout: cfg.stdout,
      stderr: cfg.stderr,
      spec: { typeUrl: PROCESS_TYPE_URL, value: Buffer.from(JSON.stringify(spec)) },
    }));
  } catch (e) {
    io.cancel();
    await io.close();
    throw e;
  }
  return new TaskProcess(task.tasks, task.containerId, execId, 0, io);
}
