import { CommandError, defineVerb } from '../../cli/types.js';
import { digestError } from '../../images/digest.js';
import { ingestStream, type Resume } from './store.js';

export default defineVerb({
  argsUsage: '[flags] <key>',
  description: 'ingest objects into the local content store',
  flags: [
    { name: 'expected-size', kind: 'int64', usage: 'validate against provided size' },
    { name: 'expected-digest', kind: 'string', usage: 'verify content against expected digest' },
  ],
  options: (p) => ({
    ref: p.args[0] ?? '',
    expectedSize: Number(p.values['expected-size'] ?? 0),
    expectedDigest: (p.values['expected-digest'] as string) ?? '',
  }),
  async run({ ref, expectedSize, expectedDigest }, deps) {
    if (expectedDigest !== '') {
      const err = digestError(expectedDigest);
      if (err) throw new CommandError(err);
    }
    if (ref === '') throw new CommandError('must specify a transaction reference');
    const conn = await deps.connect();
    // Resuming an earlier ingest seeks stdin: fine for a file, not for a pipe.
    const { fstatSync } = await import('node:fs');
    let resume: Resume = 'discard';
    try {
      if (!fstatSync(0).isFile()) resume = { seekError: 'seek /dev/stdin: illegal seek' };
    } catch {
      resume = { seekError: 'seek /dev/stdin: bad file descriptor' };
    }
    await ingestStream(conn, ref, deps.stdin as AsyncIterable<Uint8Array>, { size: expectedSize, digest: expectedDigest }, { resume });
  },
});
