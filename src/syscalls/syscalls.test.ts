import assert from "node:assert/strict";
import { test } from "node:test";
import type { SyscallSlice, SyscallStep } from "../model/index.js";
import { formatArg } from "./args.js";
import { errnoMessage, errnoName, errnoOf } from "./errno.js";
import { SyscallLineWriter, formatArgs, formatReturn } from "./lines.js";
import { parseTraceSet } from "./select.js";
import { SyscallSummary, parseSummarySort } from "./summary.js";
import { findSyscall, findSyscallByName, syscallTable } from "./x86-64.js";

test("syscallTable() covers at least 60 calls with unique numbers and names", () => {
  const t = syscallTable();
  assert.ok(t.length >= 60, `${t.length}`);
  assert.equal(new Set(t.map((s) => s.nr)).size, t.length);
  assert.equal(new Set(t.map((s) => s.name)).size, t.length);
  assert.equal(findSyscall(257)?.name, "openat");
  assert.equal(findSyscall(231)?.name, "exit_group");
  assert.equal(findSyscallByName("newfstatat")?.nr, 262);
});

// Expected texts as strace 6.1 prints these values.
const ARGS: [Parameters<typeof formatArg>[0], bigint, string][] = [
  ["dirfd", 0xffffff9cn, "AT_FDCWD"],
  ["dirfd", 3n, "3"],
  ["fd", 0xffffffffffffffffn, "-1"],
  ["oflags", 0o2000000n, "O_RDONLY|O_CLOEXEC"],
  ["oflags", 0o2204000n, "O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY"],
  ["oflags", 0o1101n, "O_WRONLY|O_CREAT|O_TRUNC"],
  ["oflags", 0o2102n, "O_RDWR|O_CREAT|O_APPEND"],
  ["fdflags", 0o2000000n, "O_CLOEXEC"],
  ["fdflags", 0n, "0"],
  ["mode", 0o644n, "0644"],
  ["mode", 0n, "0"],
  ["prot", 3n, "PROT_READ|PROT_WRITE"],
  ["prot", 0n, "PROT_NONE"],
  ["prot", 5n, "PROT_READ|PROT_EXEC"],
  ["mflags", 0x22n, "MAP_PRIVATE|MAP_ANONYMOUS"],
  ["mflags", 0x812n, "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE"],
  ["mflags", 0x1n, "MAP_SHARED"],
  ["amode", 4n, "R_OK"],
  ["amode", 0n, "F_OK"],
  ["amode", 6n, "R_OK|W_OK"],
  ["clone", 0x1200011n, "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD"],
  ["signal", 15n, "SIGTERM"],
  ["family", 1n, "AF_UNIX"],
  ["socktype", 0o2004001n, "SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK"],
  ["ioctl", 0x5401n, "TCGETS"],
  ["whence", 2n, "SEEK_END"],
  ["futex", 129n, "FUTEX_WAKE_PRIVATE"],
  ["futex", 393n, "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME"],
  ["atflags", 0x1000n, "AT_EMPTY_PATH"],
  ["archprctl", 0x1002n, "ARCH_SET_FS"],
  ["rlimit", 3n, "RLIMIT_STACK"],
  ["grnd", 1n, "GRND_NONBLOCK"],
  ["ptr", 0n, "NULL"],
  ["hex", 0x26000n, "0x26000"],
  ["path", 0x55d0n, "0x55d0"],
];

test("formatArg() prints flags, enumerations and special values as strace does", () => {
  for (const [kind, value, text] of ARGS) assert.equal(formatArg(kind, value), text, `${kind} ${value}`);
  assert.equal(formatArg("path", 0x55d0n, "/etc/a\"b\n"), '"/etc/a\\"b\\n"');
  // open/openat show the mode only with O_CREAT or O_TMPFILE, as strace does.
  const at = (flags: bigint) => formatArgs(call(1, "openat", [0xffffff9cn, 0n, flags, 0o644n], 3n));
  assert.equal(at(0n), "AT_FDCWD, NULL, O_RDONLY");
  assert.equal(at(0o1101n), "AT_FDCWD, NULL, O_WRONLY|O_CREAT|O_TRUNC, 0644");
  // futex prints the arguments its operation uses, as strace does.
  const futex = (op: bigint, rest: bigint[]) => formatArgs(call(1, "futex", [0x1000n, op, ...rest], 0n));
  assert.equal(futex(129n, [1n, 0n, 0n, 0n]), "0x1000, FUTEX_WAKE_PRIVATE, 1");
  assert.equal(futex(265n, [7n, 0n, 0n, 0xffffffffn]), "0x1000, FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME, 7, NULL, FUTEX_BITSET_MATCH_ANY");
});

