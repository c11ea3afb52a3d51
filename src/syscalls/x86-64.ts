// The x86_64 system call table: numbers, names, argument kinds and strace's classes, as facts
// (arch/x86/entry/syscalls/syscall_64.tbl; the classes follow strace's documented trace sets).
import type { ArgKind } from "./args.js";

/** strace's trace classes: %file, %desc, %network, %process, %memory, %signal, %ipc, %creds, %clock. */
export type SyscallClass = "file" | "desc" | "network" | "process" | "memory" | "signal" | "ipc" | "creds" | "clock";

/** What the formatter needs about one system call. */
export interface SyscallInfo {
  nr: number;
  name: string;
  /** One kind per argument the call takes. */
  args: readonly ArgKind[];
  /** How the return value prints: "int" (decimal, errors decoded), "hex" (addresses), "none" (never returns). */
  ret: "int" | "hex" | "none";
  classes: readonly SyscallClass[];
}

const CLASS_CODES: Record<string, SyscallClass> = {
  F: "file", D: "desc", N: "network", P: "process", M: "memory", S: "signal", I: "ipc", C: "creds", K: "clock",
};

// nr name classes ret args (space separated kinds; "-" for none).
const TABLE = `
0 read D int fd buf size
1 write D int fd buf size
2 open FD int path oflags mode
3 close D int fd
4 stat F int path ptr
5 fstat D int fd ptr
6 lstat F int path ptr
7 poll D int ptr uint int
8 lseek D int fd long whence
9 mmap DM hex ptr size prot mflags fd hex
10 mprotect M int ptr size prot
11 munmap M int ptr size
12 brk M hex ptr
13 rt_sigaction S int signal ptr ptr size
14 rt_sigprocmask S int sighow ptr ptr size
15 rt_sigreturn S int -
16 ioctl D int fd ioctl hex
17 pread64 D int fd buf size long
18 pwrite64 D int fd buf size long
19 readv D int fd ptr int
20 writev D int fd ptr int
21 access F int path amode
22 pipe D int ptr
23 select D int int ptr ptr ptr ptr
24 sched_yield - int -
25 mremap M hex ptr size size mremap ptr
26 msync M int ptr size int
27 mincore M int ptr size ptr
28 madvise M int ptr size madvise
29 shmget I int hex size hex
30 shmat IM hex int ptr hex
31 shmctl I int int int ptr
32 dup D int fd
33 dup2 D int fd fd
34 pause S int -
35 nanosleep - int ptr ptr
36 getitimer - int int ptr
37 alarm - int uint
38 setitimer - int int ptr ptr
39 getpid - int -
40 sendfile DN int fd fd ptr size
41 socket N int family socktype int
42 connect ND int fd ptr int
43 accept ND int fd ptr ptr
44 sendto ND int fd buf size msgflags ptr int
45 recvfrom ND int fd buf size msgflags ptr ptr
46 sendmsg ND int fd ptr msgflags
47 recvmsg ND int fd ptr msgflags
48 shutdown ND int fd int
49 bind ND int fd ptr int
50 listen ND int fd int
51 getsockname ND int fd ptr ptr
52 getpeername ND int fd ptr ptr
53 socketpair N int family socktype int ptr
54 setsockopt ND int fd int int ptr int
55 getsockopt ND int fd int int ptr ptr
56 clone P int clone ptr ptr ptr hex
57 fork P int -
58 vfork P int -
59 execve FP int path ptr ptr
60 exit P none int
61 wait4 P int int ptr waitopts ptr
62 kill SP int int signal
63 uname - int ptr
72 fcntl D int fd fcntl hex
73 flock D int fd int
74 fsync D int fd
75 fdatasync D int fd
76 truncate F int path long
77 ftruncate D int fd long
78 getdents D int fd ptr uint
79 getcwd F int ptr size
80 chdir F int path
81 fchdir D int fd
82 rename F int path path
83 mkdir F int path mode
84 rmdir F int path
85 creat FD int path mode
86 link F int path path
87 unlink F int path
88 symlink F int path path
89 readlink F int path ptr size
90 chmod F int path mode
91 fchmod D int fd mode
92 chown F int path int int
93 fchown D int fd int int
94 lchown F int path int int
95 umask - int mode
96 gettimeofday K int ptr ptr
97 getrlimit - int rlimit ptr
98 getrusage - int int ptr
99 sysinfo - int ptr
100 times - int ptr
101 ptrace - int int int ptr ptr
102 getuid C int -
104 getgid C int -
105 setuid C int int
106 setgid C int int
107 geteuid C int -
108 getegid C int -
109 setpgid - int int int
110 getppid - int -
111 getpgrp - int -
112 setsid - int -
113 setreuid C int int int
114 setregid C int int int
115 getgroups C int int ptr
117 setresuid C int int int int
118 getresuid C int ptr ptr ptr
119 setresgid C int int int int
120 getresgid C int ptr ptr ptr
121 getpgid - int int
124 getsid - int int
132 utime F int path ptr
133 mknod F int path mode uint
140 getpriority - int int int
141 setpriority - int int int int
149 mlock M int ptr size
150 munlock M int ptr size
162 sync - int -
165 mount F int path path path hex ptr
166 umount2 F int path int
127 rt_sigpending S int ptr size
128 rt_sigtimedwait S int ptr ptr ptr size
129 rt_sigqueueinfo S int int signal ptr
130 rt_sigsuspend S int ptr size
131 sigaltstack S int ptr ptr
137 statfs F int path ptr
138 fstatfs D int fd ptr
157 prctl - int int hex hex hex hex
158 arch_prctl - int archprctl hex
160 setrlimit - int rlimit ptr
161 chroot F int path
186 gettid - int -
200 tkill S int int signal
201 time K int ptr
202 futex - int ptr futex int ptr ptr int
203 sched_setaffinity - int int uint ptr
204 sched_getaffinity - int int uint ptr
213 epoll_create D int int
217 getdents64 D int fd ptr uint
218 set_tid_address - int ptr
219 restart_syscall - int -
221 fadvise64 D int fd long size fadvice
222 timer_create K int clockid ptr ptr

228 clock_gettime K int clockid ptr
229 clock_getres K int clockid ptr
230 clock_nanosleep - int clockid int ptr ptr
231 exit_group P none int
232 epoll_wait D int fd ptr int int
233 epoll_ctl D int fd epollop fd ptr
234 tgkill SP int int int signal
247 waitid P int int int ptr waitopts ptr
257 openat FD int dirfd path oflags mode
258 mkdirat FD int dirfd path mode
260 fchownat FD int dirfd path int int atflags
262 newfstatat FD int dirfd path ptr atflags
263 unlinkat FD int dirfd path atflags
264 renameat FD int dirfd path dirfd path
265 linkat FD int dirfd path dirfd path atflags
266 symlinkat FD int path dirfd path
267 readlinkat FD int dirfd path ptr size
268 fchmodat FD int dirfd path mode
269 faccessat FD int dirfd path amode
270 pselect6 D int int ptr ptr ptr ptr ptr
271 ppoll D int ptr uint ptr ptr size
272 unshare P int clone
273 set_robust_list - int ptr size
274 get_robust_list - int int ptr ptr
281 epoll_pwait D int fd ptr int int ptr size
275 splice D int fd ptr fd ptr size uint
280 utimensat FD int dirfd path ptr atflags
283 timerfd_create DK int clockid int
284 eventfd D int uint
285 fallocate D int fd int long long
288 accept4 ND int fd ptr ptr sockflags
289 signalfd4 DS int fd ptr size int
290 eventfd2 D int uint int
291 epoll_create1 D int int
292 dup3 D int fd fd fdflags
293 pipe2 D int ptr fdflags
295 preadv D int fd ptr int long
296 pwritev D int fd ptr int long
299 recvmmsg ND int fd ptr uint msgflags ptr
302 prlimit64 - int int rlimit ptr ptr
307 sendmmsg ND int fd ptr uint msgflags
309 getcpu - int ptr ptr ptr
316 renameat2 FD int dirfd path dirfd path uint
318 getrandom - int buf size grnd
319 memfd_create D int path uint
322 execveat FDP int dirfd path ptr ptr atflags
324 membarrier - int int uint int
326 copy_file_range D int fd ptr fd ptr size uint
332 statx FD int dirfd path atflags hex ptr
334 rseq - int ptr hex int hex
424 pidfd_send_signal DS int fd signal ptr uint
425 io_uring_setup D int uint ptr
426 io_uring_enter D int fd uint uint uint ptr size
434 pidfd_open DP int int uint
435 clone3 P int ptr size
437 openat2 FD int dirfd path ptr size
441 epoll_pwait2 D int fd ptr int ptr ptr size
439 faccessat2 FD int dirfd path amode atflags
`;

