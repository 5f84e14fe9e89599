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

    const { mkdtemp, open, readFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    // os.CreateTemp(XDG_RUNTIME_DIR, "edit-"): an empty variable means the temp dir.
    const dir = await mkdtemp(join(deps.env.XDG_RUNTIME_DIR || tmpdir(), 'edit-'));
    const file = join(dir, 'blob');
    try {
      const fh = await open(file, 'w', 0o600);
      try {
        for await (const c of readContent(conn, digest)) await fh.write(c);
      } finally {
        await fh.close();
      }
      const { spawn } = await import('node:child_process');
      const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn('sh', ['-c', `${editor} ${file}`], { stdio: 'inherit', env: deps.env as NodeJS.ProcessEnv });
        child.on('error', reject);
        child.on('exit', (c, signal) => resolve(signal ? -1 : c));
      });
      if (code !== 0) throw new Error(code === -1 ? 'signal: killed' : `exit status ${code}`);
      const data = await readFile(file);

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
      await rm(dir, { recursive: true, force: true });
    }
  },
});
