// Restore after kill -9 (issue 12): `ftk record` is killed with SIGKILL at five points (FTK_TEST_PAUSE
// freezes it there); the next ftk command replays the undo journal from /run/ftk, says so in one line,
// and the tracefs snapshot (events, filters, triggers, pid files, options, clock, buffer size,
// instances, dynamic events) equals the one taken before. /run/ftk holds no journal afterwards.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, suite, test } from "node:test";
import { snapshotTracefsState } from "../index.js";
import { ftkBin } from "../test-support/paths.js";
import { assertTracefsUnchanged, openLiveTracefs, testInstanceName } from "../tracefs/testing.js";

const live = await openLiveTracefs();
const LIBC = "/lib/x86_64-linux-gnu/libc.so.6";
const JOURNALS = process.env["FTK_JOURNAL_DIR"] || "/run/ftk";

/** Journal files of process `pid` (named "<pid>-<start>-<n>.journal"). */
function journalsOf(pid: number): string[] {
  try {
    return readdirSync(JOURNALS).filter((n) => n.startsWith(`${pid}-`));
  } catch {
    return [];
  }
}

/** Starts `ftk record ...` (or `ftk <command> ...`) paused at `point`; resolves once it says it is there, with its pid. */
function startPaused(point: string, args: string[], command = "record"): Promise<{ pid: number; exited: Promise<void> }> {
  const child = spawn(process.execPath, [ftkBin(), command, ...args], {
    env: { ...process.env, FTK_TEST_PAUSE: point },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  let err = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ftk ${command} never reached '${point}': ${err}`)), 30_000);
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
      if (err.includes(`test pause at '${point}'`)) {
        clearTimeout(timer);
        resolve({ pid: child.pid!, exited });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`ftk ${command} exited (${code}) before '${point}': ${err}`));
    });
  });
}

suite("ftk record killed with SIGKILL is restored by the next ftk command", { skip: live.skip }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "ftk-kill9-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A recording that changes every kind of setting the snapshot covers. */
  const recordArgs = (name: string): string[] => [
    "-q", "-o", join(dir, "k.dat"),
    "-C", "global", "-b", "1500", "-O", "noprint-parent",
    "-e", "sched:sched_switch", "-f", "prev_pid != 0", "-R", "stacktrace",
    "-e", "syscalls:sys_enter_getpid",
    ...(existsSync(LIBC) ? ["--uprobe", `${LIBC}:getpid`] : []),
    "-B", name, "-e", "sched:sched_wakeup", "-C", "mono",
    "true",
  ];

  for (const point of ["before-change", "mid-setup", "recording", "mid-extract", "restore"]) {
    test(`SIGKILL at '${point}': 'ftk stat' puts the earlier state back and says so`, async () => {
      const fs = live.fs!;
      const snap = await snapshotTracefsState(fs);
      const name = testInstanceName(`k9-${point}`);
      const { pid, exited } = await startPaused(point, recordArgs(name));
      if (point !== "before-change") assert.equal(journalsOf(pid).length, 1, "the journal exists while ftk runs");
      else assert.equal(journalsOf(pid).length, 0, "nothing changed yet: no journal");
      process.kill(pid, "SIGKILL");
      await exited;
      const stat = spawnSync(process.execPath, [ftkBin(), "stat"], { encoding: "utf8" });
      assert.equal(stat.status, 0, stat.stderr);
      const said = stat.stderr.split("\n").filter((l) => l !== "");
      if (point === "before-change") assert.deepEqual(said, []);
      else {
        assert.equal(said.length, 1, stat.stderr);
        assert.match(said[0]!, new RegExp(`^ftk: restored the tracing state left by ftk pid ${pid}, which was killed \\(\\d+ settings? put back\\)$`));
      }
      assert.deepEqual(journalsOf(pid), [], "the journal is gone");
      await assertTracefsUnchanged(fs, snap);
    });
  }

  test("SIGKILL while kptr_restrict is lifted to read kallsyms: the next ftk command puts it back", async () => {
    const knob = "/proc/sys/kernel/kptr_restrict";
    const fs = live.fs!;
    const before = readFileSync(knob, "latin1").trim();
    try {
      // ftk lifts kptr_restrict only from 2 (the value that hides addresses from root).
      writeFileSync(knob, "2");
      const snap = await snapshotTracefsState(fs);
      const { pid, exited } = await startPaused("kallsyms", ["-q", "-o", join(dir, "kptr.dat"), "-e", "sched:sched_switch", "true"]);
      assert.equal(readFileSync(knob, "latin1").trim(), "0", "lifted while kallsyms is read");
      const steps = journalsOf(pid).map((n) => readFileSync(join(JOURNALS, n), "utf8")).join("");
      assert.match(steps, /"kind":"write-proc"[^}]*"path":"\/proc\/sys\/kernel\/kptr_restrict","text":"2"/, "the lift is journaled before it is made");
      process.kill(pid, "SIGKILL");
      await exited;
      const stat = spawnSync(process.execPath, [ftkBin(), "stat"], { encoding: "utf8" });
      assert.equal(stat.status, 0, stat.stderr);
      const said = stat.stderr.split("\n").filter((l) => l !== "");
      assert.equal(said.length, 1, stat.stderr);
      assert.match(said[0]!, new RegExp(`^ftk: restored the tracing state left by ftk pid ${pid}, which was killed`));
      assert.equal(readFileSync(knob, "latin1").trim(), "2", "kptr_restrict is back");
      assert.deepEqual(journalsOf(pid), []);
      await assertTracefsUnchanged(fs, snap);
      // Without a kill, record lifts it, reads real addresses, and puts it back.
      const ok = spawnSync(process.execPath, [ftkBin(), "record", "-q", "-o", join(dir, "kptr.dat"), "-e", "sched:sched_switch", "true"], { encoding: "utf8" });
      assert.equal(ok.status, 0, ok.stderr);
      assert.equal(readFileSync(knob, "latin1").trim(), "2");
    } finally {
      writeFileSync(knob, before);
    }
  });

  // stream, trace and profile set tracefs up through the same journaled steps as record.
  const others: [string, string[]][] = [
    ["stream", ["-e", "sched:sched_switch", "-R", "stacktrace", "-e", "syscalls:sys_enter_getpid", "true"]],
    ["trace", ["-o", "/dev/null", "true"]],
    ["profile", ["-o", "/dev/null", "true"]],
  ];
  for (const [command, args] of others) {
    test(`ftk ${command} killed with SIGKILL mid-setup: 'ftk stat' puts the earlier state back and says so`, async () => {
      const fs = live.fs!;
      const snap = await snapshotTracefsState(fs);
      const { pid, exited } = await startPaused("mid-setup", args, command);
      assert.equal(journalsOf(pid).length, 1, "the journal exists while ftk runs");
      process.kill(pid, "SIGKILL");
      await exited;
      const stat = spawnSync(process.execPath, [ftkBin(), "stat"], { encoding: "utf8" });
      assert.equal(stat.status, 0, stat.stderr);
      assert.match(stat.stderr, new RegExp(`^ftk: restored the tracing state left by ftk pid ${pid}, which was killed \\(\\d+ settings? put back\\)\n$`));
      assert.deepEqual(journalsOf(pid), [], "the journal is gone");
      await assertTracefsUnchanged(fs, snap);
    });
  }

  test("'ftk reset' also replays a stale journal first", async () => {
    const fs = live.fs!;
    const snap = await snapshotTracefsState(fs);
    const { pid, exited } = await startPaused("recording", recordArgs(testInstanceName("k9-reset")));
    process.kill(pid, "SIGKILL");
    await exited;
    // Reset only an instance of our own, so that nobody else's settings are touched.
    const mine = testInstanceName("k9-reset-own");
    await fs.createInstance(mine);
    const reset = spawnSync(process.execPath, [ftkBin(), "reset", "-B", mine, "-d"], { encoding: "utf8" });
    assert.equal(reset.status, 0, reset.stderr);
    assert.match(reset.stderr, new RegExp(`^ftk: restored the tracing state left by ftk pid ${pid}, which was killed`));
    assert.deepEqual(journalsOf(pid), []);
    await assertTracefsUnchanged(fs, snap);
  });

  test("a running ftk's journal is left alone", async () => {
    const fs = live.fs!;
    const snap = await snapshotTracefsState(fs);
    const { pid, exited } = await startPaused("recording", recordArgs(testInstanceName("k9-alive")));
    const stat = spawnSync(process.execPath, [ftkBin(), "stat"], { encoding: "utf8" });
    assert.equal(stat.stderr, "");
    assert.equal(journalsOf(pid).length, 1);
    process.kill(pid, "SIGKILL");
    await exited;
    spawnSync(process.execPath, [ftkBin(), "stat"], { encoding: "utf8" });
    await assertTracefsUnchanged(fs, snap);
  });
});
