// The command tree: names, aliases and one-line usage of every group and verb, with a
// loader per verb. This file is loaded on every start, so it holds no verb code.

import type { FlagSpec } from './flags.js';
import { snapshotterFlags } from '../commands/flagsets/snapshotter.js';
import type { Verb } from './types.js';

/** A verb module; a built bundle also exports the executor it was bundled with. */
export type Loader = () => Promise<{ default: Verb<any>; execute?: typeof import('./execute.js').execute }>;

type VerbModule = Awaited<ReturnType<Loader>>;

/**
 * A built verb bundle is required as CommonJS in node's interop mode, which puts the
 * module's exports under `default`; from source they are the module itself.
 */
function verb(p: Promise<VerbModule | { default: VerbModule }>): Promise<VerbModule> {
  return p.then((m) => {
    const inner = (m as { default: VerbModule }).default;
    return typeof (inner as VerbModule).default?.parse === 'function' ? (inner as VerbModule) : (m as VerbModule);
  });
}

export interface VerbEntry {
  name: string;
  aliases?: string[];
  usage: string;
  load: Loader;
}

export interface GroupEntry {
  name: string;
  aliases?: string[];
  usage: string;
  /** Flags of the group itself, given before the verb (urfave's command flags). */
  flags?: FlagSpec[];
  verbs: VerbEntry[];
}

export type Entry = GroupEntry | VerbEntry;
export const isGroup = (e: Entry): e is GroupEntry => 'verbs' in e;

const rmAliases = ['del', 'remove', 'rm'];

