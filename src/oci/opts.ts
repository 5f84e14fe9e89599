// containerd's oci.SpecOpts that ctr uses, as functions over our Spec. Each mirrors its
// Go counterpart's effect exactly (which sections it creates, append vs replace), since
// the resulting JSON is compared byte for byte with ctr's.

import { readFile } from '../util/fs.js';
import { defaultUnixDeviceRules, defaultUnixSpec } from './defaults.js';
import { parseSpec, SPEC_VERSION, type Int64, type LinuxCapabilities, type LinuxIDMapping, type LinuxNamespace, type Mount, type Process, type Spec } from './spec.js';
import type { Mount as SnapshotMount } from '../api/github.com/containerd/containerd/api/types/mount.js';
import { errnoText } from '../util/errno.js';

/** What a spec option may look at besides the spec: ctr's context and container record. */
export interface SpecContext {
  namespace: string;
  /** The container record as built so far (WithUser needs its snapshot). */
  container: { id: string; snapshotter: string; snapshotKey: string };
  /** The mounts of a snapshot (Snapshots.Mounts), for options that read the rootfs. */
  snapshotMounts?: (snapshotter: string, key: string) => Promise<SnapshotMount[]>;
  /** The environment of this process (os.Environ), for the GPU hook. */
  environ?: string[];
}

export type SpecOpt = (ctx: SpecContext, s: Spec) => void | Promise<void>;

/** oci.ApplyOpts: the options in order; the first error stops. */
export async function applyOpts(ctx: SpecContext, s: Spec, opts: readonly SpecOpt[]): Promise<void> {
  for (const o of opts) await o(ctx, s);
}

export const setProcess = (s: Spec): Process => (s.process ??= { user: { uid: 0, gid: 0 }, cwd: '' });
const setLinux = (s: Spec) => (s.linux ??= {});
const setResources = (s: Spec) => (setLinux(s).resources ??= {});
const setCPU = (s: Spec) => (setResources(s).cpu ??= {});
const setCapabilities = (s: Spec): LinuxCapabilities => (setProcess(s).capabilities ??= {});

/** oci.WithDefaultSpec (for the container being created). */
export const withDefaultSpec = (): SpecOpt => (ctx, s) => {
  for (const k of Object.keys(s)) delete (s as unknown as Record<string, unknown>)[k];
  Object.assign(s, defaultUnixSpec(ctx.namespace, ctx.container.id));
};

/** oci.WithSpecFromFile: the spec replaced by the file's contents. */
export const withSpecFromFile = (path: string): SpecOpt => async (_ctx, s) => {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (e) {
    throw new Error(`cannot load spec config file: ${goOpenError(e, path)}`);
  }
  let parsed: Spec;
  try {
    parsed = parseSpec(data);
  } catch (e) {
    throw new Error(`decoding spec config file failed, current supported OCI runtime-spec : v${SPEC_VERSION}: ${(e as Error).message}`);
  }
  for (const k of Object.keys(s)) delete (s as unknown as Record<string, unknown>)[k];
  Object.assign(s, parsed);
};

/** Go's *PathError text for a failed open: "open <path>: <strerror>". */
export function goOpenError(e: unknown, path: string, op = 'open'): string {
  const code = (e as NodeJS.ErrnoException).code;
  return `${op} ${path}: ${errnoText(code) ?? (e as Error).message}`;
}

/** oci.replaceOrAppendEnvValues: overrides replace same-named entries, a bare name removes one. */
export function replaceOrAppendEnvValues(defaults: readonly string[], overrides: readonly string[]): string[] {
  const results: string[] = [...defaults];
  const index = new Map<string, number>();
  defaults.forEach((e, i) => index.set(e.split('=', 1)[0]!, i));
  for (const value of overrides) {
    if (!value.includes('=')) {
      const i = index.get(value);
      if (i !== undefined) results[i] = '';
      continue;
    }
    const i = index.get(value.split('=', 1)[0]!);
    if (i !== undefined) results[i] = value;
    else results.push(value);
  }
  return results.filter((e) => e !== '');
}

