// record flags of trace-cmd 3.1.6 added in issue 12: -v, --user, --date, --temp, -d/-D, -r, --poll,
// --func-stack, --tsc2nsec. Files are read back by trace-cmd report (the oracle); settings that exist only
// while recording are looked at with the recorder frozen (FTK_TEST_PAUSE), then killed and restored.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, suite, test } from "node:test";
import { snapshotTracefsState } from "../index.js";
import { ftkBin } from "../test-support/paths.js";
import { assertTracefsUnchanged, openLiveTracefs } from "../tracefs/testing.js";
import { runFtk } from "./report-test-helpers.js";

const live = await openLiveTracefs();
const hasTraceCmd = spawnSync("trace-cmd", ["--help"]).error === undefined;

/** `trace-cmd report` of a file: asserts nothing on stderr and returns the event lines. */
function report(path: string): string[] {
  const r = spawnSync("trace-cmd", ["report", path], { encoding: "latin1", maxBuffer: 1 << 28 });
  assert.equal(r.stderr, "", `trace-cmd report warned on ${path}`);
  assert.equal(r.status, 0);
  return r.stdout.split("\n").filter((l) => /^\s*\S.*\[\d+\]\s+[\d.]+:/.test(l));
}

/** Timestamps (seconds) of report lines. */
function stamps(lines: string[]): number[] {
  return lines.map((l) => Number(/\]\s+(\d+\.\d+):/.exec(l)![1]));
}

/** True when root may write /proc/sys/kernel/ftrace_enabled (it writes the value it holds). */
function ftraceEnabledWritable(): boolean {
  try {
    writeFileSync("/proc/sys/kernel/ftrace_enabled", readFileSync("/proc/sys/kernel/ftrace_enabled", "utf8").trim());
    return true;
  } catch {
    return false;
  }
}

/** Runs `ftk record ARGS` frozen at 'recording'; calls `look(pid)`, then kills it and lets `ftk stat` restore. */
async function whileRecording(args: string[], look: (pid: number) => Promise<void> | void): Promise<void> {
  const child = spawn(process.execPath, [ftkBin(), "record", ...args], { env: { ...process.env, FTK_TEST_PAUSE: "recording" }, stdio: ["ignore", "ignore", "pipe"] });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  let err = "";
  let paused = false;
  try {
    await new Promise<void>((resolve, reject) => {
      child.stderr.on("data", (d: Buffer) => {
        err += d.toString();
        if (err.includes("test pause at 'recording'")) resolve();
      });
      child.once("exit", (code) => reject(new Error(`ftk record exited (${code}): ${err}`)));
    });
    paused = true;
    await look(child.pid!);
  } finally {
    child.kill("SIGKILL");
    await exited;
    // Replays the journal of the killed recorder (or of nothing, when it failed before changing anything).
    const stat = spawnSync(process.execPath, [ftkBin(), "stat"], { encoding: "utf8" });
    if (paused) assert.match(stat.stderr, /restored the tracing state/);
  }
}