// Order is ctr's (its help lists commands in this order).
export const commands: Entry[] = [
  {
    name: 'plugins', aliases: ['plugin'], usage: 'provides information about containerd plugins',
    verbs: [
      { name: 'list', aliases: ['ls'], usage: 'lists containerd plugins', load: () => verb(import('../commands/plugins/ls.js')) },
    ],
  },
  { name: 'version', usage: 'print the client and server versions', load: () => verb(import('../commands/version.js')) },
  {
    name: 'containers', aliases: ['c', 'container'], usage: 'manage containers',
    verbs: [
      { name: 'create', usage: 'create container', load: () => verb(import('../commands/containers/create.js')) },
      { name: 'delete', aliases: rmAliases, usage: 'delete one or more existing containers', load: () => verb(import('../commands/containers/rm.js')) },
      { name: 'info', usage: 'get info about a container', load: () => verb(import('../commands/containers/info.js')) },
      { name: 'list', aliases: ['ls'], usage: 'list containers', load: () => verb(import('../commands/containers/ls.js')) },
      { name: 'label', usage: 'set and clear labels for a container', load: () => verb(import('../commands/containers/label.js')) },
      { name: 'checkpoint', usage: 'checkpoint a container', load: () => verb(import('../commands/containers/checkpoint.js')) },
      { name: 'restore', usage: 'restore a container from checkpoint', load: () => verb(import('../commands/containers/restore.js')) },
    ],
  },
  {
    name: 'content', usage: 'manage content',
    verbs: [
      { name: 'active', usage: 'display active transfers', load: () => verb(import('../commands/content/active.js')) },
      { name: 'delete', aliases: rmAliases, usage: 'permanently delete one or more blobs', load: () => verb(import('../commands/content/rm.js')) },
      { name: 'edit', usage: 'edit a blob and return a new digest', load: () => verb(import('../commands/content/edit.js')) },
      { name: 'fetch', usage: 'fetch all content for an image into containerd', load: () => verb(import('../commands/content/fetch.js')) },
      { name: 'fetch-object', usage: 'retrieve objects from a remote', load: () => verb(import('../commands/content/fetch-object.js')) },
      { name: 'get', usage: 'get the data for an object', load: () => verb(import('../commands/content/get.js')) },
      { name: 'ingest', usage: 'accept content into the store', load: () => verb(import('../commands/content/ingest.js')) },
      { name: 'list', aliases: ['ls'], usage: 'list all blobs in the store', load: () => verb(import('../commands/content/ls.js')) },
      { name: 'push-object', usage: 'push an object to a remote', load: () => verb(import('../commands/content/push-object.js')) },
      { name: 'label', usage: 'add labels to content', load: () => verb(import('../commands/content/label.js')) },
      { name: 'prune', usage: 'prunes content from the content store', load: () => verb(import('../commands/content/prune.js')) },
    ],
  },
  { name: 'events', aliases: ['event'], usage: 'display containerd events', load: () => verb(import('../commands/events.js')) },
  {
    name: 'images', aliases: ['image', 'i'], usage: 'manage images',
    verbs: [
      { name: 'check', usage: 'check existing images to ensure all content is available locally', load: () => verb(import('../commands/images/check.js')) },
      { name: 'export', usage: 'export images', load: () => verb(import('../commands/images/export.js')) },
      { name: 'import', usage: 'import images', load: () => verb(import('../commands/images/import.js')) },
      { name: 'list', aliases: ['ls'], usage: 'list images known to containerd', load: () => verb(import('../commands/images/ls.js')) },
      { name: 'mount', usage: 'mount an image to a target path', load: () => verb(import('../commands/images/mount.js')) },
      { name: 'unmount', usage: 'unmount the image from the target', load: () => verb(import('../commands/images/unmount.js')) },
      { name: 'pull', usage: 'pull an image from a remote', load: () => verb(import('../commands/images/pull.js')) },
      { name: 'push', usage: 'push an image to a remote', load: () => verb(import('../commands/images/push.js')) },
      { name: 'delete', aliases: rmAliases, usage: 'remove one or more images by reference', load: () => verb(import('../commands/images/rm.js')) },
      { name: 'tag', usage: 'tag an image', load: () => verb(import('../commands/images/tag.js')) },
      { name: 'label', usage: 'set and clear labels for an image', load: () => verb(import('../commands/images/label.js')) },
      { name: 'convert', usage: 'convert an image', load: () => verb(import('../commands/images/convert.js')) },
    ],
  },
  {
    name: 'leases', usage: 'manage leases',
    verbs: [
      { name: 'list', aliases: ['ls'], usage: 'list all active leases', load: () => verb(import('../commands/leases/ls.js')) },
      { name: 'create', usage: 'create lease', load: () => verb(import('../commands/leases/create.js')) },
      { name: 'delete', aliases: rmAliases, usage: 'delete a lease', load: () => verb(import('../commands/leases/rm.js')) },
    ],
  },
  {
    name: 'namespaces', aliases: ['namespace', 'ns'], usage: 'manage namespaces',
    verbs: [
      { name: 'create', aliases: ['c'], usage: 'create a new namespace', load: () => verb(import('../commands/namespaces/create.js')) },
      { name: 'list', aliases: ['ls'], usage: 'list namespaces', load: () => verb(import('../commands/namespaces/ls.js')) },
      { name: 'remove', aliases: ['rm'], usage: 'remove one or more namespaces', load: () => verb(import('../commands/namespaces/rm.js')) },
      { name: 'label', usage: 'set and clear labels for a namespace', load: () => verb(import('../commands/namespaces/label.js')) },
    ],
  },
  { name: 'run', usage: 'run a container', load: () => verb(import('../commands/run.js')) },
  {
    name: 'snapshots', aliases: ['snapshot'], usage: 'manage snapshots', flags: snapshotterFlags,
    verbs: [
      { name: 'commit', usage: 'commit an active snapshot into the provided name', load: () => verb(import('../commands/snapshots/commit.js')) },
      { name: 'diff', usage: "get the diff of two snapshots. the default second snapshot is the first snapshot's parent.", load: () => verb(import('../commands/snapshots/diff.js')) },
      { name: 'info', usage: 'get info about a snapshot', load: () => verb(import('../commands/snapshots/info.js')) },
      { name: 'list', aliases: ['ls'], usage: 'list snapshots', load: () => verb(import('../commands/snapshots/ls.js')) },
      { name: 'mounts', aliases: ['m', 'mount'], usage: 'mount gets mount commands for the snapshots', load: () => verb(import('../commands/snapshots/mounts.js')) },
      { name: 'prepare', usage: 'prepare a snapshot from a committed snapshot', load: () => verb(import('../commands/snapshots/prepare.js')) },
      { name: 'delete', aliases: rmAliases, usage: 'remove snapshots', load: () => verb(import('../commands/snapshots/rm.js')) },
      { name: 'label', usage: 'add labels to content', load: () => verb(import('../commands/snapshots/label.js')) },
      { name: 'tree', usage: 'display tree view of snapshot branches', load: () => verb(import('../commands/snapshots/tree.js')) },
      { name: 'unpack', usage: 'unpack applies layers from a manifest to a snapshot', load: () => verb(import('../commands/snapshots/unpack.js')) },
      { name: 'usage', usage: 'usage snapshots', load: () => verb(import('../commands/snapshots/usage.js')) },
      { name: 'view', usage: 'create a read-only snapshot from a committed snapshot', load: () => verb(import('../commands/snapshots/view.js')) },
    ],
  },
  {
    name: 'tasks', aliases: ['t', 'task'], usage: 'manage tasks',
    verbs: [
      { name: 'attach', usage: 'attach to the IO of a running container', load: () => verb(import('../commands/tasks/attach.js')) },
      { name: 'checkpoint', usage: 'checkpoint a container', load: () => verb(import('../commands/tasks/checkpoint.js')) },
      { name: 'delete', aliases: rmAliases, usage: 'delete one or more tasks', load: () => verb(import('../commands/tasks/delete.js')) },
      { name: 'exec', usage: 'execute additional processes in an existing container', load: () => verb(import('../commands/tasks/exec.js')) },
      { name: 'list', aliases: ['ls'], usage: 'list tasks', load: () => verb(import('../commands/tasks/ls.js')) },
      { name: 'kill', usage: 'signal a container (default: SIGTERM)', load: () => verb(import('../commands/tasks/kill.js')) },
      { name: 'pause', usage: 'pause an existing container', load: () => verb(import('../commands/tasks/pause.js')) },
      { name: 'ps', usage: 'list processes for container', load: () => verb(import('../commands/tasks/ps.js')) },
      { name: 'resume', usage: 'resume a paused container', load: () => verb(import('../commands/tasks/resume.js')) },
      { name: 'start', usage: 'start a container that has been created', load: () => verb(import('../commands/tasks/start.js')) },
      { name: 'metrics', aliases: ['metric'], usage: 'get a single data point of metrics for a task with the built-in Linux runtime', load: () => verb(import('../commands/tasks/metrics.js')) },
    ],
  },
  {
    name: 'oci', usage: 'OCI tools',
    verbs: [
      { name: 'spec', usage: 'see the output of the default OCI spec', load: () => verb(import('../commands/oci/spec.js')) },
    ],
  },
];

// Beyond ctr: shell completion scripts (ctr has only urfave's hidden bash hook).
commands.push({ name: 'completion', usage: 'print a shell completion script (bash, zsh or fish)', load: () => verb(import('../commands/completion.js')) });

export function lookup<T extends { name: string; aliases?: string[] }>(list: readonly T[], name: string): T | undefined {
  return list.find((e) => e.name === name || e.aliases?.includes(name));
}
