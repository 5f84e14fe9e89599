import type { Connection } from '../../cli/types.js';
import { CommandError, defineVerb } from '../../cli/types.js';
import { compare, createDiff, withSnapshotMounts } from '../../containers/rootfs.js';
import { readContent } from '../../images/content.js';
import { withLease } from '../../images/lease.js';
import { labelArgs } from '../labels.js';
import { gcRootNow, snapshotterOf } from './common.js';

export default defineVerb({
  argsUsage: '[flags] <idA> [<idB>]',
  flags: [
    { name: 'media-type', kind: 'string', usage: 'media type to use for creating diff', value: 'application/vnd.oci.image.layer.v1.tar+gzip' },
    { name: 'ref', kind: 'string', usage: 'content upload reference to use' },
    { name: 'keep', kind: 'bool', usage: 'keep diff content. up to creator to delete it.' },
    { name: 'label', kind: 'stringSlice', usage: 'labels to attach to the image' },
  ],
  options: (p) => ({
    idA: p.args[0] ?? '',
    idB: p.args[1] ?? '',
    mediaType: p.values['media-type'] as string,
    ref: p.values.ref as string,
    keep: p.values.keep as boolean,
    labels: (p.values.label as string[] | undefined) ?? [],
  }),
  async run(o, deps) {
    if (o.idA === '') throw new CommandError('snapshot id must be provided');
    const base = await snapshotterOf(deps);
    await withLease(base.conn, async (conn: Connection) => {
      const labels = labelArgs(o.labels);
      if (o.keep) Object.assign(labels, gcRootNow());
      const opts = { mediaType: o.mediaType, ref: o.ref, labels };
      const desc = o.idB === ''
        ? await createDiff(conn, base.name, o.idA, opts)
        : await withSnapshotMounts(conn, base.name, o.idA, `${o.idA}-view-key`, (a) =>
          withSnapshotMounts(conn, base.name, o.idB, `${o.idB}-view-key`, (b) => compare(conn, a, b, opts)));
      for await (const chunk of readContent(conn, desc.digest)) deps.stdout.write(chunk);
    });
  },
});
