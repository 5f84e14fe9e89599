// Parity of the local image verbs (ls, check, tag, label, rm, import, export, convert,
// mount/unmount) with the real ctr, on the test bed's busybox images pulled with the
// real ctr. Archives for import are written by the real ctr (and a docker-save archive
// is assembled with the system's tar), and the export archives are compared byte for byte.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  assertParity, ctr, daemon, OURS, purgeNamespace, run, skipReason, uniqueName, type Daemon, type ParityCase,
} from './harness.js';

const d = daemon();
const img = (kind: 'oci' | 'docker' | 'multi') => d?.env[`CTR_TESTBED_IMAGE_${kind.toUpperCase()}`] ?? `127.0.0.1:5000/testbed/busybox:${kind}`;
const OCI = img('oci');
const DOCKER = img('docker');
const MULTI = img('multi');

const pull = (dd: Daemon, ns: string, ...refs: string[]) => {
  for (const r of refs) {
    const res = ctr(dd, ns, 'images', 'pull', '--plain-http', r);
    assert.equal(res.code, 0, `setup pull ${r}: ${res.stderr}`);
  }
};
const pullAll = (dd: Daemon, ns: string) => pull(dd, ns, OCI, DOCKER, MULTI);
const setupCtr = (dd: Daemon, ns: string, ...args: string[]) => {
  const r = ctr(dd, ns, ...args);
  assert.equal(r.code, 0, `setup ctr ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const digestOf = (dd: Daemon, ns: string, ref: string) =>
  setupCtr(dd, ns, 'images', 'ls', `name==${ref}`).split('\n')[1]!.split(/\s+/)[2]!;

/** content ls lines: labels come in Go map order (random) from ctr, sort them. */
const sortLabels = (s: string) => s.split('\n').map((l) => {
  const cells = l.split('\t');
  const last = cells[cells.length - 1]!;
  if (last.includes('=')) cells[cells.length - 1] = last.split(',').sort().join(',');
  return cells.join('\t');
}).join('\n');
/** content ls: ages differ from run to run; drop them with their tab padding. */
const contentLs = (s: string) => sortLabels(s)
  .replace(/\t+(Less than a second|About a minute|\d+ (seconds?|minutes))\t+/g, '\t<AGE>\t')
  .replace(/\tAGE\t+/, '\tAGE\t');
/** `images label` prints the labels in Go map order (random): sort the list. */
const labelLine = (s: string) => s.split('\n').map((l) => (/^[^\s=]+=/.test(l) ? l.split(',').sort().join(',') : l)).join('\n');

/** Makes the daemon collect garbage now, so content ls shows what is really left. */
const gcSync = (): string[][] => [['leases', 'create', '--id', 'gc-now'], ['leases', 'rm', '--sync', 'gc-now']];

let work = '';
const file = (name: string) => join(work, name);
/** A mount point per run (the namespace name in it is normalised away). */
const mnt = (ns: string) => file(`mnt-${ns}`);
const withMountPoint = (then?: (dd: Daemon, ns: string) => void) => (dd: Daemon, ns: string) => {
  mkdirSync(mnt(ns), { recursive: true });
  then?.(dd, ns);
};

const cases: Record<string, ParityCase> = {
  // ls
  'ls': { setup: pullAll, args: () => ['images', 'ls'] },
  'ls -q': { setup: pullAll, args: () => ['i', 'list', '-q'] },
  'ls with a filter': { setup: pullAll, args: () => ['images', 'ls', `name==${DOCKER}`] },
  'ls with labels': {
    setup: (dd, ns) => {
      pull(dd, ns, OCI);
      setupCtr(dd, ns, 'images', 'label', OCI, 'z=last', 'a=first', 'flag');
    },
    args: () => ['images', 'ls'],
  },
  'ls with no images': { args: () => ['images', 'ls'] },
  'ls with a bad filter': { args: () => ['images', 'ls', 'name=='] },
  'ls with a missing manifest': {
    setup: (dd, ns) => {
      pull(dd, ns, OCI);
      setupCtr(dd, ns, 'content', 'rm', digestOf(dd, ns, OCI));
    },
    args: () => ['images', 'ls'],
  },
  'ls of an index without the platform': {
    // Tag only the index, then drop the manifest it would pick: size is the index's.
    setup: (dd, ns) => {
      pull(dd, ns, MULTI);
      const idx = JSON.parse(setupCtr(dd, ns, 'content', 'get', digestOf(dd, ns, MULTI))) as { manifests: Array<{ digest: string }> };
      setupCtr(dd, ns, 'content', 'rm', idx.manifests[0]!.digest);
    },
    args: () => ['images', 'ls'],
  },

  // check
  'check': { setup: pullAll, args: () => ['images', 'check'] },
  'check -q': { setup: pullAll, args: () => ['images', 'check', '-q'] },
  'check with no images': { args: () => ['images', 'check'] },
  'check with a filter that matches nothing': { setup: pullAll, args: () => ['images', 'check', 'name==nope'] },
  'check with a layer missing': {
    setup: (dd, ns) => {
      pull(dd, ns, DOCKER);
      const m = JSON.parse(setupCtr(dd, ns, 'content', 'get', digestOf(dd, ns, DOCKER))) as { layers: Array<{ digest: string }> };
      setupCtr(dd, ns, 'content', 'rm', m.layers[1]!.digest);
    },
    args: () => ['images', 'check'],
    then: () => [['images', 'check', '-q']],
  },
  'check with the manifest missing': {
    setup: (dd, ns) => {
      pull(dd, ns, OCI);
      setupCtr(dd, ns, 'content', 'rm', digestOf(dd, ns, OCI));
    },
    args: () => ['images', 'check'],
  },
  'check not unpacked': {
    setup: (dd, ns) => setupCtr(dd, ns, 'images', 'import', '--no-unpack', file('all.tar')),
    args: () => ['images', 'check'],
  },
  'check with another snapshotter': { setup: pullAll, args: () => ['images', 'check', '--snapshotter', 'native'] },

  // tag
  'tag': { setup: (dd, ns) => pull(dd, ns, OCI), args: () => ['images', 'tag', OCI, 'a:1', 'b:2'], then: () => [['images', 'ls']] },
  'tag over an existing image': {
    setup: (dd, ns) => {
      pull(dd, ns, OCI, DOCKER);
      setupCtr(dd, ns, 'images', 'tag', DOCKER, 'taken');
    },
    args: () => ['images', 'tag', OCI, 'new', 'taken', 'after'],
    then: () => [['images', 'ls']],
  },
  'tag --force': {
    setup: (dd, ns) => {
      pull(dd, ns, OCI, DOCKER);
      setupCtr(dd, ns, 'images', 'tag', DOCKER, 'taken');
    },
    args: () => ['images', 'tag', '--force', OCI, 'taken'],
    then: () => [['images', 'ls']],
  },
  'tag keeps labels': {
    setup: (dd, ns) => {
      pull(dd, ns, OCI);
      setupCtr(dd, ns, 'images', 'label', OCI, 'k=v');
    },
    args: () => ['images', 'tag', OCI, 'copy'],
    then: () => [['images', 'ls']],
  },
  'tag a missing image': { args: () => ['images', 'tag', 'nope', 'x'] },
  'tag without a source': { args: () => ['images', 'tag'] },
  'tag without a target': { args: () => ['images', 'tag', 'a'] },

  // label
  'label': {
    setup: (dd, ns) => pull(dd, ns, OCI),
    args: () => ['images', 'label', OCI, 'a=1'],
    then: () => [['images', 'label', OCI, 'b=2', 'c'], ['images', 'label', OCI, 'a='], ['images', 'ls']],
    normalize: labelLine,
  },
  'label --replace-all': {
    setup: (dd, ns) => {
      pull(dd, ns, OCI);
      setupCtr(dd, ns, 'images', 'label', OCI, 'old=1', 'older=2');
    },
    args: () => ['images', 'label', '-r', OCI, 'new=3'],
    then: () => [['images', 'ls']],
    normalize: labelLine,
  },
  'label without labels': { setup: (dd, ns) => pull(dd, ns, OCI), args: () => ['images', 'label', OCI], then: () => [['images', 'ls']] },
  'label a missing image': { args: () => ['images', 'label', 'nope', 'a=b'] },
  'label without a name': { args: () => ['images', 'label'] },

  // rm
  'rm': { setup: pullAll, args: () => ['images', 'rm', OCI, DOCKER], then: () => [['images', 'ls', '-q']] },
  'rm a missing image': { setup: pullAll, args: () => ['images', 'rm', 'nope', OCI], then: () => [['images', 'ls', '-q']] },
  'rm --sync (alias del)': {
    setup: pullAll,
    args: () => ['images', 'del', '--sync', OCI, DOCKER, MULTI],
    then: () => [['images', 'ls'], ['content', 'ls', '-q']],
  },
  'rm (alias remove) without arguments': { args: () => ['images', 'remove'] },

  // export errors
  'export without arguments': { args: () => ['images', 'export'] },
  'export without an image': { args: () => ['images', 'export', file('never.tar')] },
  'export a missing image': { args: (ns) => ['images', 'export', file(`missing-${ns}.tar`), 'nope'] },
  'export with a bad platform': { args: () => ['images', 'export', '--platform', 'a/b/c/d', file('x.tar'), OCI] },
  'export to a directory that does not exist': { setup: (dd, ns) => pull(dd, ns, OCI), args: () => ['images', 'export', file('no/such/dir.tar'), OCI] },
  'export --all-platforms with content missing': {
    setup: (dd, ns) => pull(dd, ns, MULTI),
    args: (ns) => ['images', 'export', '--all-platforms', file(`all-${ns}.tar`), MULTI],
  },
  'export a platform the index lacks': {
    setup: (dd, ns) => pull(dd, ns, MULTI),
    args: (ns) => ['images', 'export', '--platform', 'linux/s390x', file(`s390x-${ns}.tar`), MULTI],
  },

  // convert
  'convert to a new name (nothing to change)': { setup: (dd, ns) => pull(dd, ns, OCI), args: () => ['images', 'convert', OCI, 'copy'], then: () => [['images', 'ls']] },
  'convert --oci': {
    setup: (dd, ns) => pull(dd, ns, DOCKER),
    args: () => ['images', 'convert', '--oci', DOCKER, 'as-oci'],
    then: () => [['images', 'ls'], ['images', 'check']],
  },
  'convert --uncompress': {
    setup: (dd, ns) => pull(dd, ns, DOCKER),
    args: () => ['images', 'convert', '--uncompress', DOCKER, 'plain'],
    then: () => [['images', 'ls'], ...gcSync(), ['content', 'ls']],
    normalize: contentLs,
  },
  'convert --uncompress --oci': {
    setup: (dd, ns) => pull(dd, ns, DOCKER),
    args: () => ['images', 'convert', '--uncompress', '--oci', DOCKER, 'plain-oci'],
    then: () => [['images', 'ls'], ['images', 'check']],
  },
  'convert an index to the default platform': {
    setup: (dd, ns) => pull(dd, ns, MULTI),
    args: () => ['images', 'convert', MULTI, 'one'],
    then: () => [['images', 'ls'], ...gcSync(), ['content', 'ls']],
    normalize: contentLs,
  },
  'convert an index with --uncompress in place': {
    setup: (dd, ns) => pull(dd, ns, MULTI),
    args: () => ['images', 'convert', '--uncompress', MULTI, MULTI],
    then: () => [['images', 'ls']],
  },
  'convert --all-platforms with content missing': {
    setup: (dd, ns) => pull(dd, ns, MULTI),
    args: () => ['images', 'convert', '--all-platforms', '--uncompress', MULTI, 'all'],
    then: () => [['images', 'ls', '-q'], ['leases', 'ls']],
  },
  'convert --platform list': {
    setup: (dd, ns) => pull(dd, ns, MULTI),
    args: () => ['images', 'convert', '--platform', 'linux/arm64', '--platform', 'linux/amd64', MULTI, 'two'],
  },
  'convert over an existing image': {
    setup: (dd, ns) => pull(dd, ns, OCI, DOCKER),
    args: () => ['images', 'convert', '--uncompress', OCI, DOCKER],
    then: () => [['images', 'ls']],
  },
  'convert a missing image': { args: () => ['images', 'convert', 'nope', 'x'] },
  'convert with a bad platform': { args: () => ['images', 'convert', '--platform', 'a/b/c/d', 'x', 'y'] },
  'convert without a target': { args: () => ['images', 'convert', 'x'] },

  // mount / unmount
  'mount and unmount --rm': {
    setup: withMountPoint((dd, ns) => pull(dd, ns, OCI)),
    args: (ns) => ['images', 'mount', OCI, mnt(ns)],
    then: (ns) => [
      ['snapshots', 'ls'], ['leases', 'ls'], ['images', 'unmount', '--rm', mnt(ns)], ['leases', 'ls'], ['snapshots', 'ls'],
    ],
  },
  'mount --rw, unmount keeps the snapshot': {
    setup: withMountPoint((dd, ns) => pull(dd, ns, DOCKER)),
    args: (ns) => ['images', 'mount', '--rw', DOCKER, mnt(ns)],
    then: (ns) => [['images', 'unmount', mnt(ns)], ['snapshots', 'ls'], ['leases', 'ls', '-q'], ['images', 'unmount', '--rm', mnt(ns)], ['snapshots', 'ls']],
  },
  'mount an index for a platform': {
    setup: withMountPoint((dd, ns) => pull(dd, ns, MULTI)),
    args: (ns) => ['images', 'mount', '--platform', 'linux/amd64', MULTI, mnt(ns)],
    then: (ns) => [['images', 'unmount', '--rm', mnt(ns)]],
  },
  'mount the same target twice': {
    setup: withMountPoint((dd, ns) => pull(dd, ns, OCI)),
    args: (ns) => ['images', 'mount', OCI, mnt(ns)],
    then: (ns) => [['images', 'mount', OCI, mnt(ns)], ['leases', 'ls', '-q'], ['images', 'unmount', '--rm', mnt(ns)], ['snapshots', 'ls']],
  },
  'mount a platform the image lacks': {
    setup: withMountPoint((dd, ns) => pull(dd, ns, MULTI)),
    args: (ns) => ['images', 'mount', '--platform', 'linux/arm64', MULTI, mnt(ns)],
    then: () => [['leases', 'ls'], ['snapshots', 'ls']],
  },
  'mount a missing image': { setup: withMountPoint(), args: (ns) => ['images', 'mount', 'nope', mnt(ns)], then: () => [['leases', 'ls']] },
  'mount with a bad platform': { setup: withMountPoint(), args: (ns) => ['images', 'mount', '--platform', 'a/b/c/d', OCI, mnt(ns)] },
  'mount on a missing directory': {
    setup: (dd, ns) => pull(dd, ns, OCI),
    args: (ns) => ['images', 'mount', OCI, file(`absent-${ns}`)],
    then: () => [['leases', 'ls'], ['snapshots', 'ls']],
  },
  'mount without a target': { args: () => ['images', 'mount', OCI] },
  'mount without arguments': { args: () => ['images', 'mount'] },
  'unmount a directory that is not mounted': { setup: withMountPoint(), args: (ns) => ['images', 'unmount', mnt(ns)] },
  'unmount --rm with nothing to remove': { args: (ns) => ['images', 'unmount', '--rm', file(`absent-${ns}`)] },
  'unmount without a target': { args: () => ['images', 'unmount'] },

  // import
  'import --no-unpack (oci)': {
    args: () => ['images', 'import', '--no-unpack', file('oci.tar')],
    then: () => [['images', 'ls'], ...gcSync(), ['content', 'ls']],
    normalize: contentLs,
  },
  'import --no-unpack (docker)': {
    args: () => ['images', 'import', '--no-unpack', file('docker.tar')],
    then: () => [['images', 'ls'], ...gcSync(), ['content', 'ls']],
    normalize: contentLs,
  },
  'import --no-unpack (index)': {
    args: () => ['images', 'import', '--no-unpack', file('multi.tar')],
    then: () => [['images', 'ls'], ...gcSync(), ['content', 'ls']],
    normalize: contentLs,
  },
  'import several images in one archive': {
    args: () => ['images', 'import', '--no-unpack', file('all.tar')],
    then: () => [['images', 'ls'], ['images', 'check']],
  },
  'import and unpack': {
    args: () => ['images', 'import', file('oci.tar')],
    then: () => [['images', 'check'], ['snapshots', 'ls']],
  },
  'import an index and unpack': {
    args: () => ['images', 'import', file('multi.tar')],
    then: () => [['images', 'check']],
  },
  'import --all-platforms with content missing': {
    args: () => ['images', 'import', '--no-unpack', '--all-platforms', file('multi.tar')],
    then: () => [['images', 'ls']],
  },
  'import --platform the archive lacks': {
    args: () => ['images', 'import', '--no-unpack', '--platform', 'linux/arm64', file('multi.tar')],
    then: () => [['images', 'ls']],
  },
  'import --platform linux/amd64': {
    args: () => ['images', 'import', '--platform', 'linux/amd64', file('multi.tar')],
    then: () => [['images', 'ls']],
  },
  'import --base-name keeps matching names': {
    args: () => ['images', 'import', '--no-unpack', '--base-name', '127.0.0.1:5000/testbed/busybox', file('all.tar')],
    then: () => [['images', 'ls', '-q']],
  },
  'import --base-name drops other names': {
    args: () => ['images', 'import', '--no-unpack', '--base-name', 'other/name', file('oci.tar')],
  },
  'import tag-only names get the base name': {
    args: () => ['images', 'import', '--no-unpack', '--base-name', 'foo/bar', file('tagonly.tar')],
    then: () => [['images', 'ls', '-q']],
  },
  'import tag-only names get a dated name': {
    args: () => ['images', 'import', '--no-unpack', file('tagonly.tar')],
    then: () => [['images', 'ls', '-q']],
  },
  'import --digests --index-name': {
    args: () => ['images', 'import', '--no-unpack', '--digests', '--index-name', 'the-index', '--base-name', 'foo/bar', file('tagonly.tar')],
    then: () => [['images', 'ls']],
  },
  'import --digests --skip-digest-for-named': {
    args: () => ['images', 'import', '--no-unpack', '--digests', '--skip-digest-for-named', '--base-name', 'foo/bar', file('tagonly.tar')],
    then: () => [['images', 'ls', '-q']],
  },
  'import --skip-digest-for-named alone': { args: () => ['images', 'import', '--skip-digest-for-named', file('oci.tar')] },
  'import over an existing image re-points it': {
    setup: (dd, ns) => {
      pull(dd, ns, DOCKER);
      setupCtr(dd, ns, 'images', 'tag', DOCKER, OCI.replace(/:oci$/, ':other'));
      setupCtr(dd, ns, 'images', 'label', DOCKER, 'keep=me');
    },
    args: () => ['images', 'import', '--no-unpack', file('docker-as-oci.tar')],
    then: () => [['images', 'ls']],
  },
  'import a docker-save archive': {
    args: () => ['images', 'import', '--no-unpack', file('save.tar')],
    then: () => [['images', 'ls'], ...gcSync(), ['content', 'ls']],
    normalize: contentLs,
  },
  'import a docker-save archive and unpack': {
    args: () => ['images', 'import', file('save.tar')],
    then: () => [['images', 'check']],
  },
  'import a docker-save archive twice': {
    args: () => ['images', 'import', '--no-unpack', file('save.tar')],
    then: () => [['images', 'import', '--no-unpack', file('save.tar')], ['images', 'ls']],
  },
  'import from stdin': {
    args: () => ['images', 'import', '--no-unpack', '-'],
    then: () => [['images', 'ls']],
    get input() {
      return readFileSync(file('oci.tar'));
    },
  },
  'import a missing file': { args: () => ['images', 'import', file('nope.tar')] },
  'import without a file': { args: () => ['images', 'import'] },
  'import a text file': { args: () => ['images', 'import', file('text.txt')], then: () => [['images', 'ls'], ['leases', 'ls']] },
  'import an empty file': { args: () => ['images', 'import', file('empty.tar')], then: () => [['images', 'ls'], ['leases', 'ls']] },
  'import a tar that is not an image': { args: () => ['images', 'import', file('plain.tar')], then: () => [['images', 'ls']] },
  'import a truncated archive': {
    args: () => ['images', 'import', '--no-unpack', file('truncated.tar')],
    then: () => [['images', 'ls'], ['leases', 'ls'], ...gcSync(), ['content', 'ls', '-q']],
  },
  'import an archive cut in a header': {
    args: () => ['images', 'import', '--no-unpack', file('cut-header.tar')],
    then: () => [['images', 'ls'], ['leases', 'ls']],
  },
  'import a corrupt header': { args: () => ['images', 'import', file('corrupt.tar')], then: () => [['images', 'ls']] },
  'import an OCI layout of another version': { args: () => ['images', 'import', file('layout2.tar')] },
  'import an OCI layout without index.json': { args: () => ['images', 'import', file('noindex.tar')] },
  'import a docker-save archive with a missing layer': { args: () => ['images', 'import', file('save-nolayer.tar')], then: () => [['images', 'ls']] },
  'import a docker-save archive with a missing config': { args: () => ['images', 'import', file('save-noconfig.tar')] },
  'import a docker-save archive with a bad tag': { args: () => ['images', 'import', file('save-badtag.tar')] },
  'import with a bad platform': { args: () => ['images', 'import', '--platform', 'x/y/z/w', file('oci.tar')] },
};

describe('parity: local image verbs', { skip: d ? false : skipReason }, () => {
  before(() => prepareArchives(d!));
  after(() => {
    // A failed mount case may leave its mount behind; take it down before removing the tree.
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const point = line.split(' ')[4];
      if (point?.startsWith(work)) execFileSync('umount', ['-l', point]);
    }
    rmSync(work, { recursive: true, force: true });
  });

  for (const [name, c] of Object.entries(cases)) {
    test(name, () => {
      assertParity(d!, c);
    });
  }

  test('export: the same bytes as ctr', () => {
    const ns = uniqueName('imgexp');
    ctr(d!, 'default', 'namespaces', 'create', ns);
    try {
      pullAll(d!, ns);
      const variants: Array<[string, string[]]> = [
        ['oci', [OCI]],
        ['docker', [DOCKER]],
        ['multi', [MULTI]],
        ['several', [OCI, DOCKER, MULTI]],
        ['same image twice', [OCI, OCI]],
        ['skip manifest json', ['--skip-manifest-json', MULTI]],
        ['skip non-distributable', ['--skip-non-distributable', OCI]],
        ['platform list', ['--platform', 'linux/arm64', '--platform', 'linux/amd64', MULTI]],
      ];
      for (const [label, args] of variants) {
        const ref = file(`exp-ref-${ns}.tar`);
        const ours = file(`exp-ours-${ns}.tar`);
        const r2 = run(OURS, ['-a', d!.address, '-n', ns, 'images', 'export', ...flags(args), ours, ...refs(args)]);
        // ctr writes manifest.json's entries in Go map order, which is random when two
        // names share a manifest (about one run in eight swaps them): ours must equal one
        // of the archives ctr writes, so ctr gets a few tries.
        let same = false;
        for (let attempt = 0; attempt < 6 && !same; attempt++) {
          const r1 = run(d!.reference, ['-a', d!.address, '-n', ns, 'images', 'export', ...flags(args), ref, ...refs(args)]);
          assert.equal(r2.code, r1.code, `${label}: exit code (${r2.stderr})`);
          same = readFileSync(ours).equals(readFileSync(ref));
        }
        assert.ok(same, `${label}: archives differ`);
      }
      // to stdout, binary
      const b = execFileSync(OURS, ['-a', d!.address, '-n', ns, 'images', 'export', '-', MULTI], { maxBuffer: 64 << 20 });
      const a = execFileSync(d!.reference, ['-a', d!.address, '-n', ns, 'images', 'export', '-', MULTI], { maxBuffer: 64 << 20 });
      assert.ok(a.equals(b), 'export to stdout differs');
    } finally {
      purgeNamespace(d!, ns);
    }
  });

  test('round trip: our export imported by ctr, ctr export imported by us', () => {
    const src = uniqueName('imgrt');
    const viaCtr = `${src}-ctr`;
    const viaOurs = `${src}-ours`;
    for (const ns of [src, viaCtr, viaOurs]) ctr(d!, 'default', 'namespaces', 'create', ns);
    try {
      pullAll(d!, src);
      const ours = file(`rt-ours-${src}.tar`);
      const ref = file(`rt-ref-${src}.tar`);
      assert.equal(run(OURS, ['-a', d!.address, '-n', src, 'images', 'export', ours, OCI, DOCKER, MULTI]).code, 0);
      assert.equal(run(d!.reference, ['-a', d!.address, '-n', src, 'images', 'export', ref, OCI, DOCKER, MULTI]).code, 0);
      const r1 = run(d!.reference, ['-a', d!.address, '-n', viaCtr, 'images', 'import', ours]);
      const r2 = run(OURS, ['-a', d!.address, '-n', viaOurs, 'images', 'import', ref]);
      assert.equal(r1.code, 0, r1.stderr);
      assert.equal(r2.code, 0, r2.stderr);
      assert.equal(r2.stdout, r1.stdout);
      for (const args of [['images', 'ls'], ['images', 'check']]) {
        const want = ctr(d!, src, ...args).stdout;
        assert.equal(ctr(d!, viaCtr, ...args).stdout, want, `ctr import of our export: ${args.join(' ')}`);
        assert.equal(ctr(d!, viaOurs, ...args).stdout, want, `our import of ctr's export: ${args.join(' ')}`);
      }
      const blobs = (ns: string) => ctr(d!, ns, 'content', 'ls', '-q').stdout.split('\n').filter(Boolean).sort();
      assert.deepEqual(blobs(viaOurs), blobs(viaCtr));
    } finally {
      for (const ns of [src, viaCtr, viaOurs]) purgeNamespace(d!, ns);
    }
  });

  test('import --compress-blobs: gzip layers for the same uncompressed content as ctr', () => {
    // Go's and zlib's deflate differ, so the compressed bytes (and digests) do too; what
    // must agree is what they decompress to, the media types and the image's health.
    const base = uniqueName('imgcb');
    const [a, b] = [`${base}-ref`, `${base}-ours`];
    for (const ns of [a, b]) ctr(d!, 'default', 'namespaces', 'create', ns);
    try {
      const r1 = run(d!.reference, ['-a', d!.address, '-n', a, 'images', 'import', '--compress-blobs', file('save.tar')]);
      const r2 = run(OURS, ['-a', d!.address, '-n', b, 'images', 'import', '--compress-blobs', file('save.tar')]);
      assert.equal(r2.code, r1.code, r2.stderr);
      const layerTypes = (ns: string) => {
        const digest = ctr(d!, ns, 'images', 'ls', '-q').stdout.split('\n')[0]!;
        const target = ctr(d!, ns, 'images', 'ls', `name==${digest}`).stdout.split('\n')[1]!.split(/\s+/)[2]!;
        const m = JSON.parse(ctr(d!, ns, 'content', 'get', target).stdout) as { layers: Array<{ mediaType: string; digest: string }> };
        return m.layers.map((l) => {
          const info = ctr(d!, ns, 'content', 'ls', `digest==${l.digest}`).stdout;
          return `${l.mediaType} ${/containerd\.io\/uncompressed=(sha256:[0-9a-f]+)/.exec(info)?.[1]}`;
        });
      };
      assert.deepEqual(layerTypes(b), layerTypes(a));
      // STATUS and UNPACKED (sizes differ with the compressed bytes)
      const status = (ns: string) => ctr(d!, ns, 'images', 'check').stdout.split('\n').slice(1).filter(Boolean)
        .map((l) => l.trim().split(/\s+/)).map((c) => `${c[3]} ${c[4]} ${c[c.length - 1]}`);
      assert.deepEqual(status(b), status(a));
    } finally {
      for (const ns of [a, b]) purgeNamespace(d!, ns);
    }
  });

  test('import of a gzip-compressed archive gives what ctr gives for the plain one', () => {
    const base = uniqueName('imggz');
    const [a, b] = [`${base}-ref`, `${base}-ours`];
    for (const ns of [a, b]) ctr(d!, 'default', 'namespaces', 'create', ns);
    try {
      writeFileSync(file('multi.tar.gz'), gzipSync(readFileSync(file('multi.tar'))));
      assert.equal(run(d!.reference, ['-a', d!.address, '-n', a, 'images', 'import', file('multi.tar')]).code, 0);
      const r = run(OURS, ['-a', d!.address, '-n', b, 'images', 'import', file('multi.tar.gz')]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(ctr(d!, b, 'images', 'check').stdout, ctr(d!, a, 'images', 'check').stdout);
    } finally {
      for (const ns of [a, b]) purgeNamespace(d!, ns);
    }
  });
});

