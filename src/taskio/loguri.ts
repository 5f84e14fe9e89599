// --log-uri as ctr passes it on: Go's url.Parse, then URL.String(), which is what the
// shim receives for stdout and stderr. Only the parts of net/url that a log URI can
// exercise are here: scheme, opaque, userinfo, host, path, query, fragment, and their
// errors and escaping.

import { goQuote } from '../cli/flags.js';

export interface GoURL {
  scheme: string;
  opaque: string;
  user?: string;
  host: string;
  path: string;
  rawQuery: string;
  forceQuery: boolean;
  fragment: string;
}

const parseError = (raw: string, reason: string) => new Error(`parse ${goQuote(raw)}: ${reason}`);

const isHex = (c: string) => /^[0-9A-Fa-f]$/.test(c);

/** Checks %XX escapes as Go's unescape does; returns the error reason or ''. */
function badEscape(s: string): string {
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '%') continue;
    if (i + 2 >= s.length || !isHex(s[i + 1]!) || !isHex(s[i + 2]!)) {
      const bad = s.slice(i, i + 3);
      return `invalid URL escape ${goQuote(bad)}`;
    }
    i += 2;
  }
  return '';
}

/** Go's getScheme: returns [scheme, rest] or an error reason. */
function getScheme(raw: string): [string, string] | string {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (/[a-zA-Z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return ['', raw];
      continue;
    }
    if (c === ':') {
      if (i === 0) return 'missing protocol scheme';
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ['', raw];
  }
  return ['', raw];
}

export function parseURL(raw: string): GoURL {
  if (/[\x00-\x1f\x7f]/.test(raw)) throw parseError(raw, 'net/url: invalid control character in URL');
  const u: GoURL = { scheme: '', opaque: '', host: '', path: '', rawQuery: '', forceQuery: false, fragment: '' };
  let rest = raw;
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    const frag = rest.slice(hash + 1);
    const bad = badEscape(frag);
    if (bad) throw parseError(raw, bad);
    u.fragment = decodeURIComponentGo(frag);
    rest = rest.slice(0, hash);
  }
  if (rest === '*') {
    u.path = '*';
    return u;
  }
  const sch = getScheme(rest);
  if (typeof sch === 'string') throw parseError(raw, sch);
  [u.scheme, rest] = sch;
  u.scheme = u.scheme.toLowerCase();
  if (rest.endsWith('?') && rest.split('?').length === 2) {
    u.forceQuery = true;
    rest = rest.slice(0, -1);
  } else {
    const q = rest.indexOf('?');
    if (q >= 0) {
      u.rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }
  if (!rest.startsWith('/')) {
    if (u.scheme !== '') {
      u.opaque = rest;
      return u;
    }
    const colon = rest.indexOf(':');
    const slash = rest.indexOf('/');
    if (colon >= 0 && (slash < 0 || colon < slash)) throw parseError(raw, 'first path segment in URL cannot contain colon');
  }
  if ((u.scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    const end = rest.indexOf('/', 2);
    const authority = end < 0 ? rest.slice(2) : rest.slice(2, end);
    rest = end < 0 ? '' : rest.slice(end);
    const at = authority.lastIndexOf('@');
    if (at >= 0) u.user = authority.slice(0, at);
    const host = authority.slice(at + 1);
    const bad = badEscape(host);
    if (bad) throw parseError(raw, bad);
    u.host = decodeURIComponentGo(host);
  }
  const bad = badEscape(rest);
  if (bad) throw parseError(raw, bad);
  u.path = rest;
  return u;
}

function decodeURIComponentGo(s: string): string {
  return Buffer.from(s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
}

/** Path characters Go's escape(…, encodePath) keeps as they are; '%' stays when it starts an escape. */
const PATH_SAFE = /[A-Za-z0-9\-_.~$&+,/:;=@!'()*]/;

function escapePath(p: string): string {
  let out = '';
  const bytes = Buffer.from(p, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const c = String.fromCharCode(bytes[i]!);
    if (c === '%' && i + 2 < bytes.length && isHex(String.fromCharCode(bytes[i + 1]!)) && isHex(String.fromCharCode(bytes[i + 2]!))) {
      out += c;
    } else if (bytes[i]! < 0x80 && PATH_SAFE.test(c)) {
      out += c;
    } else {
      out += `%${bytes[i]!.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/** Go 1.19's URL.String(). */
export function formatURL(u: GoURL): string {
  let out = u.scheme ? `${u.scheme}:` : '';
  if (u.opaque) {
    out += u.opaque;
  } else {
    if (u.scheme || u.host || u.user !== undefined) {
      if (u.host || u.path || u.user !== undefined) out += '//';
      if (u.user !== undefined) out += `${u.user}@`;
      out += u.host;
    }
    const path = escapePath(u.path);
    if (path && !path.startsWith('/') && u.host) out += '/';
    if (out === '') {
      const i = path.indexOf(':');
      if (i > -1 && !path.slice(0, i).includes('/')) out += './';
    }
    out += path;
  }
  if (u.forceQuery || u.rawQuery) out += `?${u.rawQuery}`;
  if (u.fragment) out += `#${encodeURIComponent(u.fragment)}`;
  return out;
}

/** The URI ctr hands to the shim for --log-uri, or Go's parse error. */
export const normalizeLogURI = (raw: string): string => formatURL(parseURL(raw));
