// The entry point; with src/cli/execute.ts (which runs one verb) the only code that
// touches `process`. It mirrors urfave/cli
// v1's flow as ctr uses it: global flags, then a command or group, then a verb; usage
// errors print "Incorrect Usage" and help on stdout and `ctr: <err>` on stderr (exit 1);
// an unknown command prints "No help topic for '<name>'" on stderr (exit 3).

import { parseFlags, UsageError, type FlagValues } from './cli/flags.js';
import { globalFlags } from './cli/globals.js';
import { commands, isGroup, lookup, type Entry, type GroupEntry, type VerbEntry } from './cli/registry.js';
import type { GlobalOptions, Output, Verb } from './cli/types.js';
import { VERSION } from './version.js';
import { nativeHelper } from './util/native.js';
import { fstatSync, writeSync } from 'node:fs';

interface Outcome { code: number }

/**
 * process.stdout or process.stderr, built on first use: that loads node's stream modules
 * (and net on a pipe, tty on a terminal: ~5-8 ms) and builds the stream, which `run`
 * would otherwise pay before its first call to the daemon. Until then listeners wait
 * (run's EPIPE watch, ours below) and nothing is queued. Writes to a file, a terminal or
 * /dev/null go straight to the descriptor, synchronously, as node's own streams write
 * there on Linux, until either stream is built; a pipe or socket gets node's stream (whose
 * writes do not block the event loop when the reader is slow), as does any use other than
 * writing and listening (the spinner's cursor calls).
 */
function lazyStream(fd: 1 | 2, build: () => NodeJS.WriteStream): NodeJS.WriteStream {
  let stream: NodeJS.WriteStream | undefined;
  let direct: boolean | undefined;
  const early: Array<[string, (...args: any[]) => void]> = [];
  const real = () => {
    if (!stream) {
      stdioBuilt = true;
      stream = build();
      for (const [event, fn] of early.splice(0)) stream.on(event, fn);
    }
    return stream;
  };
  const own = {
    on(event: string, fn: (...args: any[]) => void) {
      if (stream) stream.on(event, fn);
      else early.push([event, fn]);
      return proxy;
    },
    get writableLength() {
      return stream?.writableLength ?? 0;
    },
    get errored() {
      return stream?.errored ?? null;
    },
    write(chunk: string | Uint8Array, encoding?: BufferEncoding | WriteCallback, cb?: WriteCallback): boolean {
      const done = typeof encoding === 'function' ? encoding : cb;
      const enc = typeof encoding === 'string' ? encoding : 'utf8';
      if (stdioBuilt || !(direct ??= writesDirectly(fd))) return real().write(chunk, enc, done);
      let data: Uint8Array = typeof chunk === 'string' ? Buffer.from(chunk, enc) : chunk;
      try {
        while (data.length > 0) data = data.subarray(writeSync(fd, data));
      } catch (e) {
        // From here on node's stream: it queues what a non-blocking descriptor could not
        // take now, and any other failure is reported as that stream would report it.
        const s = real();
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return s.write(data, done);
        process.nextTick(() => s.emit('error', e));
        return false;
      }
      if (done) process.nextTick(done);
      return true;
    },
  };
  const proxy: NodeJS.WriteStream = new Proxy(own as unknown as NodeJS.WriteStream, {
    get(target, key) {
      if (key === 'on' || key === 'writableLength' || key === 'errored' || key === 'write') return Reflect.get(target, key);
      const s = real();
      const value: unknown = Reflect.get(s, key, s);
      return typeof value === 'function' ? value.bind(s) : value;
    },
  });
  return proxy;
}
type WriteCallback = (err?: Error | null) => void;
/**
 * Set once either stream is built: from then on both write through node's streams, where
 * the spinner (ora) hooks process.stdout and process.stderr to clear its line first.
 */
let stdioBuilt = false;

/** A regular file or a character device (a terminal, /dev/null): writes never wait on a reader. */
function writesDirectly(fd: number): boolean {
  try {
    const st = fstatSync(fd);
    return st.isFile() || st.isCharacterDevice();
  } catch {
    return false;
  }
}
const stdout = lazyStream(1, () => process.stdout);
const stderr = lazyStream(2, () => process.stderr);

/**
 * A write to stdout or stderr that fails: Go ignores the error, except on a broken pipe,
 * where its runtime raises SIGPIPE and ctr dies of it without a word (`ctr i ls | head`
 * reports 141). A verb that copies into the stream and handles its errors itself (run
 * forwards the SIGPIPE to the task, as ctr does) has its own listener and decides.
 */
function onOutputError(this: NodeJS.WriteStream, e: NodeJS.ErrnoException): void {
  if (e.code !== 'EPIPE' || this.listenerCount('error') > 1) return;
  // Node ignores SIGPIPE; a listener's removal puts the default action back.
  const ignore = () => {};
  process.on('SIGPIPE', ignore).off('SIGPIPE', ignore);
  process.kill(process.pid, 'SIGPIPE');
  // Should the signal not end the process, the status a shell would show for it.
  process.exit(128 + 13);
}
stdout.on('error', onOutputError);
stderr.on('error', onOutputError);

async function help(kind: 'app' | 'group' | 'verb', path: string[], entry?: Entry, verb?: Verb): Promise<string> {
  const { renderHelp } = await import('./cli/help.js');
  return renderHelp(kind, path, entry, verb);
}

