// Registry authorization as containerd's docker authorizer does it: WWW-Authenticate
// challenges (basic, bearer), per-host handlers created on the first 401, bearer tokens
// fetched per scope set (OAuth POST with credentials or refresh token, falling back to
// the GET token endpoint), basic auth with the user's credentials.

import type { Readable } from 'node:stream';
import type { HttpClient, Request, Response } from './http.js';

export const BASIC = 1;
export const DIGEST = 2;
export const BEARER = 4;

export interface Challenge {
  scheme: number;
  parameters: Record<string, string>;
}

const isTokenChar = (c: number) => c > 31 && c < 127 && !' \t"(),/:;<=>?@[]\\{}'.includes(String.fromCharCode(c));
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';

function expectToken(s: string): [string, string] {
  let i = 0;
  while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
  return [s.slice(0, i), s.slice(i)];
}

function skipSpace(s: string): string {
  let i = 0;
  while (i < s.length && isSpace(s[i]!)) i++;
  return s.slice(i);
}

function expectTokenOrQuoted(s: string): [string, string] {
  if (!s.startsWith('"')) return expectToken(s);
  s = s.slice(1);
  let out = '';
  let escape = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (escape) {
      out += c;
      escape = false;
    } else if (c === '\\') {
      escape = true;
    } else if (c === '"') {
      return [out, s.slice(i + 1)];
    } else {
      out += c;
    }
  }
  return ['', ''];
}

function parseValueAndParams(header: string): [string, Record<string, string>] {
  const params: Record<string, string> = {};
  let [value, s] = expectToken(header);
  if (value === '') return [value, params];
  value = value.toLowerCase();
  for (;;) {
    let key: string;
    [key, s] = expectToken(skipSpace(s));
    if (key === '' || !s.startsWith('=')) return [value, params];
    let v: string;
    [v, s] = expectTokenOrQuoted(s.slice(1));
    params[key.toLowerCase()] = v;
    s = skipSpace(s);
    if (!s.startsWith(',')) return [value, params];
    s = s.slice(1);
  }
}

/** auth.ParseAuthHeader: known challenges, bearer first (stable by scheme, descending). */
export function parseAuthHeader(values: readonly string[]): Challenge[] {
  const out: Challenge[] = [];
  for (const h of values) {
    const [v, p] = parseValueAndParams(h);
    const scheme = v === 'basic' ? BASIC : v === 'digest' ? DIGEST : v === 'bearer' ? BEARER : 0;
    if (scheme) out.push({ scheme, parameters: p });
  }
  return out.map((c, i) => ({ c, i })).sort((a, b) => b.c.scheme - a.c.scheme || a.i - b.i).map((x) => x.c);
}

export interface TokenOptions {
  realm: string;
  service: string;
  scopes: string[];
  username: string;
  secret: string;
}

/** A registry error for an unexpected status, as remotes/errors.ErrUnexpectedStatus prints it. */
export class UnexpectedStatusError extends Error {
  constructor(readonly status: number, readonly statusText: string, readonly body: string) {
    super(`unexpected status: ${statusText}`);
    this.name = 'UnexpectedStatusError';
  }
}

export async function readBody(body: Readable, limit = 64000): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of body) {
    const b = chunk as Buffer;
    if (n < limit) parts.push(b.subarray(0, limit - n));
    n += b.length;
  }
  return Buffer.concat(parts);
}

export async function unexpectedStatus(resp: Response): Promise<UnexpectedStatusError> {
  const body = await readBody(resp.body).catch(() => Buffer.alloc(0));
  return new UnexpectedStatusError(resp.status, resp.statusText, body.toString());
}

export type UserAgentHeaders = Record<string, string[]>;

