// containerd's contrib/seccomp: the default seccomp profile ctr's --seccomp installs
// (allow-list, extended by kernel version, architecture and the bounding capabilities)
// and --seccomp-profile's file loading.

import { readFile } from '../util/fs.js';
import { os } from '../util/os.js';
import { decodeGoJSON } from './gojson.js';
import type { SpecOpt } from './opts.js';
import { errnoText } from '../util/errno.js';
import { seccompType, type LinuxSeccomp, type LinuxSyscall, type Spec } from './spec.js';
import { goArch } from '../images/platforms.js';
import { goQuote } from '../cli/flags.js';

const words = (s: string) => s.trim().split(/\s+/);

/** Syscalls every container may make. */
const allowed = words(`
  accept accept4 access adjtimex alarm bind brk capget capset chdir chmod chown chown32 clock_adjtime
  clock_adjtime64 clock_getres clock_getres_time64 clock_gettime clock_gettime64 clock_nanosleep
  clock_nanosleep_time64 close close_range connect copy_file_range creat dup dup2 dup3 epoll_create
  epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old eventfd eventfd2
  execve execveat exit exit_group faccessat faccessat2 fadvise64 fadvise64_64 fallocate fanotify_mark fchdir
  fchmod fchmodat fchown fchown32 fchownat fcntl fcntl64 fdatasync fgetxattr flistxattr flock fork
  fremovexattr fsetxattr fstat fstat64 fstatat64 fstatfs fstatfs64 fsync ftruncate ftruncate64 futex
  futex_time64 futex_waitv futimesat getcpu getcwd getdents getdents64 getegid getegid32 geteuid geteuid32
  getgid getgid32 getgroups getgroups32 getitimer getpeername getpgid getpgrp getpid getppid getpriority
  getrandom getresgid getresgid32 getresuid getresuid32 getrlimit get_robust_list getrusage getsid getsockname
  getsockopt get_thread_area gettid gettimeofday getuid getuid32 getxattr inotify_add_watch inotify_init
  inotify_init1 inotify_rm_watch io_cancel ioctl io_destroy io_getevents io_pgetevents io_pgetevents_time64
  ioprio_get ioprio_set io_setup io_submit io_uring_enter io_uring_register io_uring_setup ipc kill
  landlock_add_rule landlock_create_ruleset landlock_restrict_self lchown lchown32 lgetxattr link linkat
  listen listxattr llistxattr _llseek lremovexattr lseek lsetxattr lstat lstat64 madvise membarrier
  memfd_create memfd_secret mincore mkdir mkdirat mknod mknodat mlock mlock2 mlockall mmap mmap2 mprotect
  mq_getsetattr mq_notify mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend mq_timedsend_time64
  mq_unlink mremap msgctl msgget msgrcv msgsnd msync munlock munlockall munmap nanosleep newfstatat _newselect
  open openat openat2 pause pidfd_open pidfd_send_signal pipe pipe2 pkey_alloc pkey_free pkey_mprotect poll
  ppoll ppoll_time64 prctl pread64 preadv preadv2 prlimit64 process_mrelease pselect6 pselect6_time64 pwrite64
  pwritev pwritev2 read readahead readlink readlinkat readv recv recvfrom recvmmsg recvmmsg_time64 recvmsg
  remap_file_pages removexattr rename renameat renameat2 restart_syscall rmdir rseq rt_sigaction rt_sigpending
  rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait rt_sigtimedwait_time64
  rt_tgsigqueueinfo sched_getaffinity sched_getattr sched_getparam sched_get_priority_max
  sched_get_priority_min sched_getscheduler sched_rr_get_interval sched_rr_get_interval_time64
  sched_setaffinity sched_setattr sched_setparam sched_setscheduler sched_yield seccomp select semctl semget
  semop semtimedop semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg sendto setfsgid setfsgid32
  setfsuid setfsuid32 setgid setgid32 setgroups setgroups32 setitimer setpgid setpriority setregid setregid32
  setresgid setresgid32 setresuid setresuid32 setreuid setreuid32 setrlimit set_robust_list setsid setsockopt
  set_thread_area set_tid_address setuid setuid32 setxattr shmat shmctl shmdt shmget shutdown sigaltstack
  signalfd signalfd4 sigprocmask sigreturn socket socketcall socketpair splice stat stat64 statfs statfs64
  statx symlink symlinkat sync sync_file_range syncfs sysinfo tee tgkill time timer_create timer_delete
  timer_getoverrun timer_gettime timer_gettime64 timer_settime timer_settime64 timerfd_create timerfd_gettime
  timerfd_gettime64 timerfd_settime timerfd_settime64 times tkill truncate truncate64 ugetrlimit umask uname
  unlink unlinkat utime utimensat utimensat_time64 utimes vfork vmsplice wait4 waitid waitpid write writev
`);

const ENOSYS = 38;
// CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP
const CLONE_NAMESPACE_FLAGS = 0x7e020000;

const allow = (names: string[]): LinuxSyscall => ({ names, action: 'SCMP_ACT_ALLOW', args: [] });

