// Container creation, shared by `ctr containers create` and `ctr run`: ctr's
// run.NewContainer. `newContainer(conn, opts)` builds the OCI spec (containerd's
// defaults, the image config, every container flag), prepares the rootfs snapshot from
// the image and creates the container record, all under a lease so that a failure
// leaves neither a snapshot without a container nor the reverse. Errors carry the text
// ctr prints after "ctr: ". The options come from the flag set in
// src/commands/flagsets/container.ts (containerOptions).

import { resolve as resolvePath } from 'node:path';
import { os } from '../util/os.js';
import { ContainersDefinition, type Container } from '../api/github.com/containerd/containerd/api/services/containers/v1/containers.js';
import { SnapshotsDefinition } from '../api/github.com/containerd/containerd/api/services/snapshots/v1/snapshots.js';
import { Options as RuncOptions } from '../api/github.com/containerd/containerd/runtime/v2/runc/options/oci.js';
import { Options as RuntimeOptions } from '../api/github.com/containerd/containerd/pkg/runtimeoptions/v1/api.js';
import type { Mount as SnapshotMount } from '../api/github.com/containerd/containerd/api/types/mount.js';
import type { Any } from '../api/google/protobuf/any.js';
import type { Connection, Output } from '../cli/types.js';
import { converted, isNotFound } from '../client/errdefs.js';
import { labelArgs } from '../commands/labels.js';
import { startLease, type PendingLease } from '../images/lease.js';
import { defaultMatcher } from '../images/platforms.js';
import { log } from '../tasks/log.js';
import * as apparmor from '../oci/apparmor.js';
import { currentCaps } from '../oci/caps.js';
import { withDevices, withHostDevices } from '../oci/devices.js';
import { withImageConfig } from '../oci/image-config.js';
import { withGPUs } from '../oci/nvidia.js';
import * as o from '../oci/opts.js';
import * as seccomp from '../oci/seccomp.js';
import { marshalSpec, SPEC_TYPE_URL, type LinuxIDMapping, type Spec } from '../oci/spec.js';
import { imageChainID, imageConfig, isUnpacked, unpack } from './image.js';
import { startLookup, type Image, type ImageLookup } from './lookup.js';
import { rememberMounts } from './known-mounts.js';
import { parseMountFlag } from './mountflag.js';
import { remappedSnapshot } from './remap.js';

export type { Container };

/** A create/run command line, as ctr's flags give it (see containerOptions). */
export interface ContainerOptions {
  /** Container id (ctr: Args[1], or Args[0] with --config). */
  id: string;
  /** Image reference, or with `rootfs` a directory; empty with --config. */
  ref: string;
  /** Process args after the id; they replace the image's Cmd. */
  args: string[];
  /** How many positional arguments were given (--config allows only the id). */
  argCount: number;
  /** --config: a spec file used as is (set even when empty, as ctr's IsSet). */
  config?: string;
  cwd: string;
  env: string[];
  envFile: string;
  labels: string[];
  annotations: string[];
  mounts: string[];
  netHost: boolean;
  privileged: boolean;
  readOnly: boolean;
  runtime: string;
  runtimeConfigPath: string;
  tty: boolean;
  withNs: string[];
  /** --pid-file (task level: used by run, not by newContainer). */
  pidFile?: string;
  /** --gpus, when given. */
  gpus?: number[];
  /** --allow-new-privs was given (ctr checks IsSet, not the value). */
  allowNewPrivs: boolean;
  /** uint64; a bigint beyond 2^53. */
  memoryLimit: number | bigint;
  devices: string[];
  capAdd: string[];
  capDrop: string[];
  seccomp: boolean;
  seccompProfile: string;
  apparmorDefaultProfile: string;
  apparmorProfile: string;
  rdtClass: string;
  rootfs: boolean;
  /** --no-pivot (task level: used by run, not by newContainer). */
  noPivot: boolean;
  cpuQuota: number | bigint;
  cpuPeriod: number | bigint;
  rootfsPropagation: string;
  snapshotter: string;
  snapshotterLabels: string[];
  /** --cgroup, when given (an empty value disables the cgroup path). */
  cgroup?: string;
  platform: string;
  runcBinary: string;
  runcRoot: string;
  runcSystemdCgroup: boolean;
  uidmap: string;
  gidmap: string;
  remapLabels: boolean;
  cpus: number;
  cpuShares: number;
}

