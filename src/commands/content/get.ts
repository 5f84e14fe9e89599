import { defineVerb } from '../../cli/types.js';
import { contentInfo, readContent } from '../../images/content.js';
import { parseDigest } from '../../images/digest.js';
import { StreamSink } from '../../archive/sink.js';

export default defineVerb({
  argsUsage: '[<digest>, ...]',
  description: 'display the image object',
  options: (p) => ({ digest: p.args[0] ?? '' }),
  async run({ digest }, deps) {
    const dgst = parseDigest(digest);
    const conn = await deps.connect();
    // ReaderAt asks for Info first, which gives the not-found text.
    const { size } = await contentInfo(conn, dgst);
    const out = new StreamSink(deps.stdout);
    let n = 0;
    for await (const chunk of readContent(conn, dgst)) {
      const part = chunk.subarray(0, Math.max(0, size - n));
      n += part.length;
      if (part.length) await out.write(part);
    }
  },
});
