// Two ftk sessions on one trace buffer: the second must refuse before changing anything. Before claims,
// it saved the first one's settings as "the state before" and put them back after the first had
// restored the real state, leaving tracing_on=0 and a dead ftk's pids in set_event_notrace_pid.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { UndoStack, claimInstance, snapshotTracefsState } from "../tracefs/index.js";
import { ftkBin } from "../test-support/paths.js";
import { claimPath } from "../tracefs/claim.js";
import { processStart } from "../tracefs/journal.js";
import { assertTracefsUnchanged, openLiveTracefs } from "../tracefs/testing.js";

const live = await openLiveTracefs();

/** Runs `body` with FTK_JOURNAL_DIR set to a fresh directory. */
async function withJournalDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "ftk-claim-"));
  const old = process.env["FTK_JOURNAL_DIR"];
  process.env["FTK_JOURNAL_DIR"] = dir;
  try {
    await body(dir);
  } finally {
    if (old === undefined) delete process.env["FTK_JOURNAL_DIR"];
    else process.env["FTK_JOURNAL_DIR"] = old;
    rmSync(dir, { recursive: true, force: true });
  }
}

test("claimInstance: a live owner's claim is refused in one line, a dead owner's is taken, unwind releases it", async () => {
  await withJournalDir(async () => {
    const root = "/nonexistent/tracing";
    const sleeper = spawn("sleep", ["30"], { stdio: "ignore" });
    try {
      const path = claimPath(root, "");
      writeFileSync(path, JSON.stringify({ pid: sleeper.pid, start: processStart(sleeper.pid!), argv: ["record", "-e", "sched"] }));
      assert.throws(() => claimInstance(root, "", new UndoStack({ journal: false })), (e: Error) => {
        assert.match(e.message, new RegExp(`^the top-level trace buffer is in use by ftk pid ${sleeper.pid} \\(ftk record -e sched\\): wait for it to end, or record into another instance with -B NAME$`));
        return true;
      });
      // Another instance is free.
      const other = new UndoStack({ journal: false });
      claimInstance(root, "mine", other);
      assert.ok(existsSync(claimPath(root, "mine")));
      await other.unwind();
      assert.ok(!existsSync(claimPath(root, "mine")));
    } finally {
      sleeper.kill("SIGKILL");
    }
    await new Promise((r) => sleeper.once("exit", r));
    // The owner is gone: its claim is stale and taken over.
    const undo = new UndoStack({ journal: false });
    claimInstance(root, "", undo);
    assert.equal((JSON.parse(readFileSync(claimPath(root, ""), "utf8")) as { pid: number }).pid, process.pid);
    await undo.unwind();
    assert.ok(!existsSync(claimPath(root, "")));
  });
});

test("a second ftk record on the top level refuses (exit 1) while the first runs; tracefs ends as it began", { skip: live.skip }, async () => {
  const fs = live.fs!;
  const before = await snapshotTracefsState(fs);
  const dir = mkdtempSync(join(tmpdir(), "ftk-claim-live-"));
  try {
    const first = spawn(process.execPath, [ftkBin(), "record", "-q", "-e", "sched:sched_switch", "-o", join(dir, "a.dat"), "sleep", "3"], { stdio: ["ignore", "ignore", "pipe"] });
    let firstErr = "";
    first.stderr.on("data", (d: Buffer) => (firstErr += d.toString()));
    const firstExit = new Promise<number | null>((r) => first.once("exit", (c) => r(c)));
    // Wait until the first has changed tracefs (its event is on).
    const deadline = Date.now() + 20_000;
    while (!(await fs.topInstance().readFile("set_event")).includes("sched_switch")) {
      assert.ok(Date.now() < deadline, `the first record never enabled sched_switch: ${firstErr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const second = spawnSync(process.execPath, [ftkBin(), "record", "-q", "-e", "syscalls:sys_enter_openat", "-o", join(dir, "b.dat"), "true"], { encoding: "utf8" });
    assert.equal(second.status, 1, second.stderr);
    assert.match(second.stderr, new RegExp(`^ftk record: the top-level trace buffer is in use by ftk pid ${first.pid} \\(ftk record -q -e sched:sched_switch \\.\\.\\.\\): wait for it to end, or record into another instance with -B NAME\\n$`));
    assert.equal(await firstExit, 0, firstErr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await assertTracefsUnchanged(fs, before);
});
