// The event payloads containerd publishes, by type URL (the proto full names that
// typeurl resolves), decoded with the generated messages for `ctr events`.

import * as container from '../api/github.com/containerd/containerd/api/events/container.js';
import * as content from '../api/github.com/containerd/containerd/api/events/content.js';
import * as image from '../api/github.com/containerd/containerd/api/events/image.js';
import * as namespace from '../api/github.com/containerd/containerd/api/events/namespace.js';
import * as snapshot from '../api/github.com/containerd/containerd/api/events/snapshot.js';
import * as task from '../api/github.com/containerd/containerd/api/events/task.js';

export interface EventCodec {
  decode(bytes: Uint8Array): object;
}

/** Fields gogo generated without omitempty (non-nullable), per event type. */
export const ALWAYS_PRESENT: Record<string, ReadonlySet<string>> = {
  'containerd.events.TaskDelete': new Set(['exitedAt']),
  'containerd.events.TaskExit': new Set(['exitedAt']),
  'containerd.events.ContentDelete': new Set(['digest']),
};

const modules: Array<[string, Record<string, unknown>]> = [
  [container.protobufPackage, container],
  [content.protobufPackage, content],
  [image.protobufPackage, image],
  [namespace.protobufPackage, namespace],
  [snapshot.protobufPackage, snapshot],
  [task.protobufPackage, task],
];

/** Every message of the event modules, keyed by its full name. */
export const EVENT_TYPES: ReadonlyMap<string, EventCodec> = new Map(
  modules.flatMap(([pkg, mod]) => Object.entries(mod)
    .filter(([name, v]) => /^[A-Z]/.test(name) && typeof (v as EventCodec)?.decode === 'function')
    .map(([name, v]) => [`${pkg}.${name.replace(/_/g, ".")}`, v as EventCodec] as [string, EventCodec])),
);
