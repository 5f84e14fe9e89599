// bin/ctr's code cache against the live daemon: a cache written by a run that stopped
// early (here: no daemon to dial) is replaced by the first run that completed more
// daemon calls, and then left alone. A cache that only knows the early stop's functions
// made every later `ctr run` compile the rest again (~30 ms per container start).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testbedEnv } from '../testbed.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const env = testbedEnv();
const built = existsSync(join(root, 'dist', 'cli.cjs'));
const skip = !built ? 'dist/ is not built (npm run build)' : !env ? 'no test bed (scripts/testbed.sh up)' : false;

/** The call count in a cache file's header ("ctrc", uint32 LE), or null for none. */
function cachedCalls(file: string): number | null {
  if (!existsSync(file)) return null;
  const data = readFileSync(file);
  assert.equal(data.toString('latin1', 0, 4), 'ctrc', `${file}: header`);
  return data.readUInt32LE(4);
}

test('a code cache from a run that stopped early is replaced by a fuller run', { skip }, (t) => {
  // A private copy of bin/ and dist/ without a cache (bin/ctr finds dist/ beside bin/).
  const dir = mkdtempSync(join(tmpdir(), 'ctr-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(root, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(root, 'dist'), join(dir, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.cache') });
  const bin = join(dir, 'bin', 'ctr');
  const cache = join(dir, 'dist', '.cache', 'verbs_version.cjs.v8');
  const ctr = (address: string) => spawnSync(bin, ['-a', address, '--connect-timeout', '200ms', 'version'], {
    encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });

  const early = ctr(join(dir, 'no-daemon.sock'));
  assert.equal(early.status, 1, early.stderr);
  assert.equal(cachedCalls(cache), 0, 'the early stop writes a cache that records no calls');

  const full = ctr(env!.CONTAINERD_ADDRESS!);
  assert.equal(full.status, 0, full.stderr);
  assert.match(full.stdout, /^Server:\n {2}Version: /m);
  const calls = cachedCalls(cache);
  assert.ok(calls !== null && calls > 0, `the run that made daemon calls rewrites it (calls: ${calls})`);
  const written = statSync(cache);

  const again = ctr(env!.CONTAINERD_ADDRESS!);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(cachedCalls(cache), calls);
  const after = statSync(cache);
  assert.equal(after.ino, written.ino, 'a run that got no further leaves the cache as it is');
  assert.equal(after.mtimeMs, written.mtimeMs);

  // A run that fails early again does not throw the fuller cache away.
  assert.equal(ctr(join(dir, 'no-daemon.sock')).status, 1);
  assert.equal(cachedCalls(cache), calls);
});