function formEncode(pairs: Array<[string, string]>): string {
  // url.Values.Encode sorts by key
  return pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/%20/g, '+')}`).join('&');
}

async function decodeJSON(resp: Response): Promise<Record<string, unknown>> {
  const text = (await readBody(resp.body, 1 << 20)).toString();
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`unable to decode token response: ${(e as Error).message}`);
  }
}

const NO_TOKEN = 'authorization server did not include a token in the response';

/** auth.FetchTokenWithOAuth: POST to the realm with a password or refresh-token grant. */
export async function fetchTokenWithOAuth(client: HttpClient, headers: UserAgentHeaders, clientID: string, to: TokenOptions): Promise<{ accessToken: string; refreshToken: string }> {
  const form: Array<[string, string]> = [];
  if (to.scopes.length) form.push(['scope', to.scopes.join(' ')]);
  form.push(['service', to.service], ['client_id', clientID]);
  if (to.username === '') form.push(['grant_type', 'refresh_token'], ['refresh_token', to.secret]);
  else form.push(['grant_type', 'password'], ['username', to.username], ['password', to.secret]);
  const body = Buffer.from(formEncode(form));
  const req: Request = {
    method: 'POST', url: to.realm,
    headers: { 'Content-Type': ['application/x-www-form-urlencoded; charset=utf-8'], ...headers },
    body: () => body, contentLength: body.length,
  };
  const resp = await client.do(req);
  if (resp.status < 200 || resp.status >= 400) throw await unexpectedStatus(resp);
  const tr = await decodeJSON(resp);
  const accessToken = typeof tr.access_token === 'string' ? tr.access_token : '';
  if (!accessToken) throw new Error(NO_TOKEN);
  return { accessToken, refreshToken: typeof tr.refresh_token === 'string' ? tr.refresh_token : '' };
}

/** auth.FetchToken: GET the realm with service and scopes (basic auth when a secret is known). */
export async function fetchToken(client: HttpClient, headers: UserAgentHeaders, to: TokenOptions): Promise<{ token: string; refreshToken: string }> {
  const u = new URL(to.realm);
  if (to.service) u.searchParams.append('service', to.service);
  for (const s of to.scopes) u.searchParams.append('scope', s);
  u.search = formEncode([...u.searchParams.entries()]);
  const h: UserAgentHeaders = { ...headers };
  if (to.secret) h.Authorization = [`Basic ${Buffer.from(`${to.username}:${to.secret}`).toString('base64')}`];
  const resp = await client.do({ method: 'GET', url: u.toString(), headers: h });
  if (resp.status < 200 || resp.status >= 400) throw await unexpectedStatus(resp);
  const tr = await decodeJSON(resp);
  let token = typeof tr.token === 'string' ? tr.token : '';
  if (typeof tr.access_token === 'string' && tr.access_token) token = tr.access_token;
  if (!token) throw new Error(NO_TOKEN);
  return { token, refreshToken: typeof tr.refresh_token === 'string' ? tr.refresh_token : '' };
}

/** Thrown when the registry keeps refusing the same request (docker.ErrInvalidAuthorization). */
export class InvalidAuthorizationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidAuthorizationError';
  }
}

export class NotImplementedAuthError extends Error {}

/** Sorted, de-duplicated scopes (docker.GetTokenScopes). */
export function tokenScopes(ctxScopes: readonly string[], common: readonly string[]): string[] {
  const all = [...ctxScopes, ...common].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return all.filter((s, i) => i === 0 || s !== all[i - 1]);
}

class AuthHandler {
  private readonly tokens = new Map<string, Promise<string>>();

  constructor(private readonly client: HttpClient, private readonly headers: UserAgentHeaders, readonly scheme: number, private readonly common: TokenOptions) {}

  authorize(scopes: readonly string[]): Promise<string> {
    if (this.scheme === BASIC) {
      const { username, secret } = this.common;
      if (!username || !secret) return Promise.reject(new Error('failed to handle basic auth because missing username or secret'));
      return Promise.resolve(`Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}`);
    }
    const to = { ...this.common, scopes: tokenScopes(scopes, this.common.scopes) };
    const key = to.scopes.join(' ');
    let p = this.tokens.get(key);
    if (!p) {
      p = this.bearer(to).then((t) => `Bearer ${t}`);
      this.tokens.set(key, p);
    }
    return p;
  }

  private async bearer(to: TokenOptions): Promise<string> {
    if (to.secret) {
      try {
        return (await fetchTokenWithOAuth(this.client, this.headers, 'containerd-client', to)).accessToken;
      } catch (e) {
        if (e instanceof UnexpectedStatusError
          && ((e.status === 405 && to.username !== '') || e.status === 404 || e.status === 401 || e.status === 400)) {
          try {
            return (await fetchToken(this.client, this.headers, to)).token;
          } catch (e2) {
            throw new Error(`failed to fetch oauth token: ${(e2 as Error).message}`);
          }
        }
        throw new Error(`failed to fetch oauth token: ${(e as Error).message}`);
      }
    }
    try {
      return (await fetchToken(this.client, this.headers, to)).token;
    } catch (e) {
      throw new Error(`failed to fetch anonymous token: ${(e as Error).message}`);
    }
  }
}

/** HostOptions.Credentials: the user and secret for a registry host (async for credential helpers). */
export type CredentialsFunc = (host: string) => { username: string; secret: string } | Promise<{ username: string; secret: string }>;

/** docker.dockerAuthorizer: one per host configuration, handlers keyed by host. */
export class Authorizer {
  private readonly handlers = new Map<string, AuthHandler>();

  constructor(
    private readonly client: HttpClient,
    private readonly headers: UserAgentHeaders,
    private readonly credentials: CredentialsFunc,
  ) {}

  /** Sets Authorization on a request for a host we have a handler for. */
  async authorize(req: Request, scopes: readonly string[]): Promise<void> {
    const h = this.handlers.get(new URL(req.url).host);
    if (!h) return;
    req.headers.Authorization = [await h.authorize(scopes)];
  }

  /**
   * AddResponses: after a 401, set up a handler from the challenge. Returns normally
   * when the request should be retried; throws NotImplementedAuthError when no
   * challenge is usable, InvalidAuthorizationError when the same request was refused twice.
   */
  async addResponses(responses: readonly Response[]): Promise<void> {
    const last = responses[responses.length - 1]!;
    const host = new URL(last.request.url).host;
    for (const c of parseAuthHeader(last.headers['www-authenticate'] ?? [])) {
      if (c.scheme === BEARER) {
        const errStr = c.parameters.error ?? '';
        if (errStr) {
          const n = responses.length;
          if (n > 1 && sameRequest(responses[n - 2]!.request, responses[n - 1]!.request)) {
            this.handlers.delete(host);
            throw new InvalidAuthorizationError(`server message: ${errStr}: authorization failed`);
          }
        }
        if (this.handlers.has(host)) return;
        const { username, secret } = await this.credentials(host);
        // another request's 401 may have set the handler up while credentials were looked up
        if (this.handlers.has(host)) return;
        const realm = c.parameters.realm;
        if (realm === undefined) throw new Error('no realm specified for token auth challenge');
        const realmURL = realm;
        try {
          new URL(realm);
        } catch (e) {
          throw new Error(`invalid token auth challenge realm: ${(e as Error).message}`);
        }
        const scope = c.parameters.scope;
        this.handlers.set(host, new AuthHandler(this.client, this.headers, BEARER, {
          realm: realmURL, service: c.parameters.service ?? '', scopes: scope !== undefined ? scope.split(' ') : [], username, secret,
        }));
        return;
      }
      if (c.scheme === BASIC) {
        const { username, secret } = await this.credentials(host);
        if (username && secret) {
          this.handlers.set(host, new AuthHandler(this.client, this.headers, BASIC, { realm: '', service: '', scopes: [], username, secret }));
          return;
        }
      }
    }
    throw new NotImplementedAuthError('failed to find supported auth scheme: not implemented');
  }
}

function sameRequest(a: Request, b: Request): boolean {
  return a.method === b.method && a.url === b.url;
}
