// Parity of image transfer with the real ctr: pulls of the test bed's OCI, docker and
// multi-platform images (progress, unpack lines, then images ls and the content
// labels), fetches, error cases, and a push to a new repository pulled back.
// Progress frames differ from run to run (how many, timings, the order Go's scheduler
// starts sibling downloads in), so stdout is compared on its final frame with the
// sibling lines sorted, and every earlier frame is checked to be well formed.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertParity, ctr, daemon, run, OURS, purgeNamespace, skipReason, uniqueName } from './harness.js';
import { finalFrame, pullNormalize } from './transfer-normalize.js';

const d = daemon();
const env = d?.env ?? {};
const OCI = env.CTR_TESTBED_IMAGE_OCI ?? '';
const DOCKER = env.CTR_TESTBED_IMAGE_DOCKER ?? '';
const MULTI = env.CTR_TESTBED_IMAGE_MULTI ?? '';
const REGISTRY = env.CTR_TESTBED_REGISTRY ?? '';

describe('images pull parity', { skip: !d || !OCI ? skipReason : false }, () => {
  const cases: Array<[string, string[]]> = [
    ['oci', ['images', 'pull', OCI]],
    ['docker', ['images', 'pull', DOCKER]],
    ['multi, default platform', ['images', 'pull', MULTI]],
    ['multi, --platform linux/arm64', ['images', 'pull', '--platform', 'linux/arm64', MULTI]],
    ['multi, --all-platforms --print-chainid', ['images', 'pull', '--all-platforms', '--print-chainid', MULTI]],
    ['labels, --plain-http, max downloads', ['images', 'pull', '--plain-http', '--label', 'a=b', '--label', 'c', '--max-concurrent-downloads', '1', OCI]],
    ['by digest', ['images', 'pull', `${OCI.replace(/:oci$/, '')}@sha256:9cff1e0d7980782bb312cc10bb5690c6477d98f286bfc4ae65918408235fb7bf`]],
    ['content fetch --all-platforms', ['content', 'fetch', '--all-platforms', MULTI]],
    ['content fetch --metadata-only', ['content', 'fetch', '--metadata-only', MULTI]],
  ];
  for (const [name, args] of cases) {
    it(name, () => {
      assertParity(d!, {
        args: () => args,
        then: () => [['images', 'ls'], ['content', 'ls'], ['snapshots', 'ls'], ['leases', 'ls']],
        normalize: pullNormalize,
      });
    });
  }

  const errors: Array<[string, string[]]> = [
    ['missing tag', ['images', 'pull', `${REGISTRY}/testbed/busybox:nope`]],
    ['missing repository', ['images', 'pull', `${REGISTRY}/testbed/nothere:latest`]],
    ['no reference', ['images', 'pull']],
    ['invalid reference', ['images', 'pull', 'Bad:ref']],
    ['object required', ['images', 'pull', 'a//b']],
    ['scheme in reference', ['images', 'pull', `http://${OCI}`]],
    ['bad digest', ['images', 'pull', `${REGISTRY}/testbed/busybox@sha256:abc`]],
    ['unknown digest', ['images', 'pull', `${REGISTRY}/testbed/busybox@sha256:${'0'.repeat(64)}`]],
    ['unreachable registry', ['images', 'pull', '127.0.0.1:1/x/y:z']],
    ['bad platform', ['images', 'pull', '--platform', 'linux/*', OCI]],
    ['tlscert without key', ['images', 'pull', '--tlscert', '/x', OCI]],
    ['missing CA file', ['images', 'pull', '--tlscacert', '/nonexistent', OCI]],
    ['fetch-object of a missing tag', ['content', 'fetch-object', `${REGISTRY}/testbed/busybox:nope`]],
  ];
  for (const [name, args] of errors) {
    it(`error: ${name}`, () => {
      const pair = assertParity(d!, { args: () => args, then: () => [['images', 'ls'], ['content', 'ls'], ['leases', 'ls']] });
      assert.equal(pair.ours[0]!.code, 1);
    });
  }

  it('content fetch-object writes the blob to stdout', () => {
    assertParity(d!, { args: () => ['content', 'fetch-object', OCI] });
  });

  it('push (same repository for both binaries)', () => {
    const target = `${REGISTRY}/tp-parity/${uniqueName('pushed')}:v1`;
    assertParity(d!, {
      setup: (dd, ns) => { ctr(dd, ns, 'images', 'pull', MULTI); },
      args: () => ['images', 'push', '--platform', 'linux/amd64', target, MULTI],
      then: () => [['images', 'ls']],
      normalize: (s) => (s.includes('elapsed: ') ? finalFrame(s) : s),
    });
  });

  it('our push to a new repository pulls back with the real ctr', () => {
    const target = `${REGISTRY}/tp-parity/${uniqueName('ours')}:v1`;
    const ns = uniqueName('tp-pushback');
    try {
      ctr(d!, ns, 'images', 'pull', OCI);
      const pushed = run(OURS, ['-a', d!.address, '-n', ns, 'images', 'push', target, OCI]);
      assert.equal(pushed.code, 0, pushed.stderr);
      assert.match(finalFrame(pushed.stdout), /manifest-sha256:9cff1e0d\S+:\s+done/);
      const back = ctr(d!, `${ns}-back`, 'images', 'pull', target);
      assert.equal(back.code, 0, back.stderr);
      assert.match(ctr(d!, `${ns}-back`, 'images', 'ls').stdout, /sha256:9cff1e0d7980782bb312cc10bb5690c6477d98f286bfc4ae65918408235fb7bf/);
    } finally {
      purgeNamespace(d!, ns);
    }
  });
});
