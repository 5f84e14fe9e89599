import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommandError, defineVerb } from '../cli/types.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** completions/ lives at the package root, above both src/commands and dist/chunks. */
function scriptPath(shell: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const p = join(dir, 'completions', `ctr.${shell}`);
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  throw new CommandError(`completion script for ${shell} not found`);
}

export default defineVerb({
  argsUsage: 'bash|zsh|fish',
  description: 'print a completion script that completes commands, flags and the daemon\'s images, containers, tasks, namespaces, snapshots, leases and blobs',
  options: (p) => ({ shell: p.args[0] ?? '' }),
  async run({ shell }, deps) {
    if (!(SHELLS as readonly string[]).includes(shell)) {
      throw new CommandError(`unsupported shell ${JSON.stringify(shell)}: use one of ${SHELLS.join(', ')}`);
    }
    deps.stdout.write(readFileSync(scriptPath(shell), 'utf8'));
  },
});
