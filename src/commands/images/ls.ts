import { ImagesDefinition } from '../../api/github.com/containerd/containerd/api/services/images/v1/images.js';
import { converted } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';
import { goStringLess, labelPairs, NARROW, table } from '../../format/presets.js';
import { formatBytes } from '../../format/units.js';
import { imagePlatforms } from '../../images/image.js';
import { defaultMatcher, formatPlatform } from '../../images/platforms.js';
import { imageSize, logLine, messageOf, targetOf } from './shared.js';

export default defineVerb({
  argsUsage: '[flags] [<filter>, ...]',
  description: 'list images registered with containerd',
  flags: [{ name: 'quiet, q', kind: 'bool', usage: 'print only the image refs' }],
  options: (p) => ({ filters: p.args, quiet: p.values.quiet as boolean }),
  async run({ filters, quiet }, deps) {
    const conn = await deps.connect();
    let list;
    try {
      list = (await converted(conn.service(ImagesDefinition).list({ filters }))).images;
    } catch (e) {
      throw new Error(`failed to list images: ${messageOf(e)}`);
    }
    if (quiet) {
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
    for (const { img, target, size, platforms } of rows) {
      if (size.error) logLine(deps.stderr, 'error', `failed calculating size for image ${img.name}`, size.error.message);
      let platformColumn = '-';
      if ('error' in platforms) {
        logLine(deps.stderr, 'error', `failed resolving platform for image ${img.name}`, platforms.error);
      } else if (platforms.ps.length > 0) {
        platformColumn = [...new Set(platforms.ps.map(formatPlatform))].sort(goStringLess).join(',');
      }
      const labels = labelPairs(img.labels) || '-';
      lines.push(`${img.name}\t${target.mediaType}\t${target.digest}\t${formatBytes(size.size)}\t${platformColumn}\t${labels}\t`);
    }
    deps.stdout.write(table(lines, NARROW));
  },
});
