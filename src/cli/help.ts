// Help text, rendered by commander from our command metadata. Loaded only when help
// is asked for (or a usage error shows it), so commander costs nothing at start-up.

import { Command, Option } from 'commander';
import { flagNames, type FlagSpec } from './flags.js';
import { globalFlags } from './globals.js';
import { commands, isGroup, type Entry } from './registry.js';
import type { Verb } from './types.js';

function addFlags(cmd: Command, flags: readonly FlagSpec[]): void {
  for (const f of flags) {
    if (f.hidden) continue;
    const names = flagNames(f).map((n) => (n.length === 1 ? `-${n}` : `--${n}`));
    // commander wants the short form first.
    names.sort((a, b) => a.length - b.length);
    const takesValue = f.kind !== 'bool' && f.kind !== 'boolT';
    const opt = new Option(`${names.join(', ')}${takesValue ? ' <value>' : ''}`, f.usage);
    if (f.envVar) opt.env(f.envVar);
    if (takesValue && f.value !== undefined && f.value !== '' && !(Array.isArray(f.value) && f.value.length === 0)) {
      opt.default(f.value);
    }
    cmd.addOption(opt);
  }
}

function addEntries(cmd: Command, entries: readonly Entry[]): void {
  for (const e of entries) {
    const sub = new Command(e.name).description(e.usage);
    for (const a of e.aliases ?? []) sub.alias(a);
    cmd.addCommand(sub);
  }
}

export function renderHelp(kind: 'app' | 'group' | 'verb', path: string[], entry?: Entry, verb?: Verb): string {
  const cmd = new Command('ctr');
  cmd.helpOption('-h, --help', 'show help');
  if (kind === 'app') {
    cmd.description('containerd CLI (TypeScript re-implementation of ctr)');
    addFlags(cmd, globalFlags.filter((f) => !f.name.startsWith('help')));
    addEntries(cmd, commands);
    return cmd.helpInformation();
  }
  const target = new Command(path.join(' '));
  target.helpOption('-h, --help', 'show help');
  target.description([entry?.usage, verb?.description].filter(Boolean).join('\n\n'));
  if (kind === 'group' && entry && isGroup(entry)) {
    addEntries(target, entry.verbs);
    if (entry.flags) addFlags(target, entry.flags);
    target.usage('command [command options] [arguments...]');
  } else if (verb) {
    addFlags(target, verb.flags);
    target.usage(`[command options] ${verb.argsUsage ?? '[arguments...]'}`);
  }
  cmd.addCommand(target);
  return target.helpInformation();
}
