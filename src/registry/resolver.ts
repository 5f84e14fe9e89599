// containerd's docker resolver: Resolve (HEAD, or GET when the digest header is
// missing, across the configured hosts), Fetcher (manifests and blobs, with Range
// resume like its httpReadSeeker) and the request plumbing shared with the pusher
// (authorization retries after 401, HEAD→GET on 405, retry on 408/429, ?ns= for mirrors).

import type { Readable } from 'node:stream';
import { digestError } from '../images/digest.js';
import { isIndexType, isManifestType, MediaType } from '../images/mediatypes.js';
import type { Descriptor } from '../images/types.js';
import { InvalidAuthorizationError, NotImplementedAuthError } from './auth.js';
import { registryErrorsText } from './errcode.js';
import { CAP_PULL, CAP_RESOLVE, type RegistryHost } from './hosts.js';
import { HttpError, type Headers, type Response } from './http.js';
import type { Logger } from './log.js';
import { joinPath, parseDummyURL, parseRef, Spec } from './reference.js';

export const MAX_MANIFEST_SIZE = 4 * 1048 * 1048;

/** An error that carries an errdefs class, like Go errors wrapping errdefs.ErrNotFound. */
export class RemoteError extends Error {
  constructor(message: string, readonly kind: 'notfound' | 'invalid' | 'unavailable' | 'alreadyexists' | 'other' = 'other') {
    super(message);
    this.name = 'RemoteError';
  }
}

export const isRemoteNotFound = (e: unknown) => e instanceof RemoteError && e.kind === 'notfound';

