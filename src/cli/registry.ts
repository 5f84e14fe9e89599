// The command tree: names, aliases and one-line usage of every group and verb, with a
// loader per verb. This file is loaded on every start, so it holds no verb code.

import type { Verb } from './types.js';

export type Loader = () => Promise<{ default: Verb<any> }>;

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
      { name: 'list', aliases: ['ls'], usage: 'lists containerd plugins', load: () => import('../commands/plugins/ls.js') },
    ],
  },
  { name: 'version', usage: 'print the client and server versions', load: () => import('../commands/version.js') },
  {
    name: 'containers', aliases: ['c', 'container'], usage: 'manage containers',
    verbs: [
      { name: 'create', usage: 'create container', load: () => import('../commands/containers/create.js') },
      { name: 'delete', aliases: rmAliases, usage: 'delete one or more existing containers', load: () => import('../commands/containers/rm.js') },
      { name: 'info', usage: 'get info about a container', load: () => import('../commands/containers/info.js') },
      { name: 'list', aliases: ['ls'], usage: 'list containers', load: () => import('../commands/containers/ls.js') },
      { name: 'label', usage: 'set and clear labels for a container', load: () => import('../commands/containers/label.js') },
    ],
  },
  {
    name: 'content', usage: 'manage content',
    verbs: [
      { name: 'active', usage: 'display active transfers', load: () => import('../commands/content/active.js') },
      { name: 'delete', aliases: rmAliases, usage: 'permanently delete one or more blobs', load: () => import('../commands/content/rm.js') },
      { name: 'edit', usage: 'edit a blob and return a new digest', load: () => import('../commands/content/edit.js') },
      { name: 'get', usage: 'get the data for an object', load: () => import('../commands/content/get.js') },
      { name: 'ingest', usage: 'accept content into the store', load: () => import('../commands/content/ingest.js') },
      { name: 'list', aliases: ['ls'], usage: 'list all blobs in the store', load: () => import('../commands/content/ls.js') },
      { name: 'label', usage: 'add labels to content', load: () => import('../commands/content/label.js') },
      { name: 'prune', usage: 'prunes content from the content store', load: () => import('../commands/content/prune.js') },
    ],
  },
  {
    name: 'images', aliases: ['image', 'i'], usage: 'manage images',
    verbs: [
      { name: 'check', usage: 'check existing images to ensure all content is available locally', load: () => import('../commands/images/check.js') },
      { name: 'export', usage: 'export images', load: () => import('../commands/images/export.js') },
      { name: 'import', usage: 'import images', load: () => import('../commands/images/import.js') },
      { name: 'list', aliases: ['ls'], usage: 'list images known to containerd', load: () => import('../commands/images/ls.js') },
      { name: 'delete', aliases: rmAliases, usage: 'remove one or more images by reference', load: () => import('../commands/images/rm.js') },
      { name: 'tag', usage: 'tag an image', load: () => import('../commands/images/tag.js') },
      { name: 'label', usage: 'set and clear labels for an image', load: () => import('../commands/images/label.js') },
    ],
  },
  {
    name: 'leases', usage: 'manage leases',
    verbs: [
      { name: 'list', aliases: ['ls'], usage: 'list all active leases', load: () => import('../commands/leases/ls.js') },
      { name: 'create', usage: 'create lease', load: () => import('../commands/leases/create.js') },
      { name: 'delete', aliases: rmAliases, usage: 'delete a lease', load: () => import('../commands/leases/rm.js') },
    ],
  },
  {
    name: 'namespaces', aliases: ['namespace', 'ns'], usage: 'manage namespaces',
    verbs: [
      { name: 'create', aliases: ['c'], usage: 'create a new namespace', load: () => import('../commands/namespaces/create.js') },
      { name: 'list', aliases: ['ls'], usage: 'list namespaces', load: () => import('../commands/namespaces/ls.js') },
      { name: 'remove', aliases: ['rm'], usage: 'remove one or more namespaces', load: () => import('../commands/namespaces/rm.js') },
      { name: 'label', usage: 'set and clear labels for a namespace', load: () => import('../commands/namespaces/label.js') },
    ],
  },
  {
    name: 'oci', usage: 'OCI tools',
    verbs: [
      { name: 'spec', usage: 'see the output of the default OCI spec', load: () => import('../commands/oci/spec.js') },
    ],
  },
];

export function lookup<T extends { name: string; aliases?: string[] }>(list: readonly T[], name: string): T | undefined {
  return list.find((e) => e.name === name || e.aliases?.includes(name));
}
