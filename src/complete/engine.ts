// Shell completion that knows the command tree and the daemon. The shell scripts in
// completions/ call `ctr __complete <words…>` (the words typed so far, the last one being
// the word under the cursor) and read one candidate per line ("word\tdescription"),
// then a last line ":<directive>" (0: plain, 1: let the shell complete file names).
// The daemon is asked only for the values a position needs, with a short deadline;
// a dead or missing socket gives the static words and nothing on stderr.

import { flagKey, flagNames, type FlagSpec } from '../cli/flags.js';
import { globalFlags, DEFAULT_ADDRESS } from '../cli/globals.js';
import { commands, isGroup, lookup, type Entry, type GroupEntry, type VerbEntry } from '../cli/registry.js';
import type { Verb } from '../cli/types.js';
import { live, type LiveKind } from './live.js';

export interface Candidate { word: string; description?: string }
export const enum Directive { Plain = 0, Files = 1 }
export interface Completion { candidates: Candidate[]; directive: Directive }

/** What a verb's positional arguments are, by canonical path. */
const positional: Record<string, LiveKind | 'files'> = {
  'containers create': 'images', 'containers delete': 'containers', 'containers info': 'containers',
  'containers label': 'containers', 'containers checkpoint': 'containers', 'containers restore': 'containers',
  'content delete': 'content', 'content edit': 'content', 'content get': 'content', 'content label': 'content',
  'images check': 'images', 'images export': 'images', 'images import': 'files', 'images push': 'images',
  'images delete': 'images', 'images tag': 'images', 'images label': 'images', 'images mount': 'images',
  'images unmount': 'files', 'images convert': 'images',
  'leases delete': 'leases',
  'namespaces remove': 'namespaces', 'namespaces label': 'namespaces',
  run: 'images',
  'snapshots commit': 'snapshots', 'snapshots diff': 'snapshots', 'snapshots info': 'snapshots',
  'snapshots mounts': 'snapshots', 'snapshots delete': 'snapshots', 'snapshots label': 'snapshots',
  'snapshots tree': 'snapshots', 'snapshots usage': 'snapshots', 'snapshots view': 'snapshots',
  'snapshots prepare': 'snapshots',
  'tasks attach': 'tasks:running', 'tasks checkpoint': 'tasks:running', 'tasks delete': 'tasks',
  'tasks exec': 'tasks:running', 'tasks kill': 'tasks:running', 'tasks pause': 'tasks:running',
  'tasks ps': 'tasks', 'tasks resume': 'tasks:paused', 'tasks start': 'containers:idle',
  'tasks metrics': 'tasks:running',
};

/** Values of flags, by flag name (any verb). */
const flagValues: Record<string, LiveKind | 'files' | readonly string[]> = {
  namespace: 'namespaces',
  snapshotter: 'snapshotters',
  signal: [
    'SIGABRT', 'SIGALRM', 'SIGBUS', 'SIGCHLD', 'SIGCONT', 'SIGFPE', 'SIGHUP', 'SIGILL', 'SIGINT', 'SIGIO',
    'SIGKILL', 'SIGPIPE', 'SIGPROF', 'SIGPWR', 'SIGQUIT', 'SIGSEGV', 'SIGSTKFLT', 'SIGSTOP', 'SIGSYS',
    'SIGTERM', 'SIGTRAP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGUSR1', 'SIGUSR2', 'SIGVTALRM',
    'SIGWINCH', 'SIGXCPU', 'SIGXFSZ',
  ],
  platform: ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/arm/v6', 'linux/386', 'linux/ppc64le', 'linux/s390x', 'linux/riscv64'],
  format: ['table', 'json'],
  address: 'files', config: 'files', 'env-file': 'files', tlscacert: 'files', tlscert: 'files', tlskey: 'files',
  'hosts-dir': 'files', 'fifo-dir': 'files', 'pid-file': 'files', 'log-uri': 'files', 'seccomp-profile': 'files',
  'image-path': 'files', 'work-path': 'files', 'runc-binary': 'files', 'runc-root': 'files', rootfs: 'files',
};

const takesValue = (f: FlagSpec) => f.kind !== 'bool' && f.kind !== 'boolT';

function flagCandidates(flags: readonly FlagSpec[]): Candidate[] {
  return flags.filter((f) => !f.hidden).flatMap((f) =>
    flagNames(f).map((n) => ({ word: n.length === 1 ? `-${n}` : `--${n}`, description: f.usage })));
}

const entryCandidates = (entries: readonly Entry[]): Candidate[] =>
  entries.flatMap((e) => [e.name, ...(e.aliases ?? [])].map((w) => ({ word: w, description: e.usage })));

const matching = (cands: Candidate[], prefix: string) => cands.filter((c) => c.word.startsWith(prefix));

export interface EngineOptions {
  env: Record<string, string | undefined>;
  /** Total time allowed for daemon look-ups. */
  budgetMs?: number;
}

