// traceSyscalls() checks made before tracefs is touched, against a temp dir standing in for tracefs.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { FtkError, UsageError } from "../base/index.js";
import { Tracefs } from "../tracefs/index.js";
import { traceSyscalls } from "./session.js";

const io = (fs: Tracefs) => ({ out: process.stdout, stderr: process.stderr, signal: new AbortController().signal, tracefs: fs });

test("traceSyscalls() on a kernel without syscall events fails with one line and writes nothing", async () => {
  const root = mkdtempSync(join(tmpdir(), "ftk-fake-tracefs-"));
  try {
    writeFileSync(join(root, "available_events"), "sched:sched_switch\nirq:irq_handler_entry\n");
    const fs = await Tracefs.open({ root });
    await assert.rejects(traceSyscalls({ command: ["true"], pids: [], all: false }, io(fs)), (e: unknown) =>
      e instanceof FtkError && /^this kernel has no syscall trace events: '.*\/events\/raw_syscalls' is missing \(CONFIG_FTRACE_SYSCALLS\)$/.test(e.message));
    writeFileSync(join(root, "available_events"), "raw_syscalls:sys_enter\nraw_syscalls:sys_exit\n");
    await assert.rejects(traceSyscalls({ command: ["no-such-command-ftk"], pids: [], all: false }, io(fs)), (e: unknown) =>
      e instanceof UsageError && /command not found/.test(e.message));
    await assert.rejects(traceSyscalls({ command: [], pids: [999999999], all: false }, io(fs)), (e: unknown) =>
      e instanceof UsageError && /no such process/.test(e.message));
    await assert.rejects(traceSyscalls({ command: [], pids: [], all: false }, io(fs)), /nothing to trace/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
