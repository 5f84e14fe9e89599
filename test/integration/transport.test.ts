// Both transports (lean HTTP/2 and grpc-js) against the live containerd daemon:
// unary, errors, a 20 MiB upload and download (flow control both ways), size limits,
// deadlines, cancellation, dial failures and process exit. Texts are compared with
// what the real ctr prints where ctr shows them.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dialH2 } from '../../src/client/h2/index.js';
import { dialGrpcJs } from '../../src/client/grpcjs.js';
import { serviceClient } from '../../src/client/client.js';
import { Code, DialError, GrpcError, type DialOptions, type Transport } from '../../src/client/transport.js';
import { VersionDefinition } from '../../src/api/github.com/containerd/containerd/api/services/version/v1/version.js';
import { NamespacesDefinition } from '../../src/api/github.com/containerd/containerd/api/services/namespaces/v1/namespace.js';
import {
  ContentDefinition, WriteAction, WriteContentRequest,
} from '../../src/api/github.com/containerd/containerd/api/services/content/v1/content.js';
import { EventsDefinition } from '../../src/api/github.com/containerd/containerd/api/services/events/v1/events.js';
import { LeasesDefinition } from '../../src/api/github.com/containerd/containerd/api/services/leases/v1/leases.js';

const ADDRESS = process.env.CONTAINERD_ADDRESS ?? '/tmp/cd16/containerd.sock';
const SOCKET = ADDRESS.replace(/^unix:\/\//, '');
const haveDaemon = existsSync(SOCKET) && statSync(SOCKET).isSocket();
const skip = haveDaemon ? false : `no containerd socket at ${SOCKET} (set CONTAINERD_ADDRESS to run these tests)`;
const CTR = '/usr/bin/ctr';
const haveCtr = existsSync(CTR);
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** What the real ctr writes to stderr (first line), or undefined without ctr. */
function realCtr(args: string[]): string | undefined {
  if (!haveCtr) return undefined;
  const r = spawnSync(CTR, ['-a', SOCKET, ...args], { encoding: 'utf8' });
  return r.stderr.trim();
}

const uniq = (what: string) => `h2-transport-${what}-${randomBytes(4).toString('hex')}`;
const BLOB_SIZE = 20 << 20;

const transports: Array<[string, (o: DialOptions) => Promise<Transport>]> = [
  ['h2', dialH2],
  ['grpc-js', dialGrpcJs],
];

const rejectsWith = (code: number, details: string | RegExp) => (e: unknown) => {
  assert.ok(e instanceof GrpcError, `expected GrpcError, got ${e}`);
  assert.equal(e.code, code, `code of ${e.message}`);
  if (typeof details === 'string') assert.equal(e.details, details);
  else assert.match(e.details, details);
  return true;
};

for (const [name, dial] of transports) {
  describe(`${name} transport against containerd`, { skip }, () => {
    let t: Transport;
    const ns = uniq(name);
    before(async () => {
      t = await dial({ address: ADDRESS, connectTimeoutMs: 5000 });
    });
    after(() => t?.close());

    test('Version', async () => {
      const v = await serviceClient(t, VersionDefinition, { namespace: '' }).version({});
      assert.match(v.version, /^\d+\.\d+/);
      assert.ok(v.revision.length > 0);
      if (haveCtr) {
        const out = execFileSync(CTR, ['-a', SOCKET, 'version'], { encoding: 'utf8' });
        assert.ok(out.includes(`Version:  ${v.version}\n`) && out.includes(`Revision: ${v.revision}\n`), out);
      }
    });

    test('namespaces Create, List, Delete; AlreadyExists with containerd text', async () => {
      // Like ctr, send a namespace: the daemon needs one to publish the events.
      const namespaces = serviceClient(t, NamespacesDefinition, { namespace: 'default' });
      await namespaces.create({ namespace: { name: ns, labels: { 'test.owner': 'h2' } } });
      try {
        const list = await namespaces.list({});
        const mine = list.namespaces.find((n) => n.name === ns);
        assert.deepEqual(mine?.labels, { 'test.owner': 'h2' });
        await assert.rejects(
          namespaces.create({ namespace: { name: ns } }),
          rejectsWith(Code.AlreadyExists, `namespace "${ns}": already exists`),
        );
        const ctrText = realCtr(['namespaces', 'create', ns]);
        if (ctrText !== undefined) assert.equal(ctrText, `ctr: namespace "${ns}": already exists`);
      } finally {
        await namespaces.delete({ name: ns });
      }
      assert.ok(!(await namespaces.list({})).namespaces.some((n) => n.name === ns));
    });

    test('content Info of a missing digest: NotFound with the text ctr shows', async () => {
      const digest = `sha256:${'0'.repeat(64)}`;
      const content = serviceClient(t, ContentDefinition, { namespace: 'default' });
      await assert.rejects(content.info({ digest }), rejectsWith(Code.NotFound, `content digest ${digest}: not found`));
      const ctrText = realCtr(['content', 'get', digest]);
      if (ctrText !== undefined) assert.equal(ctrText, `ctr: content digest ${digest}: not found`);
    });

    test('20 MiB blob: Write (bidi upload), Read (server-stream download), size limit, cleanup', async () => {
      const blobNs = uniq(`${name}-blob`);
      const namespaces = serviceClient(t, NamespacesDefinition, { namespace: 'default' });
      await namespaces.create({ namespace: { name: blobNs } });
      const leases = serviceClient(t, LeasesDefinition, { namespace: blobNs });
      const lease = (await leases.create({ id: uniq('lease') })).lease!;
      const content = serviceClient(t, ContentDefinition, { namespace: blobNs, metadata: { 'containerd-lease': lease.id } });
      const blob = randomBytes(BLOB_SIZE);
      const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
      try {
        // Upload in 4 MiB messages (each larger than any HTTP/2 window), then commit.
        const write = content.write();
        const responses: Array<{ action: number; offset: number; digest: string }> = [];
        const reading = (async () => { for await (const r of write.responses) responses.push(r); })();
        const ref = uniq('ref');
        const chunk = 4 << 20;
        for (let offset = 0; offset < BLOB_SIZE; offset += chunk) {
          await write.send(WriteContentRequest.fromPartial({
            action: WriteAction.WRITE, ref, total: BLOB_SIZE, expected: digest, offset, data: blob.subarray(offset, offset + chunk),
          }));
        }
        await write.send(WriteContentRequest.fromPartial({ action: WriteAction.COMMIT, ref, total: BLOB_SIZE, expected: digest, offset: BLOB_SIZE }));
        write.end();
        await reading;
        const last = responses.at(-1)!;
        assert.equal(last.action, WriteAction.COMMIT);
        assert.equal(last.digest, digest);

        // Download and compare.
        const hash = createHash('sha256');
        let received = 0;
        let messages = 0;
        for await (const r of content.read({ digest })) {
          assert.equal(r.offset, received);
          hash.update(r.data);
          received += r.data.length;
          messages++;
        }
        assert.equal(received, BLOB_SIZE);
        assert.equal(`sha256:${hash.digest('hex')}`, digest);
        assert.ok(messages > 1);

        // A receive limit below the message size fails the way grpc-go words it.
        const small = await dial({ address: ADDRESS, maxReceiveMessageBytes: 64 * 1024 });
        try {
          const smallContent = serviceClient(small, ContentDefinition, { namespace: blobNs });
          await assert.rejects(
            (async () => { for await (const _ of smallContent.read({ digest })) { /* drain */ } })(),
            rejectsWith(Code.ResourceExhausted, /^grpc: received message larger than max \(\d+ vs\. 65536\)$/),
          );
        } finally {
          small.close();
        }
      } finally {
        await content.delete({ digest }).catch(() => {});
        await leases.delete({ id: lease.id, sync: false });
        await namespaces.delete({ name: blobNs });
      }
    });

    test('deadline: a blocking stream ends with DeadlineExceeded', async () => {
      const events = serviceClient(t, EventsDefinition, { namespace: '' });
      const start = Date.now();
      await assert.rejects(
        (async () => { for await (const _ of events.subscribe({ filters: [] }, { deadline: Date.now() + 300 })) { /* none */ } })(),
        (e: unknown) => {
          // The daemon gets the deadline too (grpc-timeout) and may end the stream a
          // moment before the local timer: then its own status arrives. Go's client
          // races the same way.
          if (e instanceof GrpcError && e.code === Code.Unknown) return /context deadline exceeded$/.test(e.details);
          return rejectsWith(Code.DeadlineExceeded, 'context deadline exceeded')(e);
        },
      );
      const took = Date.now() - start;
      assert.ok(took >= 250 && took < 3000, `took ${took} ms`);
      // The connection is still fine afterwards.
      await serviceClient(t, VersionDefinition, { namespace: '' }).version({});
    });

    test('cancel: AbortSignal on a stream and cancel() on a bidi call', async () => {
      const events = serviceClient(t, EventsDefinition, { namespace: '' });
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      await assert.rejects(
        (async () => { for await (const _ of events.subscribe({ filters: [] }, { signal: ac.signal })) { /* none */ } })(),
        rejectsWith(Code.Canceled, 'context canceled'),
      );
      const write = serviceClient(t, ContentDefinition, { namespace: 'default' }).write();
      const responses = (async () => { for await (const _ of write.responses) { /* none */ } })();
      write.cancel();
      await assert.rejects(responses, rejectsWith(Code.Canceled, 'context canceled'));
      await serviceClient(t, VersionDefinition, { namespace: '' }).version({});
    });

    test('an idle transport that was never closed does not keep node alive', async () => {
      const script = `
        import { ${name === 'h2' ? 'dialH2 as dial' : 'dialGrpcJs as dial'} } from '${repoRoot}src/client/${name === 'h2' ? 'h2/index' : 'grpcjs'}.ts';
        const t = await dial({ address: ${JSON.stringify(ADDRESS)} });
        await t.unary({ path: '/containerd.services.version.v1.Version/Version', requestStream: false, responseStream: false,
          encode: () => new Uint8Array(0), decode: (b) => b }, {});
        console.log('called');`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => { child.kill(); resolve(null); }, 15000);
        child.on('exit', (c) => { clearTimeout(timer); resolve(c); });
      });
      assert.equal(code, 0, `child did not exit by itself: ${out}`);
      assert.match(out, /called/);
    });
  });
}

