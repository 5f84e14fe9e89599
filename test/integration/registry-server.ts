// A throw-away docker-registry on a free 127.0.0.1 port for the registry integration
// tests: htpasswd basic auth (bcrypt lines from python3's crypt module), plain HTTP or
// TLS, storage under the caller's directory.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** An htpasswd bcrypt hash of `pw`, or undefined when python3's crypt module is missing. */
export function bcrypt(pw: string): string | undefined {
  const r = spawnSync('python3', ['-W', 'ignore', '-c', 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))', pw], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Whether a registry can be started here (docker-registry, python3 crypt, and openssl for TLS). */
export function canStartRegistry(tls = false): boolean {
  return have('docker-registry') && (!tls || have('openssl')) && bcrypt('x') !== undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

export async function waitFor(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((r) => {
      const c = net.connect(port, '127.0.0.1', () => { c.end(); r(true); });
      c.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('registry did not start');
}

export interface TestRegistry {
  host: string;
  port: number;
  process: ChildProcess;
}

/** Starts docker-registry with the given users; `tls` names a certificate and key. */
export async function startRegistry(dir: string, users: Record<string, string>, tls?: { cert: string; key: string }): Promise<TestRegistry> {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  writeFileSync(join(dir, 'htpasswd'), Object.entries(users).map(([u, p]) => `${u}:${bcrypt(p)}\n`).join(''));
  writeFileSync(join(dir, 'config.yml'), `version: 0.1
log: { level: error }
storage: { filesystem: { rootdirectory: ${join(dir, 'storage')} } }
http:
  addr: ${host}
${tls ? `  tls: { certificate: ${tls.cert}, key: ${tls.key} }\n` : ''}auth:
  htpasswd: { realm: test, path: ${join(dir, 'htpasswd')} }
`);
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  await waitFor(port);
  return { host, port, process: child };
}
