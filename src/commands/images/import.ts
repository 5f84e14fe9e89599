import { CommandError, defineVerb } from '../../cli/types.js';
import { formatTime } from '../../format/time.js';
import { all, defaultMatcher, onlyStrict, parsePlatform, type MatchComparer } from '../../images/platforms.js';
import { formatBytes } from '../../format/units.js';
import { snapshotterFlags } from '../flagsets/snapshotter.js';
import { countBytes, progressWanted, withProgress, type Progress } from './progress.js';

export default defineVerb({
  argsUsage: '[flags] <in>',
  description: `Import images from a tar stream.
Implemented formats:
- oci.v1
- docker.v1.1
- docker.v1.2


For OCI v1, you may need to specify --base-name because an OCI archive may
contain only partial image references (tags without the base image name).
If no base image name is provided, a name will be generated as "import-%{yyyy-MM-dd}".

e.g.
  $ ctr images import --base-name foo/bar foobar.tar

If foobar.tar contains an OCI ref named "latest" and anonymous ref "sha256:deadbeef", the command will create
"foo/bar:latest" and "foo/bar@sha256:deadbeef" images in the containerd store.
`,
  flags: [
    { name: 'base-name', kind: 'string', usage: 'base image name for added images, when provided only images with this name prefix are imported', value: '' },
    { name: 'digests', kind: 'bool', usage: 'whether to create digest images (default: false)' },
    { name: 'skip-digest-for-named', kind: 'bool', usage: 'skip applying --digests option to images named in the importing tar (use it in conjunction with --digests)' },
    { name: 'index-name', kind: 'string', usage: 'image name to keep index as, by default index is discarded' },
    { name: 'all-platforms', kind: 'bool', usage: 'imports content for all platforms, false by default' },
    { name: 'platform', kind: 'string', usage: 'imports content for specific platform' },
    { name: 'no-unpack', kind: 'bool', usage: 'skip unpacking the images, false by default' },
    { name: 'compress-blobs', kind: 'bool', usage: 'compress uncompressed blobs when creating manifest (Docker format only)' },
    ...snapshotterFlags,
  ],
  options: (p) => ({
    input: p.args[0] ?? '',
    baseName: (p.values['base-name'] as string) ?? '',
    digests: p.values.digests as boolean,
    skipDigestForNamed: p.values['skip-digest-for-named'] as boolean,
    indexName: (p.values['index-name'] as string) ?? '',
    allPlatforms: p.values['all-platforms'] as boolean,
    platform: (p.values.platform as string) ?? '',
    noUnpack: p.values['no-unpack'] as boolean,
    compressBlobs: p.values['compress-blobs'] as boolean,
    snapshotter: (p.values.snapshotter as string) ?? '',
  }),
  async run(o, deps) {
    const { refTranslator } = await import('../../archive/reference.js');
    let prefix = o.baseName;
    let imageRefTranslator;
    if (prefix === '') {
      prefix = `import-${formatTime(new Date(), '2006-01-02')}`;
      imageRefTranslator = refTranslator(prefix, false);
    } else {
      // With a base name, references outside it are left out.
      imageRefTranslator = refTranslator(prefix, true);
    }
    const digestRef = o.digests ? (d: string) => `${prefix}@${d}` : undefined;
    if (o.skipDigestForNamed && !o.digests) {
      throw new CommandError('--skip-digest-for-named must be specified with --digests option');
    }
    let platformMatcher: MatchComparer | undefined;
    if (o.platform !== '') platformMatcher = onlyStrict(parsePlatform(o.platform));

    const conn = await deps.connect();
    const { openArchive } = await import('../../archive/input.js');
    const source = await openArchive(o.input, deps.stdin);
    const { importImages } = await import('../../archive/import.js');
    const { withLease } = await import('../../images/lease.js');
    const total = progressWanted(deps) ? await plainFileSize(o.input) : undefined;
    const imgs = await withProgress(deps, 'importing…', (progress) => {
      const watched = progressWanted(deps) ? watchImport(source, total, progress) : { source, onBlob: undefined };
      return withLease(conn, (leased) => importImages(leased, watched.source, {
        imageRefTranslator,
        digestRef,
        skipDigestRef: o.skipDigestForNamed ? (name) => name !== '' : undefined,
        indexName: o.indexName || undefined,
        compress: o.compressBlobs,
        platform: o.allPlatforms ? all : platformMatcher ?? defaultMatcher(),
        onBlob: watched.onBlob,
      }));
    });
    // Unpacking prints ctr's own lines on stdout; the spinner is gone by then.
    if (o.noUnpack) return;
    const { unpackImage } = await import('../../images/unpack.js');
    const platform = platformMatcher ?? defaultMatcher();
    for (const img of imgs) {
      deps.stdout.write(`unpacking ${img.name} (${img.target.digest})...`);
      await unpackImage(conn, img.target, { snapshotter: o.snapshotter, platform });
      deps.stdout.write('done\n');
    }
  },
});

/** The archive's bytes, counted into the spinner's text with the files stored so far. */
function watchImport(source: AsyncIterable<Uint8Array>, total: number | undefined, progress: Progress) {
  let blobs = 0;
  let read = 0;
  const text = () => {
    const of = total ? ` of ${formatBytes(total)} (${Math.floor((read * 100) / total)}%)` : '';
    return `importing: ${blobs} blob${blobs === 1 ? '' : 's'}, ${formatBytes(read)}${of}`;
  };
  const counted = (async function* () {
    try {
      yield* countBytes(source, (n) => {
        read = n;
        progress.update(text());
      });
    } finally {
      // The tar is read: what is left is labelling content and writing image records.
      progress.update(`${text()}, creating images…`);
    }
  })();
  const onBlob = () => {
    blobs++;
    progress.update(text());
  };
  return { source: counted, onBlob };
}

/** The size of an uncompressed archive file, the total of the bytes import reads (else undefined). */
async function plainFileSize(input: string): Promise<number | undefined> {
  if (input === '-') return undefined;
  const { open } = await import('node:fs/promises');
  const { detectCompression } = await import('../../archive/input.js');
  try {
    const fh = await open(input, 'r');
    try {
      const st = await fh.stat();
      if (!st.isFile()) return undefined;
      const head = Buffer.alloc(8);
      const { bytesRead } = await fh.read(head, 0, head.length, 0);
      return detectCompression(head.subarray(0, bytesRead)) === 'uncompressed' ? st.size : undefined;
    } finally {
      await fh.close();
    }
  } catch {
    return undefined;
  }
}
