// Helpers for the transfer benchmarks (pull, import, export): namespaces that start
// empty for every timed run, and a check that the daemon really has to move the bytes.
//
// containerd's default content sharing policy lets a namespace take a blob that any
// other namespace already holds without a single byte being written. So between runs
// the last run's namespace goes with a synchronous garbage collection, and before
// measuring we make sure no other namespace keeps the benchmark's blobs.

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContentDefinition } from '../../src/api/github.com/containerd/containerd/api/services/content/v1/content.js';
import { connect } from '../../src/cli/connect.js';
import { ContentWriter } from '../../src/images/content.js';
import { ctr, OURS, purgeNamespace, uniqueName, type Daemon } from '../parity/harness.js';
import type { BenchImage } from './image.js';
import { measure, report, type Contender } from './lib.js';

/** Removes a namespace and everything in it, collecting its content and snapshots now. */
export function dropNamespace(d: Daemon, ns: string): void {
  const images = ctr(d, ns, 'images', 'ls', '-q').stdout.split('\n').filter(Boolean);
  // --sync: the images' blobs and snapshots are gone from the daemon's stores on return.
  if (images.length) ctr(d, ns, 'images', 'rm', '--sync', ...images);
  purgeNamespace(d, ns);
  // Whatever purgeNamespace removed without a collection (leftover ingests, content).
  ctr(d, 'default', 'leases', 'create', '--id', `${ns}-gc`);
  ctr(d, 'default', 'leases', 'rm', '--sync', `${ns}-gc`);
}

/**
 * A namespace that is new for every run: `next()` drops the previous one (untimed, in a
 * contender's `before`) and creates another. Contenders of one group share it, so the
 * blobs of one contender's run are gone before the other's starts.
 */
export class FreshNamespaces {
  current: string | undefined;

  constructor(private readonly d: Daemon, private readonly prefix: string) {}

  next(): string {
    this.drop();
    this.current = uniqueName(this.prefix);
    ctr(this.d, 'default', 'namespaces', 'create', this.current);
    return this.current;
  }

  drop(): void {
    if (this.current) dropNamespace(this.d, this.current);
    this.current = undefined;
  }
}

/**
 * The blobs among `blobs` that the daemon's store already has (in some namespace), found
 * the way a pull would: a write session in an empty namespace that starts complete.
 */
export async function sharedBlobs(d: Daemon, blobs: Array<{ digest: string; size: number }>): Promise<string[]> {
  const ns = uniqueName('bench-probe');
  const conn = await connect({ address: d.address, namespace: ns, timeoutNs: 0, connectTimeoutNs: 0, debug: false });
  const found: string[] = [];
  try {
    for (const b of blobs) {
      const ref = `probe-${b.digest}`;
      const w = await ContentWriter.open(conn, ref, b);
      const { offset } = await w.status();
      w.close();
      await conn.service(ContentDefinition).abort({ ref }).catch(() => {});
      if (offset === b.size) found.push(b.digest);
    }
  } finally {
    conn.close();
    dropNamespace(d, ns);
  }
  return found;
}

// ---------------------------------------------------------------------------------------
// The groups. Every run moves the whole ~200 MiB image, so they default to fewer runs
// than the start-up groups (BENCH_RUNS overrides).

const RSS_LIMIT_MIB = 150;

export interface TransferBench {
  d: Daemon;
  runs: number;
  image: BenchImage;
}

/** Fails early when another namespace holds the image's layers (the runs would copy nothing). */
async function assertNotShared(b: TransferBench): Promise<void> {
  const shared = await sharedBlobs(b.d, b.image.layers);
  if (shared.length) {
    throw new Error(`bench: the daemon already holds ${shared.join(', ')} in some namespace; remove it there, or every run would skip the download`);
  }
}

const globals = (d: Daemon, ns: string) => ['-a', d.address, '-n', ns];

/**
 * NODE_EXTRA_CA_CERTS makes node read and parse a CA bundle before any code runs
 * (~0.1–0.3 s here): a cost of the machine's environment, not of the command, and one
 * the real ctr never pays. The registry here is plain HTTP, so it goes.
 */
