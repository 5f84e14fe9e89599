import { EventsDefinition, type Envelope } from '../api/github.com/containerd/containerd/api/services/events/v1/events.js';
import { CommandError, defineVerb, type Deps } from '../cli/types.js';
import { marshal } from '../format/json.js';
import { timeString, UTC } from '../format/time.js';
import { ALWAYS_PRESENT, EVENT_TYPES } from '../tasks/eventtypes.js';
import { message } from '../tasks/gojson.js';
import { log } from '../tasks/log.js';
import { unknownType } from '../tasks/anytypes.js';

export default defineVerb({
  options: (p) => ({ filters: p.args }),
  async run({ filters }, deps) {
    const events = (await deps.connect()).service(EventsDefinition);
    // A closed stdout ends ctr by SIGPIPE (status 141 in a shell); end the same way.
    const stop = new AbortController();
    (deps.stdout as Partial<NodeJS.EventEmitter>).on?.('error', () => stop.abort());
    try {
      await print(events.subscribe({ filters }, { signal: stop.signal }), deps);
    } catch (e) {
      if (stop.signal.aborted) throw new CommandError('', 128 + 13);
      throw e;
    }
  },
});

async function print(stream: AsyncIterable<Envelope>, deps: Deps): Promise<void> {
  // The client passes the stream's error on as it came (no errdefs conversion).
  for await (const e of stream) {
    let body = '';
    if (e.event) {
      const codec = EVENT_TYPES.get(e.event.typeUrl);
      if (!codec) {
        log(deps.stderr, 'warning', 'cannot unmarshal an event from Any', unknownType(e.event.typeUrl));
        continue;
      }
      body = marshal(message(codec.decode(e.event.value), ALWAYS_PRESENT[e.event.typeUrl]));
    }
    // fmt.Println of the envelope's parts: the time in Go's String() form, in UTC.
    const at = e.timestamp ? timeString(e.timestamp, UTC) : '0001-01-01 00:00:00 +0000 UTC';
    deps.stdout.write(`${at} ${e.namespace} ${e.topic} ${body}\n`);
  }
}
