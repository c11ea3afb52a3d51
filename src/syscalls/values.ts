// Named constants of x86_64 Linux as facts (uapi headers): flag sets and enumerations, with the
// decoders that print them the way strace does (`A|B|0x40`, unknown values in hex).

/** A flag set: bits in print order. */
export type FlagTable = readonly (readonly [bits: number, name: string])[];

/** Prints `value` as `A|B|...`, unknown bits as a trailing hex number; `zero` when no bit is set. */
export function formatFlags(value: number, table: FlagTable, zero = "0"): string {
  let rest = value >>> 0;
  const parts: string[] = [];
  for (const [bits, name] of table) {
    if (bits !== 0 && (rest & bits) >>> 0 === bits) {
      parts.push(name);
      rest = (rest & ~bits) >>> 0;
    }
  }
  if (rest !== 0) parts.push(`0x${rest.toString(16)}`);
  return parts.length === 0 ? zero : parts.join("|");
}

/** Prints the name of `value`, or `fallback(value)` (decimal by default). */
export function formatEnum(value: number, table: ReadonlyMap<number, string>, fallback: (v: number) => string = String): string {
  return table.get(value) ?? fallback(value);
}

function enumOf(pairs: string): ReadonlyMap<number, string> {
  const m = new Map<number, string>();
  for (const p of pairs.trim().split(/\s+/)) {
    const [v, name] = p.split("=") as [string, string];
    m.set(Number(v), name);
  }
  return m;
}

function flagsOf(pairs: string): FlagTable {
  return pairs.trim().split(/\s+/).map((p) => {
    const [v, name] = p.split("=") as [string, string];
    return [Number(v), name] as const;
  });
}

/** open(2) flags other than the access mode (octal values in the headers). */
export const OPEN_FLAGS: FlagTable = flagsOf(`
  0o100=O_CREAT 0o200=O_EXCL 0o400=O_NOCTTY 0o1000=O_TRUNC 0o2000=O_APPEND 0o4000=O_NONBLOCK
  0o4010000=O_SYNC 0o10000=O_DSYNC 0o20000=O_ASYNC 0o40000=O_DIRECT 0o100000=O_LARGEFILE
  0o20200000=O_TMPFILE 0o1000000=O_NOATIME 0o2000000=O_CLOEXEC 0o200000=O_DIRECTORY 0o400000=O_NOFOLLOW 0o10000000=O_PATH
`);
const ACCESS_MODES = ["O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"];

/** open(2) flags: the access mode, then the other flags (`O_RDONLY|O_CLOEXEC`). */
export function formatOpenFlags(value: number): string {
  const v = value >>> 0;
  const rest = formatFlags(v & ~3, OPEN_FLAGS, "");
  return rest === "" ? ACCESS_MODES[v & 3]! : `${ACCESS_MODES[v & 3]}|${rest}`;
}

/** A file mode as strace prints it: octal with a leading 0 (`0644`), with S_IF* type bits named. */
export function formatMode(value: number): string {
  const v = value >>> 0;
  const type = MODE_TYPES.get(v & 0o170000);
  const perm = v & 0o7777;
  const octal = perm === 0 ? "0" : `0${perm.toString(8)}`;
  if ((v & 0o170000) === 0) return v > 0o7777 ? `0${v.toString(8)}` : octal;
  return type === undefined ? `0${v.toString(8)}` : `${type}|${octal}`;
}
const MODE_TYPES = enumOf(`0o140000=S_IFSOCK 0o120000=S_IFLNK 0o100000=S_IFREG 0o60000=S_IFBLK 0o40000=S_IFDIR 0o20000=S_IFCHR 0o10000=S_IFIFO`);

export const PROT_FLAGS: FlagTable = flagsOf(`1=PROT_READ 2=PROT_WRITE 4=PROT_EXEC 8=PROT_SEM 0x1000000=PROT_GROWSDOWN 0x2000000=PROT_GROWSUP`);

