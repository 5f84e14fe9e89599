// Event payloads and cgroup metrics as ctr prints them: encoding/json of the gogo Go
// structs. The fixtures were made by Go 1.19 from containerd 1.6's own generated types
// (every field set, and every field empty), as protobuf bytes plus Go's JSON.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Metrics as V1 } from '../../src/api/github.com/containerd/cgroups/stats/v1/metrics.js';
import { Metrics as V2 } from '../../src/api/github.com/containerd/cgroups/v2/stats/metrics.js';
import { marshal, marshalIndent } from '../../src/format/json.js';
import { ALWAYS_PRESENT, EVENT_TYPES, type EventCodec } from '../../src/tasks/eventtypes.js';
import { message } from '../../src/tasks/gojson.js';

interface Fixture { url: string; proto: string; json: string; indent: string }
const fixtures: Fixture[] = JSON.parse(readFileSync(new URL('./fixtures/taskio-gojson.json', import.meta.url), 'utf8'));

const codecs = new Map<string, EventCodec>([
  ...EVENT_TYPES,
  ['io.containerd.cgroups.v1.Metrics', V1],
  ['io.containerd.cgroups.v2.Metrics', V2],
]);

test('every event type containerd 1.6 defines is known', () => {
  const urls = new Set(fixtures.map((f) => f.url).filter((u) => !u.startsWith('io.containerd.cgroups')));
  for (const u of urls) assert.ok(EVENT_TYPES.has(u), u);
});

fixtures.forEach((f, i) => {
  const kind = f.proto === '' ? 'empty' : 'full';
  test(`${f.url} (${kind}, #${i})`, () => {
    const codec = codecs.get(f.url);
    assert.ok(codec, `no codec for ${f.url}`);
    const value = message(codec.decode(Buffer.from(f.proto, 'hex')), ALWAYS_PRESENT[f.url]);
    assert.equal(marshal(value), f.json);
    assert.equal(marshalIndent(value, '', '  '), f.indent);
  });
});