suite("ftk record: trace-cmd's other record flags", { skip: live.skip || (hasTraceCmd ? false : "trace-cmd not installed") }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "ftk-record-flags-"));
    chmodSync(dir, 0o777);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("-v disables the -e that follow it: -e sched -v -e sched:sched_wakeup records no wakeups", async () => {
    const snap = await snapshotTracefsState(live.fs!);
    const out = join(dir, "v.dat");
    const r = await runFtk(["record", "-q", "-o", out, "-e", "sched", "-v", "-e", "sched:sched_wakeup", "sleep", "0.05"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = report(out);
    assert.ok(lines.some((l) => l.includes(" sched_switch:")), "sched_switch recorded");
    assert.ok(!lines.some((l) => / sched_wakeup(_new)?:/.test(l) && l.includes(" sched_wakeup:")), "no sched_wakeup");
    await assertTracefsUnchanged(live.fs!, snap);
  });

  test("-v before -B, and --func-stack without -p function, are usage errors", async () => {
    assert.equal((await runFtk(["record", "-e", "sched", "-v", "-B", "x", "true"])).code, 2);
    assert.equal((await runFtk(["record", "--func-stack", "-e", "sched", "true"])).code, 2);
    assert.equal((await runFtk(["record", "--user", "no-such-user-ftk", "-e", "sched", "true"])).code, 2);
  });

  test("--user runs the command as that user", async () => {
    const snap = await snapshotTracefsState(live.fs!);
    const nobody = spawnSync("id", ["-u", "nobody"], { encoding: "utf8" }).stdout.trim();
    const file = join(dir, "uid");
    const r = await runFtk(["record", "-q", "-o", join(dir, "u.dat"), "--user", "nobody", "-e", "sched:sched_switch", "sh", "-c", `id -u > ${file}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(file, "utf8").trim(), nobody);
    await assertTracefsUnchanged(live.fs!, snap);
  });

  test("--date: trace-cmd report prints times of day; ftk report, with and without --nodate, prints what trace-cmd does", async () => {
    const snap = await snapshotTracefsState(live.fs!);
    const out = join(dir, "date.dat");
    const now = Date.now() / 1000;
    const r = await runFtk(["record", "-q", "-o", out, "--date", "-e", "sched:sched_switch", "sleep", "0.05"]);
    assert.equal(r.code, 0, r.stderr);
    const ts = stamps(report(out));
    assert.ok(ts.length > 0);
    for (const t of ts) assert.ok(Math.abs(t - now) < 60, `timestamp ${t} is not near the time of day ${now}`);
    // ftk report prints the same dates, and with --nodate the same clock times, as trace-cmd report.
    for (const extra of [[], ["--nodate"]]) {
      const tc = spawnSync("trace-cmd", ["report", ...extra, out], { encoding: "latin1", maxBuffer: 1 << 28 });
      const ours = await runFtk(["report", ...extra, out]);
      assert.equal(ours.stdout, tc.stdout, `report ${extra.join(" ")}`);
    }
    assert.ok(stamps(report(out))[0]! - Number(/\]\s+(\d+\.\d+):/.exec((await runFtk(["report", "--nodate", out])).stdout)![1]) > 1e6, "--nodate drops the date offset");
    await assertTracefsUnchanged(live.fs!, snap);
  });

  test("--tsc2nsec: recorded with x86-tsc, read by trace-cmd in nanoseconds at the right rate", async () => {
    const snap = await snapshotTracefsState(live.fs!);
    const out = join(dir, "tsc.dat");
    const r = await runFtk(["record", "-q", "-o", out, "--tsc2nsec", "-e", "sched:sched_switch", "sh", "-c", "sleep 0.05; sleep 0.4; sleep 0.05"]);
    assert.equal(r.code, 0, r.stderr);
    const ts = stamps(report(out));
    const span = ts[ts.length - 1]! - ts[0]!;
    assert.ok(span > 0.4 && span < 1.5, `events span ${span} s, the command ran about 0.5 s`);
    assert.deepEqual(ts, [...ts].sort((a, b) => a - b));
    await assertTracefsUnchanged(live.fs!, snap);
  });

  test("--profile records sched_switch/sched_wakeup with stack traces and the syscall events; trace-cmd reads it", async () => {
    const snap = await snapshotTracefsState(live.fs!);
    const out = join(dir, "profile.dat");
    const r = await runFtk(["record", "-q", "--profile", "-o", out, "sh", "-c", "ls / > /dev/null; sleep 0.05"]);
    assert.equal(r.code, 0, r.stderr);
    const hasGraph = (await live.fs!.availableTracers()).includes("function_graph");
    if (!hasGraph) assert.equal(r.stderr, "ftk record: function_graph is not available on this kernel: user and kernel time are not profiled\n");
    const text = spawnSync("trace-cmd", ["report", out], { encoding: "latin1", maxBuffer: 1 << 28 });
    assert.equal(text.stderr, "");
    assert.match(text.stdout, / sched_switch: /);
    assert.match(text.stdout, / sys_enter: /);
    assert.match(text.stdout, /<stack trace ?>/);
    await assertTracefsUnchanged(live.fs!, snap);
  });

  test("--poll is accepted (ftk never blocks on reads)", async () => {
    const snap = await snapshotTracefsState(live.fs!);
    const r = await runFtk(["record", "-q", "--poll", "-o", join(dir, "poll.dat"), "-e", "sched:sched_switch", "true"]);
    assert.equal(r.code, 0, r.stderr);
    await assertTracefsUnchanged(live.fs!, snap);
  });

  test("-D where the kernel refuses ftrace_enabled: one line, exit 1, nothing changed", { skip: ftraceEnabledWritable() ? "ftrace_enabled is writable here" : false }, async () => {
    const snap = await snapshotTracefsState(live.fs!);
    const r = await runFtk(["record", "-q", "-o", join(dir, "D.dat"), "-D", "-e", "sched:sched_switch", "true"]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, "ftk record: cannot write '/proc/sys/kernel/ftrace_enabled': refused by the kernel (locked down?)\n");
    await assertTracefsUnchanged(live.fs!, snap);
  });

  test("--temp, -d, -D and -r while recording: temp files in DIR, function tracing off, SCHED_FIFO", async () => {
    const withD = ftraceEnabledWritable();
    const snap = await snapshotTracefsState(live.fs!);
    const temp = mkdtempSync(join(tmpdir(), "ftk-temp-"));
    try {
      await whileRecording(["-q", "-o", join(dir, "t.dat"), "--temp", temp, "-d", ...(withD ? ["-D"] : []), "-r", "10", "-e", "sched:sched_switch"], (pid) => {
        assert.ok(readdirSync(temp).includes("t.dat.cpu0"), `temp files in --temp: ${readdirSync(temp).join(" ")}`);
        assert.ok(!existsSync(join(dir, "t.dat.cpu0")));
        assert.equal(readFileSync(join(live.fs!.root, "options/function-trace"), "utf8").trim(), "0");
        if (withD) assert.equal(readFileSync("/proc/sys/kernel/ftrace_enabled", "utf8").trim(), "0");
        const chrt = spawnSync("chrt", ["-p", String(pid)], { encoding: "utf8" }).stdout;
        assert.match(chrt, /SCHED_FIFO/);
        assert.match(chrt, /priority: 10/);
      });
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
    await assertTracefsUnchanged(live.fs!, snap);
  });
});
