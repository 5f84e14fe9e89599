// typeurl.UnmarshalAny for the Any payloads the task verbs print: the runtime's process
// details (ctr ps) with the text of their gogo String() method.

import type { Any } from '../api/google/protobuf/any.js';
import { ProcessDetails as RuncV2Details } from '../api/github.com/containerd/containerd/runtime/v2/runc/options/oci.js';
import { ProcessDetails as RuncV1Details } from '../api/github.com/containerd/containerd/runtime/linux/runctypes/runc.js';

/** typeurl's error for a type it has no registration for. */
export const unknownType = (url: string): Error => new Error(`type with url ${url}: not found`);

const details: Record<string, { decode(b: Uint8Array): { execId: string } }> = {
  'containerd.runc.v1.ProcessDetails': RuncV2Details,
  'containerd.linux.runc.ProcessDetails': RuncV1Details,
};

/** `%+v` of the decoded value, which gogo's generated String() decides. */
export function processInfoString(info: Any): string {
  const codec = details[info.typeUrl];
  if (!codec) throw unknownType(info.typeUrl);
  const d = codec.decode(info.value);
  return `&ProcessDetails{ExecID:${d.execId},XXX_unrecognized:[],}`;
}
