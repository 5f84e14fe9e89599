// Registry host configuration as containerd's remotes/docker/config.ConfigureHosts
// builds it for ctr: the default host (https; plain http for localhost unless told
// otherwise; registry-1.docker.io for docker.io), or the hosts.toml / certs.d directory
// found under --hosts-dir (mirrors in file order, then the server), each with its own
// HTTP client (TLS settings) and authorizer.

import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { Authorizer, type CredentialsFunc } from './auth.js';
import { HttpClient, type Headers, type TLSSettings } from './http.js';
import type { Logger } from './log.js';
import { cleanPath, goQuote } from './reference.js';
import { parseToml, tableLines, type TomlTable, type TomlValue } from './toml.js';

export const CAP_PULL = 1;
export const CAP_RESOLVE = 2;
export const CAP_PUSH = 4;
const ALL_CAPS = CAP_PULL | CAP_RESOLVE | CAP_PUSH;

export interface RegistryHost {
  scheme: string;
  host: string;
  path: string;
  capabilities: number;
  header: Headers;
  client: HttpClient;
  authorizer: Authorizer;
}

export interface HostOptions {
  hostDir?: string;
  credentials: CredentialsFunc;
  /** "http" with --plain-http. */
  defaultScheme?: string;
  defaultTLS: TLSSettings;
  /** Headers every request carries (User-Agent). */
  headers: Headers;
  dump?: Logger;
  trace?: Logger;
  log: Logger;
}

interface HostConfig {
  scheme: string;
  host: string;
  path: string;
  capabilities: number;
  caCerts?: string[];
  clientPairs?: Array<[string, string]>;
  skipVerify?: boolean;
  header?: Headers;
}

/** Go's text for a failed file operation: "open /x: no such file or directory". */
export function goFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.syscall && err.path) {
    const text = err.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
    return `${err.syscall} ${err.path}: ${text}`;
  }
  return String(err.message ?? e);
}

export const isLocalhost = (host: string): boolean => {
  let h = host;
  const m = /^\[(.*)\](:\d*)?$/.exec(host) ?? /^([^:]*)(:\d*)?$/.exec(host);
  if (m) h = m[1]!;
  if (h === 'localhost') return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  return h === '::1' || h === '0:0:0:0:0:0:0:1';
};

/** hostDirectory: "host:port" is looked up as "host_port_" first. */
function hostPaths(root: string, host: string): string[] {
  const out: string[] = [];
  const idx = host.lastIndexOf(':');
  if (idx > 0) out.push(join(root, `${host.slice(0, idx)}_${host.slice(idx + 1)}_`));
  out.push(join(root, host), join(root, '_default'));
  return out;
}

function hostDirFromRoot(root: string, host: string): string {
  for (const p of hostPaths(root, host)) {
    try {
      statSync(p);
      return p;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(goFsError(e));
    }
  }
  return '';
}

const makeAbs = (p: string, base: string) => (isAbsolute(p) ? p : join(base, p));

function stringSlice(v: TomlValue[]): string[] {
  return v.map((x) => {
    if (typeof x !== 'string') throw new Error(`unable to cast ${String(x)} to string`);
    return x;
  });
}

