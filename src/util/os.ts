// node:os, loaded where it is used rather than with the bundle (~0.5 ms of start-up that
// `run` would pay before its first call, for a signal table and a temporary directory).

import { nodeRequire } from './require.js';

export const os = (): typeof import('node:os') => nodeRequire('node:os') as typeof import('node:os');
