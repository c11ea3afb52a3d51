// Linux errno values (x86_64, asm-generic/errno*.h and include/linux/errno.h) with the messages glibc's
// strerror gives, as strace prints them: `-1 ENOENT (No such file or directory)`.

const TABLE = `
1 EPERM Operation not permitted
2 ENOENT No such file or directory
3 ESRCH No such process
4 EINTR Interrupted system call
5 EIO Input/output error
6 ENXIO No such device or address
7 E2BIG Argument list too long
8 ENOEXEC Exec format error
9 EBADF Bad file descriptor
10 ECHILD No child processes
11 EAGAIN Resource temporarily unavailable
12 ENOMEM Cannot allocate memory
13 EACCES Permission denied
14 EFAULT Bad address
15 ENOTBLK Block device required
16 EBUSY Device or resource busy
17 EEXIST File exists
18 EXDEV Invalid cross-device link
19 ENODEV No such device
20 ENOTDIR Not a directory
21 EISDIR Is a directory
22 EINVAL Invalid argument
23 ENFILE Too many open files in system
24 EMFILE Too many open files
25 ENOTTY Inappropriate ioctl for device
26 ETXTBSY Text file busy
27 EFBIG File too large
28 ENOSPC No space left on device
29 ESPIPE Illegal seek
30 EROFS Read-only file system
31 EMLINK Too many links
32 EPIPE Broken pipe
33 EDOM Numerical argument out of domain
34 ERANGE Numerical result out of range
35 EDEADLK Resource deadlock avoided
36 ENAMETOOLONG File name too long
37 ENOLCK No locks available
38 ENOSYS Function not implemented
39 ENOTEMPTY Directory not empty
40 ELOOP Too many levels of symbolic links
42 ENOMSG No message of desired type
43 EIDRM Identifier removed
61 ENODATA No data available
62 ETIME Timer expired
71 EPROTO Protocol error
74 EBADMSG Bad message
75 EOVERFLOW Value too large for defined data type
84 EILSEQ Invalid or incomplete multibyte or wide character
88 ENOTSOCK Socket operation on non-socket
89 EDESTADDRREQ Destination address required
90 EMSGSIZE Message too long
91 EPROTOTYPE Protocol wrong type for socket
92 ENOPROTOOPT Protocol not available
93 EPROTONOSUPPORT Protocol not supported
94 ESOCKTNOSUPPORT Socket type not supported
95 EOPNOTSUPP Operation not supported
96 EPFNOSUPPORT Protocol family not supported
97 EAFNOSUPPORT Address family not supported by protocol
98 EADDRINUSE Address already in use
99 EADDRNOTAVAIL Cannot assign requested address
100 ENETDOWN Network is down
101 ENETUNREACH Network is unreachable
102 ENETRESET Network dropped connection on reset
103 ECONNABORTED Software caused connection abort
104 ECONNRESET Connection reset by peer
105 ENOBUFS No buffer space available
106 EISCONN Transport endpoint is already connected
107 ENOTCONN Transport endpoint is not connected
108 ESHUTDOWN Cannot send after transport endpoint shutdown
110 ETIMEDOUT Connection timed out
111 ECONNREFUSED Connection refused
112 EHOSTDOWN Host is down
113 EHOSTUNREACH No route to host
114 EALREADY Operation already in progress
115 EINPROGRESS Operation now in progress
116 ESTALE Stale file handle
122 EDQUOT Disk quota exceeded
125 ECANCELED Operation canceled
130 EOWNERDEAD Owner died
512 ERESTARTSYS To be restarted if SA_RESTART is set
513 ERESTARTNOINTR To be restarted
514 ERESTARTNOHAND To be restarted if no handler
515 ENOIOCTLCMD No ioctl command
516 ERESTART_RESTARTBLOCK Interrupted by signal
517 EPROBE_DEFER Driver probe deferral
518 EOPENSTALE Stale open
519 ENOPARAM No parameter
524 ENOTSUPP Operation not supported
`;

const NAMES: string[] = [];
const MESSAGES: string[] = [];
for (const line of TABLE.trim().split("\n")) {
  const m = /^(\d+) (\S+) (.*)$/.exec(line)!;
  NAMES[Number(m[1])] = m[2]!;
  MESSAGES[Number(m[1])] = m[3]!;
}

/** Largest errno a system call returns as -errno (the kernel's MAX_ERRNO). */
export const MAX_ERRNO = 4095;

/** The name of `errno` (`ENOENT`), or undefined. */
export function errnoName(errno: number): string | undefined {
  return NAMES[errno];
}

/** The message of `errno` (`No such file or directory`), or undefined. */
export function errnoMessage(errno: number): string | undefined {
  return MESSAGES[errno];
}

/** The errno a raw return value stands for (1..4095 for -1..-4095), or 0 when it is not an error. */
export function errnoOf(ret: bigint): number {
  return ret < 0n && ret >= MIN_ERROR_RET ? Number(-ret) : 0;
}

const MIN_ERROR_RET = -BigInt(MAX_ERRNO);