/** mmap(2) flags: the mapping type (low 4 bits), then the flags. */
export const MAP_FLAGS: FlagTable = flagsOf(`
  0x10=MAP_FIXED 0x20=MAP_ANONYMOUS 0x40=MAP_32BIT 0x100=MAP_GROWSDOWN 0x800=MAP_DENYWRITE 0x1000=MAP_EXECUTABLE
  0x2000=MAP_LOCKED 0x4000=MAP_NORESERVE 0x8000=MAP_POPULATE 0x10000=MAP_NONBLOCK 0x20000=MAP_STACK
  0x40000=MAP_HUGETLB 0x80000=MAP_SYNC 0x100000=MAP_FIXED_NOREPLACE 0x4000000=MAP_UNINITIALIZED
`);
const MAP_TYPES = enumOf(`0=0 1=MAP_SHARED 2=MAP_PRIVATE 3=MAP_SHARED_VALIDATE`);

export function formatMmapFlags(value: number): string {
  const v = value >>> 0;
  const type = formatEnum(v & 0xf, MAP_TYPES, (t) => `0x${t.toString(16)}`);
  const rest = formatFlags(v & ~0xf, MAP_FLAGS, "");
  return rest === "" ? type : type === "0" ? rest : `${type}|${rest}`;
}

export const ACCESS_FLAGS: FlagTable = flagsOf(`4=R_OK 2=W_OK 1=X_OK`);

export const CLONE_FLAGS: FlagTable = flagsOf(`
  0x100=CLONE_VM 0x200=CLONE_FS 0x400=CLONE_FILES 0x800=CLONE_SIGHAND 0x1000=CLONE_PIDFD 0x2000=CLONE_PTRACE
  0x4000=CLONE_VFORK 0x8000=CLONE_PARENT 0x10000=CLONE_THREAD 0x20000=CLONE_NEWNS 0x40000=CLONE_SYSVSEM
  0x80000=CLONE_SETTLS 0x100000=CLONE_PARENT_SETTID 0x200000=CLONE_CHILD_CLEARTID 0x400000=CLONE_DETACHED
  0x800000=CLONE_UNTRACED 0x1000000=CLONE_CHILD_SETTID 0x2000000=CLONE_NEWCGROUP 0x4000000=CLONE_NEWUTS
  0x8000000=CLONE_NEWIPC 0x10000000=CLONE_NEWUSER 0x20000000=CLONE_NEWPID 0x40000000=CLONE_NEWNET 0x80000000=CLONE_IO
`);

/** clone(2) flags: the flags, then the exit signal in the low byte (`...|SIGCHLD`). */
export function formatCloneFlags(value: number): string {
  const v = value >>> 0;
  const sig = v & 0xff;
  const rest = formatFlags(v & ~0xff, CLONE_FLAGS, "");
  if (sig === 0) return rest === "" ? "0" : rest;
  return rest === "" ? formatSignal(sig) : `${rest}|${formatSignal(sig)}`;
}

export const SIGNALS = enumOf(`
  1=SIGHUP 2=SIGINT 3=SIGQUIT 4=SIGILL 5=SIGTRAP 6=SIGABRT 7=SIGBUS 8=SIGFPE 9=SIGKILL 10=SIGUSR1 11=SIGSEGV
  12=SIGUSR2 13=SIGPIPE 14=SIGALRM 15=SIGTERM 16=SIGSTKFLT 17=SIGCHLD 18=SIGCONT 19=SIGSTOP 20=SIGTSTP
  21=SIGTTIN 22=SIGTTOU 23=SIGURG 24=SIGXCPU 25=SIGXFSZ 26=SIGVTALRM 27=SIGPROF 28=SIGWINCH 29=SIGIO 30=SIGPWR
  31=SIGSYS 32=SIGRTMIN
`);

/** A signal number: `SIGTERM`, `SIGRT_3` for real-time signals above SIGRTMIN, else decimal. */
export function formatSignal(value: number): string {
  const v = value | 0;
  if (v > 32 && v <= 64) return `SIGRT_${v - 32}`;
  return SIGNALS.get(v) ?? String(v);
}

