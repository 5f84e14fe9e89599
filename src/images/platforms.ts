// containerd's platforms package: parsing "os/arch/variant" specifiers, normalising,
// and the matchers that pick manifests out of an index (Only, Any, All, Ordered).

import type { Platform } from './types.js';

export type { Platform };

export interface Matcher {
  match(p: Platform): boolean;
}

export interface MatchComparer extends Matcher {
  /** True when p1 is preferred over p2. */
  less(p1: Platform, p2: Platform): boolean;
}

const specifierRe = /^[A-Za-z0-9_-]+$/;

const knownOS = new Set(['aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux',
  'nacl', 'netbsd', 'openbsd', 'plan9', 'solaris', 'windows', 'zos']);
const knownArch = new Set(['386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'ppc64', 'ppc64le', 'loong64',
  'mips', 'mipsle', 'mips64', 'mips64le', 'mips64p32', 'mips64p32le', 'ppc', 'riscv', 'riscv64', 's390', 's390x',
  'sparc', 'sparc64', 'wasm']);

/** Go's runtime.GOARCH for the machine we run on. */
export function goArch(): string {
  switch (process.arch) {
    case 'x64': return 'amd64';
    case 'ia32': return '386';
    case 'ppc64': return 'ppc64le';
    default: return process.arch;
  }
}

/** platforms.cpuVariant: only ARM machines have one. */
function cpuVariant(): string {
  const arch = goArch();
  if (arch === 'arm64') return 'v8';
  if (arch === 'arm') return 'v7';
  return '';
}

export class PlatformError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlatformError';
  }
}

function normalizeOS(os: string): string {
  if (!os) return 'linux';
  const lower = os.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}

function normalizeArch(archIn: string, variantIn: string): [string, string] {
  let arch = archIn.toLowerCase();
  let variant = variantIn.toLowerCase();
  switch (arch) {
    case 'i386':
      arch = '386';
      variant = '';
      break;
    case 'x86_64': case 'x86-64': case 'amd64':
      arch = 'amd64';
      if (variant === 'v1') variant = '';
      break;
    case 'aarch64': case 'arm64':
      arch = 'arm64';
      if (variant === '8' || variant === 'v8') variant = '';
      break;
    case 'armhf':
      arch = 'arm';
      variant = 'v7';
      break;
    case 'armel':
      arch = 'arm';
      variant = 'v6';
      break;
    case 'arm':
      if (variant === '' || variant === '7') variant = 'v7';
      else if (variant === '5' || variant === '6' || variant === '8') variant = `v${variant}`;
      break;
  }
  return [arch, variant];
}

export function normalize(p: Platform): Platform {
  const [architecture, variant] = normalizeArch(p.architecture ?? '', p.variant ?? '');
  const out: Platform = { ...p, os: normalizeOS(p.os ?? ''), architecture };
  if (variant) out.variant = variant;
  else delete out.variant;
  return out;
}

/** platforms.Parse; error texts are containerd's (with errdefs' ": invalid argument"). */
export function parsePlatform(specifier: string): Platform {
  if (specifier.includes('*')) {
    throw new PlatformError(`"${specifier}": wildcards not yet supported: invalid argument`);
  }
  const parts = specifier.split('/');
  for (const part of parts) {
    if (!specifierRe.test(part)) {
      throw new PlatformError(`"${part}" is an invalid component of "${specifier}": platform specifier component must match "${specifierRe.source}": invalid argument`);
    }
  }
  const withVariant = (os: string, arch: string, variant: string): Platform => (variant ? { os, architecture: arch, variant } : { os, architecture: arch });
  switch (parts.length) {
    case 1: {
      const os = normalizeOS(parts[0]!);
      if (knownOS.has(os)) {
        const arch = goArch();
        const v = cpuVariant();
        return withVariant(os, arch, arch === 'arm' && v !== 'v7' ? v : '');
      }
      let [arch, variant] = normalizeArch(parts[0]!, '');
      if (arch === 'arm' && variant === 'v7') variant = '';
      if (knownArch.has(arch)) return withVariant('linux', arch, variant);
      throw new PlatformError(`"${specifier}": unknown operating system or architecture: invalid argument`);
    }
    case 2: {
      let [arch, variant] = normalizeArch(parts[1]!, '');
      if (arch === 'arm' && variant === 'v7') variant = '';
      return withVariant(normalizeOS(parts[0]!), arch, variant);
    }
    case 3: {
      let [arch, variant] = normalizeArch(parts[1]!, parts[2]!);
      if (arch === 'arm64' && variant === '') variant = 'v8';
      return withVariant(normalizeOS(parts[0]!), arch, variant);
    }
  }
  throw new PlatformError(`"${specifier}": cannot parse platform specifier: invalid argument`);
}