/** Where newContainer reports what ctr logs (warnings about skipped image labels). */
export interface CreateIO {
  stderr?: Output;
  /**
   * Called once the rootfs snapshot is being prepared (the slowest call before the
   * record is created), so a caller can do blocking work of its own meanwhile.
   */
  whilePreparing?: () => void;
  /**
   * Given the deletion of the creation lease once the record exists; the caller awaits
   * it before it ends. Without it newContainer waits for the deletion itself.
   */
  leaseReleased?: (done: Promise<void>) => void;
  /** The image look-up when the caller has already started it (startLookup). */
  lookup?: ImageLookup;
}

export const DEFAULT_RUNTIME = 'io.containerd.runc.v2';
export const STOP_SIGNAL_LABEL = 'io.containerd.image.config.stop-signal';
const LABEL_MAX = 4096;

/** The record being built (containers.Container before it is stored). */
interface Draft {
  id: string;
  labels?: Record<string, string>;
  image: string;
  runtime: { name: string; options?: Any };
  spec?: Any;
  snapshotter: string;
  snapshotKey: string;
  /** What Prepare answered for snapshotKey. */
  mounts?: SnapshotMount[];
  /**
   * The Prepare still in flight while the later options run (the spec is built
   * meanwhile); snapshotKey is set from the start, but only names a snapshot of ours
   * once this has resolved.
   */
  preparing?: Promise<void>;
}

/** A NewContainerOpts: runs inside the creation lease, in ctr's order. */
type ContainerOpt = (conn: Connection, c: Draft) => Promise<void>;

/** labels.Validate: key and value together within 4 KiB. */
export function validateLabel(k: string, v: string): void {
  if (Buffer.byteLength(k) + Buffer.byteLength(v) > LABEL_MAX) {
    const key = Buffer.from(k).length > 10 ? Buffer.from(k).subarray(0, 10).toString() : k;
    throw new Error(`label key and value greater than maximum size (${LABEL_MAX} bytes), key: ${key}: invalid argument`);
  }
}

/** run.parseIDMapping: "container-id:host-id:size". */
export function parseIDMapping(mapping: string): LinuxIDMapping {
  const parts = mapping.split(':');
  if (parts.length !== 3) throw new Error('user namespace mappings require the format `container-id:host-id:size`');
  const parse = (s: string, what: string): number => {
    const err = goParseUint32(s);
    if (typeof err === 'string') throw new Error(`invalid ${what} for user namespace remapping: strconv.ParseUint: parsing ${JSON.stringify(s)}: ${err}`);
    return err;
  };
  return {
    containerID: parse(parts[0]!, 'container id'),
    hostID: parse(parts[1]!, 'host id'),
    size: parse(parts[2]!, 'size'),
  };
}

/** strconv.ParseUint(s, 0, 32): the value or Go's error word. */
function goParseUint32(s: string): number | string {
  let body = s.replace(/_/g, '');
  let base = 10;
  if (/^0[xX]/.test(s)) { base = 16; body = body.slice(2); }
  else if (/^0[bB]/.test(s)) { base = 2; body = body.slice(2); }
  else if (/^0[oO]/.test(s)) { base = 8; body = body.slice(2); }
  else if (/^0\d/.test(s)) { base = 8; body = body.slice(1); }
  if (s.includes('_') && base === 10) return 'invalid syntax';
  const digits: Record<number, RegExp> = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^\d+$/, 16: /^[0-9a-fA-F]+$/ };
  if (!digits[base]!.test(body)) return 'invalid syntax';
  const v = BigInt(base === 10 ? body : `0${{ 2: 'b', 8: 'o', 16: 'x' }[base]}${body}`);
  return v > 0xffffffffn ? 'value out of range' : Number(v);
}

const validNamespaces = new Set(['pid', 'network', 'uts', 'mount', 'user', 'ipc', 'cgroup']);

/** run.buildLabels: valid image labels, overridden by the command line's. */
function buildLabels(cmd: Record<string, string>, image: Record<string, string>, stderr?: Output): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(image)) {
    try {
      validateLabel(k, v);
      out[k] = v;
    } catch (e) {
      if (stderr) log(stderr, 'warning', `unable to add image label with key ${k} to the container`, e);
    }
  }
  return Object.assign(out, cmd);
}