export const SOCKET_FAMILIES = enumOf(`
  0=AF_UNSPEC 1=AF_UNIX 2=AF_INET 3=AF_AX25 4=AF_IPX 5=AF_APPLETALK 6=AF_NETROM 7=AF_BRIDGE 8=AF_ATMPVC 9=AF_X25
  10=AF_INET6 16=AF_NETLINK 17=AF_PACKET 31=AF_BLUETOOTH 38=AF_ALG 40=AF_VSOCK 44=AF_XDP
`);
const SOCKET_TYPES = enumOf(`1=SOCK_STREAM 2=SOCK_DGRAM 3=SOCK_RAW 4=SOCK_RDM 5=SOCK_SEQPACKET 6=SOCK_DCCP 10=SOCK_PACKET`);
export const SOCKET_TYPE_FLAGS: FlagTable = flagsOf(`0o2000000=SOCK_CLOEXEC 0o4000=SOCK_NONBLOCK`);

/** socket(2) type: the type, then SOCK_CLOEXEC / SOCK_NONBLOCK. */
export function formatSocketType(value: number): string {
  const v = value >>> 0;
  const type = formatEnum(v & 0xf, SOCKET_TYPES, (t) => `0x${t.toString(16)}`);
  const rest = formatFlags(v & ~0xf, SOCKET_TYPE_FLAGS, "");
  return rest === "" ? type : `${type}|${rest}`;
}

export const IOCTL_REQUESTS = enumOf(`
  0x5401=TCGETS 0x5402=TCSETS 0x5403=TCSETSW 0x5404=TCSETSF 0x5409=TCSBRK 0x540A=TCXONC 0x540B=TCFLSH
  0x540E=TIOCSCTTY 0x540F=TIOCGPGRP 0x5410=TIOCSPGRP 0x5413=TIOCGWINSZ 0x5414=TIOCSWINSZ 0x541B=FIONREAD
  0x5421=FIONBIO 0x5422=TIOCNOTTY 0x5450=FIONCLEX 0x5451=FIOCLEX 0x5452=FIOASYNC
  0x80045430=TIOCGPTN 0x40045431=TIOCSPTLCK 0x40049409=FICLONE 0x80086601=FS_IOC_GETFLAGS 0x40086602=FS_IOC_SETFLAGS
`);

export const SEEK_WHENCE = enumOf(`0=SEEK_SET 1=SEEK_CUR 2=SEEK_END 3=SEEK_DATA 4=SEEK_HOLE`);

const FUTEX_OPS = enumOf(`
  0=FUTEX_WAIT 1=FUTEX_WAKE 2=FUTEX_FD 3=FUTEX_REQUEUE 4=FUTEX_CMP_REQUEUE 5=FUTEX_WAKE_OP 6=FUTEX_LOCK_PI
  7=FUTEX_UNLOCK_PI 8=FUTEX_TRYLOCK_PI 9=FUTEX_WAIT_BITSET 10=FUTEX_WAKE_BITSET 11=FUTEX_WAIT_REQUEUE_PI
  12=FUTEX_CMP_REQUEUE_PI 13=FUTEX_LOCK_PI2
`);

/** futex(2) op: the command with `_PRIVATE` for FUTEX_PRIVATE_FLAG, then `|FUTEX_CLOCK_REALTIME`. */
export function formatFutexOp(value: number): string {
  const v = value >>> 0;
  const cmd = v & 0x7f;
  let s = FUTEX_OPS.get(cmd);
  if (s === undefined) return `0x${v.toString(16)}`;
  if (v & 128) s += "_PRIVATE";
  if (v & 256) s += "|FUTEX_CLOCK_REALTIME";
  const rest = v & ~0x1ff;
  return rest !== 0 ? `${s}|0x${rest.toString(16)}` : s;
}

