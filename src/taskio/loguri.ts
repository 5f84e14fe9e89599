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
  /** Go's OmitHost: a scheme followed by a single "/" had no authority to print. */
  omitHost: boolean;
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
  const u: GoURL = { scheme: '', opaque: '', host: '', path: '', rawQuery: '', forceQuery: false, fragment: '', omitHost: false };
  let rest = raw;
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    const frag = rest.slice(hash + 1);
    const bad = badEscape(frag);
    if (bad) throw parseError(raw, bad);
    u.fragment = frag;
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
  } else if (u.scheme !== '' && rest.startsWith('/')) {
    u.omitHost = true;
  }
  const bad = badEscape(rest);
  if (bad) throw parseError(raw, bad);
  u.path = rest;
  return u;
}

/** Go's unescape, as bytes (a %XX may stand for any byte, valid UTF-8 or not). */
function unescapeBytes(s: string): Buffer {
  const src = Buffer.from(s, 'utf8');
  const out: number[] = [];
  for (let i = 0; i < src.length; i++) {
    if (src[i] === 0x25 && i + 2 < src.length) {
      out.push(parseInt(String.fromCharCode(src[i + 1]!, src[i + 2]!), 16));
      i += 2;
    } else {
      out.push(src[i]!);
    }
  }
  return Buffer.from(out);
}

const decodeURIComponentGo = (s: string): string => unescapeBytes(s).toString('utf8');

type Mode = 'path' | 'fragment';

/** Go's shouldEscape for the path and fragment encodings. */
function shouldEscape(c: number, mode: Mode): boolean {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9\-_.~]/.test(ch)) return false;
  if ('$&+,/:;=?@'.includes(ch)) return mode === 'path' ? ch === '?' : false;
  if (mode === 'fragment' && '!()*'.includes(ch)) return false;
  return true;
}

/** Go's validEncoded: may the raw form be printed as it was given? */
function validEncoded(raw: string, mode: Mode): boolean {
  for (const b of Buffer.from(raw, 'utf8')) {
    if ("!$&'()*+,;=:@[]%".includes(String.fromCharCode(b)) && b < 0x80) continue;
    if (shouldEscape(b, mode)) return false;
  }
  return true;
}

function escape(bytes: Buffer, mode: Mode): string {
  let out = '';
  for (const b of bytes) {
    out += shouldEscape(b, mode) ? `%${b.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(b);
  }
  return out;
}

/** EscapedPath / EscapedFragment: the raw text when it is a valid encoding, else Go's escape. */
const escaped = (raw: string, mode: Mode): string => (validEncoded(raw, mode) ? raw : escape(unescapeBytes(raw), mode));

/** Go 1.19's URL.String(). */
export function formatURL(u: GoURL): string {
  let out = u.scheme ? `${u.scheme}:` : '';
  if (u.opaque) {
    out += u.opaque;
  } else {
    if ((u.scheme || u.host || u.user !== undefined) && !(u.omitHost && !u.host && u.user === undefined)) {
      if (u.host || u.path || u.user !== undefined) out += '//';
      if (u.user !== undefined) out += `${u.user}@`;
      out += u.host;
    }
    const path = u.path === '*' ? '*' : escaped(u.path, 'path');
    if (path && !path.startsWith('/') && u.host) out += '/';
    if (out === '') {
      if (path.split('/')[0]!.includes(':')) out += './';
    }
    out += path;
  }
  if (u.forceQuery || u.rawQuery) out += `?${u.rawQuery}`;
  if (u.fragment) out += `#${escaped(u.fragment, 'fragment')}`;
  return out;
}

/** The URI ctr hands to the shim for --log-uri, or Go's parse error. */
export const normalizeLogURI = (raw: string): string => formatURL(parseURL(raw));
