// containerd's contrib/apparmor: --apparmor-profile names an existing profile;
// --apparmor-default-profile loads containerd's default profile under that name (with
// apparmor_parser) unless the kernel already has it.

import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from '../util/fs.js';
import { os } from '../util/os.js';
import { errnoText } from '../util/errno.js';
import { setProcess, type SpecOpt } from './opts.js';

const PROFILES = '/sys/kernel/security/apparmor/profiles';

async function aaParser(args: string[]): Promise<string> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    execFile('apparmor_parser', args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      const out = `${stdout}${stderr}`;
      if (!err) return resolve(out);
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new Error('exec: "apparmor_parser": executable file not found in $PATH'));
      reject(Object.assign(new Error(`exit status ${typeof err.code === 'number' ? err.code : 1}`), { output: out }));
    });
  });
}

/** apparmor's parseVersion: "major.minor.patch" of the last word of the first line. */
export function parseVersion(output: string): number {
  const words = output.split('\n', 1)[0]!.split(' ');
  const version = words[words.length - 1]!.split('-', 1)[0]!.split('~', 1)[0]!;
  const v = version.split('.');
  if (v.length === 0 || v.length > 3) throw new Error(`parsing version failed for output: \`${output}\``);
  const nums = v.map((x) => {
    if (!/^[+-]?\d+$/.test(x)) throw new Error(`strconv.Atoi: parsing "${x}": invalid syntax`);
    return Number(x);
  });
  return (nums[0] ?? 0) * 1e5 + (nums[1] ?? 0) * 1e3 + (nums[2] ?? 0);
}

function isLoaded(name: string): boolean {
  let text: string;
  try {
    text = readFileSync(PROFILES, 'utf8');
  } catch (e) {
    throw new Error(`open ${PROFILES}: ${errnoText((e as NodeJS.ErrnoException).code) ?? (e as Error).message}`);
  }
  // Only complete lines count, as the Go reader stops at the last newline.
  return text.split('\n').slice(0, -1).some((l) => l.startsWith(`${name} `));
}

/** The default profile for `name`, with the rules the parser version allows. */
function profileText(name: string, version: number, daemonProfile: string): string {
  const macro = (m: string) => existsSync(`/etc/apparmor.d/${m}`);
  const lines: string[] = [''];
  lines.push('', macro('tunables/global') ? '#include <tunables/global>' : '@{PROC}=/proc/', '', '');
  lines.push(`profile ${name} flags=(attach_disconnected,mediate_deleted) {`);
  if (macro('abstractions/base')) lines.push('', '  #include <abstractions/base>');
  lines.push('', '', '  network,', '  capability,', '  file,', '  umount,');
  if (version >= 208096) {
    lines.push(
      '',
      '  # Host (privileged) processes may send signals to container processes.',
      '  signal (receive) peer=unconfined,',
      '  # Manager may send signals to container processes.',
      `  signal (receive) peer=${daemonProfile},`,
      '  # Container processes may send signals amongst themselves.',
      `  signal (send,receive) peer=${name},`,
    );
  }
  lines.push(
    '',
    '',
    '  deny @{PROC}/* w,   # deny write for all files directly in /proc (not in a subdir)',
    '  # deny write to files not in /proc/<number>/** or /proc/sys/**',
    '  deny @{PROC}/{[^1-9],[^1-9][^0-9],[^1-9s][^0-9y][^0-9s],[^1-9][^0-9][^0-9][^0-9]*}/** w,',
    '  deny @{PROC}/sys/[^k]** w,  # deny /proc/sys except /proc/sys/k* (effectively /proc/sys/kernel)',
    '  deny @{PROC}/sys/kernel/{?,??,[^s][^h][^m]**} w,  # deny everything except shm* in /proc/sys/kernel/',
    '  deny @{PROC}/sysrq-trigger rwklx,',
    '  deny @{PROC}/mem rwklx,',
    '  deny @{PROC}/kmem rwklx,',
    '  deny @{PROC}/kcore rwklx,',
    '',
    '  deny mount,',
    '',
    '  deny /sys/[^f]*/** wklx,',
    '  deny /sys/f[^s]*/** wklx,',
    '  deny /sys/fs/[^c]*/** wklx,',
    '  deny /sys/fs/c[^g]*/** wklx,',
    '  deny /sys/fs/cg[^r]*/** wklx,',
    '  deny /sys/firmware/** rwklx,',
    '  deny /sys/kernel/security/** rwklx,',
    '',
  );
  if (version >= 208095) lines.push('', `  ptrace (trace,read) peer=${name},`);
  lines.push('', '}', '');
  return lines.join('\n');
}

async function loadDefaultProfile(name: string): Promise<void> {
  if (isLoaded(name)) return;
  let version: number;
  try {
    version = parseVersion(await aaParser(['--version']));
  } catch (e) {
    throw new Error(`get apparmor_parser version: ${(e as Error).message}`);
  }
  let current = '';
  try {
    current = readFileSync('/proc/self/attr/current', 'utf8');
  } catch {
    current = '';
  }
  const daemonProfile = current.split(' ', 1)[0] || 'unconfined';
  const dir = await mkdtemp(`${process.env.XDG_RUNTIME_DIR || os().tmpdir()}/${name}`);
  const path = `${dir}/profile`;
  try {
    await writeFile(path, profileText(name, version, daemonProfile));
    try {
      await aaParser(['-Kr', path]);
    } catch (e) {
      const out = ((e as { output?: string }).output ?? '').trim();
      throw new Error(`load apparmor profile ${path}: parser error(${JSON.stringify(out)}): ${(e as Error).message}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const withProfile = (profile: string): SpecOpt => (_ctx, s) => {
  setProcess(s).apparmorProfile = profile;
};

export const withDefaultProfile = (name: string): SpecOpt => async (_ctx, s) => {
  await loadDefaultProfile(name);
  setProcess(s).apparmorProfile = name;
};