export const withEnv = (vars: readonly string[]): SpecOpt => (_ctx, s) => {
  if (vars.length === 0) return;
  const p = setProcess(s);
  p.env = replaceOrAppendEnvValues(p.env ?? [], vars);
};

/** oci.WithEnvFile: one variable per line (bufio.Scanner lines: \n, a trailing \r dropped). */
export const withEnvFile = (path: string): SpecOpt => async (ctx, s) => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(goOpenError(e, path));
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  await withEnv(lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)))(ctx, s);
};

export const withProcessArgs = (args: string[]): SpecOpt => (_ctx, s) => {
  const p = setProcess(s);
  p.args = [...args];
  delete p.commandLine;
};

export const withProcessCwd = (cwd: string): SpecOpt => (_ctx, s) => {
  setProcess(s).cwd = cwd;
};

export const withTTY: SpecOpt = (_ctx, s) => {
  const p = setProcess(s);
  p.terminal = true;
  if (s.linux) p.env = [...(p.env ?? []), 'TERM=xterm'];
};

export const withMounts = (mounts: Mount[]): SpecOpt => (_ctx, s) => {
  s.mounts = [...(s.mounts ?? []), ...mounts];
};

export const withHostNamespace = (type: string): SpecOpt => (_ctx, s) => {
  const l = setLinux(s);
  const i = (l.namespaces ?? []).findIndex((n) => n.type === type);
  if (i >= 0) l.namespaces!.splice(i, 1);
};

export const withLinuxNamespace = (ns: LinuxNamespace): SpecOpt => (_ctx, s) => {
  const l = setLinux(s);
  const list = (l.namespaces ??= []);
  const i = list.findIndex((n) => n.type === ns.type);
  if (i >= 0) list[i] = ns;
  else list.push(ns);
};

export const withNewPrivileges: SpecOpt = (_ctx, s) => {
  setProcess(s).noNewPrivileges = false;
};

export const withRootFSPath = (path: string): SpecOpt => (_ctx, s) => {
  (s.root ??= { path: '' }).path = path;
};

export const withRootFSReadonly: SpecOpt = (_ctx, s) => {
  (s.root ??= { path: '' }).readonly = true;
};

const hostBind = (path: string): Mount => ({ destination: path, type: 'bind', source: path, options: ['rbind', 'ro'] });
export const withHostHostsFile: SpecOpt = (_ctx, s) => withMounts([hostBind('/etc/hosts')])(_ctx, s);
export const withHostResolvconf: SpecOpt = (_ctx, s) => withMounts([hostBind('/etc/resolv.conf')])(_ctx, s);

export const withUserNamespace = (uidMap: LinuxIDMapping[], gidMap: LinuxIDMapping[]): SpecOpt => (_ctx, s) => {
  const l = setLinux(s);
  if (!(l.namespaces ?? []).some((n) => n.type === 'user')) l.namespaces = [...(l.namespaces ?? []), { type: 'user' }];
  l.uidMappings = [...(l.uidMappings ?? []), ...uidMap];
  l.gidMappings = [...(l.gidMappings ?? []), ...gidMap];
};

export const withCgroup = (path: string): SpecOpt => (_ctx, s) => {
  setLinux(s).cgroupsPath = path;
};

export const withCapabilities = (caps: string[] | undefined): SpecOpt => (_ctx, s) => {
  const c = setCapabilities(s);
  // One slice shared by the three sets in Go; copies behave the same once serialised.
  c.bounding = caps && [...caps];
  c.effective = caps && [...caps];
  c.permitted = caps && [...caps];
  if (!caps) {
    delete c.bounding;
    delete c.effective;
    delete c.permitted;
  }
};

type CapSet = 'bounding' | 'effective' | 'permitted';
const capSets: CapSet[] = ['bounding', 'effective', 'permitted'];

export const withAddedCapabilities = (caps: string[]): SpecOpt => (_ctx, s) => {
  const c = setCapabilities(s);
  for (const cap of caps) {
    for (const set of capSets) {
      if (!(c[set] ?? []).includes(cap)) c[set] = [...(c[set] ?? []), cap];
    }
  }
};

