// A small HTTP client over node:http/node:https with what containerd's registry client
// gets from Go's net/http: kept-alive connections per host configuration, TLS settings
// (CA pool, client certificates, skip-verify), redirects (at most 10, with a hook to
// re-authorize), Go's error texts (`Head "url": dial tcp …: connection refused`), and
// the --http-dump / --http-trace output.

import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import { Http1Pool } from './http1.js';
import type { Logger } from './log.js';

export type Headers = Record<string, string[]>;

export interface TLSSettings {
  insecureSkipVerify?: boolean;
  /** Replaces the system roots (ctr's --tlscacert). */
  rootCAs?: Buffer[];
  /** Added to the system roots (hosts.toml `ca`). */
  extraCAs?: Buffer[];
  certificates?: Array<{ cert: Buffer; key: Buffer }>;
}

export interface ClientOptions {
  tls: TLSSettings;
  /** --http-dump: requests and responses are logged line by line at info level. */
  dump?: Logger;
  /** --http-trace: connection events at debug level. */
  trace?: Logger;
}

export interface Request {
  method: string;
  url: string;
  headers: Headers;
  /** A fresh body for each attempt (redirects replay it). */
  body?: () => Readable | Buffer;
  contentLength?: number;
  signal?: AbortSignal;
}

export interface Response {
  status: number;
  /** Go's resp.Status: "200 OK". */
  statusText: string;
  headers: Headers;
  body: Readable;
  request: Request;
  header(name: string): string;
}

/** One client per host configuration, like the http.Client ctr builds per hosts entry. */
export class HttpClient {
  private readonly agents: { http: http.Agent; https: https.Agent };
  /** Plain-HTTP requests without a body (manifests, blobs) take the lean path. */
  private readonly plain = new Http1Pool();

  constructor(readonly options: ClientOptions) {
    const t = options.tls;
    let ca: Buffer[] | string[] | undefined;
    if (t.rootCAs) ca = t.rootCAs;
    else if (t.extraCAs?.length) ca = [...rootCertificates, ...t.extraCAs.map((b) => b.toString())] as string[];
    this.agents = {
      http: new http.Agent({ keepAlive: true, maxFreeSockets: 10 }),
      https: new https.Agent({
        keepAlive: true,
        maxFreeSockets: 10,
        rejectUnauthorized: !t.insecureSkipVerify,
        ca,
        cert: t.certificates?.map((c) => c.cert),
        key: t.certificates?.map((c) => c.key),
      }),
    };
  }

  /** Sends a request and follows redirects; `authorize` runs on each redirected request. */
  async do(req: Request, authorize?: (r: Request) => Promise<void>): Promise<Response> {
    let current = req;
    for (let hops = 0; ; hops++) {
      const resp = await this.once(current);
      const loc = resp.header('location');
      if (![301, 302, 303, 307, 308].includes(resp.status) || !loc) return resp;
      resp.body.resume();
      if (hops >= 10) throw new HttpError(current, 'stopped after 10 redirects');
      const next = new URL(loc, current.url);
      const keepBody = resp.status === 307 || resp.status === 308;
      const method = keepBody || current.method === 'HEAD' ? current.method : 'GET';
      const headers: Headers = {};
      const sameHost = new URL(current.url).host === next.host;
      for (const [k, v] of Object.entries(current.headers)) {
        if (!sameHost && ['authorization', 'www-authenticate', 'cookie'].includes(k.toLowerCase())) continue;
        headers[k] = v;
      }
      current = { ...current, method, url: next.toString(), headers, body: keepBody ? current.body : undefined, contentLength: keepBody ? current.contentLength : undefined };
      if (authorize) {
        try {
          await authorize(current);
        } catch (e) {
          throw new HttpError(current, `failed to authorize redirect: ${(e as Error).message}`);
        }
      }
    }
  }