describe('dial failures read like the real ctr', () => {
  const dir = mkdtempSync(join(tmpdir(), 'h2dial-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const missing = join(dir, 'missing.sock');
  const notASocket = join(dir, 'plain-file');
  writeFileSync(notASocket, '');

  for (const [name, dial] of transports) {
    test(`${name}: missing socket waits for the timeout; a non-socket fails at once`, async () => {
      const start = Date.now();
      const e1 = await dial({ address: missing, connectTimeoutMs: 1200 }).then(() => null, (e: unknown) => e);
      const took = Date.now() - start;
      assert.ok(e1 instanceof DialError);
      assert.equal(e1.address, missing);
      assert.equal(e1.reason,
        `context deadline exceeded: connection error: desc = "transport: error while dialing: dial unix://${missing}: timeout"`);
      assert.ok(took >= 1150 && took < 2500, `took ${took} ms`);
      const e2 = await dial({ address: notASocket, connectTimeoutMs: 5000 }).then(() => null, (e: unknown) => e);
      assert.ok(e2 instanceof DialError);
      assert.equal(e2.reason,
        `connection error: desc = "transport: error while dialing: dial unix ${notASocket}: connect: connection refused"`);
      if (haveCtr) {
        for (const [address, timeout, ours] of [[missing, '1200ms', e1], [notASocket, '5s', e2]] as const) {
          const r = spawnSync(CTR, ['-a', address, '--connect-timeout', timeout, 'namespaces', 'ls'], { encoding: 'utf8' });
          assert.equal(r.stderr.trim(), `ctr: ${ours.message}`);
        }
      }
    });
  }
});
