// One argument of a system call, as strace prints it, from its raw 64-bit value and its kind.
import {
  ACCESS_FLAGS, ARCH_PRCTL_CODES, FADVICE, AT_FLAGS, CLOCK_IDS, EPOLL_CTL_OPS, FCNTL_CMDS, GETRANDOM_FLAGS, IOCTL_REQUESTS,
  MADVISE_ADVICE, MREMAP_FLAGS, MSG_FLAGS, OPEN_FLAGS, PROT_FLAGS, RLIMIT_RESOURCES, SEEK_WHENCE, SIGPROCMASK_HOW, SOCKET_FAMILIES,
  SOCKET_TYPE_FLAGS, WAIT_OPTIONS, formatCloneFlags, formatEnum, formatFlags, formatFutexOp, formatMmapFlags, formatMode,
  formatOpenFlags, formatSignal, formatSocketType,
} from "./values.js";

/** How an argument prints. `path` is a user-space string: shown when known, else as a pointer. */
export type ArgKind =
  | "fd" | "dirfd" | "int" | "uint" | "long" | "size" | "hex" | "ptr" | "buf" | "path"
  | "oflags" | "fdflags" | "mode" | "prot" | "mflags" | "amode" | "clone" | "signal" | "family" | "socktype" | "sockflags"
  | "ioctl" | "whence" | "futex" | "atflags" | "archprctl" | "rlimit" | "sighow" | "clockid" | "grnd" | "fcntl"
  | "waitopts" | "madvise" | "epollop" | "mremap" | "msgflags" | "fadvice";

const AT_FDCWD = -100;
/** Below 2^53 a Number prints faster than a BigInt; hot on syscall floods (buffer pointers). */
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const hex = (v: bigint): string => (v === 0n ? "0" : `0x${(v <= SAFE ? Number(v) : v).toString(16)}`);
const int32 = (v: bigint): number => Number(BigInt.asIntN(32, v));
const uint32 = (v: bigint): number => Number(BigInt.asUintN(32, v));

/** A C string literal as strace prints it: quotes, `\n` `\t` `\"` `\\`, other control bytes in octal. */
export function quoteString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x09) out += "\\t";
    else if (c < 0x20 || c >= 0x7f) out += `\\${c.toString(8)}`;
    else out += s[i];
  }
  return out + '"';
}

/** Prints one argument of kind `kind` with raw value `value` (unsigned 64-bit); `text` is a path's string when known. */
export function formatArg(kind: ArgKind, value: bigint, text?: string): string {
  switch (kind) {
    case "fd":
    case "int":
      return String(int32(value));
    case "dirfd": {
      const fd = int32(value);
      return fd === AT_FDCWD ? "AT_FDCWD" : String(fd);
    }
    case "uint":
      return String(uint32(value));
    case "long":
      return String(BigInt.asIntN(64, value));
    case "size":
      return String(BigInt.asUintN(64, value));
    case "hex":
      return hex(value);
    case "path":
      if (text !== undefined) return quoteString(text);
      return value === 0n ? "NULL" : hex(value);
    case "ptr":
    case "buf":
      return value === 0n ? "NULL" : hex(value);
    case "oflags":
      return formatOpenFlags(uint32(value));
    case "fdflags":
      return formatFlags(uint32(value), OPEN_FLAGS);
    case "mode":
      return formatMode(uint32(value));
    case "prot":
      return formatFlags(uint32(value), PROT_FLAGS, "PROT_NONE");
    case "mflags":
      return formatMmapFlags(uint32(value));
    case "amode":
      return formatFlags(uint32(value), ACCESS_FLAGS, "F_OK");
    case "clone":
      return formatCloneFlags(uint32(value));
    case "signal":
      return formatSignal(int32(value));
    case "family":
      return formatEnum(uint32(value), SOCKET_FAMILIES);
    case "socktype":
      return formatSocketType(uint32(value));
    case "sockflags":
      return formatFlags(uint32(value), SOCKET_TYPE_FLAGS);
    case "ioctl":
      return formatEnum(uint32(value), IOCTL_REQUESTS, (v) => `0x${v.toString(16)}`);
    case "whence":
      return formatEnum(uint32(value), SEEK_WHENCE);
    case "futex":
      return formatFutexOp(uint32(value));
    case "atflags":
      return formatFlags(uint32(value), AT_FLAGS);
    case "archprctl":
      return formatEnum(uint32(value), ARCH_PRCTL_CODES, (v) => `0x${v.toString(16)}`);
    case "rlimit":
      return formatEnum(uint32(value), RLIMIT_RESOURCES);
    case "sighow":
      return formatEnum(uint32(value), SIGPROCMASK_HOW);
    case "clockid":
      return formatEnum(int32(value), CLOCK_IDS);
    case "grnd":
      return formatFlags(uint32(value), GETRANDOM_FLAGS);
    case "fcntl":
      return formatEnum(uint32(value), FCNTL_CMDS);
    case "waitopts":
      return formatFlags(uint32(value), WAIT_OPTIONS);
    case "madvise":
      return formatEnum(uint32(value), MADVISE_ADVICE);
    case "epollop":
      return formatEnum(uint32(value), EPOLL_CTL_OPS);
    case "mremap":
      return formatFlags(uint32(value), MREMAP_FLAGS);
    case "fadvice":
      return formatEnum(int32(value), FADVICE);
    case "msgflags":
      return formatFlags(uint32(value), MSG_FLAGS);
  }
}