/** Splits the words before the cursor into flag/value pairs for one flag set. */
function scan(flags: readonly FlagSpec[], words: string[]): { rest: string[]; pendingFlag?: FlagSpec; values: Record<string, string> } {
  const byName = new Map<string, FlagSpec>();
  for (const f of flags) for (const n of flagNames(f)) byName.set(n, f);
  const values: Record<string, string> = {};
  let i = 0;
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--') { i++; break; }
    if (!w.startsWith('-') || w === '-') break;
    const [name, inline] = w.replace(/^--?/, '').split(/=(.*)/s, 2) as [string, string | undefined];
    const f = byName.get(name);
    if (!f) continue;
    if (!takesValue(f)) continue;
    if (inline !== undefined) { values[flagKey(f)] = inline; continue; }
    if (i + 1 >= words.length) return { rest: [], pendingFlag: f, values };
    values[flagKey(f)] = words[++i]!;
  }
  return { rest: words.slice(i), values };
}

export async function complete(words: string[], opts: EngineOptions): Promise<Completion> {
  const current = words.length ? words[words.length - 1]! : '';
  const before = words.slice(0, -1);
  const budget = opts.budgetMs ?? 250;

  // Global flags come first; -a and -n typed there steer the look-ups.
  const g = scan(globalFlags, before);
  const address = g.values.address ?? opts.env.CONTAINERD_ADDRESS ?? DEFAULT_ADDRESS;
  const namespace = g.values.namespace ?? opts.env.CONTAINERD_NAMESPACE ?? 'default';
  const lookupLive = (kind: LiveKind, extra: Record<string, string> = {}) =>
    live(kind, { address, namespace, budgetMs: budget, ...extra });

  const valueOf = async (f: FlagSpec, extra: Record<string, string> = {}): Promise<Completion> => {
    const src = f.choices ?? flagValues[flagKey(f)] ?? flagNames(f).map((n) => flagValues[n]).find(Boolean);
    if (src === 'files') return { candidates: [], directive: Directive.Files };
    if (Array.isArray(src)) return { candidates: matching(src.map((w) => ({ word: w })), current), directive: Directive.Plain };
    if (typeof src === 'string') {
      return { candidates: matching((await lookupLive(src as LiveKind, extra)).map((w) => ({ word: w })), current), directive: Directive.Plain };
    }
    return { candidates: [], directive: Directive.Plain };
  };

  if (g.pendingFlag) return valueOf(g.pendingFlag);
  if (g.rest.length === 0) {
    if (current.startsWith('-')) return { candidates: matching(flagCandidates(globalFlags), current), directive: Directive.Plain };
    return { candidates: matching(entryCandidates(commands), current), directive: Directive.Plain };
  }

  const entry = lookup(commands, g.rest[0]!);
  if (!entry) return { candidates: [], directive: Directive.Plain };
  let rest = g.rest.slice(1);
  let verbEntry: VerbEntry;
  const path = [entry.name];
  const groupValues: Record<string, string> = {};
  if (isGroup(entry)) {
    const group = entry as GroupEntry & { flags?: FlagSpec[] };
    const gf = scan(group.flags ?? [], rest);
    Object.assign(groupValues, gf.values);
    if (gf.pendingFlag) return valueOf(gf.pendingFlag);
    rest = gf.rest;
    if (rest.length === 0) {
      if (current.startsWith('-')) return { candidates: matching(flagCandidates(group.flags ?? []), current), directive: Directive.Plain };
      return { candidates: matching(entryCandidates(group.verbs), current), directive: Directive.Plain };
    }
    const v = lookup(group.verbs, rest[0]!);
    if (!v) return { candidates: [], directive: Directive.Plain };
    verbEntry = v;
    path.push(v.name);
    rest = rest.slice(1);
  } else {
    verbEntry = entry;
  }

  const verb: Verb = (await verbEntry.load()).default;
  const vf = scan(verb.flags, rest);
  const snapshotter = vf.values.snapshotter ?? groupValues.snapshotter ?? opts.env.CONTAINERD_SNAPSHOTTER ?? '';
  if (vf.pendingFlag) return valueOf(vf.pendingFlag, { snapshotter });
  if (current.startsWith('-')) {
    return { candidates: matching(flagCandidates(verb.flags), current), directive: Directive.Plain };
  }
  const kind = positional[path.join(' ')];
  // Only the first positional argument of most verbs names an existing object; later ones
  // are new names, paths or commands — except for verbs that take a list of objects.
  const positionals = vf.rest.filter((w) => !w.startsWith('-'));
  const lists = /^(images (delete|check|export|push)|containers delete|content (delete|label)|leases delete|namespaces remove|snapshots delete|tasks (delete|kill|pause|resume))$/;
  if (!kind || (positionals.length > 0 && !lists.test(path.join(' ')))) {
    return { candidates: [], directive: kind === 'files' ? Directive.Files : Directive.Plain };
  }
  if (kind === 'files') return { candidates: [], directive: Directive.Files };
  const words_ = await lookupLive(kind, { snapshotter });
  return { candidates: matching(words_.filter((w) => !positionals.includes(w)).map((w) => ({ word: w })), current), directive: Directive.Plain };
}

/** The `__complete` protocol text. */
export function render(c: Completion, withDescriptions: boolean): string {
  const lines = c.candidates.map((x) => (withDescriptions && x.description ? `${x.word}\t${x.description}` : x.word));
  return `${[...lines, `:${c.directive}`].join('\n')}\n`;
}
