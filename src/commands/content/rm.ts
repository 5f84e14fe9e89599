import { isNotFound } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';
import { digestError } from '../../images/digest.js';
import { logLine, messageOf } from '../images/shared.js';
import { deleteContent } from './store.js';

export default defineVerb({
  argsUsage: '[<digest>, ...]',
  description: `Delete one or more blobs permanently. Successfully deleted
	blobs are printed to stdout.`,
  options: (p) => ({ digests: p.args }),
  async run({ digests }, deps) {
    const conn = await deps.connect();
    let exitErr: Error | undefined;
    for (const d of digests) {
      const bad = digestError(d);
      if (bad) {
        exitErr ??= new Error(bad);
        logLine(deps.stderr, 'error', `could not delete ${d}`, bad);
        continue;
      }
      try {
        await deleteContent(conn, d);
      } catch (e) {
        // Blobs already gone are skipped without a word, as ctr does.
        if (!isNotFound(e)) {
          exitErr ??= new Error(messageOf(e));
          logLine(deps.stderr, 'error', `could not delete ${d}`, messageOf(e));
        }
        continue;
      }
      deps.stdout.write(`${d}\n`);
    }
    if (exitErr) throw exitErr;
  },
});