async function main(argv: string[]): Promise<Outcome> {
  const env = process.env;
  // Our shell scripts' entry point (completions/): candidates for the words typed so far.
  if (argv[0] === '__complete') {
    const { complete, render } = await import('./complete/engine.js');
    const [shell = 'bash', ...words] = argv.slice(1);
    stdout.write(render(await complete(words.length ? words : [''], { env }), shell !== 'bash'));
    return { code: 0 };
  }
  // urfave checks the last argument for the completion flag before any parsing.
  if (argv[argv.length - 1] === '--generate-bash-completion') {
    stdout.write(completionWords(argv.slice(0, -1)));
    return { code: 0 };
  }
  let g;
  try {
    g = parseFlags(globalFlags, argv, { env, skipArgReorder: true, helpFlag: false });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    stdout.write(`Incorrect Usage. ${e.message}\n\n${await help('app', [])}`);
    stderr.write(`ctr: ${e.message}\n`);
    return { code: 1 };
  }
  if (g.values.help || (g.args.length === 0 && !g.values.version)) {
    stdout.write(await help('app', []));
    return { code: 0 };
  }
  if (g.values.version) {
    stdout.write(`ctr ctr-ts ${VERSION}\n`);
    return { code: 0 };
  }
  const globals: GlobalOptions = {
    address: String(g.values.address),
    namespace: String(g.values.namespace),
    timeoutNs: Number(g.values.timeout),
    connectTimeoutNs: Number(g.values['connect-timeout']),
    debug: Boolean(g.values.debug),
  };

  let [name, ...rest] = g.args as [string, ...string[]];
  if (name === 'help' || name === 'h') {
    return showHelpTopic(rest);
  }
  const entry = lookup(commands, name);
  if (!entry) return noTopic(name);
  let verbEntry: VerbEntry;
  let path = [entry.name];
  let groupFlags: FlagValues | undefined;
  if (isGroup(entry)) {
    if (entry.flags) {
      // A group's own flags (snapshots --snapshotter) precede the verb, parsed in place as
      // urfave's sub-app does.
      try {
        const parsed = parseFlags(entry.flags, rest, { env, skipArgReorder: true });
        if (parsed.help) {
          stdout.write(await help('group', path, entry));
          return { code: 0 };
        }
        groupFlags = parsed.values;
        rest = parsed.args;
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        stdout.write(`Incorrect Usage. ${e.message}\n\n${await help('group', path, entry)}`);
        stderr.write(`ctr: ${e.message}\n`);
        return { code: 1 };
      }
    }
    const [sub, ...after] = rest;
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help' || sub === 'h') {
      if (sub === 'help' || sub === 'h') return showHelpTopic([entry.name, ...after]);
      stdout.write(await help('group', path, entry));
      return { code: 0 };
    }
    const found = lookup(entry.verbs, sub);
    if (!found) return noTopic(sub);
    verbEntry = found;
    path = [...path, found.name];
    rest = after;
  } else {
    verbEntry = entry;
  }

  // A built verb bundle carries its own execute(), so that its errors and the classes
  // they are checked against come from one copy of the code; from source, import it.
  const mod = await verbEntry.load();
  const execute = mod.execute ?? (await import('./cli/execute.js')).execute;
  return execute(mod.default, { path, entry: verbEntry, argv: rest, globals, groupFlags, env, stdout, stderr });
}

async function showHelpTopic(topic: string[]): Promise<Outcome> {
  if (topic.length === 0) {
    stdout.write(await help('app', []));
    return { code: 0 };
  }
  const entry = lookup(commands, topic[0]!);
  if (!entry) return noTopic(topic[0]!);
  if (isGroup(entry) && topic[1] !== undefined) {
    const v = lookup(entry.verbs, topic[1]);
    if (!v) return noTopic(topic[1]);
    stdout.write(await help('verb', [entry.name, v.name], v, (await v.load()).default));
    return { code: 0 };
  }
  stdout.write(isGroup(entry)
    ? await help('group', [entry.name], entry as GroupEntry)
    : await help('verb', [entry.name], entry, (await (entry as VerbEntry).load()).default));
  return { code: 0 };
}

/** urfave's default completion: the names and aliases of the subcommands at this point. */
function completionWords(argv: string[]): string {
  let list: readonly Entry[] = commands;
  let g;
  try {
    g = parseFlags(globalFlags, argv, { skipArgReorder: true, helpFlag: false });
  } catch {
    return '';
  }
  const [first, ...rest] = g.args;
  if (first !== undefined) {
    const entry = lookup(commands, first);
    if (!entry || !isGroup(entry) || rest.length > 0) return '';
    list = entry.verbs;
  }
  const words = list.flatMap((e) => [e.name, ...(e.aliases ?? [])]);
  return [...words, 'help', 'h'].map((w) => `${w}\n`).join('');
}

function noTopic(name: string): Outcome {
  stderr.write(`No help topic for '${name}'\n`);
  return { code: 3 };
}

/**
 * Ends the process with `code`. Node's own teardown after the loop drains costs several ms,
 * so the process exits at once when nothing is left to write to stdout or stderr (those are
 * written synchronously unless a pipe was full); what a command leaves running by then
 * (a connection's close) has no one waiting for it.
 */
function finish(code: number): void {
  process.exitCode = code;
  // A write that failed (EPIPE) reports it on a later tick, and our listener then ends the
  // process with SIGPIPE as Go's runtime ends ctr: exiting now would hide that.
  if ([stdout, stderr].some((s) => s.writableLength !== 0 || s.errored)) return;
  // After every other 'exit' listener (bin/ctr's code cache), _exit(2) skips node's
  // teardown of its threads (~1 ms); not with a terminal, whose modes node puts back.
  const native = nativeHelper();
  if (native) process.once('exit', (c) => native.exitNow(c));
  process.exit(code);
}

main(process.argv.slice(2)).then(
  ({ code }) => finish(code),
  (e) => {
    // Anything unexpected still ends as one ctr-style line, never a stack trace.
    stderr.write(`ctr: ${e instanceof Error ? e.message : String(e)}\n`);
    finish(1);
  },
);
