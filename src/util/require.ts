// node's require, for loading a built-in module only on the path that needs it (a
// static import loads it with the bundle, at start-up). The CLI's CommonJS bundles get
// their own require in place of this module (scripts/build.mjs), so node:module, with
// the ESM loader modules it pulls in, stays unloaded there.

import { createRequire } from 'node:module';

export const nodeRequire: NodeJS.Require = createRequire(import.meta.url);
