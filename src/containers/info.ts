// `ctr containers info`: containerd's containers.Container as ctr prints it with
// json.MarshalIndent — Go field names, times in RFC 3339 with nanoseconds (UTC), Anys as
// gogo's types.Any ({type_url, value}), and the spec decoded from its Any placed last.

import type { Container } from '../api/github.com/containerd/containerd/api/services/containers/v1/containers.js';
import type { Any } from '../api/google/protobuf/any.js';
import { marshalIndent } from '../format/json.js';
import { formatRFC3339Nano, UTC } from '../format/time.js';
import { toGoJSON } from '../oci/gojson.js';
import { parseSpec, SPEC_TYPE_URL, specType } from '../oci/spec.js';

/** gogo types.Any's JSON: both fields omitempty, the value as base64. */
function anyJSON(a: Any): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (a.typeUrl !== '') out.type_url = a.typeUrl;
  if (a.value.length > 0) out.value = a.value;
  return out;
}

const mapOrNull = <V>(m: Record<string, V> | undefined, f: (v: V) => unknown): Map<string, unknown> | null => {
  const entries = Object.entries(m ?? {});
  return entries.length === 0 ? null : new Map(entries.map(([k, v]) => [k, f(v)]));
};

const time = (t: { seconds: number | bigint; nanos: number } | undefined) =>
  formatRFC3339Nano(t ?? { seconds: -62135596800, nanos: 0 }, UTC);

/** typeurl.UnmarshalAny for the one type ctr meets here: the runtime spec. */
export function decodeSpecAny(a: Any): unknown {
  if (a.typeUrl !== SPEC_TYPE_URL) throw new Error(`type with url ${a.typeUrl}: not found`);
  return toGoJSON(specType, parseSpec(a.value));
}

/** The text ctr prints for a container (without the final newline). */
export function containerInfoJSON(c: Container, specOnly: boolean): string {
  const hasSpec = c.spec !== undefined && c.spec.value.length > 0;
  if (specOnly) {
    // ctr decodes whatever is there; an absent spec fails as an unknown type.
    return marshalIndent(decodeSpecAny(c.spec ?? { typeUrl: '', value: new Uint8Array() }), '', '    ');
  }
  const info: Record<string, unknown> = {
    ID: c.id,
    Labels: mapOrNull(c.labels, (v) => v),
    Image: c.image,
    Runtime: { Name: c.runtime?.name ?? '', Options: c.runtime?.options ? anyJSON(c.runtime.options) : null },
  };
  if (!hasSpec) info.Spec = c.spec ? anyJSON(c.spec) : null;
  Object.assign(info, {
    SnapshotKey: c.snapshotKey,
    Snapshotter: c.snapshotter,
    CreatedAt: time(c.createdAt),
    UpdatedAt: time(c.updatedAt),
    Extensions: mapOrNull(c.extensions, anyJSON),
  });
  if (hasSpec) info.Spec = decodeSpecAny(c.spec!);
  return marshalIndent(info, '', '    ');
}