/** run.getRuntimeOptions, packed as containerd's typeurl packs it. */
function runtimeOptions(opts: ContainerOptions): Any | undefined {
  if ((opts.runcBinary !== '' || opts.runcSystemdCgroup) && opts.runtime !== DEFAULT_RUNTIME) {
    throw new Error(`specifying runc-binary and runc-systemd-cgroup is only supported for "${DEFAULT_RUNTIME}" runtime`);
  }
  if (opts.runtime === DEFAULT_RUNTIME) {
    if (opts.runcSystemdCgroup && !opts.cgroup) {
      throw new Error('option --runc-systemd-cgroup requires --cgroup to be set, e.g. "machine.slice:foo:deadbeef"');
    }
    const value = RuncOptions.encode(RuncOptions.fromPartial({
      binaryName: opts.runcBinary,
      systemdCgroup: opts.runcSystemdCgroup,
      root: opts.runcRoot,
    })).finish();
    return { typeUrl: 'containerd.runc.v1.Options', value };
  }
  if (opts.runtimeConfigPath !== '') {
    return { typeUrl: 'runtimeoptions.v1.Options', value: RuntimeOptions.encode(RuntimeOptions.fromPartial({ configPath: opts.runtimeConfigPath })).finish() };
  }
  return undefined;
}

/**
 * ctr's run.NewContainer: builds the spec and creates the container record with its
 * snapshot. Returns the record as the daemon stored it.
 */
export async function newContainer(conn: Connection, opts: ContainerOptions, io: CreateIO = {}): Promise<Container> {
  const early: { lease?: PendingLease } = {};
  try {
    return await buildContainer(conn, opts, io, early);
  } catch (e) {
    await early.lease?.release();
    throw e;
  }
}