function arches(arch: string): string[] {
  switch (arch) {
    case 'amd64': return ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];
    case 'arm64': return ['SCMP_ARCH_ARM', 'SCMP_ARCH_AARCH64'];
    case 'mips64':
    case 'mips64n32': return ['SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64', 'SCMP_ARCH_MIPS64N32'];
    case 'mipsel64':
    case 'mipsel64n32': return ['SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64', 'SCMP_ARCH_MIPSEL64N32'];
    case 's390x': return ['SCMP_ARCH_S390', 'SCMP_ARCH_S390X'];
    case 'riscv64': return ['SCMP_ARCH_RISCV64'];
    default: return [];
  }
}

/** Extra syscalls by architecture. */
const archSyscalls: Record<string, string[]> = {
  ppc64le: ['sync_file_range2', 'swapcontext'],
  arm: ['arm_fadvise64_64', 'arm_sync_file_range', 'sync_file_range2', 'breakpoint', 'cacheflush', 'set_tls'],
  arm64: ['arm_fadvise64_64', 'arm_sync_file_range', 'sync_file_range2', 'breakpoint', 'cacheflush', 'set_tls'],
  amd64: ['arch_prctl', 'modify_ldt'],
  '386': ['modify_ldt'],
  s390: ['s390_pci_mmio_read', 's390_pci_mmio_write', 's390_runtime_instr'],
  s390x: ['s390_pci_mmio_read', 's390_pci_mmio_write', 's390_runtime_instr'],
  riscv64: ['riscv_flush_icache'],
};

/** Extra syscalls by bounding capability. */
const capSyscalls: Record<string, string[]> = {
  CAP_DAC_READ_SEARCH: ['open_by_handle_at'],
  CAP_SYS_ADMIN: words(`bpf clone clone3 fanotify_init fsconfig fsmount fsopen fspick lookup_dcookie mount mount_setattr
    move_mount name_to_handle_at open_tree perf_event_open quotactl quotactl_fd setdomainname sethostname setns
    syslog umount umount2 unshare`),
  CAP_SYS_BOOT: ['reboot'],
  CAP_SYS_CHROOT: ['chroot'],
  CAP_SYS_MODULE: ['delete_module', 'init_module', 'finit_module'],
  CAP_SYS_PACCT: ['acct'],
  CAP_SYS_PTRACE: ['kcmp', 'pidfd_getfd', 'process_madvise', 'process_vm_readv', 'process_vm_writev', 'ptrace'],
  CAP_SYS_RAWIO: ['iopl', 'ioperm'],
  CAP_SYS_TIME: ['settimeofday', 'stime', 'clock_settime', 'clock_settime64'],
  CAP_SYS_TTY_CONFIG: ['vhangup'],
  CAP_SYS_NICE: ['get_mempolicy', 'mbind', 'set_mempolicy'],
  CAP_SYSLOG: ['syslog'],
  CAP_BPF: ['bpf'],
  CAP_PERFMON: ['perf_event_open'],
};

/** kernelversion.GreaterEqualThan on uname's release ("%d.%d"). */
function kernelAtLeast(kernel: number, major: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(os().release());
  if (!m) return false;
  const [k, j] = [Number(m[1]), Number(m[2])];
  return k > kernel || (k === kernel && j >= major);
}

/** seccomp.DefaultProfile for the spec's bounding capabilities. */
export function defaultProfile(sp: Spec, arch = goArch()): LinuxSeccomp {
  const syscalls: LinuxSyscall[] = [allow(allowed)];
  for (const value of [0x0, 0x0008, 0x20000, 0x20008, 0xffffffff]) {
    syscalls.push({ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }] });
  }
  if (kernelAtLeast(4, 8)) syscalls.push(allow(['ptrace']));
  if (archSyscalls[arch]) syscalls.push(allow(archSyscalls[arch]!));
  let admin = false;
  for (const cap of sp.process?.capabilities?.bounding ?? []) {
    if (cap === 'CAP_SYS_ADMIN') admin = true;
    if (capSyscalls[cap]) syscalls.push(allow(capSyscalls[cap]!));
  }
  if (!admin) {
    const index = arch === 's390' || arch === 's390x' ? 1 : 0;
    syscalls.push({ names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] });
    syscalls.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS });
  }
  return { defaultAction: 'SCMP_ACT_ERRNO', architectures: arches(arch), syscalls };
}

export const withDefaultProfile: SpecOpt = (_ctx, s) => {
  (s.linux ??= {}).seccomp = defaultProfile(s);
};

/** seccomp.WithProfile: a profile file decoded into the spec. */
export const withProfile = (profile: string): SpecOpt => async (_ctx, s) => {
  const l = (s.linux ??= {});
  l.seccomp = { defaultAction: '' };
  let data: Buffer;
  try {
    data = await readFile(profile);
  } catch (e) {
    throw new Error(`cannot load seccomp profile ${goQuote(profile)}: open ${profile}: ${errnoText((e as NodeJS.ErrnoException).code) ?? (e as Error).message}`);
  }
  try {
    l.seccomp = decodeGoJSON<LinuxSeccomp>(seccompType, data) ?? { defaultAction: '' };
  } catch (e) {
    throw new Error(`decoding seccomp profile failed ${goQuote(profile)}: ${(e as Error).message}`);
  }
};
