// The optional native helper (native/ctr.c, built into dist/native/ when a C compiler
// and node's headers are there). Loaded on first use; when it is missing or won't load,
// callers take their portable path.

import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Native {
  /** mkfifo(2): 0, or the errno value. */
  mkfifo(path: string, mode: number): number;
  /** _exit(2) with `code`; returns false (and does nothing) when a terminal is on stdio. */
  exitNow(code: number): boolean;
}

let loaded: Native | null | undefined;

/** Where the built module sits: dist/native/, seen from a bundle in dist/ or from src/. */
function modulePath(): string {
  // import.meta.dirname (node 20.11) is __dirname in the CLI's CommonJS bundles, which
  // spares them building a file URL and parsing it back (~0.5 ms of start-up).
  const here = import.meta.dirname ?? dirname(fileURLToPath(import.meta.url));
  if (here.endsWith(join('src', 'util'))) return join(here, '..', '..', 'dist', 'native', 'ctr.node');
  const at = `${here}${sep}`.lastIndexOf(`${sep}dist${sep}`);
  return at < 0 ? '' : join(here.slice(0, at + 5), 'native', 'ctr.node');
}

export function nativeHelper(): Native | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  // For testing the portable paths, and a way out should the module misbehave somewhere.
  if (process.env.CTR_TS_NATIVE === 'off') return loaded;
  const file = modulePath();
  if (file === '') return loaded;
  try {
    const mod = { exports: {} as Partial<Native> };
    process.dlopen(mod, file);
    if (typeof mod.exports.mkfifo === 'function' && typeof mod.exports.exitNow === 'function') loaded = mod.exports as Native;
  } catch {
    // not built here
  }
  return loaded;
}