const flags = (args: string[]) => args.filter((a, i) => a.startsWith('--') || (i > 0 && args[i - 1] === '--platform'));
const refs = (args: string[]) => args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1] === '--platform'));

/** Archives for the import cases: written by the real ctr, or assembled with tar. */
function prepareArchives(dd: Daemon): void {
  work = mkdtempSync(join(tmpdir(), 'ctr-ts-images-'));
  const ns = uniqueName('imgprep');
  ctr(dd, 'default', 'namespaces', 'create', ns);
  try {
    pullAll(dd, ns);
    const exp = (name: string, ...args: string[]) => setupCtr(dd, ns, 'images', 'export', file(name), ...args);
    exp('oci.tar', OCI);
    exp('docker.tar', DOCKER);
    exp('multi.tar', MULTI);
    exp('all.tar', OCI, DOCKER, MULTI);
    setupCtr(dd, ns, 'images', 'tag', '--force', DOCKER, OCI);
    exp('docker-as-oci.tar', OCI);

    // an OCI layout whose index names images by tag only
    const layout = join(work, 'layout');
    mkdirSync(layout);
    execFileSync('tar', ['-xf', file('oci.tar'), '-C', layout]);
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
    const m = index.manifests[0];
    index.manifests = [
      { ...m, annotations: { 'org.opencontainers.image.ref.name': 'latest' } },
      { ...m, annotations: { 'org.opencontainers.image.ref.name': 'example.com/full/name:v1' } },
      { ...m, annotations: undefined },
    ];
    writeFileSync(join(layout, 'index.json'), JSON.stringify(index));
    tarDir(layout, file('tagonly.tar'));
    writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}');
    tarDir(layout, file('layout2.tar'));
    writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    rmSync(join(layout, 'index.json'));
    tarDir(layout, file('noindex.tar'));

    // a docker-save archive: config, uncompressed layers, manifest.json, repositories
    const save = join(work, 'save');
    mkdirSync(save);
    const manifest = JSON.parse(setupCtr(dd, ns, 'content', 'get', digestOf(dd, ns, DOCKER))) as {
      config: { digest: string }; layers: Array<{ digest: string }>;
    };
    const hex = (dg: string) => dg.split(':')[1]!;
    const config = execFileSync(dd.reference, ['-a', dd.address, '-n', ns, 'content', 'get', manifest.config.digest]);
    writeFileSync(join(save, `${hex(manifest.config.digest)}.json`), config);
    const layerFiles: string[] = [];
    for (const l of manifest.layers) {
      const gz = execFileSync(dd.reference, ['-a', dd.address, '-n', ns, 'content', 'get', l.digest], { maxBuffer: 64 << 20 });
      const raw = gunzipSync(gz);
      const id = createHash('sha256').update(raw).digest('hex');
      mkdirSync(join(save, id));
      writeFileSync(join(save, id, 'layer.tar'), raw);
      layerFiles.push(`${id}/layer.tar`);
    }
    const saveManifest = (over: Record<string, unknown>) => JSON.stringify([{
      Config: `${hex(manifest.config.digest)}.json`, RepoTags: ['busybox:latest', 'example.com/x/y:z'], Layers: layerFiles, ...over,
    }]);
    writeFileSync(join(save, 'manifest.json'), saveManifest({}));
    tarDir(save, file('save.tar'));
    writeFileSync(join(save, 'manifest.json'), saveManifest({ Layers: [...layerFiles, 'nope/layer.tar'] }));
    tarDir(save, file('save-nolayer.tar'));
    writeFileSync(join(save, 'manifest.json'), saveManifest({ Config: 'nope.json' }));
    tarDir(save, file('save-noconfig.tar'));
    writeFileSync(join(save, 'manifest.json'), saveManifest({ RepoTags: ['Bad:Tag'] }));
    tarDir(save, file('save-badtag.tar'));

    // broken inputs
    writeFileSync(file('text.txt'), 'hello\n');
    writeFileSync(file('empty.tar'), '');
    const plain = join(work, 'plain');
    mkdirSync(plain);
    writeFileSync(join(plain, 'readme'), 'not an image\n');
    tarDir(plain, file('plain.tar'));
    const oci = readFileSync(file('oci.tar'));
    writeFileSync(file('truncated.tar'), oci.subarray(0, 600_000));
    writeFileSync(file('cut-header.tar'), oci.subarray(0, 1024 + 100));
    const corrupt = Buffer.from(oci);
    corrupt[148] = 0x39; // checksum field: not octal any more
    writeFileSync(file('corrupt.tar'), corrupt);
  } finally {
    purgeNamespace(dd, ns);
  }
}

function tarDir(dir: string, out: string): void {
  execFileSync('tar', ['-cf', out, '-C', dir, '--sort=name', '--owner=0', '--group=0', '--numeric-owner', '.']);
}