/** newContainer's work; the creation lease goes in `early` (released there on failure). */
async function buildContainer(conn: Connection, opts: ContainerOptions, io: CreateIO, early: { lease?: PendingLease }): Promise<Container> {
  const id = opts.id;
  const specOpts: o.SpecOpt[] = [];
  const cOpts: ContainerOpt[] = [];
  const cmdLabels = labelArgs(opts.labels);

  if (opts.config !== undefined) {
    cOpts.push(async (_c, c) => { c.labels = labelArgs(opts.labels); });
    specOpts.push(o.withSpecFromFile(opts.config));
  } else {
    specOpts.push(o.withDefaultSpec(), o.withDefaultUnixDevices);
    if (opts.envFile !== '') specOpts.push(o.withEnvFile(opts.envFile));
    specOpts.push(o.withEnv(opts.env));
    specOpts.push((ctx, s) => o.withMounts(opts.mounts.map(parseMountFlag))(ctx, s));

    if (opts.rootfs) {
      specOpts.push(o.withRootFSPath(resolvePath(opts.ref)));
      cOpts.push(async (_c, c) => { c.labels = labelArgs(opts.labels); });
    } else {
      const lookup = io.lookup ?? startLookup(conn, opts.ref, opts.platform, opts.snapshotter);
      const image = await lookup.image;
      // The container's lease is asked for now, while the image's config is read (ctr makes
      // it after); not before the image is found, as a lease creates its namespace. A
      // failure before the record is created removes it again.
      early.lease = startLease(conn);
      const snapshotter = await lookup.snapshotter;
      // ctr unpacks the image here when its chain is missing. The plain snapshot path asks
      // Prepare straight away and unpacks only when that finds no parent (one round trip
      // less for the usual, unpacked image); the other paths check first.
      const remapped = opts.uidmap !== '' && opts.gidmap !== '';
      if (remapped && !(await isUnpacked(conn, image, snapshotter))) await unpack(conn, image, snapshotter);
      const labels = buildLabels(cmdLabels, image.labels, io.stderr);
      const config = await imageConfig(conn, image);
      specOpts.push(withImageConfig(config));
      cOpts.push(
        async (_c, c) => { c.image = image.name; },
        async (cc, c) => { c.labels = (await imageConfig(cc, image)).config?.Labels; },
        async (_c, c) => { c.labels = c.labels ? Object.assign(c.labels, labels) : { ...labels }; },
        async (_c, c) => { c.snapshotter = snapshotter; },
      );
      if (remapped) {
        const uidMap = parseIDMapping(opts.uidmap);
        const gidMap = parseIDMapping(opts.gidmap);
        specOpts.push(o.withUserNamespace([uidMap], [gidMap]));
        if (opts.remapLabels) {
          const remap = {
            'containerd.io/snapshot/uidmapping': `0:${uidMap.hostID}:${uidMap.size}`,
            'containerd.io/snapshot/gidmapping': `0:${gidMap.hostID}:${uidMap.size}`,
          };
          cOpts.push(newSnapshot(id, image, remap, io.whilePreparing));
        } else {
          cOpts.push(async (cc, c) => {
            // The remapped base is found with the client's default platform, not --platform.
            const parent = await imageChainID(cc, { ...image, platform: defaultMatcher() });
            await remappedSnapshot(cc, c.snapshotter, id, parent, uidMap.hostID, gidMap.hostID);
            c.snapshotKey = id;
            c.image = image.name;
          });
        }
      } else {
        // A writable snapshot even with --read-only: the runtime remounts it read-only.
        cOpts.push(newSnapshot(id, image, labelArgs(opts.snapshotterLabels), io.whilePreparing, conn));
      }
      cOpts.push(async (cc, c) => {
        const signal = (await imageConfig(cc, image)).config?.StopSignal;
        (c.labels ??= {})[STOP_SIGNAL_LABEL] = signal || 'SIGTERM';
      });
    }
    if (opts.readOnly) specOpts.push(o.withRootFSReadonly);
    if (opts.args.length > 0) specOpts.push(o.withProcessArgs(opts.args));
    if (opts.cwd !== '') specOpts.push(o.withProcessCwd(opts.cwd));
    if (opts.tty) specOpts.push(o.withTTY);
    if (opts.privileged) specOpts.push(o.withPrivileged(currentCaps()), o.withAllDevicesAllowed, withHostDevices);
    if (opts.netHost) {
      specOpts.push(
        o.withHostNamespace('network'),
        o.withHostHostsFile,
        o.withHostResolvconf,
        o.withEnv([`HOSTNAME=${os().hostname()}`]),
      );
    }
    if (opts.annotations.length > 0) {
      const annotations: Record<string, string> = {};
      for (const a of opts.annotations) {
        const eq = a.indexOf('=');
        if (eq < 0) throw new Error(`invalid key=value format annotation: ${a}`);
        annotations[a.slice(0, eq)] = a.slice(eq + 1);
      }
      specOpts.push(o.withAnnotations(annotations));
    }
    for (const [caps, opt] of [[opts.capAdd, o.withAddedCapabilities], [opts.capDrop, o.withDroppedCapabilities]] as const) {
      if (caps.length === 0) continue;
      if (caps.some((c) => !c.startsWith('CAP_'))) throw new Error("capabilities must be specified with 'CAP_' prefix");
      specOpts.push(opt(caps));
    }
    if (!opts.seccomp && opts.seccompProfile !== '') throw new Error('seccomp must be set to true, if using a custom seccomp-profile');
    if (opts.seccomp) specOpts.push(opts.seccompProfile !== '' ? seccomp.withProfile(opts.seccompProfile) : seccomp.withDefaultProfile);
    if (opts.apparmorDefaultProfile !== '') specOpts.push(apparmor.withDefaultProfile(opts.apparmorDefaultProfile));
    if (opts.apparmorProfile !== '') {
      if (opts.apparmorDefaultProfile !== '') throw new Error('apparmor-profile conflicts with apparmor-default-profile');
      specOpts.push(apparmor.withProfile(opts.apparmorProfile));
    }
    if (opts.cpus > 0) specOpts.push(o.withCPUCFS(Math.trunc(opts.cpus * 100000.0), 100000));
    if (opts.cpuShares > 0) specOpts.push(o.withCPUShares(opts.cpuShares));
    if (opts.cpuQuota !== -1 || opts.cpuPeriod !== 0) {
      if (opts.cpus > 0) throw new Error('cpus and quota/period should be used separately');
      specOpts.push(o.withCPUCFS(opts.cpuQuota, opts.cpuPeriod));
    }
    for (const ns of opts.withNs) {
      const parts = ns.split(':');
      if (parts.length !== 2) throw new Error("joining a Linux namespace using --with-ns requires the format 'nstype:path'");
      if (!validNamespaces.has(parts[0]!)) throw new Error(`the Linux namespace type specified in --with-ns is not valid: ${parts[0]}`);
      specOpts.push(o.withLinuxNamespace({ type: parts[0]!, path: parts[1]! }));
    }
    if (opts.gpus) specOpts.push(withGPUs(opts.gpus));
    if (opts.allowNewPrivs) specOpts.push(o.withNewPrivileges);
    if (opts.cgroup !== undefined) specOpts.push(o.withCgroup(opts.cgroup));
    if (opts.memoryLimit !== 0) specOpts.push(o.withMemoryLimit(opts.memoryLimit));
    for (const dev of opts.devices) specOpts.push(withDevices(dev, '', 'rwm'));
    if (opts.rootfsPropagation !== '') specOpts.push(o.withRootfsPropagation(opts.rootfsPropagation));
    if (opts.rdtClass !== '') specOpts.push(o.withRdt(opts.rdtClass, '', ''));
  }

  const runtimeOpts = runtimeOptions(opts);
  cOpts.push(async (_c, c) => { c.runtime = { name: opts.runtime, options: runtimeOpts }; });
  specOpts.push(o.withAnnotations(cmdLabels));
  cOpts.push(async (cc, c) => {
    const spec: Spec = { ociVersion: '' };
    await o.applyOpts({
      namespace: cc.namespace,
      container: { id: c.id, snapshotter: c.snapshotter, snapshotKey: c.snapshotKey },
      snapshotMounts: async (snapshotter, key) => {
        if (snapshotter === c.snapshotter && key === c.snapshotKey) {
          await c.preparing;
          if (c.mounts) return c.mounts;
        }
        return (await converted(cc.service(SnapshotsDefinition).mounts({ snapshotter, key }))).mounts;
      },
    }, spec, specOpts);
    c.spec = { typeUrl: SPEC_TYPE_URL, value: Buffer.from(marshalSpec(spec)) };
  });

  return createRecord(id, cOpts, (early.lease ??= startLease(conn)), io);
}

