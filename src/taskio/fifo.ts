// containerd's cio FIFO sets: a fresh directory under the FIFO root (default
// /run/containerd/fifo) holding <id>-stdin, <id>-stdout and <id>-stderr, which the shim
// opens by path. The directory goes away when the IO is closed.

import { constants as fsc, lstatSync, mkdirSync, openSync, rmdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { getSystemErrorName } from 'node:util';
import { errnoText } from '../util/errno.js';
import { randomUint32 } from '../util/random.js';
import { nativeHelper, type Native } from '../util/native.js';
import { openPipe, type ByteStream } from '../util/pipe.js';

export const DEFAULT_FIFO_DIR = '/run/containerd/fifo';

/** What the task is created with: three paths (or URIs) and the terminal flag. */
export interface IOConfig {
  terminal: boolean;
  stdin: string;
  stdout: string;
  stderr: string;
}

export interface FifoSet extends IOConfig {
  /** The set's own directory (removed by close), or '' for a set loaded from the daemon. */
  dir: string;
  /** Read ends of the output FIFOs opened ahead of time, for the copy to take over. */
  opened?: { stdout?: ByteStream; stderr?: ByteStream };
  close(): Promise<void>;
}

/**
 * cio.NewFIFOSetInDir: creates root (0700) if needed and a uniquely named directory in
 * it, as Go's os.MkdirTemp(root, "") does (a decimal random name). Only the paths are
 * decided here; makeFifos creates the nodes.
 */
export function newFifoSetInDir(root: string, id: string, terminal: boolean): FifoSet {
  if (root !== '') mkdirAll(root, 0o700);
  const parent = root === '' ? (process.env.TMPDIR || '/tmp') : root;
  let dir = '';
  for (let tries = 0; ; tries++) {
    dir = join(parent, String(randomUint32()));
    try {
      mkdirSync(dir, { mode: 0o700 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || tries >= 10000) throw goPathError(e, 'mkdirtemp', join(parent, '*'));
    }
  }
  const set: FifoSet = {
    terminal,
    stdin: join(dir, `${id}-stdin`),
    stdout: join(dir, `${id}-stdout`),
    stderr: join(dir, `${id}-stderr`),
    dir,
    close: async () => removeSetDir(dir, [set.stdin, set.stdout, set.stderr]),
  };
  return set;
}

/**
 * os.RemoveAll of a set's directory, which sits between task and container delete: the
 * known nodes and the directory go with a few synchronous calls (node's recursive rm
 * loads its own module first, and the promise form hops through the thread pool for
 * each entry: milliseconds); anything unexpected in it is left to the recursive rm.
 */
function removeSetDir(dir: string, nodes: string[]): void {
  try {
    for (const node of nodes) {
      if (node === '') continue;
      try {
        unlinkSync(node);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    rmdirSync(dir);
  } catch {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Go's os.MkdirAll, with its errors. (node's recursive mkdir loops forever under /proc,
 * where mkdir fails with ENOENT below an existing directory.)
 */
export function mkdirAll(path: string, mode: number): void {
  try {
    if (statSync(path).isDirectory()) return;
    throw new Error(`mkdir ${path}: not a directory`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === undefined) throw e;
  }
  let i = path.length;
  while (i > 0 && path[i - 1] === '/') i--;
  let j = i;
  while (j > 0 && path[j - 1] !== '/') j--;
  if (j > 1) mkdirAll(path.slice(0, j - 1), mode);
  try {
    mkdirSync(path, { mode });
  } catch (e) {
    try {
      if (lstatSync(path).isDirectory()) return;
    } catch {
      // report the mkdir error
    }
    throw goPathError(e, 'mkdir', path);
  }
}

/**
 * Creates the FIFO nodes (mode 0700, less the umask, as ctr's mkfifo(2) call). With the
 * native helper that is one system call each; without it (node has no mkfifo(2)) one
 * mkfifo(1) child makes them all, and callers start it early to overlap it with daemon calls.
 */
export async function makeFifos(paths: readonly string[], native: Pick<Native, 'mkfifo'> | null = nativeHelper()): Promise<void> {
  if (paths.length === 0) return;
  if (native) {
    for (const path of paths) {
      const errno = native.mkfifo(path, 0o700);
      if (errno === 0) continue;
      const code = getSystemErrorName(-errno);
      // An existing node is reused, as containerd's fifo package does.
      if (code !== 'EEXIST') throw new Error(`error creating fifo ${path}: ${errnoText(code) ?? code}`);
    }
    return;
  }
  // Loaded here, not at start-up: node:child_process takes several ms to load.
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    // Only stderr is piped (for the error text): each pipe costs this thread time to set up.
    const child = spawn('mkfifo', ['-m', '700', '--', ...paths], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (t: string) => { stderr += t; });
    child.once('error', (err) => reject(new Error(`error creating fifo ${paths[0]}: ${err.message}`)));
    child.once('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`error creating fifo ${paths[0]}: ${stderr.trim() || `mkfifo exited with ${code}`}`));
    });
  });
}

export interface FifoWants {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

/**
 * The FIFO set made ahead of time (run starts it before the container exists, to
 * overlap the mkfifo child with the daemon's work). Its failure is kept for whoever
 * takes the set; a set nobody took is removed by `discard`.
 */
export class PreparedFifos {
  private taken = false;
  readonly set: Promise<FifoSet>;

  /**
   * With `openOutputs`, the read ends of stdout and stderr are opened as soon as the nodes
   * exist (run does this while the daemon creates the container record, so the task's
   * Create request goes out sooner); if that fails, the copy opens them itself later.
   */
  constructor(root: string, id: string, terminal: boolean, want: FifoWants, opts: { openOutputs?: boolean } = {}) {
    this.set = (async () => {
      const set = newFifoSetInDir(root || DEFAULT_FIFO_DIR, id, terminal);
      if (!want.stdin) set.stdin = '';
      if (!want.stdout) set.stdout = '';
      if (!want.stderr) set.stderr = '';
      try {
        await makeFifos([set.stdin, set.stdout, terminal ? '' : set.stderr].filter(Boolean));
      } catch (e) {
        await set.close();
        throw e;
      }
      if (opts.openOutputs) set.opened = openOutputs(set);
      return set;
    })();
    this.set.catch(() => {});
  }

  take(): Promise<FifoSet> {
    this.taken = true;
    return this.set;
  }

  async discard(): Promise<void> {
    if (this.taken) return;
    this.taken = true;
    await this.set.then((s) => {
      s.opened?.stdout?.destroy();
      s.opened?.stderr?.destroy();
      return s.close();
    }, () => {});
  }
}

/** The output read ends (non-blocking, as the copy opens them), or none at all on any error. */
function openOutputs(set: FifoSet): FifoSet['opened'] {
  const opened: NonNullable<FifoSet['opened']> = {};
  try {
    for (const what of ['stdout', 'stderr'] as const) {
      if (what === 'stderr' && set.terminal) continue;
      if (!set[what]) continue;
      const sock = openPipe(openSync(set[what], fsc.O_RDONLY | fsc.O_NONBLOCK), 'read');
      sock.on('error', () => {}); // until the copy takes it over with its own handlers
      opened[what] = sock;
    }
    return opened;
  } catch {
    opened.stdout?.destroy();
    opened.stderr?.destroy();
    return undefined;
  }
}

/** A Go *PathError text ("mkdir /x: permission denied") for a node fs error. */
export function goPathError(e: unknown, op: string, path: string): Error {
  const err = e as NodeJS.ErrnoException;
  if (!err || typeof err.code !== 'string') return e instanceof Error ? e : new Error(String(e));
  return new Error(`${op} ${path}: ${errnoText(err.code) ?? err.message}`);
}
