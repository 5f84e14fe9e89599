// The user options of containerd's oci package (WithUser, WithUserID, WithUsername,
// WithAdditionalGIDs): the image's USER is resolved against /etc/passwd and /etc/group
// inside the container's rootfs, which is mounted read-only for the lookup.

import { lstatSync, readFileSync } from 'node:fs';
import { lstat, readFile, readlink } from '../util/fs.js';
import { cleanPath } from './defaults.js';
import { tryReadonlyMounts, withTempMount } from './mount.js';
import { errnoText } from '../util/errno.js';
import { setProcess, type SpecContext, type SpecOpt } from './opts.js';
import type { Spec } from './spec.js';

export interface PasswdUser { name: string; uid: number; gid: number }
export interface Group { name: string; gid: number; list: string[] }

const MAX_INT32 = 2 ** 31 - 1;

/** A failed file access, as Go's *PathError prints and os.IsNotExist sees it. */
class PathError extends Error {
  constructor(op: string, path: string, readonly code: string | undefined, message: string) {
    super(`${op} ${path}: ${errnoText(code) ?? message}`);
  }
  get notExist(): boolean {
    return this.code === 'ENOENT' || this.code === 'ENOTDIR';
  }
}

const noUsersFound = 'no users found';
const noGroupsFound = 'no groups found';

/** Go's strconv.Atoi, or undefined when it fails. */
function atoi(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const v = BigInt(s);
  if (v > 2n ** 63n - 1n || v < -(2n ** 63n)) return undefined;
  return Number(v);
}

/** runc's parseLine: fields split on ":", numbers with conversion errors read as 0. */
function parseParts(line: string): string[] {
  return line.split(':');
}

/** user.ParsePasswdFilter. */
export function parsePasswd(text: string, filter: (u: PasswdUser) => boolean): PasswdUser[] {
  const out: PasswdUser[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const p = parseParts(line);
    const u = { name: p[0] ?? '', uid: atoi(p[2] ?? '') ?? 0, gid: atoi(p[3] ?? '') ?? 0 };
    if (filter(u)) out.push(u);
  }
  return out;
}

/** user.ParseGroupFilter (comments and blank lines skipped). */
export function parseGroup(text: string, filter: (g: Group) => boolean): Group[] {
  const out: Group[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const p = parseParts(line);
    const list = p[3] === undefined || p[3] === '' ? [] : p[3].split(',');
    const g = { name: p[0] ?? '', gid: atoi(p[2] ?? '') ?? 0, list };
    if (filter(g)) out.push(g);
  }
  return out;
}

/** continuity's fs.RootPath: `path` inside `root`, symlinks resolved without leaving root. */
export async function rootPath(root: string, path: string): Promise<string> {
  let links = 0;
  const pending = cleanPath(`/${path}`).split('/').filter(Boolean);
  const done: string[] = [];
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      done.pop();
      continue;
    }
    const candidate = `${root}/${[...done, part].join('/')}`;
    let isLink = false;
    try {
      isLink = (await lstat(candidate)).isSymbolicLink();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new PathError('lstat', candidate, code, (e as Error).message);
    }
    if (!isLink) {
      done.push(part);
      continue;
    }
    if (++links > 255) throw new Error('too many links');
    const target = await readlink(candidate);
    const parts = target.split('/').filter((x) => x !== '' && x !== '.');
    if (target.startsWith('/')) done.length = 0;
    pending.unshift(...parts);
  }
  return `${root}/${done.join('/')}`.replace(/\/$/, '') || root;
}

// The lookups usually need /etc/passwd or /etc/group of a fresh overlay snapshot, whose
// upper directory is still empty. Mounting it costs two child processes (mount, umount);
// reading the file straight from the layer directories gives the same bytes whenever the
// answer is plain: the topmost layer holding the path's first component holds the whole
// path as directories and a regular file (nothing above it can hide or replace it). Any
// other case (symlinks, whiteouts, a file absent there, which an opaque directory would
// make ambiguous) falls back to the real mount, and so does any error, so that texts and
// results stay what the mounted lookup gives.

/** Stand-in roots: a name that is not a directory, for the layers (top first) it stands for. */
const layeredRoots = new Map<string, string[]>();
let layeredSeq = 0;

export class NeedsMount extends Error {}