/**
 * containerd.WithNewSnapshot: an active snapshot on the image's rootfs chain. With
 * `unpackWith`, an image whose chain is not in the snapshotter yet (Prepare: not found,
 * and the chain's Stat agrees) is unpacked through that connection, under a lease of its
 * own as ctr's run does it before the container's, and Prepare is asked again.
 * The option returns once Prepare is asked: the later options (the spec) run while the
 * daemon works, and whatever needs the mounts, or the record itself, waits for
 * `c.preparing` (see storeRecord).
 */
function newSnapshot(
  id: string, image: Image, labels: Record<string, string>, whilePreparing?: () => void, unpackWith?: Connection,
): ContainerOpt {
  return async (cc, c) => {
    const parent = await imageChainID(cc, image);
    const prepare = () => converted(cc.service(SnapshotsDefinition).prepare({ snapshotter: c.snapshotter, key: id, parent, labels }));
    const asked = prepare();
    c.snapshotKey = id;
    c.image = image.name;
    c.preparing = (async () => {
      let mounts;
      try {
        ({ mounts } = await asked);
      } catch (e) {
        if (!unpackWith || !isNotFound(e) || (await isUnpacked(cc, image, c.snapshotter))) throw e;
        await unpack(unpackWith, image, c.snapshotter);
        ({ mounts } = await prepare());
      }
      c.mounts = mounts;
    })();
    // Settled by storeRecord, which may first meet another option's failure.
    c.preparing.catch(() => {});
    whilePreparing?.();
  };
}

/**
 * client.NewContainer: the options applied in order under the lease, then Create. What an
 * option made (the snapshot) is removed again when a later step fails, so nothing is
 * left for the garbage collector to find; the lease itself then goes in newContainer.
 */
async function createRecord(id: string, cOpts: ContainerOpt[], lease: PendingLease, io: CreateIO): Promise<Container> {
  const container = await storeRecord(await lease.conn, id, cOpts);
  // The record holds the snapshot from here on: a caller that asks may move on while
  // the lease goes (run creates the task meanwhile, and its Create request goes out
  // first: the deletion is asked for on the next turn of the loop).
  if (io.leaseReleased) io.leaseReleased(new Promise((resolve) => setImmediate(resolve)).then(() => lease.release()));
  else await lease.release();
  return container;
}

/** The options applied in order, then Create; a snapshot made on the way goes on failure. */
async function storeRecord(cc: Connection, id: string, cOpts: ContainerOpt[]): Promise<Container> {
  const draft: Draft = { id, image: '', runtime: { name: DEFAULT_RUNTIME }, snapshotter: '', snapshotKey: '' };
  try {
    try {
      for (const opt of cOpts) await opt(cc, draft);
    } finally {
      // The snapshot option comes before the others in ctr: its failure is the one
      // reported, even when a later option failed while it was in flight.
      await draft.preparing;
    }
    const { container } = await converted(cc.service(ContainersDefinition).create({
      container: {
        id: draft.id,
        labels: draft.labels ?? {},
        image: draft.image,
        runtime: draft.runtime,
        spec: draft.spec,
        snapshotter: draft.snapshotter,
        snapshotKey: draft.snapshotKey,
        extensions: {},
      },
    }));
    if (draft.mounts) rememberMounts(container!, draft.mounts);
    return container!;
  } catch (e) {
    // (A failed Prepare made no snapshot; the key may well be someone else's.)
    const made = draft.snapshotKey !== '' && (await draft.preparing?.then(() => true, () => false) ?? true);
    if (made) {
      await cc.service(SnapshotsDefinition).remove({ snapshotter: draft.snapshotter, key: draft.snapshotKey }).catch(() => {});
    }
    throw e;
  }
}
