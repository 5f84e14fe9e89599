// Promise forms of the node:fs calls the container code uses. Importing node:fs/promises
// loads a good part of node (readline, watchers, streams) before `run` can make its first
// call; these wrap the callback functions node has loaded anyway.

import * as fs from 'node:fs';
import { promisify } from 'node:util';

export const lchown = promisify(fs.lchown);
export const lstat = promisify(fs.lstat);
export const mkdir = promisify(fs.mkdir);
export const mkdtemp = promisify(fs.mkdtemp);
export const readdir = promisify(fs.readdir);
export const readFile = promisify(fs.readFile);
export const readlink = promisify(fs.readlink);
export const rm = promisify(fs.rm);
export const rmdir = promisify(fs.rmdir);
export const writeFile = promisify(fs.writeFile);