/** The layer directories of `mounts` when reading them unmounted is sound, else undefined. */
export function unmountedLayers(mounts: readonly { type: string; source: string; options: string[] }[]): string[] | undefined {
  if (mounts.length !== 1) return undefined;
  const m = mounts[0]!;
  if (m.type === 'bind' && m.options.some((o) => o === 'bind' || o === 'rbind')) return [m.source];
  if (m.type !== 'overlay' || metacopyDefault()) return undefined;
  let upper: string | undefined;
  let lower: string[] | undefined;
  for (const o of m.options) {
    if (o.includes('\\')) return undefined; // escaped ':' or ',' in a path: leave it to mount
    if (o.startsWith('lowerdir=')) lower = o.slice(9).split(':');
    else if (o.startsWith('upperdir=')) upper = o.slice(9);
    else if (!/^(workdir=.*|index=(on|off)|ro|rw|volatile|userxattr)$/.test(o)) return undefined;
  }
  if (!lower || lower.some((d) => d === '')) return undefined;
  return upper ? [upper, ...lower] : lower;
}

/** overlayfs's metacopy default: with it on, a copied-up file may hold no data of its own. */
let metacopy: boolean | undefined;
function metacopyDefault(): boolean {
  if (metacopy === undefined) {
    try {
      metacopy = readFileSync('/sys/module/overlay/parameters/metacopy', 'utf8').trim() !== 'N';
    } catch {
      metacopy = false; // module parameter absent: no metacopy support
    }
  }
  return metacopy;
}

/**
 * The file's text from the layers. Synchronous on purpose: a few lstat calls and one
 * small read, where each promise call waits for a thread-pool turn (milliseconds each
 * while the daemon and a mkfifo child share the machine, right before the record is made).
 */
