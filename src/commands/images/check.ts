import { ImagesDefinition } from '../../api/github.com/containerd/containerd/api/services/images/v1/images.js';
import { converted } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';
import { NARROW, table } from '../../format/presets.js';
import { formatBytes } from '../../format/units.js';
import { checkImage } from '../../images/image.js';
import { defaultMatcher } from '../../images/platforms.js';
import { snapshotterFlags } from '../flagsets/snapshotter.js';
import { isUnpacked, logLine, messageOf, targetOf } from './shared.js';

const sum = (ds: Array<{ size: number }>) => ds.reduce((n, d) => n + d.size, 0);

export default defineVerb({
  argsUsage: '[flags] [<filter>, ...]',
  description: 'check existing images to ensure all content is available locally',
  flags: [
    { name: 'quiet, q', kind: 'bool', usage: 'print only the ready image refs (fully downloaded and unpacked)' },
    ...snapshotterFlags,
  ],
  options: (p) => ({ filters: p.args, quiet: p.values.quiet as boolean, snapshotter: (p.values.snapshotter as string) ?? '' }),
  async run({ filters, quiet, snapshotter }, deps) {
    const conn = await deps.connect();
    let list;
    try {
      list = (await converted(conn.service(ImagesDefinition).list({ filters }))).images;
    } catch (e) {
      throw new Error(`failed listing images: ${messageOf(e)}`);
    }
    if (list.length === 0) return;
    const platform = defaultMatcher();
    const results = await Promise.all(list.map(async (img) => {
      const target = targetOf(img);
      const [check, unpacked] = await Promise.all([
        checkImage(conn, target, platform).then((r) => ({ r }), (e: unknown) => ({ error: messageOf(e) })),
        isUnpacked(conn, target, snapshotter, platform).then((u) => ({ u }), (e: unknown) => ({ error: messageOf(e) })),
      ]);
      return { img, target, check, unpacked };
    }));

    let exitErr: Error | undefined;
    const lines = quiet ? [] : ['REF\tTYPE\tDIGEST\tSTATUS\tSIZE\tUNPACKED\t'];
    for (const { img, target, check, unpacked } of results) {
      let status = 'complete';
      let size: string;
      let complete = true;
      if ('error' in check) {
        exitErr ??= new Error(`unable to check ${img.name}: ${check.error}`);
        logLine(deps.stderr, 'error', `unable to check ${img.name}`, check.error);
        status = 'error';
        complete = false;
        size = '-';
      } else {
        const { available, required, present, missing } = check.r;
        if (missing.length > 0) {
          status = 'incomplete';
          complete = false;
        }
        if (available) {
          status += ` (${present.length}/${required.length})`;
          size = `${formatBytes(sum(present))}/${formatBytes(sum(required))}`;
        } else {
          status = `unavailable (${present.length}/?)`;
          size = `${formatBytes(sum(present))}/?`;
          complete = false;
        }
      }
      let isUnpackedNow = false;
      if ('error' in unpacked) {
        exitErr ??= new Error(`unable to check unpack for ${img.name}: ${unpacked.error}`);
        logLine(deps.stderr, 'error', `unable to check unpack for ${img.name}`, unpacked.error);
      } else {
        isUnpackedNow = unpacked.u;
      }
      if (quiet) {
        if (complete) deps.stdout.write(`${img.name}\n`);
      } else {
        lines.push(`${img.name}\t${target.mediaType}\t${target.digest}\t${status}\t${size}\t${isUnpackedNow}`);
      }
    }
    if (!quiet) deps.stdout.write(table(lines, NARROW));
    if (exitErr) throw exitErr;
  },
});
