// Parity of the content verbs (ls, get, ingest, rm, label, active, edit, prune
// references) with the real ctr, on content pulled with the real ctr.

import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertParity, ctr, daemon, run, skipReason, type Daemon, type ParityCase } from './harness.js';

const d = daemon();
const OCI = d?.env.CTR_TESTBED_IMAGE_OCI ?? '127.0.0.1:5000/testbed/busybox:oci';
const MULTI = d?.env.CTR_TESTBED_IMAGE_MULTI ?? '127.0.0.1:5000/testbed/busybox:multi';

// The test bed's images are built deterministically (scripts/testbed/images.mjs).
const CONFIG = 'sha256:ef1679407b63f8d819dc88df64971ce6325fb3f89d63af1795228acac69f0595';
const LAYER = 'sha256:d73b86da431264c118fd712b05cab28266ced2d7af24d2c4c68c2da1fd806bb5';
const MISSING = `sha256:${'0'.repeat(64)}`;
const HELLO = 'hello\n';
const HELLO_DIGEST = 'sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03';
/**
 * A payload of each run's own: blobs are shared between namespaces, and one the other
 * binary's run left behind (until the garbage collector takes it) would meet this
 * ingest as an existing blob ("unable to resume write").
 */
const own = (ns: string) => `ingested with its digest in ${ns}\n`;
const sha256 = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

const pull = (dd: Daemon, ns: string, ...refs: string[]) => {
  for (const r of refs) {
    const res = ctr(dd, ns, 'images', 'pull', '--plain-http', r);
    assert.equal(res.code, 0, `setup pull ${r}: ${res.stderr}`);
  }
};
const pullOCI = (dd: Daemon, ns: string) => pull(dd, ns, OCI);
/** `ctr content ingest` with HELLO on stdin (the setup may leave a partial ingest). */
const ingestHello = (dd: Daemon, ns: string, ...args: string[]) =>
  run(dd.reference, ['-a', dd.address, '-n', ns, 'content', 'ingest', ...args], { input: HELLO });

/**
 * HELLO ingested and kept from the garbage collector by a gc.root label: unpinned, a
 * collection run between the setup and the command (other tests delete things all the
 * time) removes it, and the ingest then succeeds for one binary and fails for the other.
 * The ingest and the label are two calls, so a collection in between is retried.
 */
const pinHello = (dd: Daemon, ns: string) => {
  for (let attempt = 0; ; attempt++) {
    ingestHello(dd, ns, 'pre');
    const res = ctr(dd, ns, 'content', 'label', HELLO_DIGEST, 'containerd.io/gc.root=parity');
    if (res.code === 0) return;
    assert.ok(attempt < 5, `setup label: ${res.stderr}`);
  }
};

/** Labels come in Go map order (random) from ctr: sort every comma-separated k=v list. */
const sortLabels = (s: string) => s.split('\n').map((l) => l.split('\t').map((cell) =>
  (/^[^\s=]+=/.test(cell) && cell.includes(',') ? cell.split(',').sort().join(',') : cell)).join('\t')).join('\n');
/** Ages differ from run to run (and so does their tab padding). */
const ages = (s: string) => sortLabels(s)
  .replace(/\t+(Less than a second|About a minute|\d+ (seconds?|minutes))\t+/g, '\t<AGE>\t')
  .replace(/\tAGE\t+/, '\tAGE\t');

