// `run --cni`: go-cni's set-up with ctr's options loads the network configuration from
// /etc/cni/net.d first, and fails as below when there is none. Setting up a network
// with CNI plugins is not implemented here.

import { readdirSync } from 'node:fs';
import { extname } from 'node:path';

const CONF_DIR = '/etc/cni/net.d';
const CONF_EXTENSIONS = new Set(['.conf', '.conflist', '.json']);

export function checkCNI(): void {
  let files: string[] = [];
  try {
    files = readdirSync(CONF_DIR, { withFileTypes: true })
      .filter((d) => !d.isDirectory() && CONF_EXTENSIONS.has(extname(d.name)))
      .map((d) => d.name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`failed to read config file: ${(e as Error).message}: failed to read config file`);
    }
  }
  if (files.length === 0) throw new Error(`no network config found in ${CONF_DIR}: cni plugin not initialized`);
  throw new Error('cni networking is not supported by this ctr');
}