test("errno helpers name errors and give glibc's messages", () => {
  assert.equal(errnoName(2), "ENOENT");
  assert.equal(errnoMessage(2), "No such file or directory");
  assert.equal(errnoMessage(25), "Inappropriate ioctl for device");
  assert.equal(errnoOf(-2n), 2);
  assert.equal(errnoOf(-4096n), 0);
  assert.equal(errnoOf(3n), 0);
});

let ts = 0;
function call(tid: number, name: string, args: bigint[], ret: bigint | undefined, more: Partial<SyscallSlice> = {}): SyscallSlice {
  ts += 1000;
  const nr = findSyscallByName(name)?.nr ?? -1;
  return {
    ts: BigInt(ts), dur: ret === undefined ? undefined : 12000n, tid, tgid: tid, comm: "ls", cpu: 0, exitCpu: ret === undefined ? undefined : 0,
    nr, name, args, argNames: undefined, ret, enterMissing: false, exitMissing: ret === undefined, ...more,
  };
}

test("formatReturn() decodes errors, addresses and kernel-internal restarts", () => {
  assert.equal(formatReturn(call(1, "openat", [], -2n)), "-1 ENOENT (No such file or directory)");
  assert.equal(formatReturn(call(1, "mmap", [], 0x7f0000001000n)), "0x7f0000001000");
  assert.equal(formatReturn(call(1, "read", [], 832n)), "832");
  assert.equal(formatReturn(call(1, "wait4", [], -512n)), "? ERESTARTSYS (To be restarted if SA_RESTART is set)");
  assert.equal(formatReturn(call(1, "read", [], undefined)), "?");
});

function lines(steps: SyscallStep[], options = {}): string[] {
  const out: string[] = [];
  const w = new SyscallLineWriter((l) => out.push(l), options);
  for (const s of steps) w.step(s);
  w.finish();
  return out;
}

test("SyscallLineWriter prints whole lines, and unfinished/resumed when another thread's call comes between", () => {
  const open = call(1, "openat", [0xffffff9cn, 0x1000n, 0o2000000n, 0n], 3n);
  const enter = { ...open, ret: undefined, dur: undefined, exitMissing: true };
  const rd = call(2, "read", [3n, 0x2000n, 832n], 832n);
  const rdEnter = { ...rd, ret: undefined, dur: undefined, exitMissing: true };
  const exitGroup = call(2, "exit_group", [0n], undefined);
  const got = lines(
    [
      { kind: "enter", call: enter },
      { kind: "exit", call: open },
      { kind: "enter", call: enter },
      { kind: "enter", call: rdEnter },
      { kind: "exit", call: rd },
      { kind: "exit", call: open },
      { kind: "enter", call: exitGroup },
      { kind: "unfinished", call: exitGroup },
    ],
    { durations: true, stringsOf: (c: SyscallSlice) => (c.name === "openat" ? [undefined, "/etc/ld.so.cache"] : undefined) },
  );
  assert.deepEqual(got, [
    'ls/1 openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3 <0.000012>',
    'ls/1 openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC <unfinished ...>',
    "ls/2 read(3, 0x2000, 832)                    = 832 <0.000012>",
    "ls/1 <... openat resumed>)                   = 3 <0.000012>",
    "ls/2 exit_group(0)                           = ?",
  ]);
});

