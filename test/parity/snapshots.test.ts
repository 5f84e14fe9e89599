// Parity of the snapshots verbs with the real ctr, each run in a namespace of its own
// with the test bed's busybox image pulled (and so unpacked) by the real ctr.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertParity, ctr, daemon, skipReason, type Daemon, type ParityCase } from './harness.js';

const d = daemon();
const OCI = d?.env.CTR_TESTBED_IMAGE_OCI ?? '127.0.0.1:5000/testbed/busybox:oci';
// The chain IDs of the OCI image's two layers (what pull leaves committed).
const LAYER1 = 'sha256:b6da6396a64174e7319cc2adc2a0173ad526a622e8cd17a16c29b9e79f19ccf1';
const LAYER2 = 'sha256:8c1ec9011dc6bce4943794f71a74e6d15a8f440ff8031f28730fdf033fea0db0';

const must = (dd: Daemon, ns: string, ...args: string[]) => {
  const r = ctr(dd, ns, ...args);
  assert.equal(r.code, 0, `setup ctr ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const pulled = (...more: string[][]) => (dd: Daemon, ns: string) => {
  must(dd, ns, 'images', 'pull', '--plain-http', OCI);
  for (const args of more) must(dd, ns, ...args);
};
const manifestDigest = (dd: Daemon, ns: string) => must(dd, ns, 'images', 'ls', `name==${OCI}`).split('\n')[1]!.split(/\s+/)[2]!;

/** Snapshot mount paths hold per-daemon directory numbers. */
const snapshotDirs = (s: string) => s.replace(/snapshots\/\d+\//g, 'snapshots/<N>/');
/** Label lists are Go maps: sort their pairs. */
const sortPairs = (s: string) => s.split('\n').map((l) => (/^[^ {}"]+=/.test(l) ? l.split(',').sort().join(',') : l)).join('\n');
/** content ls: ages vary, labels are Go maps. */
const contentLs = (s: string) => s.split('\n').map((l) => {
  const cells = l.split('\t').filter((c) => c !== '');
  if (cells.length < 4 || !cells[0]!.startsWith('sha256:')) return l;
  return `${cells[0]} ${cells[1]} ${cells[cells.length - 1]!.split(',').sort().join(',')}`;
}).join('\n');

const cases: Record<string, ParityCase> = {
  // ls, tree, info, usage
  'ls empty': { args: () => ['snapshots', 'ls'] },
  'ls after pull': { setup: pulled(), args: () => ['snapshots', 'ls'], then: () => [['snapshot', 'list']] },
  'ls with containers and branches': {
    setup: pulled(['containers', 'create', OCI, 'c1'], ['containers', 'create', OCI, 'a0'], ['snapshots', 'prepare', 'zz', LAYER1], ['snapshots', 'prepare', 'root']),
    args: () => ['snapshots', 'ls'],
    then: () => [['snapshots', 'tree'], ['snapshots', 'usage'], ['snapshots', 'usage', '-b']],
  },
  'tree empty': { args: () => ['snapshots', 'tree'] },
  'info of a committed and an active snapshot': {
    setup: pulled(['containers', 'create', OCI, 'c1']),
    args: () => ['snapshots', 'info', LAYER1],
    then: () => [['snapshots', 'info', 'c1'], ['snapshots', 'info', LAYER2]],
  },
  'info with labels': {
    setup: pulled(['snapshots', 'prepare', 'p1', LAYER2], ['snapshots', 'label', 'p1', 'b=2', 'a=1']),
    args: () => ['snapshots', 'info', 'p1'],
  },
  'info of a missing snapshot': { args: () => ['snapshots', 'info', 'nosuch'] },
  'info without a key': { args: () => ['snapshots', 'info'], ignoreStdout: true },
  'info with two keys': { args: () => ['snapshots', 'info', 'a', 'b'], ignoreStdout: true },
  'usage of keys': {
    setup: pulled(['containers', 'create', OCI, 'c1']),
    args: () => ['snapshots', 'usage', 'c1', LAYER1],
    then: () => [['snapshots', 'usage', '-b', LAYER2]],
  },
  'usage of a missing key': { setup: pulled(), args: () => ['snapshots', 'usage', LAYER1, 'nosuch'] },

  // the group's --snapshotter
  '--snapshotter native': {
    setup: pulled(['snapshots', '--snapshotter', 'native', 'prepare', 'n1']),
    args: () => ['snapshots', '--snapshotter', 'native', 'ls'],
    then: () => [['snapshots', 'ls'], ['snapshots', '--snapshotter=native', 'info', 'n1']],
  },
  '--snapshotter from the environment': {
    setup: pulled(['snapshots', '--snapshotter', 'native', 'prepare', 'n1']),
    args: () => ['snapshots', 'ls'],
    env: () => ({ CONTAINERD_SNAPSHOTTER: 'native' }),
  },
  '--snapshotter unknown': { args: () => ['snapshots', '--snapshotter', 'nosuch', 'ls'] },
  '--snapshotter without a value': { args: () => ['snapshots', '--snapshotter'], ignoreStdout: true },
  'an unknown group flag': { args: () => ['snapshots', '--bogus', 'ls'], ignoreStdout: true },
  '--snapshotter after the verb': { args: () => ['snapshots', 'ls', '--snapshotter', 'native'], ignoreStdout: true },
  'the default snapshotter from the namespace label': {
    setup: (dd, ns) => {
      must(dd, 'default', 'namespaces', 'label', ns, 'containerd.io/defaults/snapshotter=native');
      must(dd, ns, 'snapshots', '--snapshotter', 'native', 'prepare', 'n1');
    },
    args: () => ['snapshots', 'ls'],
  },

  // prepare, view, mounts, commit
  'prepare without a parent, with --target': {
    args: () => ['snapshots', 'prepare', '--target', '/mnt/x', 'p1'],
    then: () => [['snapshots', 'ls'], ['snapshots', 'info', 'p1']],
    normalize: snapshotDirs,
  },
  'prepare on a parent, with --mounts and -t': {
    setup: pulled(),
    args: () => ['snapshots', 'prepare', '--mounts', '-t', '/target', 'p1', LAYER2],
    then: () => [['snapshots', 'tree'], ['snapshots', 'mounts', '/elsewhere', 'p1'], ['snapshots', 'm', '/x', 'p1'], ['snapshot', 'mount', '/y', LAYER2]],
    normalize: snapshotDirs,
  },
  'prepare with no output': { setup: pulled(), args: () => ['snapshots', 'prepare', 'p1', LAYER1], then: () => [['snapshots', 'ls']] },
  'prepare of an existing key': { setup: pulled(['snapshots', 'prepare', 'p1']), args: () => ['snapshots', 'prepare', 'p1'] },
  'prepare on a missing parent': { args: () => ['snapshots', 'prepare', 'p1', 'nosuch'] },
  'prepare on an active parent': { setup: pulled(['snapshots', 'prepare', 'p1']), args: () => ['snapshots', 'prepare', 'p2', 'p1'] },
  'prepare without a key': { args: () => ['snapshots', 'prepare'], ignoreStdout: true },
  'prepare with three arguments': { args: () => ['snapshots', 'prepare', 'a', 'b', 'c'], ignoreStdout: true },
  // A view has no gc root: what follows it would race the garbage collector.
  'view with --target and --mounts': {
    setup: pulled(),
    args: () => ['snapshots', 'view', '--target', '/v', '--mounts', 'v1', LAYER2],
    normalize: snapshotDirs,
  },
  'view of a single layer': { setup: pulled(), args: () => ['snapshots', 'view', '--mounts', 'v1', LAYER1], normalize: snapshotDirs },
  'view without a parent': { args: () => ['snapshots', 'view', '--mounts', 'v1'], normalize: snapshotDirs },
  'view without a key': { args: () => ['snapshots', 'view'], ignoreStdout: true },
  'mounts of a missing key': { args: () => ['snapshots', 'mounts', '/x', 'nosuch'] },
  'mounts with one argument': { args: () => ['snapshots', 'mounts', '/x'], ignoreStdout: true },
  'commit an active snapshot': {
    setup: pulled(['snapshots', 'prepare', 'p1', LAYER2]),
    args: () => ['snapshots', 'commit', 'done1', 'p1'],
    then: () => [['snapshots', 'ls'], ['snapshots', 'tree'], ['snapshots', 'info', 'done1']],
  },
  'commit of a committed snapshot': { setup: pulled(), args: () => ['snapshots', 'commit', 'done1', LAYER2] },
  'commit of a missing snapshot': { args: () => ['snapshots', 'commit', 'done1', 'nosuch'] },
  'commit onto an existing name': {
    setup: pulled(['snapshots', 'prepare', 'p1', LAYER2]),
    args: () => ['snapshots', 'commit', LAYER1, 'p1'],
  },
  'commit with one argument': { args: () => ['snapshots', 'commit', 'x'], ignoreStdout: true },

  // rm, label
  'rm several': {
    setup: pulled(['snapshots', 'prepare', 'p1'], ['snapshots', 'prepare', 'p2'], ['snapshots', 'prepare', 'p3']),
    args: () => ['snapshots', 'rm', 'p1', 'p3'],
    then: () => [['snapshots', 'ls'], ['snapshots', 'delete', 'p2'], ['snapshots', 'ls']],
  },
  'rm stops at the first failure': {
    setup: pulled(['snapshots', 'prepare', 'p1'], ['snapshots', 'prepare', 'p2']),
    args: () => ['snapshots', 'del', 'p1', 'nosuch', 'p2'],
    then: () => [['snapshots', 'ls']],
  },
  'rm of a snapshot with children': { setup: pulled(), args: () => ['snapshots', 'remove', LAYER1] },
  'rm without keys': { args: () => ['snapshots', 'rm'] },
  'label set and clear': {
    setup: pulled(['snapshots', 'prepare', 'p1', LAYER2], ['snapshots', 'label', 'p1', 'gone=1', 'keep=2']),
    args: () => ['snapshots', 'label', 'p1', 'gone=', 'new=3', 'flag'],
    then: () => [['snapshots', 'label', 'p1'], ['snapshots', 'info', 'p1']],
    normalize: sortPairs,
  },
  'label of a committed snapshot': { setup: pulled(), args: () => ['snapshots', 'label', LAYER1, 'x=y'], normalize: sortPairs },
  'label of a missing snapshot': { args: () => ['snapshots', 'label', 'nosuch', 'a=b'] },
  'label without a key': { args: () => ['snapshots', 'label'] },

  // diff
  'diff of a layer against its parent': { setup: pulled(), args: () => ['snapshots', 'diff', LAYER2] },
  // From the lower layer to the upper one: only added files, whose times come from the
  // layer (whiteouts the other way round are stamped with the current time).
  'diff of two snapshots': { setup: pulled(), args: () => ['snapshots', 'diff', LAYER1, LAYER2] },
  'diff of a container snapshot': {
    setup: pulled(['containers', 'create', OCI, 'c1']),
    args: () => ['snapshots', 'diff', '--media-type', 'application/vnd.oci.image.layer.v1.tar', 'c1'],
  },
  'diff --keep with labels and a ref': {
    setup: pulled(),
    args: () => ['snapshots', 'diff', '--keep', '--label', 'a=b', '--ref', 'my-ref', LAYER2],
    then: () => [['content', 'ls'], ['leases', 'ls']],
    normalize: contentLs,
  },
  'diff without --keep leaves nothing': {
    setup: pulled(),
    args: () => ['snapshots', 'diff', '--media-type', 'application/vnd.oci.image.layer.v1.tar', LAYER2],
    then: () => [['leases', 'ls']],
  },
  'diff with an unknown media type': { setup: pulled(), args: () => ['snapshots', 'diff', '--media-type', 'text/plain', LAYER2] },
  'diff of a missing snapshot': { args: () => ['snapshots', 'diff', 'nosuch'] },
  'diff against a missing snapshot': { setup: pulled(), args: () => ['snapshots', 'diff', LAYER2, 'nosuch'] },
  'diff without an id': { args: () => ['snapshots', 'diff'] },

  // unpack
  'unpack into another snapshotter': {
    setup: pulled(),
    args: (ns) => ['snapshots', 'unpack', '--snapshotter', 'native', `@manifest:${ns}`],
    then: () => [['snapshots', '--snapshotter', 'native', 'ls'], ['snapshots', 'ls']],
  },
  'unpack of an unpacked image': { setup: pulled(), args: (ns) => ['snapshots', 'unpack', `@manifest:${ns}`] },
  'unpack of an unknown digest': { setup: pulled(), args: () => ['snapshots', 'unpack', `sha256:${'0'.repeat(64)}`] },
  'unpack of a bad digest': { args: () => ['snapshots', 'unpack', 'sha256:xyz'] },
  'unpack without a digest': { args: () => ['snapshots', 'unpack'] },
  'unpack with an unknown algorithm': { args: () => ['snapshots', 'unpack', 'md5:abc'] },
};

describe('snapshots parity', { skip: d ? false : skipReason }, () => {
  for (const [name, c] of Object.entries(cases)) {
    test(name, () => {
      // "@manifest:<ns>" stands for the digest of the pulled image in that namespace.
      let dg = '';
      assertParity(d!, {
        ...c,
        setup: (dd, ns) => {
          c.setup?.(dd, ns);
          if (c.args(ns).some((a) => a.startsWith('@manifest:'))) dg = manifestDigest(dd, ns);
        },
        args: (ns) => c.args(ns).map((a) => (a.startsWith('@manifest:') ? dg : a)),
      });
    });
  }
});
