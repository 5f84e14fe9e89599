// The tar reader and writer against Go's archive/tar (the library ctr uses): the
// fixture holds archives Go wrote for given headers, and what Go read (or the error it
// stopped with) from a set of good and broken archives. GNU tar cross-checks the rest.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { headerBlocks, paxRecord, TarReader, TarWriter, type ByteSink } from '../../src/archive/tar.js';

interface Entry {
  name: string; typeflag: string; mode: number; size: number; uid: number; gid: number; mtime: number;
  linkname: string; uname: string; gname: string; data: string;
}
interface Fixture {
  write: Array<{ name: string; entries: Entry[]; archive: string }>;
  read: Array<{ name: string; archive: string; entries: Entry[] | null; error: string }>;
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/archive-tar.json', import.meta.url), 'utf8')) as Fixture;

class Collect implements ByteSink {
  parts: Buffer[] = [];
  async write(chunk: Uint8Array): Promise<void> {
    this.parts.push(Buffer.from(chunk));
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

async function writeArchive(entries: Entry[]): Promise<Buffer> {
  const out = new Collect();
  const tw = new TarWriter(out);
  for (const e of entries) {
    const data = Buffer.from(e.data, 'utf8');
    await tw.writeHeader({
      name: e.name, typeflag: e.typeflag, mode: e.mode, size: data.length, uid: e.uid, gid: e.gid, mtime: e.mtime,
      linkname: e.linkname, uname: e.uname, gname: e.gname,
    });
    if (data.length) await tw.write(data);
  }
  await tw.close();
  return out.bytes();
}

/** Feeds bytes in awkward chunk sizes, to exercise the reader's buffering. */
async function* chunks(b: Buffer, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

async function readArchive(b: Buffer, chunk: number): Promise<{ entries: Entry[]; error: string }> {
  const tr = new TarReader(chunks(b, chunk));
  const entries: Entry[] = [];
  try {
    for (let e = await tr.next(); e; e = await tr.next()) {
      const h = e.header;
      const parts: Buffer[] = [];
      const entry: Entry = { ...h, data: '' };
      entries.push(entry);
      // Like Go's io.ReadAll, keep what arrived before an error.
      for await (const c of e.body()) {
        parts.push(Buffer.from(c));
        entry.data = Buffer.concat(parts).toString('utf8');
      }
    }
    return { entries, error: '' };
  } catch (err) {
    return { entries, error: (err as Error).message };
  }
}

for (const c of fixture.write) {
  test(`writer: ${c.name} is byte for byte what Go writes`, async () => {
    const ours = await writeArchive(c.entries);
    assert.equal(ours.toString('hex'), Buffer.from(c.archive, 'base64').toString('hex'));
  });
}

for (const c of fixture.read) {
  for (const chunk of [1 << 20, 7, 512]) {
    test(`reader: ${c.name} (chunks of ${chunk})`, async () => {
      const got = await readArchive(Buffer.from(c.archive, 'base64'), chunk);
      const want = (c.entries ?? []).map((e) => (e.typeflag === 'g' ? { ...e, mtime: 0 } : e));
      assert.deepEqual(got.entries, want);
      assert.equal(got.error, c.error);
    });
  }
}

test('reader: a body left unread is skipped', async () => {
  const c = fixture.read.find((r) => r.name === 'ctr export records')!;
  const tr = new TarReader(chunks(Buffer.from(c.archive, 'base64'), 100));
  const names: string[] = [];
  for (let e = await tr.next(); e; e = await tr.next()) names.push(e.header.name);
  assert.deepEqual(names, c.entries!.map((e) => e.name));
});

test('writer: a body shorter than its header is refused', async () => {
  const tw = new TarWriter(new Collect());
  await tw.writeHeader({ name: 'f', typeflag: '0', size: 10 });
  await tw.write(Buffer.from('abc'));
  await assert.rejects(tw.close(), /unexpected copy size for f/);
  const tw2 = new TarWriter(new Collect());
  await tw2.writeHeader({ name: 'g', typeflag: '0', size: 2 });
  await assert.rejects(tw2.write(Buffer.from('abc')), /write too long/);
});

test('writer: sizes beyond 8 GiB go in a PAX record', () => {
  const size = 9 * 1024 ** 3;
  const [x, data, , main] = headerBlocks({ name: 'huge', typeflag: '0', mode: 0o444, size });
  assert.equal(x!.toString('latin1', 0, 17), 'PaxHeaders.0/huge');
  assert.equal(x![156], 'x'.charCodeAt(0));
  assert.equal(data!.toString(), paxRecord('size', String(size)));
  assert.equal(main!.toString('latin1', 124, 136), '00000000000\0');
});

test('paxRecord counts its own length', () => {
  assert.equal(paxRecord('path', 'a'), '9 path=a\n');
  // 98 bytes of body push the length prefix to three digits
  const r = paxRecord('path', 'x'.repeat(91));
  assert.equal(Buffer.byteLength(r), Number(r.split(' ')[0]));
});

test('GNU tar reads what we write and we read what it writes', async (t) => {
  let version = '';
  try {
    version = execFileSync('tar', ['--version'], { encoding: 'utf8' });
  } catch {
    // no tar
  }
  if (!version.includes('GNU tar')) {
    t.skip('GNU tar not installed');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'archive-tar-'));
  try {
    const long = `${'p'.repeat(90)}/${'q'.repeat(90)}/${'r'.repeat(90)}.txt`;
    const entries: Entry[] = [
      { name: 'a.txt', typeflag: '0', mode: 0o644, size: 0, uid: 0, gid: 0, mtime: 0, linkname: '', uname: '', gname: '', data: 'alpha\n' },
      { name: long, typeflag: '0', mode: 0o600, size: 0, uid: 0, gid: 0, mtime: 0, linkname: '', uname: '', gname: '', data: 'long\n' },
    ];
    writeFileSync(join(dir, 'ours.tar'), await writeArchive(entries));
    const listing = execFileSync('tar', ['-tf', join(dir, 'ours.tar')], { encoding: 'utf8' });
    assert.deepEqual(listing.trim().split('\n'), ['a.txt', long]);
    assert.equal(execFileSync('tar', ['-xOf', join(dir, 'ours.tar'), long], { encoding: 'utf8' }), 'long\n');

    for (const format of ['gnu', 'pax', 'ustar']) {
      const src = join(dir, `src-${format}`);
      execFileSync('mkdir', ['-p', join(src, 'sub')]);
      writeFileSync(join(src, 'sub', 'file'), 'content\n');
      const name = format === 'ustar' ? 'sub/file' : `sub/${'n'.repeat(150)}`;
      if (name !== 'sub/file') writeFileSync(join(src, name), 'named\n');
      const archive = join(dir, `${format}.tar`);
      execFileSync('tar', [`--format=${format}`, '-cf', archive, '-C', src, '--sort=name', 'sub']);
      const got = await readArchive(readFileSync(archive), 4096);
      assert.equal(got.error, '');
      const files = got.entries.filter((e) => e.typeflag === '0');
      assert.ok(files.some((e) => e.name === name && e.data === (name === 'sub/file' ? 'content\n' : 'named\n')), `${format}: ${files.map((e) => e.name)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
