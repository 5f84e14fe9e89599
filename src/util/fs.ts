// Promise forms of the node:fs calls the container code uses. Importing node:fs/promises
// loads a good part of node (readline, watchers, streams) before `run` can make its first
// call; these wrap the callback functions node has loaded anyway, each on its first use
// (run's usual path needs none of them, and promisify costs start-up time).

import * as fs from 'node:fs';
import { promisify } from 'node:util';

function lazily<F extends (...args: never[]) => unknown>(make: () => F): F {
  let f: F | undefined;
  return ((...args: Parameters<F>) => (f ??= make())(...args)) as F;
}

export const lchown = lazily(() => promisify(fs.lchown));
export const lstat = lazily(() => promisify(fs.lstat));
export const mkdir = lazily(() => promisify(fs.mkdir));
export const mkdtemp = lazily(() => promisify(fs.mkdtemp));
export const readdir = lazily(() => promisify(fs.readdir));
export const readFile = lazily(() => promisify(fs.readFile));
export const readlink = lazily(() => promisify(fs.readlink));
export const rm = lazily(() => promisify(fs.rm));
export const rmdir = lazily(() => promisify(fs.rmdir));
export const writeFile = lazily(() => promisify(fs.writeFile));
