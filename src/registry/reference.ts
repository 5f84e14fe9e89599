// Image references, two ways:
// - containerd's reference.Parse (what ctr's resolver uses): "dummy://"+ref through Go's
//   url.Parse, a locator (host/path) and an object (tag, @digest or tag@digest); no
//   docker.io defaults. Go's url errors are reproduced because ctr prints them.
// - docker's normalising grammar (reference/docker): ParseNormalizedNamed, ParseDockerRef
//   ("docker.io/library/" defaults, ":latest"), FamiliarName/FamiliarString.

import { goQuote } from '../cli/flags.js';
import { digestError } from '../images/digest.js';

export { goQuote };

export class ReferenceError_ extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReferenceError';
  }
}

export const ErrInvalid = 'invalid reference';
export const ErrObjectRequired = 'object required';
export const ErrHostnameRequired = 'hostname required';

const isHex = (c: string) => /^[0-9a-fA-F]$/.test(c);

/** url.shouldEscape in host mode, for ASCII bytes. */
function hostCharNeedsEscape(c: string): boolean {
  if (/[A-Za-z0-9]/.test(c)) return false;
  return !'-_.~!$&\'()*+,;=:[]<>"'.includes(c);
}

/** url.unescape for host or path mode: the decoded text, or Go's error text. */
function unescape(s: string, mode: 'host' | 'path'): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%') {
      if (i + 2 >= s.length || !isHex(s[i + 1]!) || !isHex(s[i + 2]!)) {
        const bad = s.slice(i, i + 3);
        throw new ReferenceError_(`invalid URL escape ${goQuote(bad)}`);
      }
      const hex = s.slice(i + 1, i + 3);
      // RFC 3986: in a host, %-encoding is only for non-ASCII bytes (and %25, RFC 6874).
      if (mode === 'host' && parseInt(hex[0]!, 16) < 8 && hex !== '25') {
        throw new ReferenceError_(`invalid URL escape ${goQuote(s.slice(i, i + 3))}`);
      }
      out += String.fromCharCode(parseInt(hex, 16));
      i += 2;
      continue;
    }
    if (mode === 'host' && c.charCodeAt(0) < 0x80 && hostCharNeedsEscape(c)) {
      throw new ReferenceError_(`invalid character ${goQuote(c)} in host name`);
    }
    out += c;
  }
  return out;
}

const validOptionalPort = (p: string) => p === '' || (p[0] === ':' && /^[0-9]*$/.test(p.slice(1)));

function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const i = host.lastIndexOf(']');
    if (i < 0) throw new ReferenceError_('missing \']\' in host');
    const colonPort = host.slice(i + 1);
    if (!validOptionalPort(colonPort)) throw new ReferenceError_(`invalid port ${goQuote(colonPort)} after host`);
  } else {
    const i = host.lastIndexOf(':');
    if (i !== -1) {
      const colonPort = host.slice(i);
      if (!validOptionalPort(colonPort)) throw new ReferenceError_(`invalid port ${goQuote(colonPort)} after host`);
    }
  }
  return unescape(host, 'host');
}

/** The parts of Go's url.Parse("dummy://" + s) that reference.Parse looks at. */
export function parseDummyURL(rest: string): { host: string; path: string } {
  const raw = `dummy://${rest}`;
  try {
    if (/[\x00-\x1f\x7f]/.test(raw)) throw new ReferenceError_('net/url: invalid control character in URL');
    let s = raw.slice('dummy:'.length);
    const hash = s.indexOf('#');
    if (hash >= 0) s = s.slice(0, hash);
    const q = s.indexOf('?');
    if (q >= 0) s = s.slice(0, q);
    s = s.slice(2);
    const slash = s.indexOf('/');
    const authority = slash < 0 ? s : s.slice(0, slash);
    const pathPart = slash < 0 ? '' : s.slice(slash);
    const at = authority.lastIndexOf('@');
    if (at >= 0 && !/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(authority.slice(0, at))) {
      throw new ReferenceError_('net/url: invalid userinfo');
    }
    const host = parseHost(at < 0 ? authority : authority.slice(at + 1));
    return { host, path: unescape(pathPart, 'path') };
  } catch (e) {
    if (e instanceof ReferenceError_) throw new ReferenceError_(`parse ${goQuote(raw)}: ${e.message}`);
    throw e;
  }
}

/** path.Clean of Go. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** path.Join of Go: non-empty elements joined and cleaned. */
export function joinPath(...parts: string[]): string {
  const nonEmpty = parts.filter((p) => p !== '');
  return nonEmpty.length === 0 ? '' : cleanPath(nonEmpty.join('/'));
}

/** containerd's reference.Spec. */
export class Spec {
  constructor(readonly locator: string, readonly object: string) {}

  hostname(): string {
    const i = this.locator.indexOf('/');
    return i < 0 ? this.locator : this.locator.slice(0, i);
  }

  /** The digest part of the object ("" when none). */
  digest(): string {
    const i = this.object.indexOf('@');
    return i < 0 ? '' : this.object.slice(i + 1);
  }