function parseTable(text: string): SyscallInfo[] {
  const out: SyscallInfo[] = [];
  for (const line of text.split("\n")) {
    const w = line.trim().split(/\s+/);
    if (w.length < 4) continue;
    const [nr, name, classes, ret, ...args] = w as [string, string, string, string, ...string[]];
    out.push({
      nr: Number(nr),
      name,
      ret: ret as SyscallInfo["ret"],
      args: Object.freeze(args[0] === "-" ? [] : (args as ArgKind[])),
      classes: Object.freeze(classes === "-" ? [] : [...classes].map((c) => CLASS_CODES[c]!)),
    });
  }
  return out;
}

const ALL = parseTable(TABLE);
const BY_NR: (SyscallInfo | undefined)[] = [];
const BY_NAME = new Map<string, SyscallInfo>();
for (const s of ALL) {
  BY_NR[s.nr] = s;
  BY_NAME.set(s.name, s);
}

/** Every call of the table, by number. */
export function syscallTable(): readonly SyscallInfo[] {
  return ALL;
}

/** The call with number `nr` on x86_64, or undefined. */
export function findSyscall(nr: number): SyscallInfo | undefined {
  return BY_NR[nr];
}

/** The call named `name` (strace's name: `openat`, `newfstatat`), or undefined. */
export function findSyscallByName(name: string): SyscallInfo | undefined {
  return BY_NAME.get(name);
}

/** The x86_64 name of `nr`, for the model's `syscallName` option. */
export function syscallName(nr: number): string | undefined {
  return BY_NR[nr]?.name;
}