export const AT_FLAGS: FlagTable = flagsOf(`0x100=AT_SYMLINK_NOFOLLOW 0x200=AT_REMOVEDIR 0x400=AT_SYMLINK_FOLLOW 0x800=AT_NO_AUTOMOUNT 0x1000=AT_EMPTY_PATH`);
export const ARCH_PRCTL_CODES = enumOf(`0x1001=ARCH_SET_GS 0x1002=ARCH_SET_FS 0x1003=ARCH_GET_FS 0x1004=ARCH_GET_GS 0x1011=ARCH_GET_CPUID 0x1012=ARCH_SET_CPUID`);
export const RLIMIT_RESOURCES = enumOf(`
  0=RLIMIT_CPU 1=RLIMIT_FSIZE 2=RLIMIT_DATA 3=RLIMIT_STACK 4=RLIMIT_CORE 5=RLIMIT_RSS 6=RLIMIT_NPROC 7=RLIMIT_NOFILE
  8=RLIMIT_MEMLOCK 9=RLIMIT_AS 10=RLIMIT_LOCKS 11=RLIMIT_SIGPENDING 12=RLIMIT_MSGQUEUE 13=RLIMIT_NICE 14=RLIMIT_RTPRIO 15=RLIMIT_RTTIME
`);
export const SIGPROCMASK_HOW = enumOf(`0=SIG_BLOCK 1=SIG_UNBLOCK 2=SIG_SETMASK`);
export const CLOCK_IDS = enumOf(`
  0=CLOCK_REALTIME 1=CLOCK_MONOTONIC 2=CLOCK_PROCESS_CPUTIME_ID 3=CLOCK_THREAD_CPUTIME_ID 4=CLOCK_MONOTONIC_RAW
  5=CLOCK_REALTIME_COARSE 6=CLOCK_MONOTONIC_COARSE 7=CLOCK_BOOTTIME 8=CLOCK_REALTIME_ALARM 9=CLOCK_BOOTTIME_ALARM 11=CLOCK_TAI
`);
export const GETRANDOM_FLAGS: FlagTable = flagsOf(`1=GRND_NONBLOCK 2=GRND_RANDOM 4=GRND_INSECURE`);
export const FCNTL_CMDS = enumOf(`
  0=F_DUPFD 1=F_GETFD 2=F_SETFD 3=F_GETFL 4=F_SETFL 5=F_GETLK 6=F_SETLK 7=F_SETLKW 8=F_SETOWN 9=F_GETOWN
  10=F_SETSIG 11=F_GETSIG 36=F_OFD_GETLK 37=F_OFD_SETLK 38=F_OFD_SETLKW 1030=F_DUPFD_CLOEXEC 1031=F_SETPIPE_SZ
  1032=F_GETPIPE_SZ 1033=F_ADD_SEALS 1034=F_GET_SEALS
`);
export const WAIT_OPTIONS: FlagTable = flagsOf(`
  1=WNOHANG 2=WSTOPPED 4=WEXITED 8=WCONTINUED 0x1000000=WNOWAIT 0x20000000=__WNOTHREAD 0x40000000=__WALL 0x80000000=__WCLONE
`);
export const MADVISE_ADVICE = enumOf(`
  0=MADV_NORMAL 1=MADV_RANDOM 2=MADV_SEQUENTIAL 3=MADV_WILLNEED 4=MADV_DONTNEED 8=MADV_FREE 9=MADV_REMOVE
  10=MADV_DONTFORK 11=MADV_DOFORK 12=MADV_MERGEABLE 13=MADV_UNMERGEABLE 14=MADV_HUGEPAGE 15=MADV_NOHUGEPAGE
  16=MADV_DONTDUMP 17=MADV_DODUMP
`);
export const EPOLL_CTL_OPS = enumOf(`1=EPOLL_CTL_ADD 2=EPOLL_CTL_DEL 3=EPOLL_CTL_MOD`);
export const MREMAP_FLAGS: FlagTable = flagsOf(`1=MREMAP_MAYMOVE 2=MREMAP_FIXED 4=MREMAP_DONTUNMAP`);
export const MSG_FLAGS: FlagTable = flagsOf(`
  1=MSG_OOB 2=MSG_PEEK 4=MSG_DONTROUTE 8=MSG_CTRUNC 0x20=MSG_TRUNC 0x40=MSG_DONTWAIT 0x80=MSG_EOR 0x100=MSG_WAITALL
  0x4000=MSG_NOSIGNAL 0x8000=MSG_MORE 0x40000000=MSG_CMSG_CLOEXEC
`);
export const FADVICE = enumOf(`0=POSIX_FADV_NORMAL 1=POSIX_FADV_RANDOM 2=POSIX_FADV_SEQUENTIAL 3=POSIX_FADV_WILLNEED 4=POSIX_FADV_DONTNEED 5=POSIX_FADV_NOREUSE`);
