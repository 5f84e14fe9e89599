// The typed library: the README's example runs against the daemon, and the Client works
// the same over both transports (ours and grpc-js), with AbortSignal and content streams.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, GrpcError, Code } from '../../src/index.js';
import { ctr, daemon, uniqueName } from '../parity/harness.js';

const d = daemon();
const EXAMPLE = fileURLToPath(new URL('../../examples/namespaces-and-blobs.mjs', import.meta.url));

describe('library', { skip: d ? false : 'no test bed' }, () => {
  test('the README example runs (importing the built package by name)', () => {
    const ns = uniqueName('example');
    ctr(d!, 'default', 'namespaces', 'create', ns);
    try {
      const r = spawnSync(process.execPath, [EXAMPLE, d!.address, ns], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^namespaces: .*\\b${ns}\\b`, 'm'));
      assert.match(r.stdout, /^stored: sha256:0b17ccb872b17d6bf8d23435516759c9a1fac355efae682e617e06eb07c67bee 18 bytes$/m);
      assert.match(r.stdout, /^read back: hello from ctr-ts$/m);
      assert.match(r.stdout, /^aborted call: rpc error: code = Canceled desc = context canceled$/m);
    } finally {
      ctr(d!, 'default', 'namespaces', 'rm', ns);
    }
  });

  for (const transport of ['h2', 'grpc-js'] as const) {
    test(`Client over ${transport}: services, namespaces, leases, a 5 MiB blob round trip, abort`, async () => {
      const ns = uniqueName(`lib-${transport}`);
      const client = await Client.connect({ address: d!.address, namespace: ns, transport });
      try {
        await client.namespaces.create({ namespace: { name: ns, labels: { via: transport } } });
        const got = await client.namespaces.get({ name: ns });
        assert.deepEqual(got.namespace?.labels, { via: transport });

        const { lease } = await client.leases.create({ id: 'lib-lease' });
        const leased = client.withLease(lease!.id);
        const data = randomBytes(5 << 20);
        const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
        const chunks = Array.from({ length: 20 }, (_, i) => data.subarray(i * (data.length / 20), (i + 1) * (data.length / 20)));
        await leased.writeBlob(chunks, { digest, size: data.length });
        const hash = createHash('sha256');
        let size = 0;
        for await (const c of leased.readBlob(digest)) { hash.update(c); size += c.length; }
        assert.equal(size, data.length);
        assert.equal(`sha256:${hash.digest('hex')}`, digest);
        // The blob is held by the lease: listing the lease's resources shows it.
        const res = await client.leases.listResources({ id: 'lib-lease' });
        assert.ok(res.resources.some((r) => r.id === digest && r.type === 'content'));

        const ac = new AbortController();
        ac.abort();
        await assert.rejects(client.version.version({}, { signal: ac.signal }), (e: unknown) => e instanceof GrpcError && e.code === Code.Canceled);

        await assert.rejects(client.leases.delete({ id: "no-such-lease" }), (e: unknown) => e instanceof GrpcError && e.code === Code.NotFound);

        await client.leases.delete({ id: 'lib-lease', sync: true });
        await client.content.delete({ digest }).catch(() => {});
      } finally {
        await client.namespaces.delete({ name: ns }).catch(() => {});
        client.close();
      }
    });
  }
});