function parseHostConfig(server: string, baseDir: string, c: TomlTable): HostConfig {
  const result: HostConfig = { scheme: '', host: '', path: '', capabilities: 0 };
  if (server !== '') {
    if (!server.startsWith('http')) server = `https://${server}`;
    let u: URL;
    try {
      u = new URL(server);
    } catch (e) {
      throw new Error(`unable to parse server ${server}: ${(e as Error).message}`);
    }
    result.scheme = u.protocol.replace(/:$/, '');
    result.host = u.host;
    const rawPath = server.replace(/^[a-z]+:\/\/[^/]*/, '');
    const overridePath = c.override_path === true;
    if (rawPath.length > 0) {
      let p = cleanPath(rawPath);
      if (!p.endsWith('/v2') && !overridePath) p += '/v2';
      result.path = p;
    } else if (!overridePath) {
      result.path = '/v2';
    }
  }
  if (typeof c.skip_verify === 'boolean') result.skipVerify = c.skip_verify;
  const caps = c.capabilities;
  if (Array.isArray(caps) && caps.length > 0) {
    for (const cap of stringSlice(caps)) {
      switch (cap.toLowerCase()) {
        case 'pull': result.capabilities |= CAP_PULL; break;
        case 'resolve': result.capabilities |= CAP_RESOLVE; break;
        case 'push': result.capabilities |= CAP_PUSH; break;
        default: throw new Error(`unknown capability ${cap}`);
      }
    }
  } else {
    result.capabilities = ALL_CAPS;
  }
  if (c.ca !== undefined) {
    if (typeof c.ca === 'string') result.caCerts = [makeAbs(c.ca, baseDir)];
    else if (Array.isArray(c.ca)) result.caCerts = stringSlice(c.ca).map((p) => makeAbs(p, baseDir));
    else throw new Error(`invalid type ${String(c.ca)} for "ca"`);
  }
  if (c.client !== undefined) {
    if (typeof c.client === 'string') result.clientPairs = [[makeAbs(c.client, baseDir), '']];
    else if (Array.isArray(c.client)) {
      result.clientPairs = [];
      for (const pair of c.client) {
        if (typeof pair === 'string') result.clientPairs.push([makeAbs(pair, baseDir), '']);
        else if (Array.isArray(pair)) {
          const s = stringSlice(pair).map((p) => makeAbs(p, baseDir));
          if (s.length !== 2) throw new Error(`invalid pair [${s.join(' ')}] for "client"`);
          result.clientPairs.push([s[0]!, s[1]!]);
        } else throw new Error(`invalid type for "client"`);
      }
    } else throw new Error(`invalid type ${String(c.client)} for "client"`);
  }
  if (c.header !== undefined && typeof c.header === 'object' && !Array.isArray(c.header)) {
    const header: Headers = {};
    for (const [k, v] of Object.entries(c.header)) {
      if (typeof v === 'string') header[k] = [v];
      else if (Array.isArray(v)) header[k] = stringSlice(v);
      else throw new Error(`invalid type ${String(v)} for header ${goQuote(k)}`);
    }
    result.header = header;
  }
  return result;
}

/** parseHostsFile: [host."…"] entries in file order, then the top-level server. */
export function parseHostsFile(baseDir: string, text: string): HostConfig[] {
  let tree: TomlTable;
  try {
    tree = parseToml(text);
  } catch (e) {
    throw new Error(`failed to parse TOML: ${(e as Error).message}`);
  }
  const hostTree = tree.host;
  if (hostTree !== undefined && (typeof hostTree !== 'object' || Array.isArray(hostTree))) throw new Error('invalid `host` tree');
  const hostTables = (hostTree ?? {}) as TomlTable;
  if (hostTree === undefined) throw new Error('invalid `host` tree');
  const names = Object.keys(hostTables).sort((a, b) => (tableLines.get(hostTables[a] as TomlTable) ?? 0) - (tableLines.get(hostTables[b] as TomlTable) ?? 0));
  const hosts = names.map((n) => parseHostConfig(n, baseDir, hostTables[n] as TomlTable));
  hosts.push(parseHostConfig(typeof tree.server === 'string' ? tree.server : '', baseDir, tree));
  return hosts;
}

/** loadCertFiles: a certs.d directory (*.crt CAs, *.cert/*.key client pairs). */
function loadCertFiles(dir: string): HostConfig[] {
  const host: HostConfig = { scheme: '', host: '', path: '', capabilities: 0 };
  let entries: string[] = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true }).filter((d) => !d.isDirectory()).map((d) => d.name).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(goFsError(e));
  }
  for (const f of entries) {
    if (f.endsWith('.crt')) (host.caCerts ??= []).push(join(dir, f));
    if (f.endsWith('.cert')) {
      const key = join(dir, `${f.slice(0, -5)}.key`);
      (host.clientPairs ??= []).push([join(dir, f), existsSync(key) ? key : '']);
    }
  }
  return [host];
}