test("SyscallLineWriter -e trace=, -z and -Z select calls; a call open at the end shows unfinished", () => {
  const ok = call(1, "close", [3n], 0n);
  const bad = call(1, "close", [9n], -9n);
  const open = call(1, "read", [0n, 0n, 1n], undefined);
  const steps: SyscallStep[] = [
    { kind: "exit", call: ok }, { kind: "exit", call: bad }, { kind: "enter", call: open }, { kind: "unfinished", call: open },
  ];
  assert.deepEqual(lines(steps, { threadPrefix: false, status: "failed" }), ["close(9)                                = -1 EBADF (Bad file descriptor)"]);
  assert.deepEqual(lines(steps, { threadPrefix: false, status: "success" }), ["close(3)                                = 0"]);
  assert.deepEqual(lines(steps, { threadPrefix: false, select: parseTraceSet(["read"]).has }), ["read(0, NULL, 1 <unfinished ...>)"]);
});

test("parseTraceSet() takes names, classes, regexes and negation, and rejects unknown names", () => {
  const file = parseTraceSet(["%file"]);
  assert.ok(file.has("openat") && file.has("execve") && !file.has("read"));
  const not = parseTraceSet(["!read,write"]);
  assert.ok(!not.has("read") && not.has("close") && not.has("syscall_999"));
  assert.equal(not.names, undefined);
  assert.deepEqual([...parseTraceSet(["/^mmap$", "close"]).names!].sort(), ["close", "mmap"]);
  assert.ok(parseTraceSet(["%network"]).has("socket"));
  assert.ok(parseTraceSet(["%memory"]).has("brk"));
  assert.ok(parseTraceSet(["%signal"]).has("rt_sigaction"));
  assert.ok(parseTraceSet(["%desc"]).has("close"));
  assert.ok(parseTraceSet(["%process"]).has("clone"));
  assert.throws(() => parseTraceSet(["opn"]), /unknown system call 'opn'/);
  assert.throws(() => parseTraceSet(["%files"]), /unknown class/);
  assert.doesNotThrow(() => parseTraceSet(["?opn"]));
});

test("SyscallSummary.table() has strace's columns, sorted by -S, with a total row", () => {
  const s = new SyscallSummary();
  for (let i = 0; i < 3; i++) s.add({ ...call(1, "read", [], 1n), dur: 10000n });
  s.add({ ...call(1, "openat", [], -2n), dur: 50000n });
  s.add(call(1, "exit_group", [], undefined));
  assert.equal(
    s.table(),
    [
      "% time     seconds  usecs/call     calls    errors syscall",
      "------ ----------- ----------- --------- --------- ----------------",
      " 62.50    0.000050          50         1         1 openat",
      " 37.50    0.000030          10         3           read",
      "------ ----------- ----------- --------- --------- ----------------",
      "100.00    0.000080          20         4         1 total",
      "",
    ].join("\n"),
  );
  assert.ok(s.table(parseSummarySort("calls")).indexOf("read") < s.table("calls").indexOf("openat"));
  assert.equal(parseSummarySort("bogus"), undefined);
  assert.match(s.tablesByThread(), /^ls\/1:\n% time/);
  assert.match(s.histograms(), /read: 3 calls, latency in ns\n\[8K, 16K\) +3 \|@{52}\|/);
});

test("SyscallSummary with colour: bold header, red errors, cyan bars; the same text once the codes are removed", () => {
  const s = new SyscallSummary();
  s.add({ ...call(1, "openat", [], -2n), dur: 50000n });
  s.add({ ...call(1, "read", [], 5n), dur: 2000n });
  s.add({ ...call(1, "read", [], 5n), dur: 100n });
  const plain = (t: string): string => t.replace(/\x1b\[\d+m/g, "");
  const table = s.table("time", true);
  assert.equal(table.split("\n")[0], "\x1b[1m% time     seconds  usecs/call     calls    errors syscall\x1b[0m");
  assert.match(table, / {8}\x1b\[31m1\x1b\[0m openat\n/);
  assert.ok(!/\x1b\[31m/.test(table.split("\n").find((l) => l.endsWith(" read"))!), "no colour for a row without errors");
  assert.equal(plain(table), s.table());
  assert.equal(plain(s.tablesByThread("time", true)), s.tablesByThread());
  const hist = s.histograms(true);
  assert.match(hist, /\x1b\[36m@+\x1b\[0m/);
  assert.equal(plain(hist), s.histograms());
  assert.ok(!s.table().includes("\x1b") && !s.histograms().includes("\x1b"));
});
