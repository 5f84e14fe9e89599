import { ImagesDefinition } from '../../api/github.com/containerd/containerd/api/services/images/v1/images.js';
import { converted } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';
import { goStringLess, labelPairs, NARROW, table } from '../../format/presets.js';
import { formatBytes } from '../../format/units.js';
import { imagePlatforms } from '../../images/image.js';
import { defaultMatcher, formatPlatform } from '../../images/platforms.js';
import { formatFlag, isoTime, labelObject, outputFormat, writeJSON } from '../flagsets/format.js';
import { imageSize, logLine, messageOf, targetOf } from './shared.js';

export default defineVerb({
  argsUsage: '[flags] [<filter>, ...]',
  description: 'list images registered with containerd',
  flags: [{ name: 'quiet, q', kind: 'bool', usage: 'print only the image refs' }, formatFlag],
  options: (p) => ({ filters: p.args, quiet: p.values.quiet as boolean, format: outputFormat(p.values.format) }),
  async run({ filters, quiet, format }, deps) {
    const conn = await deps.connect();
    let list;
    try {
      list = (await converted(conn.service(ImagesDefinition).list({ filters }))).images;
    } catch (e) {
      throw new Error(`failed to list images: ${messageOf(e)}`);
    }
    if (quiet && format === 'table') {
      deps.stdout.write(list.map((i) => `${i.name}\n`).join(''));
      return;
    }
    const platform = defaultMatcher();
    // Each image's walk reads only its own content; run them side by side, print in order.
    const rows = await Promise.all(list.map(async (img) => {
      const target = targetOf(img);
      const [size, platforms] = await Promise.all([
        imageSize(conn, target, platform),
        imagePlatforms(conn, target).then((ps) => ({ ps }), (e: unknown) => ({ error: messageOf(e) })),
      ]);
      return { img, target, size, platforms };
    }));
    const lines = ['REF\tTYPE\tDIGEST\tSIZE\tPLATFORMS\tLABELS\t'];
    const docs = [];
    for (const { img, target, size, platforms } of rows) {
      // The same error lines as the table, in either format.
      if (size.error) logLine(deps.stderr, 'error', `failed calculating size for image ${img.name}`, size.error.message);
      let names: string[] | null = null;
      if ('error' in platforms) {
        logLine(deps.stderr, 'error', `failed resolving platform for image ${img.name}`, platforms.error);
      } else {
        names = [...new Set(platforms.ps.map(formatPlatform))].sort(goStringLess);
      }
      if (format === 'json') {
        // Unknown (the walk failed) is null, not the partial count the table prints.
        docs.push({
          name: img.name,
          mediaType: target.mediaType,
          digest: target.digest,
          size: size.error ? null : size.size,
          platforms: names,
          labels: labelObject(img.labels),
          createdAt: isoTime(img.createdAt),
          updatedAt: isoTime(img.updatedAt),
        });
        continue;
      }
      const labels = labelPairs(img.labels) || '-';
      lines.push(`${img.name}\t${target.mediaType}\t${target.digest}\t${formatBytes(size.size)}\t${names?.join(',') || '-'}\t${labels}\t`);
    }
    if (format === 'json') writeJSON(deps.stdout, docs);
    else deps.stdout.write(table(lines, NARROW));
  },
});
