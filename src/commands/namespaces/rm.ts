import { NamespacesDefinition } from '../../api/github.com/containerd/containerd/api/services/namespaces/v1/namespace.js';
import { fromGRPC, isNotFound } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';
import { deleteNamespaceCgroup } from './cgroup.js';

export default defineVerb({
  argsUsage: '<name> [<name>, ...]',
  description: 'remove one or more namespaces. for now, the namespace must be empty',
  flags: [{ name: 'cgroup,c', kind: 'bool', usage: "delete the namespace's cgroup" }],
  options: (p) => ({ names: p.args, cgroup: p.values.cgroup as boolean }),
  async run({ names, cgroup }, deps) {
    const ns = (await deps.connect()).service(NamespacesDefinition);
    let firstError: Error | undefined;
    for (const name of names) {
      try {
        if (cgroup) await deleteNamespaceCgroup(name);
        await ns.delete({ name });
      } catch (e) {
        const err = fromGRPC(e);
        // A namespace that is already gone counts as removed, as in ctr.
        if (!isNotFound(err)) {
          const message = err instanceof Error ? err.message : String(err);
          firstError ??= new Error(`unable to delete ${name}: ${message}`);
          deps.stderr.write(`${logLine('error', `unable to delete ${name}`, message)}\n`);
          continue;
        }
      }
      deps.stdout.write(`${name}\n`);
    }
    if (firstError) throw firstError;
  },
});

/** A logrus text-format line as ctr writes its log.G(ctx) errors to stderr. */
function logLine(level: string, msg: string, error: string): string {
  const time = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const q = (s: string) => JSON.stringify(s);
  return `time=${q(time)} level=${level} msg=${q(msg)} error=${q(error)}`;
}
