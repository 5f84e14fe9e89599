// Registry credentials from the Docker CLI's config file ($DOCKER_CONFIG/config.json,
// default ~/.docker/config.json), as docker and nerdctl find them: `auths` entries
// (base64 "user:password" in `auth`, or `username`/`password`, or an `identitytoken`
// used as an OAuth refresh token), a `credHelpers` entry for the host or the default
// `credsStore`, both run as `docker-credential-<name> get`. Beyond ctr, which only
// knows --user; used when neither --user nor --refresh is given.
//
// The file is read lazily, on the first 401 that asks for credentials, so registries
// that never challenge behave exactly as with ctr even when the file is broken. No
// credential ever reaches an error message or a log line.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { goFsError } from './hosts.js';
import type { Logger } from './log.js';

export interface RegistryCredentials {
  /** Empty with an identity token: the secret is then a refresh token. */
  username: string;
  secret: string;
}

/** One `auths` entry after decoding (docker's types.AuthConfig, the fields we use). */
export interface AuthEntry {
  username: string;
  password: string;
  identityToken: string;
}

export interface DockerConfigFile {
  path: string;
  auths: Map<string, AuthEntry>;
  credsStore: string;
  credHelpers: Map<string, string>;
}

/** The key `docker login` stores Docker Hub credentials under. */
export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const HELPER_PREFIX = 'docker-credential-';
const TOKEN_USERNAME = '<token>';
const NOT_FOUND_MESSAGE = 'credentials not found';

export class DockerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DockerConfigError';
  }
}

/** config.Dir(): $DOCKER_CONFIG, else ~/.docker. */
export function dockerConfigDir(env: Record<string, string | undefined>): string {
  return env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
}

/**
 * Go's base64.StdEncoding: padded, CR and LF skipped; the error names the input byte
 * Go's CorruptInputError names.
 */
export function decodeStdBase64(s: string): Buffer {
  const bad = (at: number) => new DockerConfigError(`illegal base64 data at input byte ${at}`);
  const alphabet = /[A-Za-z0-9+/]/;
  let quantumStart = 0;
  let inQuantum = 0;
  let padding = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\r' || c === '\n') continue;
    if (padding) {
      if (inQuantum === 4) throw bad(i); // data after the padded quantum
      if (c !== '=') throw bad(i - 1); // "=" must be followed by "=" to complete the quantum
      inQuantum++;
      continue;
    }
    if (inQuantum === 0) quantumStart = i;
    if (c === '=') {
      if (inQuantum < 2) throw bad(i);
      padding = true;
      inQuantum++;
      continue;
    }
    if (!alphabet.test(c)) throw bad(i);
    inQuantum = (inQuantum + 1) % 4;
  }
  if (padding && inQuantum < 4) throw bad(s.length);
  if (!padding && inQuantum !== 0) throw bad(quantumStart);
  return Buffer.from(s.replace(/[\r\n]/g, ''), 'base64');
}

/** configfile.decodeAuth: "user:password", user not empty, NULs trimmed from the password. */
function decodeAuth(auth: string): { username: string; password: string } {
  const text = decodeStdBase64(auth).toString('utf8');
  const i = text.indexOf(':');
  if (i <= 0) throw new DockerConfigError('Invalid auth configuration file');
  return { username: text.slice(0, i), password: text.slice(i + 1).replace(/^\0+|\0+$/g, '') };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Go's encoding/json matches field names case-insensitively; a later key wins. */
function field(obj: Record<string, unknown>, name: string): unknown {
  let found: unknown;
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === name.toLowerCase()) found = v;
  return found;
}

function stringField(obj: Record<string, unknown>, name: string, where: string): string {
  const v = field(obj, name);
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new DockerConfigError(`${where}${name}: expected a string`);
  return v;
}

function objectField(obj: Record<string, unknown>, name: string): Record<string, unknown> {
  const v = field(obj, name);
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new DockerConfigError(`${name}: expected an object`);
  return v;
}

/**
 * Parses config.json text. Errors carry no part of the file's text (it holds secrets);
 * JSON.parse's own messages quote the input, so they are not passed on.
 */
export function parseDockerConfig(path: string, text: string): DockerConfigFile {
  const cfg: DockerConfigFile = { path, auths: new Map(), credsStore: '', credHelpers: new Map() };
  // an empty file is an empty configuration (docker ignores io.EOF)
  if (text.trim() === '') return cfg;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new DockerConfigError(`${path}: invalid JSON`);
  }
  try {
    if (!isObject(doc)) throw new DockerConfigError('expected a JSON object');
    for (const [key, v] of Object.entries(objectField(doc, 'auths'))) {
      if (v === null) {
        cfg.auths.set(key, { username: '', password: '', identityToken: '' });
        continue;
      }
      if (!isObject(v)) throw new DockerConfigError(`auths[${JSON.stringify(key)}]: expected an object`);
      const where = `auths[${JSON.stringify(key)}].`;
      let username = stringField(v, 'username', where);
      let password = stringField(v, 'password', where);
      const auth = stringField(v, 'auth', where);
      if (auth !== '') ({ username, password } = decodeAuth(auth));
      cfg.auths.set(key, { username, password, identityToken: stringField(v, 'identitytoken', where) });
    }
    cfg.credsStore = stringField(doc, 'credsStore', '');
    for (const [key, v] of Object.entries(objectField(doc, 'credHelpers'))) {
      if (typeof v !== 'string') throw new DockerConfigError(`credHelpers[${JSON.stringify(key)}]: expected a string`);
      cfg.credHelpers.set(key, v);
    }
  } catch (e) {
    throw new DockerConfigError(`${path}: ${(e as Error).message}`);
  }
  return cfg;
}

