// The client side of task IO against real FIFOs, with this test playing the shim: it
// opens the other ends by path as containerd-shim-runc-v2 does.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, constants as fsc, existsSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { makeFifos, PreparedFifos } from '../../src/taskio/fifo.js';
import { nativeHelper } from '../../src/util/native.js';
import { fifoIO, nullIO, logURIIO } from '../../src/taskio/io.js';

const root = () => mkdtempSync(join(tmpdir(), 'taskio-'));

function collector() {
  const chunks: Buffer[] = [];
  return { write: (c: Uint8Array) => chunks.push(Buffer.from(c)), text: () => Buffer.concat(chunks).toString() };
}

/** Reads what is in the FIFO now (the shim's side of stdin), without blocking. */
function readAvailable(path: string, fd: number): string {
  const buf = Buffer.alloc(4096);
  try {
    const n = readSync(fd, buf);
    return buf.subarray(0, n).toString();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return '';
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}

/** fifoIO with a PassThrough for stdin; `hook.ended` counts the CloseIO hook's calls. */
async function stdinIO(dir: string, id: string) {
  const stdin = new PassThrough();
  const hook = { ended: 0 };
  const io = await fifoIO({ stdin, stdout: collector(), onStdinEnd: () => { hook.ended++; } }, dir)(id);
  return { stdin, io, hook };
}

const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
};

