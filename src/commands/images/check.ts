import { ImagesDefinition } from '../../api/github.com/containerd/containerd/api/services/images/v1/images.js';
import { converted } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';
import { NARROW, table } from '../../format/presets.js';
import { formatBytes } from '../../format/units.js';
import { checkImage } from '../../images/image.js';
import { defaultMatcher } from '../../images/platforms.js';
import { formatFlag, outputFormat, writeJSON } from '../flagsets/format.js';
import { snapshotterFlags } from '../flagsets/snapshotter.js';
import { isUnpacked, logLine, messageOf, targetOf } from './shared.js';

/** The STATUS column's word (the table adds the blob counts). */
type CheckStatus = 'complete' | 'incomplete' | 'unavailable' | 'error';

const sum = (ds: Array<{ size: number }>) => ds.reduce((n, d) => n + d.size, 0);

export default defineVerb({
  argsUsage: '[flags] [<filter>, ...]',
  description: 'check existing images to ensure all content is available locally',
  flags: [
    { name: 'quiet, q', kind: 'bool', usage: 'print only the ready image refs (fully downloaded and unpacked)' },
    ...snapshotterFlags,
    formatFlag,
  ],
  options: (p) => ({
    filters: p.args,
    quiet: p.values.quiet as boolean,
    snapshotter: (p.values.snapshotter as string) ?? '',
    format: outputFormat(p.values.format),
  }),
  async run({ filters, quiet: quietFlag, snapshotter, format }, deps) {
    const quiet = quietFlag && format === 'table';
    const conn = await deps.connect();
    let list;
    try {
      list = (await converted(conn.service(ImagesDefinition).list({ filters }))).images;
    } catch (e) {
      throw new Error(`failed listing images: ${messageOf(e)}`);
    }
    if (list.length === 0) {
      if (format === 'json') writeJSON(deps.stdout, []);
      return;
    }
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
    const json = format === 'json';
    const lines = quiet ? [] : ['REF\tTYPE\tDIGEST\tSTATUS\tSIZE\tUNPACKED\t'];
    const docs = [];
    for (const { img, target, check, unpacked } of results) {
      let status: CheckStatus = 'complete';
      let counts = '';
      let size: string;
      let complete = true;
      let bytes: { available: number | null; required: number | null; availableBlobs: number | null; requiredBlobs: number | null } =
        { available: null, required: null, availableBlobs: null, requiredBlobs: null };
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
          counts = ` (${present.length}/${required.length})`;
          size = `${formatBytes(sum(present))}/${formatBytes(sum(required))}`;
          bytes = { available: sum(present), required: sum(required), availableBlobs: present.length, requiredBlobs: required.length };
        } else {
          status = 'unavailable';
          counts = ` (${present.length}/?)`;
          size = `${formatBytes(sum(present))}/?`;
          complete = false;
          bytes = { available: sum(present), required: null, availableBlobs: present.length, requiredBlobs: null };
        }
      }
      let isUnpackedNow: boolean | null = false;
      if ('error' in unpacked) {
        exitErr ??= new Error(`unable to check unpack for ${img.name}: ${unpacked.error}`);
        logLine(deps.stderr, 'error', `unable to check unpack for ${img.name}`, unpacked.error);
        isUnpackedNow = json ? null : false;
      } else {
        isUnpackedNow = unpacked.u;
      }
      if (json) {
        docs.push({ name: img.name, mediaType: target.mediaType, digest: target.digest, status, ...bytes, unpacked: isUnpackedNow });
      } else if (quiet) {
        if (complete) deps.stdout.write(`${img.name}\n`);
      } else {
        lines.push(`${img.name}\t${target.mediaType}\t${target.digest}\t${status}${counts}\t${size}\t${isUnpackedNow}`);
      }
    }
    // The document is printed in full before the error that makes the exit status 1.
    if (json) writeJSON(deps.stdout, docs);
    else if (!quiet) deps.stdout.write(table(lines, NARROW));
    if (exitErr) throw exitErr;
  },
});
