import type { Info } from '../../api/github.com/containerd/containerd/api/services/snapshots/v1/snapshots.js';
import { converted } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';
import { snapshotterOf } from './common.js';

interface Node { name: string; parent: string; children: string[] }

export default defineVerb({
  options: () => ({}),
  async run(_opts, deps) {
    const { sn, name } = await snapshotterOf(deps);
    const nodes: Node[] = [];
    const index = new Map<string, Node>();
    // snapshotTree.add: parents seen before their info get a placeholder node.
    const add = (info: Pick<Info, 'name' | 'parent'>): Node => {
      let node = index.get(info.name);
      if (!node) {
        node = { name: info.name, parent: info.parent, children: [] };
        nodes.push(node);
        index.set(info.name, node);
      } else {
        node.parent = info.parent;
      }
      if (info.parent !== '') {
        const p = index.get(info.parent) ?? add({ name: info.parent, parent: '' });
        p.children.push(info.name);
      }
      return node;
    };
    try {
      for await (const batch of sn.list({ snapshotter: name, filters: [] })) batch.info.forEach(add);
    } catch (e) {
      await converted(Promise.reject(e));
    }
    let out = '';
    const print = (n: string, level: number) => {
      const node = index.get(n)!;
      out += `${'  '.repeat(level)}${level > 0 ? '\\_' : ''} ${node.name}\n`;
      for (const c of node.children) print(c, level + 1);
    };
    for (const node of nodes) if (node.parent === '') print(node.name, 0);
    deps.stdout.write(out);
  },
});
