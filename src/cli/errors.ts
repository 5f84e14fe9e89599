// Turns whatever a verb threw into ctr's one line and exit code.

import { CommandError } from './types.js';

export function errorMessage(e: unknown): { message: string; exitCode: number } {
  if (e instanceof CommandError) return { message: e.message, exitCode: e.exitCode };
  if (e instanceof Error) return { message: e.message, exitCode: 1 };
  return { message: String(e), exitCode: 1 };
}