const cases: Record<string, ParityCase> = {
  // ls
  'ls': { setup: pullOCI, args: () => ['content', 'ls'], normalize: ages },
  'ls -q': { setup: pullOCI, args: () => ['content', 'list', '-q'] },
  'ls empty': { args: () => ['content', 'ls'] },
  'ls with a filter': { setup: pullOCI, args: () => ['content', 'ls', `digest==${CONFIG}`], normalize: ages },
  'ls with a label filter': { setup: pullOCI, args: () => ['content', 'ls', '-q', 'labels."containerd.io/uncompressed"'] },
  'ls with a bad filter': { setup: pullOCI, args: () => ['content', 'ls', 'digest=='], normalize: ages },

  // get
  'get': { setup: pullOCI, args: () => ['content', 'get', CONFIG] },
  'get a layer': { setup: pullOCI, args: () => ['content', 'get', LAYER] },
  'get a missing blob': { args: () => ['content', 'get', MISSING] },
  'get without a digest': { args: () => ['content', 'get'] },
  'get a bad digest': { args: () => ['content', 'get', 'sha256:abc'] },
  'get an unknown algorithm': { args: () => ['content', 'get', 'md5:abc'] },

  // ingest
  // An ingested blob belongs to no lease or image: the daemon's garbage collection,
  // busy with other tests, may take it any moment, so what it holds is checked through
  // the commit error ('wrong digest', which names the digest of what was written) and
  // through partial ingests ('larger expected size').
  'ingest': { input: HELLO, args: () => ['content', 'ingest', 'r1'] },
  'ingest with the expected digest': {
    // A payload of its own: other cases' left-over ingests of HELLO cannot meet it.
    input: own,
    args: (ns) => ['content', 'ingest', '--expected-digest', sha256(own(ns)), '--expected-size', String(own(ns).length), 'r2'],
  },
  'ingest a blob that exists': {
    setup: pinHello,
    input: HELLO,
    args: () => ['content', 'ingest', '--expected-digest', HELLO_DIGEST, 'r3'],
  },
  'ingest with the wrong digest': {
    input: HELLO,
    args: () => ['content', 'ingest', '--expected-digest', MISSING, 'r4'],
    then: () => [['content', 'active'], ['content', 'ls', '-q']],
    normalize: ages,
  },
  'ingest with a smaller expected size': { input: HELLO, args: () => ['content', 'ingest', '--expected-size', '3', 'r5'] },
  'ingest with a larger expected size': {
    input: HELLO,
    args: () => ['content', 'ingest', '--expected-size', '10', 'r6'],
    then: () => [['content', 'active']],
    normalize: ages,
  },
  'ingest resuming from a pipe': {
    setup: (dd, ns) => ingestHello(dd, ns, '--expected-size', '10', 'again'),
    input: HELLO,
    args: () => ['content', 'ingest', '--expected-size', '10', 'again'],
  },
  'ingest without a ref': { args: () => ['content', 'ingest'] },
  'ingest with a bad digest': { args: () => ['content', 'ingest', '--expected-digest', 'nope', 'x'] },

  // rm
  'rm': { setup: pullOCI, args: () => ['content', 'rm', CONFIG, LAYER], then: () => [['content', 'ls', '-q']] },
  'rm (alias del) a missing blob': { args: () => ['content', 'del', MISSING] },
  'rm a bad digest among good ones': { setup: pullOCI, args: () => ['content', 'remove', 'foo', CONFIG, 'sha256:12'], then: () => [['content', 'ls', '-q']] },
  'rm without arguments': { args: () => ['content', 'delete'] },

  // label
  'label': {
    setup: pullOCI,
    args: () => ['content', 'label', CONFIG, 'a=1', 'b'],
    then: () => [['content', 'label', CONFIG, 'a='], ['content', 'label', CONFIG]],
    normalize: sortLabels,
  },
  'label a missing blob': { args: () => ['content', 'label', MISSING, 'a=b'] },
  'label a missing blob without labels': { args: () => ['content', 'label', MISSING] },
  'label without a digest': { args: () => ['content', 'label'] },
  'label a bad digest': { args: () => ['content', 'label', 'x', 'a=b'] },

  // active
  'active': { args: () => ['content', 'active'] },
  'active with an ingest left': {
    setup: (dd, ns) => ingestHello(dd, ns, '--expected-size', '100', 'left-over'),
    args: () => ['content', 'active'],
    then: () => [['content', 'active', 'left'], ['content', 'active', 'nomatch']],
    normalize: ages,
  },
  'active with a bad filter': { args: () => ['content', 'active', 'x['] },

  // edit
  'edit': {
    setup: pullOCI,
    args: () => ['content', 'edit', '--editor', 'sed -i s/busybox/busyboy/', CONFIG],
    then: () => [['content', 'ls', '-q']],
  },
  'edit with EDITOR': {
    setup: pullOCI,
    env: () => ({ EDITOR: 'sed -i s/linux/Linux/' }),
    args: () => ['content', 'edit', CONFIG],
  },
  'edit in place': {
    setup: pullOCI,
    // ctr runs `sh -c "<editor> <file>"`: single quotes keep $0 for the inner shell (the
    // file); double quotes let the outer one expand it to "sh", a file in the cwd.
    // The new digest on stdout shows the edit was read back. The new blob belongs to no
    // image or lease, so whether a listing still shows it is the garbage collector's
    // race (ctr loses it too), not compared.
    args: () => ['content', 'edit', '--editor', `sh -c 'echo edited >> "$0"'`, CONFIG],
  },
  'edit with an editor that exits 3': { setup: pullOCI, args: () => ['content', 'edit', '--editor', 'exit 3;', CONFIG] },
  'edit with an editor killed by a signal': { setup: pullOCI, args: () => ['content', 'edit', '--editor', 'kill -9 $$;', CONFIG] },
  'edit with an editor that fails': { setup: pullOCI, args: () => ['content', 'edit', '--editor', 'false', CONFIG] },
  'edit without an editor': { setup: pullOCI, env: () => ({ EDITOR: '' }), args: () => ['content', 'edit', CONFIG] },
  'edit a missing blob': { env: () => ({ EDITOR: '' }), args: () => ['content', 'edit', MISSING] },
  'edit --validate': { args: () => ['content', 'edit', '--validate', 'json', CONFIG] },
  'edit without a digest': { args: () => ['content', 'edit'] },

  // prune references
  'prune references': {
    setup: (dd, ns) => pull(dd, ns, OCI, MULTI),
    args: () => ['content', 'prune', 'references'],
    then: () => [['content', 'ls'], ['images', 'check']],
    normalize: ages,
  },
  'prune references --dry': {
    setup: pullOCI,
    args: () => ['content', 'prune', 'references', '--dry'],
    then: () => [['content', 'ls']],
    normalize: ages,
  },
  'prune references --async': { setup: pullOCI, args: () => ['content', 'prune', 'references', '--async'] },
  'prune without a subcommand': { args: () => ['content', 'prune'], ignoreStdout: true },
  'prune with an unknown subcommand': { args: () => ['content', 'prune', 'bogus'] },
};

describe('parity: content verbs', { skip: d ? false : skipReason }, () => {
  for (const [name, c] of Object.entries(cases)) {
    test(name, () => {
      assertParity(d!, c);
    });
  }
});
