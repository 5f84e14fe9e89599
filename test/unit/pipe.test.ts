// src/util/pipe.ts: the same behaviour from libuv's pipe handle and from net.Socket (the
// fallback, chosen here with CTR_TS_NATIVE=off), against real unix sockets and FIFOs.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, constants as fsc, mkdtempSync, openSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { connectPipe, openPipe, pipeKind, type ByteStream } from '../../src/util/pipe.js';
import { makeFifos } from '../../src/taskio/fifo.js';

const dir = mkdtempSync(join(tmpdir(), 'pipe-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let seq = 0;
const fresh = (name: string) => join(dir, `${name}-${++seq}`);

/** A unix socket server whose connections `onConnection` gets. */
async function server(onConnection: (s: Socket) => void): Promise<{ path: string; srv: Server }> {
  const path = fresh('sock');
  const srv = createServer(onConnection);
  srv.listen(path);
  await once(srv, 'listening');
  return { path, srv };
}

async function connected(path: string): Promise<ByteStream> {
  const r = await connectPipe(path);
  assert.ok('socket' in r, `connect failed: ${JSON.stringify(r)}`);
  return r.socket;
}

/** A new FIFO: the shim's read end (a plain descriptor) and our write end. */
async function writeEnd(): Promise<{ rfd: number; w: ByteStream }> {
  const path = fresh('fifo');
  await makeFifos([path]);
  const rfd = openSync(path, fsc.O_RDONLY | fsc.O_NONBLOCK);
  return { rfd, w: openPipe(openSync(path, fsc.O_WRONLY), 'write') };
}

function collect(s: ByteStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  s.on('data', (c) => chunks.push(c));
  return new Promise((resolve) => s.once('end', () => resolve(Buffer.concat(chunks))));
}

for (const kind of ['libuv', 'net'] as const) {
  describe(`pipe (${kind})`, () => {
    const use = () => {
      if (kind === 'net') process.env.CTR_TS_NATIVE = 'off';
      else delete process.env.CTR_TS_NATIVE;
      assert.equal(pipeKind(), kind);
    };

    test('a socket carries bytes both ways, in order through cork/uncork, then ends and closes', async () => {
      use();
      const { path, srv } = await server((c) => {
        const got: Buffer[] = [];
        c.on('data', (d) => {
          got.push(d);
          if (Buffer.concat(got).toString().endsWith('!')) c.end(`echo:${Buffer.concat(got).toString()}`);
        });
      });
      const s = await connected(path);
      const events: string[] = [];
      const closed = new Promise<void>((resolve) => s.on('close', () => { events.push('close'); resolve(); }));
      const reply = collect(s).then((b) => { events.push('end'); return b; });
      s.cork();
      s.write(Buffer.from('a'));
      s.write('b');
      s.write(Buffer.from('c'));
      s.uncork();
      s.write(Buffer.from('!'));
      assert.equal((await reply).toString(), 'echo:abc!');
      await closed;
      assert.deepEqual(events, ['end', 'close']);
      srv.close();
    });

    test('a missing socket and a refused one fail as node names them', async () => {
      use();
      const missing = fresh('none');
      assert.deepEqual(await connectPipe(missing), { errno: 'ENOENT', message: `connect ENOENT ${missing}` });
      // A file that is no listening socket: refused, as connect(2) says.
      const plain = fresh('plain');
      writeFileSync(plain, '');
      assert.deepEqual(await connectPipe(plain), { errno: 'ECONNREFUSED', message: `connect ECONNREFUSED ${plain}` });
    });

    test('write() asks to wait when the peer does not read, and drain follows once it does', async () => {
      use();
      let peer: Socket | undefined;
      const { path, srv } = await server((c) => { peer = c; c.pause(); });
      const s = await connected(path);
      while (!peer) await new Promise((r) => setImmediate(r));
      const chunk = Buffer.alloc(256 * 1024, 7);
      let writes = 0;
      while (s.write(chunk)) if (++writes > 200) break;
      assert.ok(writes <= 200, 'write() never asked to wait');
      assert.ok(s.writableLength > 0);
      const drained = new Promise<void>((resolve) => s.once('drain', resolve));
      let received = 0;
      peer.on('data', (d: Buffer) => { received += d.length; });
      peer.resume();
      await drained;
      assert.equal(s.writableLength, 0);
      s.destroy();
      await new Promise<void>((resolve) => peer!.once('close', () => resolve()));
      assert.equal(received, (writes + 1) * chunk.length);
      srv.close();
    });

    test('a FIFO read end gives the data, then end when the writer closes', async () => {
      use();
      const path = fresh('fifo');
      await makeFifos([path]);
      const r = openPipe(openSync(path, fsc.O_RDONLY | fsc.O_NONBLOCK), 'read');
      const got = collect(r);
      const w = openSync(path, fsc.O_WRONLY);
      writeSync(w, 'from the shim');
      closeSync(w);
      assert.equal((await got).toString(), 'from the shim');
    });

    test('a FIFO write end delivers, and end() closes it so the reader sees EOF', async () => {
      use();
      const { rfd, w } = await writeEnd();
      const closed = new Promise<void>((resolve) => w.once('close', resolve));
      w.write(Buffer.from('to the task'));
      w.end();
      await closed;
      const buf = Buffer.alloc(64);
      assert.equal(buf.subarray(0, readSync(rfd, buf)).toString(), 'to the task');
      assert.equal(readSync(rfd, buf), 0, 'EOF once our end is closed');
      closeSync(rfd);
    });

    test('a FIFO whose reader is gone fails the write with EPIPE, then closes', async () => {
      use();
      const { rfd, w } = await writeEnd();
      closeSync(rfd);
      const failed = new Promise<NodeJS.ErrnoException>((resolve) => w.once('error', resolve));
      const closed = new Promise<void>((resolve) => w.once('close', resolve));
      w.write(Buffer.from('nobody reads this'));
      assert.equal((await failed).code, 'EPIPE');
      await closed;
    });
  });
}

test('under --pending-deprecation, node gets no cause to warn: net.Socket is used', () => {
  const script = [
    "import { connectPipe, pipeKind } from './src/util/pipe.ts';",
    "const r = await connectPipe('/nonexistent/ctr-ts.sock');",
    'console.log(pipeKind(), JSON.stringify(r));',
  ].join('\n');
  const env = { ...process.env };
  delete env.CTR_TS_NATIVE;
  for (const [args, extra] of [[['--pending-deprecation'], {}], [[], { NODE_PENDING_DEPRECATION: '1' }]] as const) {
    const r = spawnSync(process.execPath, [...args, '--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8', env: { ...env, ...extra },
    });
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'net {"errno":"ENOENT","message":"connect ENOENT /nonexistent/ctr-ts.sock"}\n');
  }
  const plain = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env });
  assert.equal(plain.stdout.split(' ')[0], 'libuv');
});