export function layeredRead(layers: readonly string[], name: string): string {
  const parts = cleanPath(`/${name}`).split('/').filter(Boolean);
  if (parts.length === 0) throw new NeedsMount();
  for (const layer of layers) {
    let st;
    try {
      st = lstatSync(`${layer}/${parts[0]}`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new NeedsMount();
    }
    // The topmost layer that has the first component decides, or the mount has to.
    for (let i = 1; i < parts.length; i++) {
      if (!st.isDirectory()) throw new NeedsMount();
      try {
        st = lstatSync(`${layer}/${parts.slice(0, i + 1).join('/')}`);
      } catch {
        throw new NeedsMount();
      }
    }
    if (!st.isFile()) throw new NeedsMount();
    try {
      return readFileSync(`${layer}/${parts.join('/')}`, 'utf8');
    } catch {
      throw new NeedsMount();
    }
  }
  throw new NeedsMount();
}

async function readRootFile(root: string, name: string): Promise<string> {
  const layers = layeredRoots.get(root);
  if (layers) return layeredRead(layers, name);
  const p = await rootPath(root, name);
  try {
    return await readFile(p, 'utf8');
  } catch (e) {
    throw new PathError('open', p, (e as NodeJS.ErrnoException).code, (e as Error).message);
  }
}

/** oci.UserFromPath. */
export async function userFromPath(root: string, filter: (u: PasswdUser) => boolean): Promise<PasswdUser> {
  const users = parsePasswd(await readRootFile(root, '/etc/passwd'), filter);
  if (users.length === 0) throw new Error(noUsersFound);
  return users[0]!;
}

/** oci.GIDFromPath. */
export async function gidFromPath(root: string, filter: (g: Group) => boolean): Promise<number> {
  const groups = parseGroup(await readRootFile(root, '/etc/group'), filter);
  if (groups.length === 0) throw new Error(noGroupsFound);
  return groups[0]!.gid;
}

const isNotExist = (e: unknown) => e instanceof PathError && e.notExist;
const isNoUsers = (e: unknown) => e instanceof Error && e.message === noUsersFound;

function ensureAdditionalGids(s: Spec): void {
  const u = setProcess(s).user;
  if ((u.additionalGids ?? []).includes(u.gid)) return;
  u.additionalGids = [u.gid, ...(u.additionalGids ?? [])];
}

/** Runs `fn` on the container's root: the rootfs path, or its snapshot mounted read-only. */
async function onRootfs(ctx: SpecContext, s: Spec, fn: (root: string) => Promise<void>, isAbs = true): Promise<void> {
  const c = ctx.container;
  if (c.snapshotter === '' && c.snapshotKey === '') {
    const path = s.root?.path ?? '';
    if (!isAbs || !path.startsWith('/')) throw new Error('rootfs absolute path is required');
    return fn(path);
  }
  if (c.snapshotter === '') throw new Error('no snapshotter set for container');
  if (c.snapshotKey === '') throw new Error('rootfs snapshot not created for container');
  if (!ctx.snapshotMounts) throw new Error('no snapshot service to read the rootfs from');
  const mounts = tryReadonlyMounts(await ctx.snapshotMounts(c.snapshotter, c.snapshotKey));
  const layers = unmountedLayers(mounts);
  if (layers) {
    const root = `\0layers-${++layeredSeq}`;
    layeredRoots.set(root, layers);
    try {
      return await fn(root);
    } catch {
      // NeedsMount, or an error whose text must come from the mounted lookup: mount.
    } finally {
      layeredRoots.delete(root);
    }
  }
  await withTempMount(mounts, fn);
}

function resetUser(s: Spec) {
  const u = setProcess(s).user;
  delete u.additionalGids;
  return u;
}

export const withUserID = (uid: number): SpecOpt => async (ctx, s) => {
  resetUser(s);
  try {
    await onRootfs(ctx, s, async (root) => {
      const u = setProcess(s).user;
      try {
        const found = await userFromPath(root, (x) => x.uid === uid);
        [u.uid, u.gid] = [found.uid >>> 0, found.gid >>> 0];
      } catch (e) {
        if (!isNotExist(e) && !isNoUsers(e)) throw e;
        [u.uid, u.gid] = [uid, 0];
      }
    });
  } finally {
    ensureAdditionalGids(s);
  }
};

export const withUsername = (username: string): SpecOpt => async (ctx, s) => {
  resetUser(s);
  try {
    if (!s.linux) {
      if (s.windows) setProcess(s).user.username = username;
      else throw new Error('spec does not contain Linux or Windows section');
      return;
    }
    await onRootfs(ctx, s, async (root) => {
      const found = await userFromPath(root, (x) => x.name === username);
      const u = setProcess(s).user;
      [u.uid, u.gid] = [found.uid >>> 0, found.gid >>> 0];
    });
  } finally {
    ensureAdditionalGids(s);
  }
};

/** oci.WithUser: "uid", "name", "uid:gid", "name:group" and mixes, resolved in the rootfs. */
export const withUser = (userstr: string): SpecOpt => async (ctx, s) => {
  resetUser(s);
  try {
    const parts = userstr.split(':');
    const asID = (p: string) => {
      const v = atoi(p);
      return v === undefined || v < 0 || v > MAX_INT32 ? undefined : v;
    };
    if (parts.length === 1) {
      const v = asID(parts[0]!);
      await (v === undefined ? withUsername(userstr) : withUserID(v))(ctx, s);
      return;
    }
    if (parts.length !== 2) throw new Error(`invalid USER value ${userstr}`);
    let uid = asID(parts[0]!);
    let gid = asID(parts[1]!);
    const username = uid === undefined ? parts[0]! : '';
    const groupname = gid === undefined ? parts[1]! : '';
    uid ??= 0;
    gid ??= 0;
    const u = setProcess(s).user;
    if (username === '' && groupname === '') {
      [u.uid, u.gid] = [uid, gid];
      return;
    }
    await onRootfs(ctx, s, async (root) => {
      if (username !== '') uid = (await userFromPath(root, (x) => x.name === username)).uid >>> 0;
      if (groupname !== '') gid = (await gidFromPath(root, (g) => g.name === groupname)) >>> 0;
      [u.uid, u.gid] = [uid!, gid!];
    });
  } finally {
    ensureAdditionalGids(s);
  }
};

/** oci.WithAdditionalGIDs: the groups that list the user as a member. */
export const withAdditionalGIDs = (userstr: string): SpecOpt => async (ctx, s) => {
  if (s.windows) return;
  resetUser(s);
  await onRootfs(ctx, s, async (root) => {
    try {
      let username = userstr;
      const uid = atoi(userstr);
      if (uid !== undefined) {
        try {
          username = (await userFromPath(root, (x) => x.uid === uid)).name;
        } catch (e) {
          if (isNotExist(e) || isNoUsers(e)) return;
          throw e;
        }
      }
      let groups: Group[];
      try {
        groups = parseGroup(await readRootFile(root, '/etc/group'), (g) => g.name !== username && g.list.includes(username));
      } catch (e) {
        if (isNotExist(e)) return;
        throw e;
      }
      setProcess(s).user.additionalGids = groups.map((g) => g.gid >>> 0);
    } finally {
      ensureAdditionalGids(s);
    }
  });
};