function loadHostDir(dir: string, log: Logger): HostConfig[] {
  let text = '';
  try {
    text = readFileSync(join(dir, 'hosts.toml'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(goFsError(e));
  }
  if (text.length === 0) return loadCertFiles(dir);
  try {
    return parseHostsFile(dir, text);
  } catch (e) {
    log.error('failed to decode hosts.toml', { error: (e as Error).message });
    return loadCertFiles(dir);
  }
}

/** tls.X509KeyPair's checks, with a Go-like failure text. */
function loadKeyPair(certPEM: Buffer, keyPEM: Buffer): { cert: Buffer; key: Buffer } {
  try {
    new X509Certificate(certPEM);
  } catch {
    throw new Error('tls: failed to find any PEM data in certificate input');
  }
  try {
    createPrivateKey(keyPEM);
  } catch {
    throw new Error('tls: failed to find any PEM data in key input');
  }
  return { cert: certPEM, key: keyPEM };
}

/** config.ConfigureHosts(…)(host). */
export function configureHosts(options: HostOptions, host: string): RegistryHost[] {
  let hosts: HostConfig[] | undefined;
  if (options.hostDir) {
    const dir = hostDirFromRoot(options.hostDir, host);
    if (dir !== '') {
      options.log.debug('loading host directory', { dir });
      hosts = loadHostDir(dir, options.log);
    }
  }
  hosts ??= [{ scheme: '', host: '', path: '', capabilities: 0 }];
  const last = hosts[hosts.length - 1];
  if (last && last.host === '') {
    if (host === 'docker.io') {
      last.scheme = 'https';
      last.host = 'registry-1.docker.io';
    } else if (isLocalhost(host)) {
      last.host = host;
      if (!options.defaultScheme || options.defaultScheme === 'http') {
        last.scheme = 'http';
        last.skipVerify = true;
      } else {
        last.scheme = options.defaultScheme;
      }
    } else {
      last.host = host;
      last.scheme = options.defaultScheme || 'https';
    }
    last.path = '/v2';
    last.capabilities = ALL_CAPS;
  }

  const clientFor = (tls: TLSSettings) => new HttpClient({ tls, dump: options.dump, trace: options.trace });
  const defaultClient = clientFor(options.defaultTLS);
  const defaultAuthorizer = new Authorizer(defaultClient, options.headers, options.credentials);
  return hosts.map((h) => {
    let client = defaultClient;
    let authorizer = defaultAuthorizer;
    if (h.caCerts || h.clientPairs || h.skipVerify !== undefined) {
      const tls: TLSSettings = { ...options.defaultTLS, certificates: [...(options.defaultTLS.certificates ?? [])] };
      if (h.skipVerify !== undefined) tls.insecureSkipVerify = h.skipVerify;
      for (const f of h.caCerts ?? []) {
        let data: Buffer;
        try {
          data = readFileSync(f);
        } catch (e) {
          throw new Error(`unable to read CA cert ${goQuote(f)}: ${goFsError(e)}`);
        }
        if (!/-----BEGIN CERTIFICATE-----/.test(data.toString())) throw new Error(`unable to load CA cert ${goQuote(f)}`);
        if (tls.rootCAs) tls.rootCAs = [...tls.rootCAs, data];
        else tls.extraCAs = [...(tls.extraCAs ?? []), data];
      }
      for (const [certFile, keyFile] of h.clientPairs ?? []) {
        let certPEM: Buffer;
        let keyPEM: Buffer;
        try {
          certPEM = readFileSync(certFile);
        } catch (e) {
          throw new Error(`unable to read CERT file ${goQuote(certFile)}: ${goFsError(e)}`);
        }
        try {
          keyPEM = keyFile ? readFileSync(keyFile) : certPEM;
        } catch (e) {
          throw new Error(`unable to read CERT file ${goQuote(keyFile)}: ${goFsError(e)}`);
        }
        try {
          tls.certificates!.push(loadKeyPair(certPEM, keyPEM));
        } catch (e) {
          throw new Error(`failed to load X509 key pair: ${(e as Error).message}`);
        }
      }
      client = clientFor(tls);
      authorizer = new Authorizer(client, options.headers, options.credentials);
    }
    return { scheme: h.scheme, host: h.host, path: h.path, capabilities: h.capabilities, header: h.header ?? {}, client, authorizer };
  });
}

/** ctr's resolverDefaultTLS: --skip-verify, --tlscacert, --tlscert/--tlskey. */
export function defaultTLSFromFlags(f: { skipVerify: boolean; tlsCACert: string; tlsCert: string; tlsKey: string }): TLSSettings {
  const tls: TLSSettings = {};
  if (f.skipVerify) tls.insecureSkipVerify = true;
  if (f.tlsCACert) {
    let data: Buffer;
    try {
      data = readFileSync(f.tlsCACert);
    } catch (e) {
      throw new Error(`failed to read ${goQuote(f.tlsCACert)}: ${goFsError(e)}`);
    }
    if (!/-----BEGIN CERTIFICATE-----/.test(data.toString())) {
      throw new Error(`failed to load TLS CAs from ${goQuote(f.tlsCACert)}: invalid data`);
    }
    tls.rootCAs = [data];
  }
  if (f.tlsCert || f.tlsKey) {
    if (!f.tlsCert || !f.tlsKey) throw new Error('flags --tlscert and --tlskey must be set together');
    try {
      let cert: Buffer;
      let key: Buffer;
      try {
        cert = readFileSync(f.tlsCert);
        key = readFileSync(f.tlsKey);
      } catch (e) {
        throw new Error(goFsError(e));
      }
      tls.certificates = [loadKeyPair(cert, key)];
    } catch (e) {
      throw new Error(`failed to load TLS client credentials (cert=${goQuote(f.tlsCert)}, key=${goQuote(f.tlsKey)}): ${(e as Error).message}`);
    }
  }
  return tls;
}
