import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  formatTime,
  formatRFC3339,
  formatRFC3339Nano,
  timeString,
  loadLocation,
  locationFromTZif,
  locationFromTZEnv,
  UTC,
  type Location,
} from '../../src/format/time.js';

interface TimeFixture {
  layouts: string[];
  stamps: { S: number; N: number }[];
  zones: { name: string; source: string; out: string[][] }[];
}

// Produced by Go 1.19: time.Unix(S, N).In(zone).Format(layout) for every zone,
// stamp and layout. Zones are the system's, "slim" TZif files made with zic
// (whose later years come from the POSIX rule footer), and hand-built TZif data
// with unusual footers.
const fixture: TimeFixture = JSON.parse(
  readFileSync(new URL('./fixtures/format-time.json', import.meta.url), 'utf8'),
);

function zoneOf(z: TimeFixture['zones'][number]): Location {
  if (z.source === 'utc') return UTC;
  if (z.source === 'system') {
    const loc = loadLocation(z.name);
    assert.ok(loc, z.name);
    return loc;
  }
  const loc = locationFromTZif(z.name, Buffer.from(z.source.slice('tzif:'.length), 'base64'));
  assert.ok(loc, z.name);
  return loc;
}

test('Time.Format matches Go for every zone, instant and layout', () => {
  let n = 0;
  for (const z of fixture.zones) {
    const loc = zoneOf(z);
    fixture.stamps.forEach((st, i) => {
      fixture.layouts.forEach((layout, j) => {
        assert.equal(
          formatTime({ seconds: st.S, nanos: st.N }, layout, loc),
          z.out[i][j],
          `${z.name} ${st.S}.${st.N} ${JSON.stringify(layout)}`,
        );
        n++;
      });
    });
  }
  assert.ok(n > 5000);
});

// [TZ value or undefined for unset, Go's time.Local.String(), then
// time.Unix(s, n).Local().String() for the instants below]
const LOCAL_STAMPS = [
  { seconds: 0, nanos: 0 },
  { seconds: 1700000000, nanos: 120000000 },
  { seconds: 1711846800, nanos: 0 },
  { seconds: 4118083200, nanos: 0 },
];
const LOCAL: [string | undefined, string, string, string, string, string][] = [
  [undefined, 'Local', '1970-01-01 00:00:00 +0000 UTC', '2023-11-14 22:13:20.12 +0000 UTC', '2024-03-31 01:00:00 +0000 UTC', '2100-07-01 00:00:00 +0000 UTC'],
  ['', 'UTC', '1970-01-01 00:00:00 +0000 UTC', '2023-11-14 22:13:20.12 +0000 UTC', '2024-03-31 01:00:00 +0000 UTC', '2100-07-01 00:00:00 +0000 UTC'],
  ['UTC', 'UTC', '1970-01-01 00:00:00 +0000 UTC', '2023-11-14 22:13:20.12 +0000 UTC', '2024-03-31 01:00:00 +0000 UTC', '2100-07-01 00:00:00 +0000 UTC'],
  ['Europe/Berlin', 'Europe/Berlin', '1970-01-01 01:00:00 +0100 CET', '2023-11-14 23:13:20.12 +0100 CET', '2024-03-31 03:00:00 +0200 CEST', '2100-07-01 02:00:00 +0200 CEST'],
  [':Europe/Berlin', 'Europe/Berlin', '1970-01-01 01:00:00 +0100 CET', '2023-11-14 23:13:20.12 +0100 CET', '2024-03-31 03:00:00 +0200 CEST', '2100-07-01 02:00:00 +0200 CEST'],
  ['/usr/share/zoneinfo/Asia/Tokyo', '/usr/share/zoneinfo/Asia/Tokyo', '1970-01-01 09:00:00 +0900 JST', '2023-11-15 07:13:20.12 +0900 JST', '2024-03-31 10:00:00 +0900 JST', '2100-07-01 09:00:00 +0900 JST'],
  [':/usr/share/zoneinfo/Asia/Tokyo', '/usr/share/zoneinfo/Asia/Tokyo', '1970-01-01 09:00:00 +0900 JST', '2023-11-15 07:13:20.12 +0900 JST', '2024-03-31 10:00:00 +0900 JST', '2100-07-01 09:00:00 +0900 JST'],
  ['/etc/localtime', 'Local', '1970-01-01 00:00:00 +0000 UTC', '2023-11-14 22:13:20.12 +0000 UTC', '2024-03-31 01:00:00 +0000 UTC', '2100-07-01 00:00:00 +0000 UTC'],
  ['Invalid/Zone', 'UTC', '1970-01-01 00:00:00 +0000 UTC', '2023-11-14 22:13:20.12 +0000 UTC', '2024-03-31 01:00:00 +0000 UTC', '2100-07-01 00:00:00 +0000 UTC'],
  ['America', 'UTC', '1970-01-01 00:00:00 +0000 UTC', '2023-11-14 22:13:20.12 +0000 UTC', '2024-03-31 01:00:00 +0000 UTC', '2100-07-01 00:00:00 +0000 UTC'],
  ['EST5EDT', 'EST5EDT', '1969-12-31 19:00:00 -0500 EST', '2023-11-14 17:13:20.12 -0500 EST', '2024-03-30 21:00:00 -0400 EDT', '2100-06-30 20:00:00 -0400 EDT'],
  ['../etc/localtime', 'UTC', '1970-01-01 00:00:00 +0000 UTC', '2023-11-14 22:13:20.12 +0000 UTC', '2024-03-31 01:00:00 +0000 UTC', '2100-07-01 00:00:00 +0000 UTC'],
];

test('the local zone is chosen from TZ like Go', () => {
  // The unset case reads /etc/localtime, which is UTC on the machine the
  // expectations were recorded on.
  for (const [tz, name, ...want] of LOCAL) {
    const loc = locationFromTZEnv(tz);
    assert.equal(loc.name, name, String(tz));
    assert.deepEqual(
      LOCAL_STAMPS.map((t) => timeString(t, loc)),
      want,
      String(tz),
    );
  }
});

test('inputs: protobuf Timestamp with bigint seconds, Date, nanos out of range', () => {
  const berlin = loadLocation('Europe/Berlin')!;
  assert.equal(formatRFC3339({ seconds: 1700000000n, nanos: 5 }, berlin), '2023-11-14T23:13:20+01:00');
  assert.equal(formatRFC3339Nano({ seconds: 1700000000n, nanos: 5 }, UTC), '2023-11-14T22:13:20.000000005Z');
  assert.equal(formatRFC3339Nano(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 60)), UTC), '2024-01-02T03:04:05.06Z');
  assert.equal(timeString(new Date(-1), UTC), '1969-12-31 23:59:59.999 +0000 UTC');
  // time.Unix normalises nanoseconds outside [0, 1e9)
  assert.equal(timeString({ seconds: 10, nanos: -1 }, UTC), '1970-01-01 00:00:09.999999999 +0000 UTC');
  assert.equal(timeString({ seconds: 10, nanos: 2_500_000_000 }, UTC), '1970-01-01 00:00:12.5 +0000 UTC');
});

test('unknown and invalid zone names', () => {
  assert.equal(loadLocation('No/Such_Zone'), undefined);
  assert.equal(loadLocation('../etc/passwd'), undefined);
  assert.equal(loadLocation('/etc/localtime'), undefined);
  assert.equal(loadLocation('UTC'), UTC);
  assert.equal(locationFromTZif('bad', new Uint8Array([1, 2, 3])), undefined);
});
