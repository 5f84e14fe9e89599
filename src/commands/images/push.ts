import { CommandError, defineVerb } from '../../cli/types.js';
import { registryFlags, registryOptions } from '../flagsets/registry.js';

export default defineVerb({
  argsUsage: '[flags] <remote> [<local>]',
  description: `Pushes an image reference from containerd.

	All resources associated with the manifest reference will be pushed.
	The ref is used to resolve to a locally existing image manifest.
	The image manifest must exist before push. Creating a new image
	manifest can be done through calculating the diff for layers,
	creating the associated configuration, and creating the manifest
	which references those resources.
`,
  flags: [
    ...registryFlags,
    { name: 'manifest', kind: 'string', usage: 'digest of manifest' },
    { name: 'manifest-type', kind: 'string', usage: 'media type of manifest digest', value: 'application/vnd.oci.image.manifest.v1+json' },
    { name: 'platform', kind: 'stringSlice', usage: 'push content from a specific platform', value: [] },
    { name: 'max-concurrent-uploaded-layers', kind: 'int', usage: 'Set the max concurrent uploaded layers for each push', value: 0 },
    { name: 'allow-non-distributable-blobs', kind: 'bool', usage: 'Allow pushing blobs that are marked as non-distributable' },
    // ctr 2.x's switch between the transfer service and the client-side flow; this is always the latter.
    { name: 'local', kind: 'bool', usage: 'Push content from local client rather than using transfer service', hidden: true },
  ],
  options: (p) => ({
    ref: p.args[0] ?? '',
    local: p.args[1] ?? '',
    registry: registryOptions(p),
    manifest: (p.values.manifest as string | undefined) ?? '',
    manifestType: String(p.values['manifest-type'] ?? ''),
    platforms: (p.values.platform as string[] | undefined) ?? [],
    maxConcurrent: p.set.has('max-concurrent-uploaded-layers') ? Number(p.values['max-concurrent-uploaded-layers']) : 0,
    allowNonDistributable: Boolean(p.values['allow-non-distributable-blobs']),
  }),
  async run(o, deps) {
    if (o.ref === '') throw new CommandError('please provide a remote image reference to push');
    const conn = await deps.connect();
    const [{ parseDigest }, image, platforms, { getResolver, makeLogger }, { pushContent }, { StatusTracker }, { ImagesDefinition }, { converted }] = await Promise.all([
      import('../../images/digest.js'), import('../../images/image.js'), import('../../images/platforms.js'),
      import('../../registry/index.js'), import('../../images/push.js'), import('../../registry/pusher.js'),
      import('../../api/github.com/containerd/containerd/api/services/images/v1/images.js'), import('../../client/errdefs.js'),
    ]);
    let desc: import('../../images/types.js').Descriptor;
    if (o.manifest !== '') {
      try {
        desc = { digest: parseDigest(o.manifest), mediaType: o.manifestType, size: 0 };
      } catch (e) {
        throw new Error(`invalid manifest digest: ${(e as Error).message}`);
      }
    } else {
      const local = o.local || o.ref;
      let img;
      try {
        img = (await converted(conn.service(ImagesDefinition).get({ name: local }))).image!;
      } catch (e) {
        throw new Error(`unable to resolve image to manifest: ${(e as Error).message}`);
      }
      const t = img.target!;
      desc = { mediaType: t.mediaType, digest: t.digest, size: Number(t.size), annotations: t.annotations };
      if (o.platforms.length === 1) {
        let p;
        try {
          p = platforms.parsePlatform(o.platforms[0]!);
        } catch (e) {
          throw new Error(`invalid platform "${o.platforms[0]}": ${(e as Error).message}`);
        }
        let manifests: import('../../images/types.js').Descriptor[] = [];
        try {
          manifests = await image.children(conn, desc);
        } catch {
          manifests = [];
        }
        const m = platforms.newMatcher(p);
        for (const md of manifests) {
          if (md.platform && m.match(md.platform)) {
            try {
              await image.children(conn, md);
            } catch (e) {
              throw new Error(`no matching manifest: ${(e as Error).message}`);
            }
            desc = md;
            break;
          }
        }
      }
    }
    const log = makeLogger(deps);
    const resolver = await getResolver(o.registry, deps, log);
    let matcher = platforms.all;
    if (o.platforms.length > 0) {
      const ps = [];
      for (const s of o.platforms) {
        try {
          ps.push(platforms.parsePlatform(s));
        } catch (e) {
          throw new Error(`invalid platform ${s}: ${(e as Error).message}`);
        }
      }
      matcher = platforms.any(...ps);
    }
    const ref = o.ref.includes('@') ? o.ref : `${o.ref}@${desc.digest}`;
    const tracker = new StatusTracker();
    const jobs: string[] = [];
    let loop: import('../../format/progress.js').ProgressLoop | undefined;
    if (!deps.globals.debug) {
      const { ProgressLoop, renderStatuses, stdinWidth } = await import('../../format/progress.js');
      const start = Date.now();
      loop = new ProgressLoop(deps.stdout, stdinWidth(deps.stdin as { isTTY?: boolean; fd?: number }), async () => renderStatuses(jobs.map((name) => {
        const st = tracker.get(name);
        if (!st) return { ref: name, status: 'waiting', offset: 0, total: 0 };
        return { ref: name, status: st.offset >= st.total ? 'done' : 'uploading', offset: st.offset, total: st.total };
      }), start));
    }
    try {
      log.debug('pushing', { image: o.ref, digest: desc.digest });
      const pusher = await resolver.pusher(ref, tracker);
      await pushContent(conn, pusher, desc, {
        platform: matcher,
        maxConcurrentUploadedLayers: o.maxConcurrent,
        allowNonDistributable: o.allowNonDistributable,
        onJob: (name) => { if (!jobs.includes(name)) jobs.push(name); },
      });
    } finally {
      await loop?.stop();
      resolver.close();
    }
  },
});
