// Runs one verb: parses its argv (urfave's usage and required-flag errors, help), gives
// it its deps (streams, a lazily dialled connection) and turns what it throws into
// ctr's `ctr: <message>` line and exit code. Built verb bundles export this alongside
// the verb, so everything thrown and checked here comes from the same copy of the code.

import { RequiredFlagError, UsageError, type FlagValues } from './flags.js';
import type { VerbEntry } from './registry.js';
import { CommandError, type Connection, type Deps, type GlobalOptions, type Output, type Verb } from './types.js';
import { errorMessage } from './errors.js';
import { processStdin } from './stdin.js';

export interface ExecuteContext {
  /** Canonical names, e.g. ['namespaces', 'list']. */
  path: string[];
  entry: VerbEntry;
  argv: string[];
  globals: GlobalOptions;
  groupFlags?: FlagValues;
  env: Record<string, string | undefined>;
  stdout: Output;
  stderr: Output;
}

async function help(path: string[], entry: VerbEntry, verb: Verb): Promise<string> {
  const { renderHelp } = await import('./help.js');
  return renderHelp('verb', path, entry, verb);
}

export async function execute(verb: Verb, c: ExecuteContext): Promise<{ code: number }> {
  const { stdout, stderr } = c;
  let opts;
  try {
    opts = verb.parse(c.argv, c.env);
  } catch (e) {
    if (e instanceof RequiredFlagError) {
      stdout.write(await help(c.path, c.entry, verb));
      stderr.write(`ctr: ${e.message}\n`);
      return { code: 1 };
    }
    if (!(e instanceof UsageError)) throw e;
    stdout.write(`Incorrect Usage: ${e.message}\n\n${await help(c.path, c.entry, verb)}`);
    stderr.write(`ctr: ${e.message}\n`);
    return { code: 1 };
  }
  if (opts.help) {
    stdout.write(await help(c.path, c.entry, verb));
    return { code: 0 };
  }

  let conn: Promise<Connection> | undefined;
  const deps: Deps = {
    stdout,
    stderr,
    // Built on first touch (process.stdin costs several ms): only verbs that read it pay.
    get stdin() {
      return processStdin();
    },
    env: c.env,
    globals: c.globals,
    groupFlags: c.groupFlags,
    connect: () => {
      conn ??= import('./connect.js').then((m) => m.connect(c.globals));
      return conn;
    },
  };
  try {
    await verb.run(opts, deps);
    return { code: 0 };
  } catch (e) {
    const { message, exitCode } = errorMessage(e);
    // urfave's exit errors without text (a task's exit status passed on) print nothing.
    if (!(e instanceof CommandError && message === '')) stderr.write(`ctr: ${message}\n`);
    return { code: exitCode };
  } finally {
    if (conn) conn.then((x) => x.close(), () => {});
  }
}