test('a FIFO set: its own directory, three FIFOs of mode 0700, removed on close', async () => {
  const dir = root();
  try {
    const stdin = new PassThrough();
    const io = await fifoIO({ stdin, stdout: collector(), stderr: collector() }, join(dir, 'fifo'))('c1');
    const { stdin: i, stdout: o, stderr: e, terminal } = io.config;
    assert.equal(terminal, false);
    const setDir = join(dir, 'fifo', readdirSync(join(dir, 'fifo'))[0]!);
    assert.match(setDir, /\/\d+$/);
    assert.deepEqual([i, o, e], ['c1-stdin', 'c1-stdout', 'c1-stderr'].map((n) => join(setDir, n)));
    for (const p of [i, o, e]) {
      const st = statSync(p);
      assert.ok(st.isFIFO(), p);
      assert.equal(st.mode & 0o777, 0o700);
    }
    assert.equal(statSync(setDir).mode & 0o777, 0o700);
    await io.close();
    assert.equal(existsSync(setDir), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('output is copied until the shim closes its ends; wait() resolves then', async () => {
  const dir = root();
  try {
    const out = collector();
    const err = collector();
    const io = await fifoIO({ stdout: out, stderr: err }, dir)('c2');
    assert.equal(io.config.stdin, '');
    let drained = false;
    void io.wait().then(() => { drained = true; });
    // Nothing has been written yet: no EOF may be seen before the shim opens its end.
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(drained, false);
    const w1 = openSync(io.config.stdout, fsc.O_WRONLY);
    const w2 = openSync(io.config.stderr, fsc.O_WRONLY);
    writeSync(w1, 'hello ');
    writeSync(w2, 'oops');
    writeSync(w1, 'world');
    closeSync(w1);
    closeSync(w2);
    await io.wait();
    assert.equal(out.text(), 'hello world');
    assert.equal(err.text(), 'oops');
    await io.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stdin reaches the FIFO once the shim opened it, then EOF and the CloseIO hook', async () => {
  const dir = root();
  try {
    const { stdin, io, hook } = await stdinIO(dir, 'c3');
    stdin.write('early ');
    // The shim opens its reading end (non-blocking, as the shim's fifo package does).
    const r = openSync(io.config.stdin, fsc.O_RDONLY | fsc.O_NONBLOCK);
    let got = '';
    await until(() => (got += readAvailable(io.config.stdin, r)).includes('early'), 'data written before the shim opened');
    stdin.end('late');
    await until(() => (got += readAvailable(io.config.stdin, r)).endsWith('late') && hook.ended === 1, 'rest of stdin and EOF hook');
    assert.equal(got, 'early late');
    closeSync(r);
    await io.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a stdin read error ends the copy (our end closes) without the CloseIO hook, and throws nothing', async () => {
  const dir = root();
  try {
    const { stdin, io, hook } = await stdinIO(dir, 'c9');
    const r = openSync(io.config.stdin, fsc.O_RDONLY | fsc.O_NONBLOCK);
    stdin.write('before ');
    let got = '';
    await until(() => (got += readAvailable(io.config.stdin, r)).includes('before'), 'data before the error');
    stdin.destroy(new Error('EIO'));
    // Our write end is closed: the shim's read end sees EOF (read returns 0, not EAGAIN).
    const buf = Buffer.alloc(16);
    await until(() => { try { return readSync(r, buf) === 0; } catch { return false; } }, 'EOF on the FIFO');
    assert.equal(hook.ended, 0);
    closeSync(r);
    await io.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stdin given as a function is only built once the shim has opened the FIFO', async () => {
  const dir = root();
  try {
    const stdin = new PassThrough();
    let built = 0;
    const io = await fifoIO({ stdin: () => { built++; return stdin; }, stdout: collector() }, dir)('c7');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(built, 0, 'not before the shim opened its end');
    const r = openSync(io.config.stdin, fsc.O_RDONLY | fsc.O_NONBLOCK);
    await until(() => built === 1, 'built once the FIFO has a reader');
    stdin.end('typed');
    let got = '';
    await until(() => (got += readAvailable(io.config.stdin, r)) === 'typed', 'stdin reaches the FIFO');
    closeSync(r);
    await io.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('closing before the shim ever opened stdin does not hang the process', async () => {
  const dir = root();
  try {
    const io = await fifoIO({ stdin: new PassThrough(), stdout: collector(), stderr: collector() }, dir)('c4');
    await io.close();
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('closing while the stdin open still waits for a worker thread does not hang the process', () => {
  // One worker thread, kept busy: the open of the stdin FIFO starts only after close().
  const dir = root();
  const script = `
    import { pbkdf2 } from 'node:crypto';
    import { readdirSync } from 'node:fs';
    import { PassThrough } from 'node:stream';
    import { fifoIO } from ${JSON.stringify(new URL('../../src/taskio/io.ts', import.meta.url).pathname)};
    pbkdf2('x', 'y', 200000, 64, 'sha512', () => {});
    const io = await fifoIO({ stdin: new PassThrough(), stdout: { write() {} }, stderr: { write() {} } }, ${JSON.stringify(dir)})('c5');
    await io.close();
    console.log(JSON.stringify(readdirSync(${JSON.stringify(dir)})));
  `;
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8', timeout: 30_000, env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
    });
    assert.equal(r.signal, null, `the process hung (${r.stderr})`);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '[]');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a terminal set has no stderr FIFO', async () => {
  const dir = root();
  try {
    const io = await fifoIO({ stdin: new PassThrough(), stdout: collector(), terminal: true }, dir)('c5');
    assert.equal(io.config.terminal, true);
    assert.equal(io.config.stderr, '');
    const setDir = join(dir, readdirSync(dir)[0]!);
    assert.deepEqual(readdirSync(setDir).sort(), ['c5-stdin', 'c5-stdout']);
    await io.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the native helper makes FIFOs with mkfifo(2) and reports errno values', (t) => {
  const native = nativeHelper();
  // Built by `npm run build` wherever a C compiler and node's headers are (CI has both).
  if (!native) return t.skip('dist/native/ctr.node is not built here');
  const dir = root();
  try {
    const path = join(dir, 'f');
    assert.equal(native.mkfifo(path, 0o700), 0);
    assert.ok(statSync(path).isFIFO());
    assert.equal(statSync(path).mode & 0o777, 0o700);
    assert.equal(native.mkfifo(path, 0o700), 17); // EEXIST
    assert.equal(native.mkfifo(join(dir, 'no', 'f'), 0o700), 2); // ENOENT
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('both ways of making FIFOs (native and mkfifo(1)) give the same nodes, and fail on a missing directory', async () => {
  const dir = root();
  try {
    for (const [way, native] of [['native', nativeHelper()], ['mkfifo(1)', null]] as const) {
      if (way === 'native' && !native) continue;
      const paths = ['a', 'b'].map((n) => join(dir, `${way}-${n}`));
      await makeFifos(paths, native);
      for (const p of paths) {
        assert.ok(statSync(p).isFIFO(), `${way}: ${p}`);
        assert.equal(statSync(p).mode & 0o777, 0o700, `${way}: ${p}`);
      }
      const missing = join(dir, 'no', 'x');
      await assert.rejects(makeFifos([missing], native), (e: Error) => e.message.startsWith(`error creating fifo ${missing}: `), way);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a FIFO root that cannot be made fails with Go\'s text, leaving nothing', async () => {
  await assert.rejects(fifoIO({ stdout: collector() }, '/proc/no/such/dir')('c6'), { message: 'mkdir /proc/no: no such file or directory' });
});

test('a prepared set is used by the creator, or discarded when nobody took it', async () => {
  const dir = root();
  try {
    const unused = new PreparedFifos(dir, 'c7', false, { stdin: true, stdout: true, stderr: true });
    await unused.set;
    assert.equal(readdirSync(dir).length, 1);
    await unused.discard();
    assert.deepEqual(readdirSync(dir), []);
    const used = new PreparedFifos(dir, 'c8', false, { stdin: false, stdout: true, stderr: true });
    const io = await fifoIO({ stdout: collector(), stderr: collector() }, dir, used)('c8');
    await used.discard(); // taken: stays
    assert.ok(existsSync(io.config.stdout));
    assert.equal(io.config.stdin, '');
    await io.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('null IO and log URIs carry no FIFOs', async () => {
  assert.deepEqual((await nullIO('x')).config, { terminal: false, stdin: '', stdout: '', stderr: '' });
  assert.deepEqual((await logURIIO('file:///tmp/x.log')('x')).config, {
    terminal: false, stdin: '', stdout: 'file:///tmp/x.log', stderr: 'file:///tmp/x.log',
  });
});
