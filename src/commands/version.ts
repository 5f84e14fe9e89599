import { IntrospectionDefinition } from '../api/github.com/containerd/containerd/api/services/introspection/v1/introspection.js';
import { VersionDefinition } from '../api/github.com/containerd/containerd/api/services/version/v1/version.js';
import { defineVerb } from '../cli/types.js';
import { VERSION } from '../version.js';

export default defineVerb({
  options: () => ({}),
  async run(_opts, deps) {
    // The client block names this client; the server block is the daemon's, as ctr prints it.
    deps.stdout.write(`Client:\n  Version:  ${VERSION}\n  Revision: ctr-ts\n  Node version: ${process.version}\n\n`);
    const conn = await deps.connect();
    const v = await conn.service(VersionDefinition).version({});
    deps.stdout.write(`Server:\n  Version:  ${v.version}\n  Revision: ${v.revision}\n`);
    const server = await conn.service(IntrospectionDefinition).server({});
    deps.stdout.write(`  UUID: ${server.uuid}\n`);
  },
});