  toString(): string {
    if (this.object === '') return this.locator;
    if (this.object[0] === '@') return `${this.locator}${this.object}`;
    return `${this.locator}:${this.object}`;
  }
}

/** reference.Parse; throws ReferenceError_ with ctr's texts. */
export function parseRef(s: string): Spec {
  if (s.includes('://')) throw new ReferenceError_(ErrInvalid);
  const u = parseDummyURL(s);
  if (u.host === '') throw new ReferenceError_(ErrHostnameRequired);
  let path = u.path;
  let object = '';
  const m = /[:@]/.exec(path);
  if (m) {
    object = path.slice(m.index);
    if (object[0] === ':') object = object.slice(1);
    path = path.slice(0, m.index);
  }
  return new Spec(joinPath(u.host, path), object);
}

// ---------------------------------------------------------------------------------------
// docker's normalising grammar

const alphaNumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]*)';
const nameComponent = `${alphaNumeric}(?:${separator}${alphaNumeric})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domain = `${domainComponent}(?:(?:\\.${domainComponent})+)?(?::[0-9]+)?`;
const tagRe = '[\\w][\\w.-]{0,127}';
const digestRe = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}';
const nameRe = `(?:${domain}/)?${nameComponent}(?:(?:/${nameComponent})+)?`;
const referenceRegexp = new RegExp(`^(${nameRe})(?::(${tagRe}))?(?:@(${digestRe}))?$`);
const anchoredNameRegexp = new RegExp(`^(?:(${domain})/)?(${nameComponent}(?:(?:/${nameComponent})+)?)$`);
const anchoredIdentifier = /^[a-f0-9]{64}$/;

const NAME_TOTAL_LENGTH_MAX = 255;
const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO = 'library';

/** A parsed docker reference: domain/path with an optional tag and digest. */
export interface DockerRef {
  domain: string;
  path: string;
  tag: string;
  digest: string;
}

export const refName = (r: DockerRef): string => (r.domain ? `${r.domain}/${r.path}` : r.path);

export function refString(r: DockerRef): string {
  let s = refName(r);
  if (r.tag) s += `:${r.tag}`;
  if (r.digest) s += `@${r.digest}`;
  return s;
}

/** reference.Parse of distribution/reference. */
export function parseDockerReference(s: string): DockerRef {
  const m = referenceRegexp.exec(s);
  if (!m) {
    if (s === '') throw new ReferenceError_('repository name must have at least one component');
    if (referenceRegexp.test(s.toLowerCase())) throw new ReferenceError_('repository name must be lowercase');
    throw new ReferenceError_('invalid reference format');
  }
  if (m[1]!.length > NAME_TOTAL_LENGTH_MAX) throw new ReferenceError_(`repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  const nm = anchoredNameRegexp.exec(m[1]!);
  const ref: DockerRef = { domain: nm?.[1] ?? '', path: nm ? nm[2]! : m[1]!, tag: m[2] ?? '', digest: '' };
  if (m[3]) {
    const err = digestError(m[3]);
    if (err) throw new ReferenceError_(err);
    ref.digest = m[3];
  }
  return ref;
}

function splitDockerDomain(name: string): [string, string] {
  const i = name.indexOf('/');
  let d: string;
  let rest: string;
  if (i === -1 || (!/[.:]/.test(name.slice(0, i)) && name.slice(0, i) !== 'localhost')) {
    d = DEFAULT_DOMAIN;
    rest = name;
  } else {
    d = name.slice(0, i);
    rest = name.slice(i + 1);
  }
  if (d === LEGACY_DEFAULT_DOMAIN) d = DEFAULT_DOMAIN;
  if (d === DEFAULT_DOMAIN && !rest.includes('/')) rest = `${OFFICIAL_REPO}/${rest}`;
  return [d, rest];
}

/** ParseNormalizedNamed: "busybox" → docker.io/library/busybox. */
export function parseNormalizedNamed(s: string): DockerRef {
  if (anchoredIdentifier.test(s)) {
    throw new ReferenceError_(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  const [d, rest] = splitDockerDomain(s);
  const sep = rest.indexOf(':');
  const remoteName = sep > -1 ? rest.slice(0, sep) : rest;
  if (remoteName.toLowerCase() !== remoteName) {
    throw new ReferenceError_('invalid reference format: repository name must be lowercase');
  }
  return parseDockerReference(`${d}/${rest}`);
}

/** ParseDockerRef: normalised, ":latest" added when there is neither tag nor digest; a tag beside a digest is dropped. */
export function parseDockerRef(s: string): DockerRef {
  const r = parseNormalizedNamed(s);
  if (r.tag && r.digest) return { ...r, tag: '' };
  if (!r.tag && !r.digest) return { ...r, tag: 'latest' };
  return r;
}

function familiarize(r: DockerRef): DockerRef {
  if (r.domain !== DEFAULT_DOMAIN) return r;
  const parts = r.path.split('/');
  return { ...r, domain: '', path: parts.length === 2 && parts[0] === OFFICIAL_REPO ? parts[1]! : r.path };
}

export const familiarName = (r: DockerRef): string => refName(familiarize(r));
export const familiarString = (r: DockerRef): string => refString(familiarize(r));
