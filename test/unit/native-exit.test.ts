// The native helper's exitNow, as the CLI uses it: the last 'exit' listener ends the
// process with _exit(2), after the others (bin/ctr's code cache) have run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nativeHelper } from '../../src/util/native.js';

const helper = fileURLToPath(new URL('../../src/util/native.ts', import.meta.url));

test('exitNow ends the process with the exit code, after the earlier exit listeners', (t) => {
  if (!nativeHelper()) return t.skip('dist/native/ctr.node is not built here');
  const script = `
    import { writeSync } from 'node:fs';
    import { nativeHelper } from ${JSON.stringify(helper)};
    process.once('exit', () => writeSync(1, 'first listener\\n'));
    process.once('exit', (c) => { nativeHelper().exitNow(c); writeSync(1, 'not reached\\n'); });
    setTimeout(() => writeSync(1, 'timer\\n'), 10_000);
    process.exit(7);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'first listener\n');
  assert.equal(r.status, 7);
});

test('exitNow leaves a shared stdout pipe blocking again, as node\'s own exit does', (t) => {
  if (!nativeHelper()) return t.skip('dist/native/ctr.node is not built here');
  // libuv makes the pipe non-blocking while node writes to it; the shell's next command
  // (here grep, reading its own fd 1's flags) shares that open pipe.
  const script = `
    import { nativeHelper } from ${JSON.stringify(helper)};
    process.stdout.write('written\\n');
    process.once('exit', (c) => nativeHelper().exitNow(c));
    process.exit(3);`;
  const sh = '"$0" --import tsx --input-type=module -e "$1"; echo "status $?"; grep ^flags: /proc/self/fdinfo/1';
  const r = spawnSync('sh', ['-c', sh, process.execPath, script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [written, status, flags] = r.stdout.trim().split('\n');
  assert.equal(written, 'written');
  assert.equal(status, 'status 3');
  assert.equal(Number.parseInt(flags!.replace(/^flags:\s*/, ''), 8) & 0o4000, 0, flags); // O_NONBLOCK
});

test('exitNow with a code that is not a number does nothing', (t) => {
  const native = nativeHelper();
  if (!native) return t.skip('dist/native/ctr.node is not built here');
  assert.equal(native.exitNow('x' as unknown as number), false);
});
