// ctr's commands.RegistryFlags, shared by pull, push, content fetch, fetch-object and
// push-object, and the options they parse into.

import type { FlagSpec, ParsedArgs } from '../../cli/flags.js';

export const registryFlags: FlagSpec[] = [
  { name: 'skip-verify, k', kind: 'bool', usage: 'skip SSL certificate validation' },
  { name: 'plain-http', kind: 'bool', usage: 'allow connections using plain HTTP' },
  { name: 'user, u', kind: 'string', usage: 'user[:password] Registry user and password' },
  { name: 'refresh', kind: 'string', usage: 'refresh token for authorization server' },
  { name: 'hosts-dir', kind: 'string', usage: 'Custom hosts configuration directory' },
  { name: 'tlscacert', kind: 'string', usage: 'path to TLS root CA' },
  { name: 'tlscert', kind: 'string', usage: 'path to TLS client certificate' },
  { name: 'tlskey', kind: 'string', usage: 'path to TLS client key' },
  { name: 'http-dump', kind: 'bool', usage: 'dump all HTTP request/responses when interacting with container registry' },
  { name: 'http-trace', kind: 'bool', usage: 'enable HTTP tracing for registry interactions' },
];

/** commands.LabelFlag. */
export const labelFlag: FlagSpec = { name: 'label', kind: 'stringSlice', usage: 'labels to attach to the image' };

export interface RegistryOptions {
  skipVerify: boolean;
  plainHTTP: boolean;
  user: string;
  refresh: string;
  hostsDir: string;
  tlsCACert: string;
  tlsCert: string;
  tlsKey: string;
  httpDump: boolean;
  httpTrace: boolean;
}

export function registryOptions(p: ParsedArgs): RegistryOptions {
  const s = (k: string) => (p.values[k] as string | undefined) ?? '';
  return {
    skipVerify: Boolean(p.values['skip-verify']),
    plainHTTP: Boolean(p.values['plain-http']),
    user: s('user'),
    refresh: s('refresh'),
    hostsDir: s('hosts-dir'),
    tlsCACert: s('tlscacert'),
    tlsCert: s('tlscert'),
    tlsKey: s('tlskey'),
    httpDump: Boolean(p.values['http-dump']),
    httpTrace: Boolean(p.values['http-trace']),
  };
}
