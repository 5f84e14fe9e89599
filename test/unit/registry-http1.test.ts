// The lean HTTP/1.1 client for plain-HTTP registry requests, against scripted servers
// on 127.0.0.1 that write raw responses (so framing edge cases are exactly as written):
// Content-Length, chunked (split anywhere), read-until-close, HEAD and 204, keep-alive
// reuse and the retry when a kept connection has gone, early close, refusal, abort,
// back-pressure, and the HttpClient wrapper's Response, errors and dump.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Http1Pool, releaseBody } from '../../src/registry/http1.js';
import { HttpClient, HttpError } from '../../src/registry/http.js';
import { Logger } from '../../src/registry/log.js';

interface Scripted { server: Server; port: number; connections: number; requests: string[]; sockets: Set<Socket> }

/** A server whose `respond` writes whatever raw bytes it likes for each request head. */
async function scripted(respond: (sock: Socket, head: string, n: number) => void): Promise<Scripted> {
  const s: Scripted = { server: createServer(), port: 0, connections: 0, requests: [], sockets: new Set() };
  s.server.on('connection', (sock) => {
    s.connections++;
    s.sockets.add(sock);
    sock.on('close', () => s.sockets.delete(sock));
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      let end;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        s.requests.push(head);
        respond(sock, head, s.requests.length);
      }
    });
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => s.server.listen(0, '127.0.0.1', r));
  s.port = (s.server.address() as { port: number }).port;
  return s;
}

/** Stops listening and drops the connections still open. */
const stop = (s: Scripted) => new Promise<void>((r) => {
  s.server.close(() => r());
  for (const sock of s.sockets) sock.destroy();
});
const url = (s: Scripted, path = '/x') => new URL(`http://127.0.0.1:${s.port}${path}`);

async function readAll(body: AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of body) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