export const CLEAN_ENV = { NODE_EXTRA_CA_CERTS: '' };

/** `images pull` (fetch and unpack) into a fresh namespace, ours against ctr. */
export async function pullGroup(b: TransferBench): Promise<boolean> {
  const { d, image } = b;
  const fresh = new FreshNamespaces(d, 'bench-pull');
  const contender = (name: string, bin: string): Contender => {
    const argv = [bin, ...globals(d, ''), 'images', 'pull', '--plain-http', image.ref];
    return { name, argv, env: CLEAN_ENV, before: () => void (argv[4] = fresh.next()) };
  };
  try {
    await assertNotShared(b);
    const ms = measure([contender('ours: pull', OURS), contender('ctr: pull', d.reference)], b.runs, 1);
    return report('images pull (~200 MiB, 5 layers, with unpack)', ms, [['ours: pull', 'ctr: pull', 1.0]], [['ours: pull', RSS_LIMIT_MIB]]);
  } finally {
    fresh.drop();
  }
}

/** Pulls the image with ctr into a namespace of its own (setup, untimed). */
function pulledNamespace(b: TransferBench, prefix: string): string {
  const ns = uniqueName(prefix);
  ctr(b.d, 'default', 'namespaces', 'create', ns);
  const r = ctr(b.d, ns, 'images', 'pull', '--plain-http', b.image.ref);
  if (r.code !== 0) throw new Error(`bench: ctr could not pull ${b.image.ref}: ${r.stderr}`);
  return ns;
}

/** `images import` of ctr's export of the image into a fresh namespace (with unpack). */
export async function importGroup(b: TransferBench): Promise<boolean> {
  const { d, image } = b;
  const dir = mkdtempSync(join(tmpdir(), 'ctr-ts-bench-'));
  const archive = join(dir, 'image.tar');
  const setup = pulledNamespace(b, 'bench-import-src');
  try {
    const r = ctr(d, setup, 'images', 'export', archive, image.ref);
    if (r.code !== 0) throw new Error(`bench: ctr could not export ${image.ref}: ${r.stderr}`);
  } finally {
    dropNamespace(d, setup);
  }
  const fresh = new FreshNamespaces(d, 'bench-import');
  const contender = (name: string, bin: string): Contender => {
    const argv = [bin, ...globals(d, ''), 'images', 'import', archive];
    return { name, argv, env: CLEAN_ENV, before: () => void (argv[4] = fresh.next()) };
  };
  try {
    await assertNotShared(b);
    const ms = measure([contender('ours: import', OURS), contender('ctr: import', d.reference)], b.runs, 1);
    return report(`images import (${(statSync(archive).size / 2 ** 20).toFixed(0)} MiB archive, with unpack)`, ms, [['ours: import', 'ctr: import', 1.0]], [['ours: import', RSS_LIMIT_MIB]]);
  } finally {
    fresh.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `images export` of the pulled image to a file. */
export async function exportGroup(b: TransferBench): Promise<boolean> {
  const { d, image } = b;
  const dir = mkdtempSync(join(tmpdir(), 'ctr-ts-bench-'));
  const ns = pulledNamespace(b, 'bench-export');
  const contender = (name: string, bin: string, file: string): Contender => ({
    name,
    argv: [bin, ...globals(d, ns), 'images', 'export', join(dir, file), image.ref],
    env: CLEAN_ENV,
    before: () => rmSync(join(dir, file), { force: true }),
  });
  try {
    const ms = measure([contender('ours: export', OURS, 'ours.tar'), contender('ctr: export', d.reference, 'ctr.tar')], b.runs, 1);
    return report('images export (~200 MiB image to a file)', ms, [['ours: export', 'ctr: export', 0.8]], [['ours: export', RSS_LIMIT_MIB]]);
  } finally {
    dropNamespace(d, ns);
    rmSync(dir, { recursive: true, force: true });
  }
}