/** platforms.Format: "os/arch[/variant]", "unknown" without an OS. */
export function formatPlatform(p: Platform): string {
  if (!p.os) return 'unknown';
  return [p.os, p.architecture, p.variant].filter((s) => s).join('/');
}

export function defaultSpec(): Platform {
  const v = cpuVariant();
  return v ? { os: 'linux', architecture: goArch(), variant: v } : { os: 'linux', architecture: goArch() };
}

export const defaultString = (): string => formatPlatform(defaultSpec());

function exactMatcher(p: Platform): Matcher {
  const want = normalize(p);
  return {
    match(other) {
      const n = normalize(other);
      return n.os === want.os && n.architecture === want.architecture && (n.variant ?? '') === (want.variant ?? '');
    },
  };
}

export const newMatcher = exactMatcher;

/** platforms.platformVector: the platform and those it can also run, best first. */
function platformVector(p: Platform): Platform[] {
  const vector: Platform[] = [p];
  const base = { os: p.os, 'os.version': p['os.version'], 'os.features': p['os.features'] };
  const version = (v: string | undefined) => {
    const s = (v ?? '').replace(/^v/, '');
    return /^[+-]?\d+$/.test(s) ? parseInt(s, 10) : NaN;
  };
  switch (p.architecture) {
    case 'amd64': {
      const n = version(p.variant);
      if (n > 1) for (let i = n - 1; i >= 1; i--) vector.push({ ...base, architecture: 'amd64', variant: `v${i}` });
      vector.push({ ...base, architecture: '386' });
      break;
    }
    case 'arm': {
      const n = version(p.variant);
      if (n > 5) for (let i = n - 1; i >= 5; i--) vector.push({ ...base, architecture: 'arm', variant: `v${i}` });
      break;
    }
    case 'arm64':
      vector.push(...platformVector({ ...base, architecture: 'arm', variant: p.variant || 'v8' }));
      break;
  }
  return vector;
}

export function ordered(...ps: Platform[]): MatchComparer {
  const matchers = ps.map(exactMatcher);
  return {
    match: (p) => matchers.some((m) => m.match(p)),
    less(p1, p2) {
      for (const m of matchers) {
        const a = m.match(p1);
        const b = m.match(p2);
        if (a && !b) return true;
        if (a || b) return false;
      }
      return false;
    },
  };
}

/** platforms.Only: the platform and the ones it can run, in order of preference. */
export const only = (p: Platform): MatchComparer => ordered(...platformVector(normalize(p)));

export const onlyStrict = (p: Platform): MatchComparer => ordered(normalize(p));

/** platforms.Any: matches any of the platforms, without preference among them. */
export function any(...ps: Platform[]): MatchComparer {
  const matchers = ps.map(exactMatcher);
  return {
    match: (p) => matchers.some((m) => m.match(p)),
    less(p1, p2) {
      let a = false;
      let b = false;
      for (const m of matchers) {
        if (!a && m.match(p1)) a = true;
        if (!b && m.match(p2)) b = true;
        if (a && b) return false;
      }
      return a && !b;
    },
  };
}

export const all: MatchComparer = { match: () => true, less: () => false };

export const defaultMatcher = (): MatchComparer => only(defaultSpec());
