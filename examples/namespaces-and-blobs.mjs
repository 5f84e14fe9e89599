// Lists namespaces, then stores a blob and reads it back, with ctr-ts's typed client.
// Run: node examples/namespaces-and-blobs.mjs [socket] [namespace]
import { createHash } from 'node:crypto';
import { Client } from 'ctr-ts';

const client = await Client.connect({ address: process.argv[2], namespace: process.argv[3] ?? 'default' });
try {
  const { namespaces } = await client.namespaces.list({});
  console.log('namespaces:', namespaces.map((n) => n.name).join(' '));

  const data = Buffer.from('hello from ctr-ts\n');
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  await client.writeBlob([data], { digest, size: data.length }, { labels: { 'containerd.io/gc.root': new Date().toISOString() } });
  const info = await client.content.info({ digest });
  console.log('stored:', info.info?.digest, info.info?.size, 'bytes');

  const chunks = [];
  for await (const chunk of client.readBlob(digest)) chunks.push(chunk);
  process.stdout.write(`read back: ${Buffer.concat(chunks)}`);

  // Every call takes an AbortSignal.
  const aborted = AbortSignal.abort();
  await client.version.version({}, { signal: aborted }).catch((e) => console.log('aborted call:', e.message));

  await client.content.delete({ digest });
} finally {
  client.close();
}