  private once(req: Request): Promise<Response> {
    const u = new URL(req.url);
    const isTLS = u.protocol === 'https:';
    const mod = isTLS ? https : http;
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = v.length === 1 ? v[0]! : v;
    if (req.contentLength !== undefined && req.body) headers['Content-Length'] = String(req.contentLength);
    this.dumpRequest(req, u);
    if (!isTLS && !req.body) return this.oncePlain(req, u, headers);
    return new Promise<Response>((resolve, reject) => {
      const r = mod.request(u, { method: req.method, headers, agent: isTLS ? this.agents.https : this.agents.http, signal: req.signal });
      r.on('socket', (sock) => {
        if (!this.options.trace) return;
        const reused = (r as unknown as { reusedSocket?: boolean }).reusedSocket ?? false;
        const report = () => this.options.trace?.debug('Connection successful', { reused: String(reused), remote_addr: `${sock.remoteAddress}:${sock.remotePort}` });
        if (sock.remoteAddress) report();
        else sock.once('connect', report);
      });
      r.on('response', (res) => {
        const hdrs: Headers = {};
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const k = res.rawHeaders[i]!.toLowerCase();
          (hdrs[k] ??= []).push(res.rawHeaders[i + 1]!);
        }
        const resp: Response = {
          status: res.statusCode ?? 0,
          statusText: `${res.statusCode} ${res.statusMessage ?? ''}`.trimEnd(),
          headers: hdrs,
          body: res,
          request: req,
          header: (name) => hdrs[name.toLowerCase()]?.[0] ?? '',
        };
        this.dumpResponse(resp, res.httpVersion);
        resolve(resp);
      });
      r.on('error', (e) => reject(new HttpError(req, goNetError(e as NodeJS.ErrnoException, u))));
      if (req.body) {
        const b = req.body();
        if (Buffer.isBuffer(b)) r.end(b);
        else {
          b.on('error', (e) => r.destroy(e));
          b.pipe(r);
        }
      } else {
        r.end();
      }
    });
  }

  private async oncePlain(req: Request, u: URL, headers: Record<string, string | string[]>): Promise<Response> {
    let res;
    try {
      res = await this.plain.request({
        method: req.method,
        url: u,
        headers,
        signal: req.signal,
        onConnection: (reused, remote) => this.options.trace?.debug('Connection successful', { reused: String(reused), remote_addr: remote }),
      });
    } catch (e) {
      throw new HttpError(req, goNetError(e as NodeJS.ErrnoException, u));
    }
    const hdrs: Headers = {};
    for (let i = 0; i < res.rawHeaders.length; i += 2) (hdrs[res.rawHeaders[i]!.toLowerCase()] ??= []).push(res.rawHeaders[i + 1]!);
    const resp: Response = {
      status: res.status,
      statusText: `${res.status} ${res.reason}`.trimEnd(),
      headers: hdrs,
      body: res.body,
      request: req,
      header: (name) => hdrs[name.toLowerCase()]?.[0] ?? '',
    };
    this.dumpResponse(resp, res.httpVersion);
    return resp;
  }

  private dumpRequest(req: Request, u: URL): void {
    const log = this.options.dump;
    if (!log) return;
    const lines = [`${req.method} ${u.pathname}${u.search} HTTP/1.1`, `Host: ${u.host}`];
    const hdrs = { ...req.headers };
    if (req.contentLength !== undefined && req.body) hdrs['Content-Length'] = [String(req.contentLength)];
    for (const k of Object.keys(hdrs).map(canonicalHeaderKey).sort()) {
      const v = Object.entries(hdrs).find(([key]) => canonicalHeaderKey(key) === k)![1];
      for (const one of v) lines.push(`${k}: ${k === 'Authorization' ? redact(one) : one}`);
    }
    lines.push('');
    for (const l of lines) log.info(l);
  }

  private dumpResponse(resp: Response, httpVersion: string): void {
    const log = this.options.dump;
    if (!log) return;
    const lines = [`HTTP/${httpVersion} ${resp.statusText}`];
    for (const k of Object.keys(resp.headers).map(canonicalHeaderKey).sort()) {
      for (const one of resp.headers[k.toLowerCase()]!) lines.push(`${k}: ${one}`);
    }
    lines.push('');
    for (const l of lines) log.info(l);
  }

  close(): void {
    this.plain.close();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

/** Credentials never reach the dump. */
function redact(value: string): string {
  const sp = value.indexOf(' ');
  return sp > 0 ? `${value.slice(0, sp)} <redacted>` : '<redacted>';
}

/** Go's textproto.CanonicalMIMEHeaderKey. */
export function canonicalHeaderKey(k: string): string {
  return k.toLowerCase().replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
}

/** A failed round trip, printed as Go's url.Error: `Get "https://…": <reason>`. */
export class HttpError extends Error {
  constructor(readonly request: Request, readonly reason: string) {
    super(`${request.method[0]}${request.method.slice(1).toLowerCase()} ${JSON.stringify(request.url)}: ${reason}`);
    this.name = 'HttpError';
  }
}

let nameserver: string | undefined;
function resolverAddress(): string {
  if (nameserver === undefined) {
    try {
      const m = /^\s*nameserver\s+(\S+)/m.exec(readFileSync('/etc/resolv.conf', 'utf8'));
      nameserver = m ? (m[1]!.includes(':') ? `[${m[1]}]:53` : `${m[1]}:53`) : '127.0.0.1:53';
    } catch {
      nameserver = '127.0.0.1:53';
    }
  }
  return nameserver;
}

/** Node's socket errors in the words Go's net and crypto/tls packages use. */
function goNetError(e: NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string; reason?: string }, u: URL): string {
  const addr = e.address ? `${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port}` : u.host;
  switch (e.code) {
    case 'ECONNREFUSED': return `dial tcp ${addr}: connect: connection refused`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN': return `dial tcp: lookup ${e.hostname ?? u.hostname} on ${resolverAddress()}: no such host`;
    case 'ETIMEDOUT': return `dial tcp ${addr}: i/o timeout`;
    case 'EHOSTUNREACH': return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH': return `dial tcp ${addr}: connect: network is unreachable`;
    case 'ECONNRESET': return 'EOF';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
      return 'x509: certificate signed by unknown authority';
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return 'x509: certificate has expired or is not yet valid';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `x509: certificate is not valid for ${u.hostname}`;
    case 'ABORT_ERR': return 'context canceled';
  }
  if (e.code === 'EPROTO' && /wrong version number|packet length too long/.test(e.message)) {
    return 'http: server gave HTTP response to HTTPS client';
  }
  if (e.code?.startsWith('HPE_')) return `net/http: HTTP/1.x transport connection broken: malformed HTTP response`;
  return e.message;
}
