// ctr's commands.GetResolver: a resolver from the registry flags — credentials from
// --user (prompting for a missing password on the console) or --refresh, else (beyond
// ctr) from the Docker config file; hosts from --hosts-dir or the defaults, TLS from
// --skip-verify/--tlscacert/--tlscert/--tlskey, request dumps with --http-dump.

import tty from 'node:tty';
import type { Deps } from '../cli/types.js';
import { CommandError } from '../cli/types.js';
import type { RegistryOptions } from '../commands/flagsets/registry.js';
import { VERSION_FOR_USER_AGENT } from './version.js';
import type { CredentialsFunc } from './auth.js';
import { dockerCredentials } from './dockerconfig.js';
import { configureHosts, defaultTLSFromFlags, type RegistryHost } from './hosts.js';
import { Logger } from './log.js';
import { Resolver } from './resolver.js';

/** The console ctr's console.Current() finds: the first of stderr, stdout, stdin that is a terminal. */
function consoleFd(deps: Deps): number | undefined {
  for (const fd of [2, 1, 0]) {
    const isTTY = fd === 0 ? deps.stdin.isTTY : fd === 1 ? deps.stdout.isTTY : deps.stderr.isTTY;
    if (isTTY && tty.isatty(fd)) return fd;
  }
  return undefined;
}

/** passwordPrompt: one line from the console with echo off. */
async function readPassword(fd: number, deps: Deps): Promise<string> {
  const input = fd === 0 && deps.stdin instanceof tty.ReadStream ? deps.stdin : new tty.ReadStream(fd);
  input.setRawMode(true);
  return new Promise<string>((resolve, reject) => {
    let line = '';
    const done = (err?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      if (err) reject(err);
      else resolve(line);
    };
    const onData = (buf: Buffer) => {
      for (const c of buf.toString('utf8')) {
        if (c === '\r' || c === '\n') return done();
        if (c === '\u0003') return done(new Error('failed to read line: interrupted'));
        if (c === '\u0004' && line === '') return done(new Error('failed to read line: EOF'));
        if (c === '\u007f' || c === '\b') line = line.slice(0, -1);
        else line += c;
      }
    };
    input.on('data', onData);
    input.resume();
  });
}

export interface ResolverContext {
  resolver: Resolver;
  log: Logger;
}

export function makeLogger(deps: Deps): Logger {
  return new Logger(deps.stderr, deps.globals.debug ? 'debug' : 'info');
}

export async function getResolver(ro: RegistryOptions, deps: Deps, log = makeLogger(deps)): Promise<Resolver> {
  let username = ro.user;
  let secret = '';
  const i = username.indexOf(':');
  if (i > 0) {
    secret = username.slice(i + 1);
    username = username.slice(0, i);
  }
  if (username !== '') {
    if (secret === '') {
      deps.stdout.write('Password: ');
      const fd = consoleFd(deps);
      if (fd === undefined) throw new CommandError('panic: provided file is not a console', 2);
      secret = await readPassword(fd, deps);
      deps.stdout.write('\n');
    }
  } else if (ro.refresh !== '') {
    secret = ro.refresh;
  }
  // Beyond ctr: without --user or --refresh, credentials come from the Docker config.
  const credentials: CredentialsFunc = ro.user !== '' || ro.refresh !== ''
    ? () => ({ username, secret })
    : dockerCredentials({ env: deps.env, log });
  const defaultTLS = defaultTLSFromFlags(ro);
  const headers = { 'User-Agent': [`containerd/${VERSION_FOR_USER_AGENT}`] };
  const cache = new Map<string, RegistryHost[]>();
  const hosts = (host: string) => {
    let h = cache.get(host);
    if (!h) {
      h = configureHosts({
        hostDir: ro.hostsDir || undefined,
        credentials,
        defaultScheme: ro.plainHTTP ? 'http' : undefined,
        defaultTLS,
        headers,
        dump: ro.httpDump ? log : undefined,
        trace: ro.httpTrace ? log : undefined,
        log,
      }, host);
      cache.set(host, h);
    }
    return h;
  };
  const close = () => {
    for (const list of cache.values()) for (const h of list) h.client.close();
  };
  return new Resolver({ hosts, headers, log, close });
}
