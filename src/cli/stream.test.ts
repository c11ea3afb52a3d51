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
