// traceSyscalls() checks made before tracefs is touched, against a temp dir standing in for tracefs.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { FtkError, UsageError } from "../base/index.js";
import { Tracefs } from "../tracefs/index.js";
import { liveTraceClock, planKernelStringProbes, planStringProbes, takesImmediates, traceSyscalls } from "./session.js";

const io = (fs: Tracefs) => ({ out: process.stdout, stderr: process.stderr, signal: new AbortController().signal, tracefs: fs });

test("traceSyscalls() on a kernel without syscall events fails with one line and writes nothing", async () => {
  const root = mkdtempSync(join(tmpdir(), "ftk-fake-tracefs-"));
  try {
    writeFileSync(join(root, "available_events"), "sched:sched_switch\nirq:irq_handler_entry\n");
    const fs = await Tracefs.open({ root });
    await assert.rejects(traceSyscalls({ command: ["true"], pids: [], all: false }, io(fs)), (e: unknown) =>
      e instanceof FtkError && /^this kernel has no syscall trace events: '.*\/events\/raw_syscalls' is missing \(CONFIG_FTRACE_SYSCALLS\)$/.test(e.message));
    // The check looks for the event's enable file (available_events takes ms to generate).
    for (const ev of ["sys_enter", "sys_exit"]) {
      mkdirSync(join(root, "events", "raw_syscalls", ev), { recursive: true });
      writeFileSync(join(root, "events", "raw_syscalls", ev, "enable"), "0\n");
    }
    await assert.rejects(traceSyscalls({ command: ["no-such-command-ftk"], pids: [], all: false }, io(fs)), (e: unknown) =>
      e instanceof UsageError && /command not found/.test(e.message));
    await assert.rejects(traceSyscalls({ command: [], pids: [999999999], all: false }, io(fs)), (e: unknown) =>
      e instanceof UsageError && /no such process/.test(e.message));
    await assert.rejects(traceSyscalls({ command: [], pids: [], all: false }, io(fs)), /nothing to trace/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("planKernelStringProbes() makes an event per kind with a location per function the kernel has and does not blacklist", async () => {
  const root = mkdtempSync(join(tmpdir(), "ftk-fake-tracefs-"));
  try {
    const kallsyms = join(root, "kallsyms");
    const blacklist = join(root, "blacklist");
    writeFileSync(kallsyms, "ffffffff81000000 T _text\nffffffff81300000 T getname_flags\nffffffff81300100 T getname\nffffffff81300200 t getname_kernel\n"
      + "ffffffff81300300 T do_mkdirat\nffffffff81300400 T do_rmdir\n");
    writeFileSync(blacklist, "0xffffffff81300400-0xffffffff81300480\tdo_rmdir\n");
    assert.deepEqual(await planKernelStringProbes(await Tracefs.open({ root }), kallsyms, blacklist), [], "no kprobe_events: no kprobes");
    writeFileSync(join(root, "kprobe_events"), "");
    const defs = await planKernelStringProbes(await Tracefs.open({ root }), kallsyms, blacklist);
    assert.deepEqual(defs.map((d) => [d.symbol, d.event, d.append]), [["getname_flags", "getname", false], ["getname", "getname", true], ["do_mkdirat", "filename", false]]);
    assert.equal(defs[1]!.line, "p:ftk_trace_strings/getname getname p0=$arg1:x64 s0=+0($arg1):ustring");
    assert.equal(defs[2]!.line, "p:ftk_trace_strings/filename do_mkdirat p0=+8($arg2):x64 s0=+0(+0($arg2)):string");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("liveTraceClock() takes local only when the kernel says sched_clock agrees across CPUs (or cannot disagree)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ftk-sched-debug-"));
  try {
    const file = join(dir, "debug");
    writeFileSync(file, "Sched Debug Version: v0.11\nsched_clk : 1.0\nsched_clock_stable()                    : 1\n");
    assert.equal(await liveTraceClock(file), "local");
    writeFileSync(file, "sched_clock_stable()                    : 0\n");
    assert.equal(await liveTraceClock(file), "mono");
    writeFileSync(file, "Sched Debug Version: v0.11\njiffies : 5\n"); // no unstable sched_clock on this architecture
    assert.equal(await liveTraceClock(file), "local");
    assert.equal(await liveTraceClock(join(dir, "missing")), "mono");
    // Read in 4 KB pieces until the line or the first CPU's section: a long header still counts.
    writeFileSync(file, `Sched Debug Version: v0.11\n${"x".repeat(9000)}\nsched_clock_stable()  : 0\n\ncpu#0, 2096.003 MHz\n${"y\n".repeat(50000)}`);
    assert.equal(await liveTraceClock(file), "mono");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("planStringProbes() makes one event where the kernel takes immediates (one path padded), else one per path count", async (t) => {
  const two = await planStringProbes();
  if (two.length === 0) return t.skip("no libc found");
  const one = await planStringProbes({ immediates: true });
  assert.equal(one.length, two.length);
  assert.deepEqual(new Set(two.map((d) => d.event)), new Set(["path1", "path2"]));
  assert.deepEqual(one.map((d) => [d.event, d.append]), one.map((_, i) => ["path", i > 0]));
  for (const [i, d] of one.entries()) {
    const plain = two[i]!;
    assert.equal(d.fileOffset, plain.fileOffset);
    const rest = plain.line.replace(/^p:\S+/, "");
    assert.equal(d.line, plain.event === "path1" ? `p:ftk_trace_strings/path${rest} p1=\\0:x64 s1=\\"":string` : `p:ftk_trace_strings/path${rest}`);
  }
});

test("takesImmediates() reads the kernel's README", async () => {
  const root = mkdtempSync(join(tmpdir(), "ftk-fake-tracefs-"));
  try {
    const fs = await Tracefs.open({ root });
    assert.equal(await takesImmediates(fs), false, "no README");
    writeFileSync(join(root, "README"), "\t  fetcharg: (%|$)<register>, @<address>, @<symbol>[+|-<offset>],\n\t           +|-[u]<offset>(<fetcharg>)\n");
    assert.equal(await takesImmediates(fs), false);
    writeFileSync(join(root, "README"), "\t           +|-[u]<offset>(<fetcharg>), \\imm-value, \\\"imm-string\"\n");
    assert.equal(await takesImmediates(fs), true);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
