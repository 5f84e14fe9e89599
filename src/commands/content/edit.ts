import { CommandError, defineVerb } from '../../cli/types.js';
import { ContentWriter, contentInfo, readContent } from '../../images/content.js';
import { parseDigest } from '../../images/digest.js';

export default defineVerb({
  argsUsage: '[flags] <digest>',
  description: 'edit a blob and return a new digest',
  flags: [
    { name: 'validate', kind: 'string', usage: 'validate the result against a format (json, mediatype, etc.)' },
    { name: 'editor', kind: 'string', usage: 'select editor (vim, emacs, etc.)', envVar: 'EDITOR' },
  ],
  options: (p) => ({
    object: p.args[0] ?? '',
    validate: (p.values.validate as string) ?? '',
    editor: (p.values.editor as string) ?? '',
  }),
  async run({ object, validate, editor }, deps) {
    if (validate !== '') throw new CommandError('validating the edit result not supported');
    const digest = parseDigest(object);
    const conn = await deps.connect();
    await contentInfo(conn, digest);
    if (editor === '') throw new CommandError('editor is required');

    const { open, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    // os.CreateTemp($XDG_RUNTIME_DIR, "edit-"): "edit-<digits>", created exclusively.
    const dir = deps.env.XDG_RUNTIME_DIR || tmpdir();
    let path = '';
    let fh;
    for (;;) {
      path = join(dir, `edit-${Math.floor(Math.random() * 4294967296)}`);
      try {
        fh = await open(path, 'wx+', 0o600);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`open ${path}: ${(e as Error).message}`);
      }
    }
    try {
      for await (const c of readContent(conn, digest)) await fh.write(c);
      await runEditor(editor, path, deps.env, deps.stderr);
      // ctr reads the edit back through the descriptor it wrote: an editor that
      // replaces the file (sed -i) leaves ctr with the old bytes, and so do we.
      const data = await readAll(fh);
      const w = await ContentWriter.open(conn, `edit-${object}`, { size: 0, digest: '' });
      try {
        if (data.length) await w.write(data);
        // The writer's running digest is current once every write is answered.
        await w.status();
        await w.commit(0, w.digest);
      } finally {
        w.close();
      }
      deps.stdout.write(`${w.digest}\n`);
    } finally {
      await fh.close();
      await rm(path, { force: true });
    }
  },
});

async function readAll(fh: import('node:fs/promises').FileHandle): Promise<Buffer> {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(1 << 20);
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) return Buffer.concat(parts);
    parts.push(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
}

/**
 * `sh -c "<editor> <file>"` on our terminal. A failure is an exec.ExitError, which
 * urfave prints bare ("exit status 3") and exits with its code (255 for a signal).
 */
async function runEditor(editor: string, path: string, env: Record<string, string | undefined>, stderr: { write(s: string): unknown }): Promise<void> {
  const { spawn } = await import('node:child_process');
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    const child = spawn('sh', ['-c', `${editor} ${path}`], { stdio: 'inherit', env: env as NodeJS.ProcessEnv });
    child.on('error', reject);
    child.on('exit', (c, s) => resolve([c, s]));
  });
  if (code === 0) return;
  stderr.write(signal ? `signal: ${signalText(signal)}\n` : `exit status ${code}\n`);
  throw new CommandError('', signal ? 255 : code ?? 255);
}

/** Go's names for the signals an editor is likely to die of (syscall.Signal.String). */
function signalText(s: NodeJS.Signals): string {
  const names: Partial<Record<NodeJS.Signals, string>> = {
    SIGKILL: 'killed', SIGTERM: 'terminated', SIGINT: 'interrupt', SIGHUP: 'hangup', SIGQUIT: 'quit',
    SIGABRT: 'aborted', SIGSEGV: 'segmentation fault', SIGPIPE: 'broken pipe', SIGUSR1: 'user defined signal 1',
    SIGUSR2: 'user defined signal 2', SIGBUS: 'bus error', SIGFPE: 'floating point exception', SIGILL: 'illegal instruction',
  };
  return names[s] ?? s;
}