/** Reads the config file; a missing one is an empty configuration. */
export function loadDockerConfig(dir: string): DockerConfigFile {
  const path = join(dir, 'config.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { path, auths: new Map(), credsStore: '', credHelpers: new Map() };
    throw new DockerConfigError(`${path}: ${goFsError(e)}`);
  }
  return parseDockerConfig(path, text);
}

/** credentials.ConvertToHostname: "https://host:port/v1/" → "host:port". */
export function convertToHostname(key: string): string {
  if (key.includes('://')) {
    try {
      const u = new URL(key);
      if (u.hostname !== '') return u.host || u.hostname;
    } catch {
      // not a URL: fall through to the plain form
    }
  }
  const slash = key.indexOf('/');
  return slash === -1 ? key : key.slice(0, slash);
}

/**
 * The keys credentials for a request host may be stored under, most specific first:
 * Docker Hub's login key for its hosts, then the host as docker stores it, then the
 * scheme-prefixed forms older clients wrote (nerdctl's list of identifiers).
 */
export function credentialKeys(host: string): string[] {
  const keys: string[] = [];
  if (DOCKER_HUB_HOSTS.has(host) || DOCKER_HUB_HOSTS.has(host.replace(/:443$/, ''))) keys.push(DOCKER_HUB_KEY);
  keys.push(host, `https://${host}`, `http://${host}`);
  if (host.endsWith(':443')) {
    const bare = host.slice(0, -4);
    keys.push(bare, `https://${bare}`, `http://${bare}`);
  }
  return [...new Set(keys)];
}

/** fileStore.Get: the exact key, else the first entry whose key names the same host. */
export function fileStoreEntry(cfg: DockerConfigFile, key: string): AuthEntry | undefined {
  const exact = cfg.auths.get(key);
  if (exact) return exact;
  for (const [k, v] of cfg.auths) if (convertToHostname(k) === key) return v;
  return undefined;
}

const isEmpty = (e: AuthEntry) => e.username === '' && e.password === '' && e.identityToken === '';

export type HelperRunner = (program: string, serverURL: string, env: Record<string, string | undefined>) => Promise<AuthEntry | undefined>;

/** docker-credential-helpers' client.Get: `<program> get`, the server URL on stdin. */
export const runCredentialHelper: HelperRunner = (program, serverURL, env) => new Promise((resolve, reject) => {
  const child = spawn(program, ['get'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  const out: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stdin.on('error', () => { /* a helper that exits without reading */ });
  child.on('error', (e: NodeJS.ErrnoException) => {
    const why = e.code === 'ENOENT' ? `exec: "${program}": executable file not found in $PATH` : `fork/exec ${program}: ${e.message}`;
    reject(new DockerConfigError(`error getting credentials - err: ${why}, out: \`\``));
  });
  child.on('close', (code, signal) => {
    const text = Buffer.concat(out).toString('utf8');
    if (code !== 0) {
      const trimmed = text.trim();
      if (trimmed.startsWith(NOT_FOUND_MESSAGE)) return resolve(undefined);
      // a helper's output is shown as docker shows it, unless it could be the credentials themselves
      const shown = trimmed.startsWith('{') ? '<omitted>' : trimmed;
      return reject(new DockerConfigError(`error getting credentials - err: ${signal ? `signal: ${signal}` : `exit status ${code}`}, out: \`${shown}\``));
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      return reject(new DockerConfigError(`error getting credentials - ${program} printed no JSON credentials`));
    }
    const get = (k: string) => (isObject(doc) && typeof field(doc, k) === 'string' ? field(doc, k) as string : '');
    const username = get('Username');
    const secret = get('Secret');
    resolve(username === TOKEN_USERNAME
      ? { username: '', password: '', identityToken: secret }
      : { username, password: secret, identityToken: '' });
  });
  child.stdin.end(serverURL);
});

export interface DockerCredentialOptions {
  env: Record<string, string | undefined>;
  log?: Logger;
  /** For tests: how a helper is run. */
  runHelper?: HelperRunner;
}

/**
 * A credentials function for the authorizer: looks the request host up in the Docker
 * config (loaded on first use), once per host.
 */
export function dockerCredentials(options: DockerCredentialOptions): (host: string) => Promise<RegistryCredentials> {
  const runHelper = options.runHelper ?? runCredentialHelper;
  let cfg: DockerConfigFile | undefined;
  const cache = new Map<string, Promise<RegistryCredentials>>();

  const lookup = async (host: string): Promise<RegistryCredentials> => {
    cfg ??= loadDockerConfig(dockerConfigDir(options.env));
    for (const key of credentialKeys(host)) {
      const helper = cfg.credHelpers.get(key) ?? cfg.credsStore;
      const entry = helper !== '' ? await runHelper(`${HELPER_PREFIX}${helper}`, key, options.env) : fileStoreEntry(cfg, key);
      if (!entry || isEmpty(entry)) continue;
      options.log?.debug('using credentials from docker config', { host, key, source: helper !== '' ? `${HELPER_PREFIX}${helper}` : cfg.path });
      // an identity token is a refresh token for the bearer flow (nerdctl's AuthCreds)
      if (entry.identityToken !== '') return { username: '', secret: entry.identityToken };
      return { username: entry.username.trim(), secret: entry.password };
    }
    options.log?.debug('no credentials in docker config', { host, file: cfg.path });
    return { username: '', secret: '' };
  };

  return (host) => {
    let p = cache.get(host);
    if (!p) {
      p = lookup(host);
      cache.set(host, p);
    }
    return p;
  };
}