test('Content-Length body larger than one read, status and headers as sent', async () => {
  const data = randomBytes(3 << 20);
  const s = await scripted((sock) => {
    sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${data.length}\r\nX-Twice: a\r\nx-twice: b\r\n\r\n`);
    sock.write(data);
  });
  const pool = new Http1Pool();
  try {
    const r = await pool.request({ method: 'GET', url: url(s, '/blob?x=1'), headers: { Accept: 'a/b', 'X-Multi': ['1', '2'] } });
    assert.equal(r.status, 200);
    assert.equal(r.reason, 'OK');
    assert.equal(r.httpVersion, '1.1');
    assert.deepEqual(r.rawHeaders, ['Content-Length', String(data.length), 'X-Twice', 'a', 'x-twice', 'b']);
    assert.ok((await readAll(r.body)).equals(data));
    assert.equal(s.requests[0], `GET /blob?x=1 HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nAccept: a/b\r\nX-Multi: 1\r\nX-Multi: 2`);
  } finally {
    pool.close();
    await stop(s);
  }
});

test('chunked body split at every awkward place, with extensions and trailers', async () => {
  const pieces = ['hello', ' ', 'chunked', ' world'];
  const wire = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${pieces.map((p, i) => `${p.length.toString(16)}${i === 1 ? ';ext=1' : ''}\r\n${p}\r\n`).join('')}0\r\nX-Trailer: t\r\n\r\n`;
  const s = await scripted((sock) => {
    // One byte per write, spaced out so that reads see them separately.
    let i = 0;
    const next = () => {
      if (i >= wire.length) return;
      sock.write(wire[i++]!);
      setImmediate(next);
    };
    next();
  });
  const pool = new Http1Pool();
  try {
    const r = await pool.request({ method: 'GET', url: url(s), headers: {} });
    assert.equal((await readAll(r.body)).toString(), pieces.join(''));
    // The connection is reusable after the trailers.
    const again = await pool.request({ method: 'GET', url: url(s), headers: {} });
    assert.equal((await readAll(again.body)).toString(), pieces.join(''));
    assert.equal(s.connections, 1);
  } finally {
    pool.close();
    await stop(s);
  }
});

test('a body without length ends with the connection, which is not reused', async () => {
  const s = await scripted((sock) => sock.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close'));
  const pool = new Http1Pool();
  try {
    assert.equal((await readAll((await pool.request({ method: 'GET', url: url(s), headers: {} })).body)).toString(), 'until close');
    assert.equal((await readAll((await pool.request({ method: 'GET', url: url(s), headers: {} })).body)).toString(), 'until close');
    assert.equal(s.connections, 2);
  } finally {
    pool.close();
    await stop(s);
  }
});

test('HEAD, 204 and 304 carry no body whatever the headers say; keep-alive reuses one connection', async () => {
  const s = await scripted((sock, head) => {
    if (head.startsWith('HEAD')) sock.write('HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n');
    else if (head.includes('/nc')) sock.write('HTTP/1.1 204 No Content\r\n\r\n');
    else sock.write('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n');
  });
  const pool = new Http1Pool();
  try {
    const h = await pool.request({ method: 'HEAD', url: url(s), headers: {} });
    assert.equal((await readAll(h.body)).length, 0);
    const n = await pool.request({ method: 'GET', url: url(s, '/nc'), headers: {} });
    assert.equal(n.status, 204);
    assert.equal((await readAll(n.body)).length, 0);
    const m = await pool.request({ method: 'GET', url: url(s, '/nm'), headers: {} });
    assert.equal(m.reason, 'Not Modified');
    assert.equal((await readAll(m.body)).length, 0);
    assert.equal(s.connections, 1);
  } finally {
    pool.close();
    await stop(s);
  }
});

test('a kept connection that dies before answering is replaced without an error', async () => {
  const s = await scripted((sock, _head, n) => {
    // The second request arrives on the kept connection just as the server gives up on
    // it (an idle timeout racing the request): it goes unanswered.
    if (n === 2) sock.destroy();
    else sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  });
  const pool = new Http1Pool();
  try {
    assert.equal((await readAll((await pool.request({ method: 'GET', url: url(s), headers: {} })).body)).toString(), 'ok');
    assert.equal((await readAll((await pool.request({ method: 'GET', url: url(s), headers: {} })).body)).toString(), 'ok');
    assert.equal(s.requests.length, 3);
    assert.equal(s.connections, 2);
  } finally {
    pool.close();
    await stop(s);
  }
});

test('a connection lost mid-body fails the body; a refused one fails the request', async () => {
  const s = await scripted((sock) => {
    sock.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part');
    setTimeout(() => sock.destroy(), 20);
  });
  const pool = new Http1Pool();
  try {
    const r = await pool.request({ method: 'GET', url: url(s), headers: {} });
    await assert.rejects(readAll(r.body), /unexpected EOF/);
  } finally {
    await stop(s);
  }
  await assert.rejects(pool.request({ method: 'GET', url: url(s), headers: {} }), (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED');
  pool.close();
});

test('an abort before or during the response rejects with ABORT_ERR', async () => {
  const s = await scripted(() => {}); // never answers
  const pool = new Http1Pool();
  try {
    const ac = new AbortController();
    const pending = pool.request({ method: 'GET', url: url(s), headers: {}, signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(pending, (e: NodeJS.ErrnoException) => e.code === 'ABORT_ERR');
  } finally {
    pool.close();
    await stop(s);
  }
});

test('a slow reader pauses the socket and still gets every byte in order', async () => {
  const data = randomBytes(6 << 20);
  const s = await scripted((sock) => {
    sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${data.length}\r\n\r\n`);
    sock.write(data);
  });
  const pool = new Http1Pool();
  try {
    const r = await pool.request({ method: 'GET', url: url(s), headers: {} });
    const parts: Buffer[] = [];
    for await (const c of r.body) {
      parts.push(c as Buffer);
      await new Promise((res) => setTimeout(res, 2));
    }
    assert.ok(Buffer.concat(parts).equals(data));
  } finally {
    pool.close();
    await stop(s);
  }
});

test('HttpClient: plain GETs take this path with Go texts for errors and the --http-dump lines', async () => {
  const s = await scripted((sock) => sock.write('HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\nDocker-Distribution-Api-Version: registry/2.0\r\n\r\nnah'));
  const lines: string[] = [];
  const dump = new Logger({ write: (t: string) => void lines.push(t) } as never, 'info');
  const client = new HttpClient({ tls: {}, dump });
  try {
    const resp = await client.do({ method: 'GET', url: url(s, '/v2/').href, headers: { Accept: ['*/*'] } });
    assert.equal(resp.status, 404);
    assert.equal(resp.statusText, '404 Not Found');
    assert.equal(resp.header('docker-distribution-api-version'), 'registry/2.0');
    assert.equal((await readAll(resp.body)).toString(), 'nah');
    const text = lines.join('');
    assert.match(text, /GET \/v2\/ HTTP\/1\.1/);
    assert.match(text, /HTTP\/1\.1 404 Not Found/);
  } finally {
    await stop(s);
  }
  await assert.rejects(
    client.do({ method: 'GET', url: url(s, '/v2/').href, headers: {} }),
    (e: unknown) => e instanceof HttpError && e.message === `Get "http://127.0.0.1:${s.port}/v2/": dial tcp 127.0.0.1:${s.port}: connect: connection refused`,
  );
  client.close();
});

test('HttpClient: a malformed response reads as Go reports it', async () => {
  const s = await scripted((sock) => sock.end('SSH-2.0-OpenSSH\r\n\r\n'));
  const client = new HttpClient({ tls: {} });
  try {
    await assert.rejects(client.do({ method: 'GET', url: url(s).href, headers: {} }), /malformed HTTP response/);
  } finally {
    client.close();
    await stop(s);
  }
});

test('body pieces handed back are read into again; a piece kept is never written over', async () => {
  const bodies = [randomBytes(3 << 20), randomBytes(3 << 20), randomBytes(3 << 20)];
  const s = await scripted((sock, _head, n) => {
    const data = bodies[n - 1]!;
    sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${data.length}\r\n\r\n`);
    sock.write(data);
  });
  const pool = new Http1Pool();
  try {
    const seen = new Set<ArrayBufferLike>();
    let kept: { piece: Buffer; copy: Buffer } | undefined;
    for (const [i, data] of bodies.entries()) {
      const r = await pool.request({ method: 'GET', url: url(s), headers: {} });
      let at = 0;
      let reused = false;
      for await (const c of r.body) {
        const piece = c as Buffer;
        assert.ok(piece.equals(data.subarray(at, at + piece.length)), `bytes of body ${i} at ${at}`);
        at += piece.length;
        if (i > 0 && seen.has(piece.buffer)) reused = true;
        seen.add(piece.buffer);
        if (i === 0 && !kept && at > 1 << 20) kept = { piece, copy: Buffer.from(piece) };
        else releaseBody(piece);
      }
      assert.equal(at, data.length);
      if (i > 0) assert.ok(reused, `body ${i} was read into slabs handed back before`);
    }
    assert.ok(kept && kept.piece.equals(kept.copy), 'the piece never handed back is intact');
  } finally {
    pool.close();
    await stop(s);
  }
});
