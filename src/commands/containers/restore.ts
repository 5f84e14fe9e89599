import { ImagesDefinition } from '../../api/github.com/containerd/containerd/api/services/images/v1/images.js';
import { converted, isNotFound } from '../../client/errdefs.js';
import { CommandError, defineVerb } from '../../cli/types.js';
import { restoreContainer, taskCheckpoint, type IndexDescriptor } from '../../containers/checkpoint.js';
import { fifoIO } from '../../taskio/io.js';
import { newTask } from '../../tasks/create.js';
import type { RegistryOptions } from '../flagsets/registry.js';

export default defineVerb({
  argsUsage: 'CONTAINER REF',
  flags: [
    { name: 'rw', kind: 'bool', usage: 'restore the rw layer from the checkpoint' },
    { name: 'live', kind: 'bool', usage: 'restore the runtime and memory data from the checkpoint' },
  ],
  options: (p) => ({ id: p.args[0] ?? '', ref: p.args[1] ?? '', rw: p.values.rw as boolean, live: p.values.live as boolean }),
  async run({ id, ref, rw, live }, deps) {
    if (id === '') throw new CommandError('container id must be provided');
    if (ref === '') throw new CommandError('ref must be provided');
    const conn = await deps.connect();
    let target: IndexDescriptor;
    try {
      const { image } = await converted(conn.service(ImagesDefinition).get({ name: ref }));
      const t = image!.target!;
      target = { mediaType: t.mediaType, digest: t.digest, size: Number(t.size) };
    } catch (e) {
      if (!isNotFound(e)) throw e;
      // client.Fetch: only the resolution is done here; a checkpoint has to be local.
      const { getResolver } = await import('../../registry/index.js');
      const defaults: RegistryOptions = {
        skipVerify: false, plainHTTP: false, user: '', refresh: '', hostsDir: '', tlsCACert: '', tlsCert: '', tlsKey: '', httpDump: false, httpTrace: false,
      };
      const resolver = await getResolver(defaults, deps);
      try {
        await resolver.resolve(ref);
      } catch (re) {
        throw new CommandError(`failed to resolve reference "${ref}": ${(re as Error).message}`);
      }
      throw new CommandError(`restoring from a remote checkpoint is not supported: pull "${ref}" first`);
    }
    const container = await restoreContainer(conn, id, target, rw);
    const checkpoint = live ? await taskCheckpoint(conn, target) : undefined;
    // cio.WithStdio; ctr returns once the task started, leaving its IO behind.
    const task = await newTask(conn, container, {
      io: fifoIO({ stdin: deps.stdin, stdout: deps.stdout, stderr: deps.stderr }),
      checkpoint: checkpoint && { mediaType: checkpoint.mediaType, digest: checkpoint.digest, size: checkpoint.size, annotations: {} },
    });
    await task.start();
    task.io?.release();
  },
});
