import { defineVerb } from '../../cli/types.js';
import { parseDigest } from '../../images/digest.js';
import { objectWithLabelArgs } from '../labels.js';
import { labelList } from './ls.js';
import { contentInfoFull, updateContent } from './store.js';

export default defineVerb({
  argsUsage: '<digest> [<label>=<value> ...]',
  description: 'labels blobs in the content store',
  options: (p) => objectWithLabelArgs(p.args),
  async run({ name, labels }, deps) {
    const conn = await deps.connect();
    const digest = parseDigest(name);
    const paths: string[] = [];
    const set: Record<string, string> = {};
    for (const [k, v] of Object.entries(labels)) {
      paths.push(`labels.${k}`);
      // An empty value clears the label.
      if (v !== '') set[k] = v;
    }
    const info = paths.length === 0 ? await contentInfoFull(conn, digest) : await updateContent(conn, digest, set, paths);
    deps.stdout.write(`${labelList(info.labels)}\n`);
  },
});
