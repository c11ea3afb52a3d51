// System test of `ftk stream` (root, live tracefs): lines in the report layout, tracefs restored.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { ftkBin } from "../test-support/paths.js";
import { assertTracefsUnchanged, openLiveTracefs } from "../tracefs/testing.js";
import { snapshotTracefsState } from "../tracefs/index.js";

const live = await openLiveTracefs();

test("ftk stream -F prints the command's events as report lines and restores tracefs", { skip: live.skip }, async () => {
  const fs = live.fs!;
  const before = await snapshotTracefsState(fs);
  const r = spawnSync(process.execPath, [ftkBin(), "stream", "-F", "-e", "sched:sched_process_exec", "-e", "syscalls:sys_enter_openat", "ls", "/proc/self"], {
    encoding: "latin1",
  });
  assert.equal(r.stderr, "");
  assert.equal(r.status, 0);
  const events = r.stdout.split("\n").filter((l) => / \[\d{3}\] +\d+\.\d{6}: /.test(l));
  // The task name is whatever /proc or saved_cmdlines knew when the page was read (ls may be gone by then).
  assert.match(events[0]!, /^ +\S+-(\d+) +\[\d{3}\] +\d+\.\d{6}: sched_process_exec: +filename=\/usr\/bin\/ls pid=\1 /);
  assert.ok(events.filter((l) => l.includes(" sys_enter_openat: ")).length > 3);
  assert.equal(new Set(events.map((l) => /-(\d+) /.exec(l)![1])).size, 1, "only the command (-F)");
  await assertTracefsUnchanged(fs, before);
});

test("ftk stream merges CPUs and instances in time order across read rounds", { skip: live.skip }, async () => {
  const fs = live.fs!;
  const before = await snapshotTracefsState(fs);
  // Two dd floods pinned to CPUs 0 and 1 run over many read rounds; reads go to the top buffer, writes to
  // an instance. Per-round ordering alone misorders records that a CPU read first holds back to the next round.
  const dd = "dd if=/dev/zero of=/dev/null bs=1 count=20000 status=none";
  const r = spawnSync(
    process.execPath,
    [ftkBin(), "stream", "-e", "syscalls:sys_enter_read", "-B", "ftkstream", "-e", "syscalls:sys_enter_write", "sh", "-c", `taskset -c 0 ${dd} & taskset -c 1 ${dd}; wait`],
    { encoding: "latin1", maxBuffer: 256 << 20 },
  );
  assert.equal(r.status, 0, r.stderr);
  // Lines are picked by pid, not by name: a task that is gone before its pages are read is named by
  // saved_cmdlines, which may still hold the pre-exec name or another task's that had the pid before.
  const lines = r.stdout.split("\n").filter((l) => /^(ftkstream: )? +\S+-\d+ +\[\d{3}\] +\d+\.\d{6}: sys_enter_(read|write):/.test(l));
  const pidOf = (l: string): number => Number(/-(\d+) +\[/.exec(l)![1]);
  const writes = new Map<number, number>();
  // dd's writes are one byte each to fd 1 (other tasks on the machine write too).
  const ddWrite = /^ftkstream: .* sys_enter_write: +fd: 0x00000001, buf: 0x[0-9a-f]+, count: 0x00000001$/;
  for (const l of lines) if (ddWrite.test(l)) writes.set(pidOf(l), (writes.get(pidOf(l)) ?? 0) + 1);
  // Under load a flood may lose events (shown as EVENTS DROPPED lines): the counts leave room for that.
  const dds = new Set([...writes].filter(([, n]) => n >= 10000).map(([pid]) => pid));
  assert.equal(dds.size, 2, `two tasks made most of their 20000 writes each: ${JSON.stringify([...writes])}\n${r.stdout.slice(0, 2000)}`);
  const ddLines = lines.filter((l) => dds.has(pidOf(l)));
  const cpus = new Set(ddLines.map((l) => Number(/\[(\d{3})\]/.exec(l)![1])));
  assert.deepEqual([...cpus].sort(), [0, 1], "both CPUs");
  assert.ok(ddLines.filter((l) => !l.startsWith("ftkstream: ") && l.includes("sys_enter_read")).length >= 20000, "the top buffer's reads");
  let last = 0;
  let back = 0;
  for (const l of lines) {
    const ts = Number(/\] +(\d+\.\d{6}):/.exec(l)![1]);
    if (ts < last) back++;
    last = Math.max(last, ts);
  }
  assert.equal(back, 0, `${back} of ${lines.length} lines came before an earlier line's time`);
  await assertTracefsUnchanged(fs, before);
});

test("ftk stream names a task again after its exec (a name read from /proc is read again each round)", { skip: live.skip }, async () => {
  const fs = live.fs!;
  const before = await snapshotTracefsState(fs);
  // The shell fills pages with reads before its exec, so they are read while its name is still "sh"; dd's
  // reads come in later rounds.
  const r = spawnSync(
    process.execPath,
    [ftkBin(), "stream", "-F", "-e", "syscalls:sys_enter_read", "sh", "-c", "i=0; while [ $i -lt 300 ]; do read x < /etc/hostname; i=$((i+1)); done; sleep 0.5; exec dd if=/dev/zero of=/dev/null bs=1 count=100000 status=none"],
    { encoding: "latin1", maxBuffer: 64 << 20 },
  );
  assert.equal(r.status, 0, r.stderr);
  const names = r.stdout.split("\n").flatMap((l) => /^ +(\S+)-\d+ +\[\d{3}\] +\d+\.\d{6}: sys_enter_read:/.exec(l)?.[1] ?? []);
  assert.ok(names.includes("sh"), `the shell's reads: ${JSON.stringify([...new Set(names)])}`);
  assert.ok(names.filter((n) => n === "dd").length >= 10000, `dd's reads under its own name: ${JSON.stringify([...new Set(names)])}`);
  await assertTracefsUnchanged(fs, before);
});
