// `ctr content prune` is a group with one command, `references`. The CLI's registry has
// no nested groups, so this verb dispatches to it and renders the group's help itself.

import { LeasesDefinition } from '../../api/github.com/containerd/containerd/api/services/leases/v1/leases.js';
import type { FlagSpec } from '../../cli/flags.js';
import type { GroupEntry } from '../../cli/registry.js';
import { converted } from '../../client/errdefs.js';
import { defineVerb, type Deps, type Verb } from '../../cli/types.js';
import { formatRFC3339 } from '../../format/time.js';
import { randomLeaseId } from '../../images/lease.js';
import { withProgress } from '../images/progress.js';
import { logLine } from '../images/shared.js';
import { logLine as formatLogLine } from '../../tasks/log.js';
import { updateContent, walkContent } from './store.js';

const LAYER_PREFIX = 'containerd.io/gc.ref.content.l.';
const CONTENT_PREFIX = 'containerd.io/gc.ref.content.';

/** Layer references, including the legacy numbered ones (0 was always the config). */
export function isLayerLabel(key: string): boolean {
  if (key.startsWith(LAYER_PREFIX)) return true;
  if (!key.startsWith(CONTENT_PREFIX)) return false;
  const rest = key.slice(CONTENT_PREFIX.length);
  return /^\p{Nd}*$/u.test(rest) && rest !== '0';
}

const referencesFlags: FlagSpec[] = [
  { name: 'async', kind: 'bool', usage: 'allow garbage collection to cleanup asynchronously' },
  { name: 'dry', kind: 'bool', usage: 'just show updates without applying (enables debug logging)' },
];

const references = defineVerb({
  flags: referencesFlags,
  options: (p) => ({ async: p.values.async as boolean, dry: p.values.dry as boolean }),
  async run({ async, dry }, deps) {
    const conn = await deps.connect();
    if (dry) logLine(deps.stderr, 'debug', 'dry run, no changes will be applied');
    await withProgress(deps, 'pruning…', async (progress) => {
      const updates: Array<{ digest: string; labels: Record<string, string>; fields: string[] }> = [];
      let scanned = 0;
      for await (const info of walkContent(conn)) {
        progress.update(`pruning: ${++scanned} blobs scanned`);
        const labels = { ...info.labels };
        const fields: string[] = [];
        for (const k of Object.keys(info.labels)) {
          if (!isLayerLabel(k)) continue;
          if (dry) {
            deps.stderr.write(formatLogLine(deps.stderr, 'debug', 'Removing label', { digest: info.digest, label: k }));
            continue;
          }
          fields.push(`labels.${k}`);
          delete labels[k];
        }
        if (fields.length) updates.push({ digest: info.digest, labels, fields });
      }
      for (const [i, u] of updates.entries()) {
        progress.update(`pruning: removing layer references, ${i + 1}/${updates.length} blobs`);
        await updateContent(conn, u.digest, u.labels, u.fields);
      }
      progress.update(async ? 'pruning: starting garbage collection…' : 'pruning: collecting garbage…');
      // An empty lease deleted synchronously makes the daemon collect garbage now.
      const leases = conn.service(LeasesDefinition);
      const expire = Math.floor(Date.now() / 1000) + 3600;
      const { lease } = await converted(leases.create({
        id: randomLeaseId(),
        labels: { 'containerd.io/gc.expire': formatRFC3339({ seconds: expire, nanos: 0 }) },
      }));
      await converted(leases.delete({ id: lease?.id ?? '', sync: !async }));
    });
  },
});

const group: GroupEntry = {
  name: 'prune',
  usage: 'prunes content from the content store',
  verbs: [{
    name: 'references',
    usage: 'prunes preference labels from the content store (layers only by default)',
    load: async () => ({ default: references }),
  }],
};

async function showHelp(deps: Deps, path: string[], verb?: Verb<any>): Promise<void> {
  const { renderHelp } = await import('../../cli/help.js');
  deps.stdout.write(verb ? renderHelp('verb', path, group.verbs[0], verb) : renderHelp('group', path, group));
}

type PruneOptions = { sub?: string; rest: string[] };

const prune: Verb<PruneOptions> = {
  flags: [],
  skipArgReorder: true,
  parse: (argv) => ({ sub: argv[0], rest: argv.slice(1) }),
  async run({ sub, rest }, deps) {
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help' || sub === 'h') {
      await showHelp(deps, ['content', 'prune']);
      return;
    }
    if (sub !== 'references') {
      deps.stderr.write(`No help topic for '${sub}'\n`);
      const { CommandError } = await import('../../cli/types.js');
      throw new CommandError('', 3);
    }
    const opts = references.parse(rest, deps.env);
    if (opts.help) {
      await showHelp(deps, ['content', 'prune', 'references'], references);
      return;
    }
    await references.run(opts, deps);
  },
};

export default prune;
