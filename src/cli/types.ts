// What a verb module is and what it is given. A verb parses argv into a plain options
// object and runs with injected streams and an injected connection factory, so tests
// can drive it without a terminal or a daemon; only src/cli.ts touches `process`.

import { parseFlags, type FlagSpec, type FlagValues, type ParsedArgs } from './flags.js';

export interface Output {
  write(chunk: string | Uint8Array): unknown;
  /** Set when the stream is a terminal (progress redraws, raw mode). */
  isTTY?: boolean;
  columns?: number;
}

export interface GlobalOptions {
  address: string;
  namespace: string;
  /** ctr's --timeout in ns (0 = none). */
  timeoutNs: number;
  /** ctr's --connect-timeout in ns (0 = containerd's default of 10 s). */
  connectTimeoutNs: number;
  debug: boolean;
}

export type { Connection } from '../client/client.js';
import type { Connection } from '../client/client.js';

export interface Deps {
  stdout: Output;
  stderr: Output;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  globals: GlobalOptions;
  /** Values of the group's own flags, for groups that have some (snapshots --snapshotter). */
  groupFlags?: FlagValues;
  /** Dials the daemon (once; later calls return the same connection). */
  connect(): Promise<Connection>;
}

export interface Verb<O = unknown> {
  flags: FlagSpec[];
  /** urfave's SkipArgReorder: keep flags after positional arguments as arguments. */
  skipArgReorder?: boolean;
  argsUsage?: string;
  description?: string;
  /** Turns argv (after the verb name) into the verb's options; throws UsageError. */
  parse(argv: string[], env?: Record<string, string | undefined>): O & { help?: boolean };
  run(opts: O, deps: Deps): Promise<void>;
}

/** Builds a verb whose parse() runs the shared flag parser, then `options` on the result. */
export function defineVerb<O>(def: {
  flags?: FlagSpec[];
  skipArgReorder?: boolean;
  argsUsage?: string;
  description?: string;
  options(parsed: ParsedArgs): O;
  run(opts: O, deps: Deps): Promise<void>;
}): Verb<O> {
  const flags = def.flags ?? [];
  const verb: Verb<O> = {
    flags,
    skipArgReorder: def.skipArgReorder,
    argsUsage: def.argsUsage,
    description: def.description,
    parse: (argv, env) => {
      const parsed = parseFlags(flags, argv, { env, skipArgReorder: def.skipArgReorder });
      if (parsed.help) return { help: true } as O & { help?: boolean };
      return def.options(parsed) as O & { help?: boolean };
    },
    run: def.run,
  };
  return verb;
}

/** A failure whose message ctr prints as `ctr: <message>`; exit code 1 unless given. */
export class CommandError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CommandError';
  }
}
