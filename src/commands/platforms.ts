// containerd's platforms.Format: "os/arch/variant" with empty parts left out, "unknown" without an OS.

export interface PlatformLike { os: string; architecture: string; variant?: string }

export function formatPlatform(p: PlatformLike): string {
  if (!p.os) return 'unknown';
  return [p.os, p.architecture, p.variant].filter((s) => s).join('/');
}