export const withDroppedCapabilities = (caps: string[]): SpecOpt => (_ctx, s) => {
  const c = setCapabilities(s);
  for (const cap of caps) {
    for (const set of capSets) {
      // removeCap builds a new slice: nil when nothing is left.
      const kept = (c[set] ?? []).filter((x) => x !== cap);
      if (kept.length > 0) c[set] = kept;
      else delete c[set];
    }
  }
};

export const withMaskedPaths = (paths: string[] | undefined): SpecOpt => (_ctx, s) => {
  const l = setLinux(s);
  if (paths) l.maskedPaths = paths;
  else delete l.maskedPaths;
};

export const withReadonlyPaths = (paths: string[] | undefined): SpecOpt => (_ctx, s) => {
  const l = setLinux(s);
  if (paths) l.readonlyPaths = paths;
  else delete l.readonlyPaths;
};

/** WithWriteableSysfs / WithWriteableCgroupfs: "ro" becomes "rw" on mounts of that type. */
const writeable = (type: string): SpecOpt => (_ctx, s) => {
  for (const m of s.mounts ?? []) {
    if (m.type === type && m.options) m.options = m.options.map((o) => (o === 'ro' ? 'rw' : o));
  }
};

export const withSelinuxLabel = (label: string): SpecOpt => (_ctx, s) => {
  const p = setProcess(s);
  if (label) p.selinuxLabel = label;
  else delete p.selinuxLabel;
};

export const withApparmorProfile = (profile: string): SpecOpt => (_ctx, s) => {
  const p = setProcess(s);
  if (profile) p.apparmorProfile = profile;
  else delete p.apparmorProfile;
};

export const withSeccompUnconfined: SpecOpt = (_ctx, s) => {
  delete setLinux(s).seccomp;
};

/** oci.WithPrivileged, given the capabilities in effect for this process (cap.Current). */
export const withPrivileged = (currentCaps: string[] | undefined): SpecOpt => async (ctx, s) => {
  for (const o of [
    withCapabilities(currentCaps),
    withMaskedPaths(undefined),
    withReadonlyPaths(undefined),
    writeable('sysfs'),
    writeable('cgroup'),
    withSelinuxLabel(''),
    withApparmorProfile(''),
    withSeccompUnconfined,
  ]) await o(ctx, s);
};

export const withAllDevicesAllowed: SpecOpt = (_ctx, s) => {
  setResources(s).devices = [{ allow: true, access: 'rwm' }];
};

export const withDefaultUnixDevices: SpecOpt = (_ctx, s) => {
  const r = setResources(s);
  r.devices = [...(r.devices ?? []), ...defaultUnixDeviceRules()];
};

export const withMemoryLimit = (limit: Int64): SpecOpt => (_ctx, s) => {
  if (!s.linux) return;
  // int64(limit): values past 2^63 wrap negative, as in Go.
  const big = BigInt(limit);
  const wrapped = big >= 1n << 63n ? big - (1n << 64n) : big;
  const asNumber = Number(wrapped);
  const r = (s.linux.resources ??= {});
  (r.memory ??= {}).limit = Number.isSafeInteger(asNumber) ? asNumber : wrapped;
};

export const withAnnotations = (annotations: Record<string, string>): SpecOpt => (_ctx, s) => {
  s.annotations = { ...(s.annotations ?? {}), ...annotations };
};

export const withCPUShares = (shares: Int64): SpecOpt => (_ctx, s) => {
  setCPU(s).shares = shares;
};

export const withCPUCFS = (quota: Int64, period: Int64): SpecOpt => (_ctx, s) => {
  const cpu = setCPU(s);
  cpu.quota = quota;
  cpu.period = period;
};

export const withRdt = (closID: string, l3CacheSchema: string, memBwSchema: string): SpecOpt => (_ctx, s) => {
  // Go dereferences s.Linux here; a spec without one would panic, ours keeps going.
  setLinux(s).intelRdt = { closID, l3CacheSchema, memBwSchema };
};

export const withRootfsPropagation = (propagation: string): SpecOpt => (_ctx, s) => {
  setLinux(s).rootfsPropagation = propagation;
};
