// containerd's pkg/cap: capability names by number, and the effective set of this
// process (what --privileged grants).

import { readFileSync } from 'node:fs';

/** Capability names by number, as known to containerd 1.6 (up to CAP_CHECKPOINT_RESTORE). */
const capNames = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ',
  'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** cap.FromBitmap: the known names of the set bits, lowest first. */
export function capsFromBitmap(v: bigint): string[] {
  const out: string[] = [];
  for (let i = 0; i < 64; i++) {
    if ((v >> BigInt(i)) & 1n && i < capNames.length) out.push(capNames[i]!);
  }
  return out;
}

/** cap.Current: the effective capabilities of this process (undefined when there are none). */
export function currentCaps(): string[] | undefined {
  const status = readFileSync('/proc/self/status', 'utf8');
  const line = status.split('\n').find((l) => l.split(':', 1)[0]!.trim() === 'CapEff');
  if (!line) return undefined;
  const names = capsFromBitmap(BigInt(`0x${line.slice(line.indexOf(':') + 1).trim()}`));
  return names.length > 0 ? names : undefined;
}