/** docker.RepositoryScope. */
export function repositoryScope(spec: Spec, push: boolean): string {
  const path = parseDummyURL(spec.locator).path.replace(/^\//, '');
  return `repository:${path}:pull${push ? ',push' : ''}`;
}

export class RegistryRequest {
  constructor(
    public method: string,
    public path: string,
    readonly header: Headers,
    readonly host: RegistryHost,
    readonly log: Logger,
  ) {}

  body?: () => Readable | Buffer;
  size?: number;

  toString(): string {
    return `${this.host.scheme}://${this.host.host}${this.path}`;
  }

  private async do(scopes: readonly string[]): Promise<Response> {
    const url = this.toString();
    const req = { method: this.method, url, headers: Object.fromEntries(Object.entries(this.header).map(([k, v]) => [k, [...v]])), body: this.body, contentLength: this.size && this.size > 0 ? this.size : undefined };
    this.log.debug('do request', { url, 'request.method': this.method });
    try {
      await this.host.authorizer.authorize(req, scopes);
    } catch (e) {
      throw new Error(`failed to authorize: ${(e as Error).message}`);
    }
    try {
      const resp = await this.host.client.do(req, (r) => this.host.authorizer.authorize(r, scopes));
      this.log.debug('fetch response received', { url, 'response.status': resp.statusText });
      return resp;
    } catch (e) {
      if (e instanceof HttpError) throw new Error(`failed to do request: ${e.message}`);
      throw e;
    }
  }

  /** request.doWithRetries. */
  async doWithRetries(scopes: readonly string[], responses: Response[] = []): Promise<Response> {
    const resp = await this.do(scopes);
    responses.push(resp);
    let retry = false;
    try {
      retry = await this.retryRequest(responses);
    } catch (e) {
      resp.body.resume();
      throw e;
    }
    if (retry) {
      resp.body.resume();
      return this.doWithRetries(scopes, responses);
    }
    return resp;
  }

  private async retryRequest(responses: Response[]): Promise<boolean> {
    if (responses.length > 5) return false;
    const last = responses[responses.length - 1]!;
    switch (last.status) {
      case 401:
        this.log.debug('Unauthorized', { header: last.header('www-authenticate') });
        try {
          await this.host.authorizer.addResponses(responses);
          return true;
        } catch (e) {
          if (e instanceof NotImplementedAuthError) return false;
          throw e;
        }
      case 405:
        if (this.method === 'HEAD' && this.path.includes('/manifests/')) {
          this.method = 'GET';
          return true;
        }
        return false;
      case 408:
      case 429:
        return true;
    }
    return false;
  }
}

export interface ResolverOptions {
  hosts: (host: string) => RegistryHost[];
  headers: Headers;
  log: Logger;
  /** Releases kept-alive connections. */
  close?: () => void;
}

const RESOLVE_ACCEPT = [MediaType.DockerManifest, MediaType.DockerManifestList, MediaType.OCIManifest, MediaType.OCIIndex, '*/*'].join(', ');

export class DockerBase {
  readonly repository: string;
  constructor(readonly spec: Spec, readonly hosts: RegistryHost[], readonly headers: Headers, readonly log: Logger) {
    const h = spec.hostname();
    this.repository = spec.locator.startsWith(`${h}/`) ? spec.locator.slice(h.length + 1) : spec.locator;
  }

  filterHosts(caps: number): RegistryHost[] {
    return this.hosts.filter((h) => (h.capabilities & caps) === caps);
  }

  request(host: RegistryHost, method: string, ...ps: string[]): RegistryRequest {
    const header: Headers = {};
    for (const [k, v] of Object.entries(this.headers)) header[k] = [...v];
    for (const [k, v] of Object.entries(host.header)) header[k] = [...(header[k] ?? []), ...v];
    let p = joinPath('/', host.path, this.repository, ...ps);
    if (ps.length > 0 && ps[ps.length - 1]!.endsWith('/')) p += '/';
    return new RegistryRequest(method, p, header, host, this.log.with({ host: host.host }));
  }

  /** request.addNamespace: mirrors get "?ns=<registry>". */
  addNamespace(req: RegistryRequest): void {
    const ns = this.spec.hostname();
    const host = req.host.host;
    const isProxy = ns !== host && !(ns === 'docker.io' && host === 'registry-1.docker.io');
    if (!isProxy) return;
    const i = req.path.indexOf('?');
    const params = new URLSearchParams(i > 0 ? req.path.slice(i + 1) : '');
    params.append('ns', ns);
    const sorted = [...params.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    req.path = `${i > 0 ? req.path.slice(0, i) : req.path}?${sorted.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
  }
}

export class Resolver {
  constructor(readonly options: ResolverOptions) {}

  base(ref: string): DockerBase {
    const spec = parseRef(ref);
    return new DockerBase(spec, this.options.hosts(spec.hostname()), this.options.headers, this.options.log);
  }

  /** dockerResolver.Resolve: the name and the root descriptor of `ref`. */
  async resolve(ref: string): Promise<{ name: string; desc: Descriptor }> {
    const base = this.base(ref);
    const spec = base.spec;
    if (spec.object === '') throw new RemoteError('object required', 'invalid');
    let dgst = spec.digest();
    let caps = CAP_PULL;
    const paths: string[][] = [];
    if (dgst !== '') {
      const err = digestError(dgst);
      if (err) throw new RemoteError(err, 'invalid');
      paths.push(['manifests', dgst], ['blobs', dgst]);
    } else {
      paths.push(['manifests', spec.object]);
      caps |= CAP_RESOLVE;
    }
    const hosts = base.filterHosts(caps);
    if (hosts.length === 0) throw new RemoteError('no resolve hosts: not found', 'notfound');
    const scopes = [repositoryScope(spec, false)];
    let firstErr: Error | undefined;
    for (const u of paths) {
      for (const host of hosts) {
        const log = this.options.log.with({ host: host.host });
        const req = base.request(host, 'HEAD', ...u);
        base.addNamespace(req);
        req.header.Accept = [...(req.header.Accept ?? []), RESOLVE_ACCEPT];
        log.debug('resolving');
        let resp: Response;
        try {
          resp = await req.doWithRetries(scopes);
        } catch (e) {
          let err = e as Error;
          if (e instanceof InvalidAuthorizationError) {
            err = new Error(`pull access denied, repository does not exist or may require authorization: ${err.message}`);
          }
          firstErr ??= err;
          log.info('trying next host', { error: err.message });
          continue;
        }
        resp.body.resume();
        if (resp.status > 299) {
          if (resp.status === 404) {
            log.info('trying next host - response was http.StatusNotFound');
            continue;
          }
          if (resp.status > 399) {
            firstErr ??= new Error(`pulling from host ${host.host} failed with status code [${u.join(' ')}]: ${resp.statusText}`);
            continue;
          }
          throw new Error(`pulling from host ${host.host} failed with unexpected status code [${u.join(' ')}]: ${resp.statusText}`);
        }
        const lengthHeader = resp.header('content-length');
        let size = lengthHeader !== '' ? Number(lengthHeader) : -1;
        let contentType = manifestMediaType(resp);
        if (dgst === '') {
          const h = resp.header('docker-content-digest');
          if (h !== '' && size !== -1) {
            const err = digestError(h);
            if (err) throw new Error(`"${h}" in header not a valid digest: ${err}`);
            dgst = h;
          }
        }
        if (dgst === '' || size === -1) {
          log.debug('no Docker-Content-Digest header, fetching manifest instead');
          const get = base.request(host, 'GET', ...u);
          base.addNamespace(get);
          get.header.Accept = [...(get.header.Accept ?? []), RESOLVE_ACCEPT];
          const r2 = await get.doWithRetries(scopes);
          contentType = manifestMediaType(r2);
          const { createHash } = await import('node:crypto');
          const hash = createHash('sha256');
          let n = 0;
          for await (const chunk of r2.body) {
            hash.update(chunk as Buffer);
            n += (chunk as Buffer).length;
          }
          if (dgst === '') {
            if (contentType === MediaType.DockerSchema1Manifest) throw new Error('schema 1 manifests are not supported');
            dgst = `sha256:${hash.digest('hex')}`;
          }
          size = n;
        }
        if (size > MAX_MANIFEST_SIZE) {
          firstErr ??= new RemoteError(`rejecting ${size} byte manifest for ${ref}: not found`, 'notfound');
          continue;
        }
        log.debug('resolved', { 'desc.digest': dgst });
        return { name: ref, desc: { digest: dgst, mediaType: contentType, size } };
      }
    }
    throw firstErr ?? new RemoteError(`${ref}: not found`, 'notfound');
  }

  fetcher(ref: string): Fetcher {
    return new Fetcher(this.base(ref));
  }

  async pusher(ref: string, tracker?: import('./pusher.js').StatusTracker): Promise<import('./pusher.js').Pusher> {
    const { Pusher, StatusTracker } = await import('./pusher.js');
    return new Pusher(this.base(ref), tracker ?? new StatusTracker());
  }

  close(): void {
    this.options.close?.();
  }
}

function manifestMediaType(resp: Response): string {
  let ct = resp.header('content-type');
  const sp = ct.indexOf(';');
  if (sp !== -1) ct = ct.slice(0, sp);
  if (ct === 'text/plain') ct = MediaType.DockerSchema1Manifest;
  return ct;
}

const MAX_NO_PROGRESS_RETRIES = 3;

export class Fetcher {
  constructor(readonly base: DockerBase) {}

  /**
   * dockerFetcher.Fetch: the blob's bytes from `offset`, opened lazily (errors read
   * "httpReadSeeker: failed open: …"); a connection lost mid-body is reopened with a
   * Range request, up to three times without progress.
   */
  async *fetch(desc: Descriptor, offset = 0): AsyncGenerator<Buffer> {
    const hosts = this.base.filterHosts(CAP_PULL);
    if (hosts.length === 0) throw new RemoteError('no pull hosts: not found', 'notfound');
    let at = offset;
    let noProgress = 0;
    while (desc.size === -1 || at < desc.size) {
      let body: Readable;
      try {
        body = await this.openAt(desc, at);
      } catch (e) {
        throw new RemoteError(`httpReadSeeker: failed open: ${(e as Error).message}`, e instanceof RemoteError ? e.kind : 'other');
      }
      let progressed = false;
      try {
        for await (const chunk of body) {
          const b = chunk as Buffer;
          at += b.length;
          progressed = true;
          yield b;
        }
        return;
      } catch (e) {
        // the connection broke mid-body: reopen at the current offset
        noProgress = progressed ? 0 : noProgress + 1;
        if (noProgress > MAX_NO_PROGRESS_RETRIES) throw new Error('unexpected EOF');
        body.destroy();
        void e;
      }
    }
  }

  private async openAt(desc: Descriptor, offset: number): Promise<Readable> {
    const base = this.base;
    const scopes = [repositoryScope(base.spec, false)];
    for (const us of desc.urls ?? []) {
      let u: URL;
      try {
        u = new URL(us);
      } catch {
        continue;
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') continue;
      const host: RegistryHost = { ...base.hosts[0]!, scheme: u.protocol.slice(0, -1), host: u.host, path: u.pathname, capabilities: CAP_PULL, header: {} };
      const req = base.request(host, 'GET');
      req.path = u.pathname + (u.search || '');
      try {
        return await this.open(req, desc.mediaType, offset, scopes);
      } catch (e) {
        if (isRemoteNotFound(e)) continue;
        throw e;
      }
    }
    const kind = isManifestType(desc.mediaType) || isIndexType(desc.mediaType) || desc.mediaType === MediaType.DockerSchema1Manifest ? 'manifests' : 'blobs';
    let firstErr: unknown;
    for (const host of base.hosts) {
      const req = base.request(host, 'GET', kind, desc.digest);
      base.addNamespace(req);
      try {
        return await this.open(req, desc.mediaType, offset, scopes);
      } catch (e) {
        firstErr ??= e;
      }
    }
    if (kind === 'blobs' && isRemoteNotFound(firstErr)) {
      throw new RemoteError(`could not fetch content descriptor ${desc.digest} (${desc.mediaType}) from remote: not found`, 'notfound');
    }
    throw firstErr;
  }

  private async open(req: RegistryRequest, mediaType: string, offset: number, scopes: string[]): Promise<Readable> {
    req.header.Accept = [`${mediaType}, */*`];
    if (offset > 0) req.header.Range = [`bytes=${offset}-`];
    const resp = await req.doWithRetries(scopes);
    if (resp.status > 299) {
      const body = await readAll(resp.body);
      if (resp.status === 404) throw new RemoteError(`content at ${req.toString()} not found: not found`, 'notfound');
      const text = registryErrorsText(body);
      if (text === undefined) throw new Error(`unexpected status code ${req.toString()}: ${resp.statusText}`);
      throw new Error(`unexpected status code ${req.toString()}: ${resp.statusText} - Server message: ${text}`);
    }
    if (offset > 0) {
      const cr = resp.header('content-range');
      if (cr !== '') {
        if (!cr.startsWith(`bytes ${offset}-`)) {
          resp.body.destroy();
          throw new Error(`unhandled content range in response: ${cr}`);
        }
      } else {
        return skipBytes(resp.body, offset);
      }
    }
    return resp.body;
  }
}

async function readAll(body: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of body) parts.push(c as Buffer);
  return Buffer.concat(parts).toString();
}

/** Discards the first `n` bytes of a body (a server that ignored Range). */
async function skipBytes(body: Readable, n: number): Promise<Readable> {
  const { PassThrough } = await import('node:stream');
  const out = new PassThrough();
  let left = n;
  body.on('data', (chunk: Buffer) => {
    if (left >= chunk.length) {
      left -= chunk.length;
      return;
    }
    const rest = chunk.subarray(left);
    left = 0;
    if (!out.write(rest)) {
      body.pause();
      out.once('drain', () => body.resume());
    }
  });
  body.on('end', () => {
    if (left > 0) out.destroy(new Error('unable to discard to offset'));
    else out.end();
  });
  body.on('error', (e) => out.destroy(e));
  return out;
}
