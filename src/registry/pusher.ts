// containerd's dockerPusher: existence check (HEAD), upload session (POST, with a
// cross-repository mount when the blob's distribution-source label names another
// repository of the same registry), then the PUT of the bytes; manifests are PUT by
// tag or digest. A status tracker records progress for ctr's push display.

import { Readable } from 'node:stream';
import { isIndexType, isManifestType } from '../images/mediatypes.js';
import type { Descriptor } from '../images/types.js';
import { InvalidAuthorizationError, unexpectedStatus } from './auth.js';
import { CAP_PUSH } from './hosts.js';
import { parseDummyURL } from './reference.js';
import { repositoryScope, RemoteError, type DockerBase } from './resolver.js';

export interface PushStatus {
  offset: number;
  total: number;
  committed: boolean;
}

/** docker.NewInMemoryTracker. */
export class StatusTracker {
  readonly statuses = new Map<string, PushStatus>();
  get(ref: string): PushStatus | undefined { return this.statuses.get(ref); }
  set(ref: string, s: PushStatus): void { this.statuses.set(ref, s); }
}

/** getManifestPath: by tag when the ref's tag names this digest, else by digest. */
function manifestPath(object: string, digest: string): string[] {
  let obj = object;
  const i = obj.indexOf('@');
  if (i >= 0) obj = obj.slice(i + 1) !== digest ? '' : obj.slice(0, i);
  return obj === '' ? ['manifests', digest] : ['manifests', obj];
}

/** selectRepositoryMountCandidate: the source repository sharing most leading path components. */
function mountCandidate(base: DockerBase, annotations: Record<string, string> | undefined): string {
  const u = parseDummyURL(base.spec.locator);
  const source = u.host.replace(/:\d*$/, '');
  const target = u.path.replace(/^\//, '');
  const label = annotations?.[`containerd.io/distribution.source.${source}`];
  if (!label) return '';
  const components = target.split('/');
  let n = 0;
  let match = '';
  for (const repo of label.split(',')) {
    if (repo === target) continue;
    const parts = repo.split('/');
    let common = 0;
    while (common < components.length && common < parts.length && components[common] === parts[common]) common++;
    if (common >= n) {
      n = common;
      match = repo;
    }
  }
  return match;
}

export class Pusher {
  constructor(readonly base: DockerBase, readonly tracker: StatusTracker) {}

  /**
   * dockerPusher.Push + content.Copy: uploads `desc` from `open()` (called only when
   * the registry lacks it). Throws RemoteError 'alreadyexists' when it is already there.
   */
  async push(desc: Descriptor, ref: string, open: () => AsyncIterable<Uint8Array>): Promise<void> {
    const base = this.base;
    const scopes = [repositoryScope(base.spec, true)];
    const st = this.tracker.get(ref);
    if (st?.committed && st.offset === st.total) throw new RemoteError(`ref ${ref}: already exists`, 'alreadyexists');
    const hosts = base.filterHosts(CAP_PUSH);
    if (hosts.length === 0) throw new RemoteError('no push hosts: not found', 'notfound');
    const host = hosts[0]!;
    const isManifest = isManifestType(desc.mediaType) || isIndexType(desc.mediaType);
    const existCheck = isManifest ? manifestPath(base.spec.object, desc.digest) : ['blobs', desc.digest];
    const head = base.request(host, 'HEAD', ...existCheck);
    head.header.Accept = [`${desc.mediaType}, */*`];
    const committed = () => this.tracker.set(ref, { offset: desc.size, total: desc.size, committed: true });
    try {
      const resp = await head.doWithRetries(scopes);
      resp.body.resume();
      if (resp.status === 200) {
        const exists = !(isManifest && existCheck[1] !== desc.digest) || resp.header('docker-content-digest') === desc.digest;
        if (exists) {
          committed();
          throw new RemoteError(`content ${desc.digest} on remote: already exists`, 'alreadyexists');
        }
      } else if (resp.status !== 404) {
        throw await unexpectedStatus(resp);
      }
    } catch (e) {
      if (!(e instanceof InvalidAuthorizationError)) throw e;
    }

    let put;
    if (isManifest) {
      put = base.request(host, 'PUT', ...manifestPath(base.spec.object, desc.digest));
      put.header['Content-Type'] = [desc.mediaType];
    } else {
      const post = base.request(host, 'POST', 'blobs', 'uploads/');
      let resp;
      const from = mountCandidate(base, desc.annotations);
      if (from) {
        const mount = base.request(host, 'POST', 'blobs', 'uploads/');
        mount.path += `${mount.path.includes('?') ? '&' : '?'}mount=${desc.digest}&from=${from}`;
        resp = await mount.doWithRetries([...scopes, `repository:${from}:pull`]);
        if (resp.status === 401) {
          resp.body.resume();
          resp = undefined;
        }
      }
      resp ??= await post.doWithRetries(scopes);
      resp.body.resume();
      if (resp.status === 201) {
        committed();
        throw new RemoteError(`content ${desc.digest} on remote: already exists`, 'alreadyexists');
      }
      if (![200, 202, 204].includes(resp.status)) throw await unexpectedStatus(resp);
      const location = resp.header('location');
      let lhost = host;
      let lurl: URL;
      if (location.startsWith('/')) {
        lurl = new URL(`${host.scheme}://${host.host}${location}`);
      } else {
        lurl = new URL(location.includes('://') ? location : `${host.scheme}://${location}`);
        if (lurl.host !== host.host || `${host.scheme}:` !== lurl.protocol) {
          lhost = { ...host, scheme: lurl.protocol.slice(0, -1), host: lurl.host };
        }
      }
      lurl.searchParams.append('digest', desc.digest);
      put = base.request(lhost, 'PUT');
      put.header['Content-Type'] = ['application/octet-stream'];
      const q = [...lurl.searchParams.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      put.path = `${lurl.pathname}?${q.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
    }

    const status: PushStatus = { offset: 0, total: desc.size, committed: false };
    this.tracker.set(ref, status);
    const tracker = this.tracker;
    put.size = desc.size;
    put.body = () => {
      status.offset = 0;
      return Readable.from((async function* () {
        for await (const chunk of open()) {
          status.offset += chunk.length;
          tracker.set(ref, status);
          yield chunk;
        }
      })());
    };
    const resp = await put.doWithRetries(scopes);
    resp.body.resume();
    if (![200, 201, 204, 202].includes(resp.status)) throw await unexpectedStatus(resp);
    if (desc.size > 0 && desc.size !== status.offset) throw new Error(`unexpected size ${status.offset}, expected ${desc.size}`);
    const actual = resp.header('docker-content-digest');
    if (!/^[a-z0-9]+:[a-f0-9]+$/.test(actual)) throw new Error('invalid content digest in response: invalid checksum digest format');
    if (actual !== desc.digest) throw new Error(`got digest ${actual}, expected ${desc.digest}`);
    status.committed = true;
    this.tracker.set(ref, status);
  }
}
