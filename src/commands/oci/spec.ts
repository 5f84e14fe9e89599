import { defineVerb, CommandError } from '../../cli/types.js';
import { defaultUnixSpec, namespaceRequired } from '../../oci/defaults.js';
import { indentSpec } from '../../oci/spec.js';

export default defineVerb({
  options: () => ({}),
  async run(_opts, deps) {
    // Needs no daemon: the spec is generated for a container with an empty id.
    let spec;
    try {
      spec = defaultUnixSpec(namespaceRequired(deps.globals.namespace), '');
    } catch (e) {
      throw new CommandError(`failed to generate spec: ${(e as Error).message}`);
    }
    deps.stdout.write(`${indentSpec(spec)}\n`);
  },
});
