import { containerOptions, runFlags } from './flagsets/container.js';
import { defineVerb, type Output } from '../cli/types.js';
import { PreparedFifos } from '../taskio/fifo.js';
import { checkCNI } from '../tasks/cni.js';
import { log } from '../tasks/log.js';
import { runTaskSession } from '../tasks/session.js';

export default defineVerb({
  argsUsage: '[flags] Image|RootFS ID [COMMAND] [ARG...]',
  skipArgReorder: true,
  flags: runFlags,
  options: (p) => ({
    container: containerOptions(p),
    rm: p.values.rm as boolean,
    detach: p.values.detach as boolean,
    nullIO: p.values['null-io'] as boolean,
    logURI: p.values['log-uri'] as string,
    fifoDir: p.values['fifo-dir'] as string,
    cni: p.values.cni as boolean,
  }),
  async run(o, deps) {
    const c = o.container;
    if (c.config !== undefined) {
      if (c.argCount > 1) throw new Error('with spec config file, only container id should be provided');
    } else if (c.ref === '') {
      throw new Error('image ref must be provided');
    }
    if (c.id === '') throw new Error('container id must be provided');
    if (o.rm && o.detach) throw new Error('flags --detach and --rm cannot be specified together');

    // The dial and the container code (large) are independent. The FIFOs are made (and
    // their read ends opened) while the daemon prepares the snapshot, or once the
    // container exists when there is no snapshot; without the native helper they come
    // from a mkfifo child, whose start blocks this thread for a few ms.
    const connecting = deps.connect();
    // The image look-up goes out as soon as the connection is up; the container code's
    // module set-up (a few ms of this thread) runs while the daemon answers it.
    const lookingUp = c.config === undefined && !c.rootfs
      ? Promise.all([connecting, import('../containers/lookup.js')])
        .then(([conn, { startLookup }]) => startLookup(conn, c.ref, c.platform, c.snapshotter))
      : undefined;
    lookingUp?.catch(() => {});
    await (lookingUp ?? new Promise<void>((resolve) => setImmediate(resolve))).catch(() => {});
    const loading = Promise.all([import('../containers/create.js'), import('../containers/delete.js')]);
    let prepared: PreparedFifos | undefined;
    let leaseGone: Promise<void> | undefined;
    let taskDeleted = false;
    const prepareFifos = () => {
      if (prepared || o.nullIO || o.logURI !== '') return;
      prepared = new PreparedFifos(o.fifoDir, c.id, c.tty, { stdin: true, stdout: true, stderr: !c.tty }, { openOutputs: true });
    };
    try {
      const [conn, [{ newContainer, parseIDMapping }, { removeContainer }]] = await Promise.all([connecting, loading]);
      const container = await newContainer(conn, c, {
        lookup: await lookingUp,
        stderr: deps.stderr,
        whilePreparing: prepareFifos,
        leaseReleased: (done) => { leaseGone = done; },
      });
      prepareFifos();
      // ctr's deferred container.Delete(WithSnapshotCleanup), once; its error is dropped.
      let removing: Promise<void> | undefined;
      const remove = () => (removing ??= removeContainer(conn, container.id, { record: container, taskDeleted }).catch(() => {}));
      try {
        await runTaskSession(conn, container, {
          beforeTask: o.cni ? checkCNI : undefined,
          tty: c.tty,
          detach: o.detach,
          pidFile: c.pidFile,
          nullIO: o.nullIO,
          logURI: o.logURI,
          fifoDir: o.fifoDir,
          prepared,
          noPivotRoot: c.noPivot,
          onTaskDeleted: () => {
            taskDeleted = true;
            // The container goes while the last output is read (the daemon is done with it).
            if (o.rm && !o.detach) void remove();
          },
          ...ioOwners(c.uidmap, c.gidmap, parseIDMapping, deps.stderr),
        }, deps);
      } finally {
        if (o.rm && !o.detach) await remove();
      }
    } finally {
      await prepared?.discard();
      await leaseGone;
    }
  },
});

/** run's getNewTaskOpts: the FIFOs belong to the host ids the container's root maps to. */
function ioOwners(
  uidmap: string,
  gidmap: string,
  parse: (m: string) => { hostID: number },
  stderr: Output,
): { ioUid?: number; ioGid?: number } {
  const owner = (mapping: string, what: 'uid' | 'gid'): number | undefined => {
    if (mapping === '') return undefined;
    try {
      return parse(mapping).hostID;
    } catch (e) {
      log(stderr, 'warning', `unable to parse ${what}map; defaulting to ${what} 0 IO ownership`, e);
      return 0;
    }
  };
  return { ioUid: owner(uidmap, 'uid'), ioGid: owner(gidmap, 'gid') };
}
