// `images pull --quiet/-q` (beyond ctr; containerd issue #9467): stdout is the image
// name as stored (the REF `images ls` shows) and a newline, nothing else; the image,
// its content and its unpacked snapshots are the same as after the real ctr's pull;
// errors are still one `ctr:` line like ctr's.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ctr, daemon, errorLines, normalize, OURS, purgeNamespace, run, skipReason, uniqueName } from './harness.js';
import { contentLabels } from './transfer-normalize.js';

const d = daemon();
const env = d?.env ?? {};
const OCI = env.CTR_TESTBED_IMAGE_OCI ?? '';
const MULTI = env.CTR_TESTBED_IMAGE_MULTI ?? '';
const REGISTRY = env.CTR_TESTBED_REGISTRY ?? '';

/** What a namespace holds after a pull, in a form two runs share. */
const listings = (ns: string) => [
  ctr(d!, ns, 'images', 'ls').stdout,
  contentLabels(normalize(ctr(d!, ns, 'content', 'ls').stdout, ns)),
  normalize(ctr(d!, ns, 'snapshots', 'ls').stdout, ns),
  ctr(d!, ns, 'leases', 'ls').stdout,
];

describe('images pull --quiet', { skip: !d || !OCI ? skipReason : false }, () => {
  const cases: Array<[string, string[], string]> = [
    ['oci', ['-q'], OCI],
    ['multi, --quiet --all-platforms', ['--quiet', '--all-platforms'], MULTI],
  ];
  for (const [name, flags, image] of cases) {
    it(`${name}: prints exactly the name; same result as ctr's pull`, () => {
      const nsRef = uniqueName('tp-quiet-r');
      const nsOurs = uniqueName('tp-quiet-o');
      try {
        const reference = ctr(d!, nsRef, 'images', 'pull', ...flags.filter((f) => f !== '-q' && f !== '--quiet'), image);
        assert.equal(reference.code, 0, reference.stderr);
        const ours = run(OURS, ['-a', d!.address, '-n', nsOurs, 'images', 'pull', ...flags, image]);
        assert.equal(ours.code, 0, ours.stderr);
        assert.equal(ours.stdout, `${image}\n`);
        assert.equal(ctr(d!, nsOurs, 'images', 'ls', '-q').stdout, ours.stdout, 'the printed name is the stored REF');
        assert.deepEqual(listings(nsOurs), listings(nsRef));
      } finally {
        purgeNamespace(d!, nsRef);
        purgeNamespace(d!, nsOurs);
      }
    });
  }

  it('a failed quiet pull is one ctr: line like ctr\'s, and nothing on stdout', () => {
    const missing = `${REGISTRY}/testbed/busybox:nope`;
    const ns = uniqueName('tp-quiet-e');
    try {
      const ours = run(OURS, ['-a', d!.address, '-n', ns, 'images', 'pull', '-q', missing]);
      const reference = ctr(d!, `${ns}-r`, 'images', 'pull', missing);
      assert.equal(ours.code, 1);
      assert.equal(ours.stdout, '');
      assert.deepEqual(errorLines(ours.stderr), errorLines(reference.stderr));
    } finally {
      purgeNamespace(d!, ns);
    }
  });
});
