// `ftk profile` (record --profile, then report --profile) on the live kernel: the profile of a small
// command, the options of its own, and tracefs left as it was on success and on failure. Also checks
// that a `record --profile` file gives trace-cmd 3.1.6's `report --profile` (up to its hash order).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, suite, test } from "node:test";
import { snapshotTracefsState } from "../index.js";
import { assertTracefsUnchanged, openLiveTracefs } from "../tracefs/testing.js";
import { hashOrderCanonical } from "../test-support/profile-order.js";
import { ftkBin } from "../test-support/paths.js";
import { hasTraceCmd, traceCmdReport } from "../test-support/trace-cmd.js";
import { PROFILE_HELP } from "./profile.js";
import { runFtk } from "./report-test-helpers.js";

test("profile --help lists its own flags and exits 0", async () => {
  const r = await runFtk(["profile", "--help"]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, PROFILE_HELP);
  for (const flag of ["-H", "-G", "--by-comm", "-S", "-o", "--stderr", "-e"]) assert.ok(PROFILE_HELP.includes(`  ${flag} `) || PROFILE_HELP.includes(` ${flag},`), flag);
});

test("profile -H with a malformed hook is a usage error", async () => {
  const r = await runFtk(["profile", "-H", "sched_switch", "true"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad hook 'sched_switch' for -H/);
});

const live = await openLiveTracefs();

suite("ftk profile on the live kernel", { skip: live.skip }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "ftk-profile-test-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("profiles a command: its task, its syscalls and sleeps with stacks; tracefs restored", async () => {
    const snap = await snapshotTracefsState(live.fs!);
    const out = join(dir, "p.txt");
    const r = await runFtk(["profile", "-o", out, "sh", "-c", "sleep 0.05; exit 3"]);
    await assertTracefsUnchanged(live.fs!, snap);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, "", "the profile goes to -o");
    const text = readFileSync(out, "latin1");
    assert.match(text, /^cpus=\d+\n/);
    // The sleep's task: blocked in S while it sleeps (with the kernel stack), its syscalls timed.
    const sleep = text.split("\ntask: ").find((t) => t.startsWith("sleep-"));
    assert.ok(sleep !== undefined, "a task named sleep");
    assert.match(sleep, /\n {2}Event: sched_switch:S \(\d+\) Total: \d+/);
    assert.match(sleep, /\n {2}Event: sys_enter:\d+ \(\d+\) Total: \d+/);
    assert.match(sleep, /\n {10}\+ \S+ \(0x[0-9a-f]+\)\n/, "a stack tree");
  });

  test("--by-comm and -G: one group per comm, irq time under per-CPU global tasks", async () => {
    const snap = await snapshotTracefsState(live.fs!);
    const r = await runFtk(["profile", "--by-comm", "-G", "sh", "-c", "sleep 0.02; sleep 0.02"]);
    await assertTracefsUnchanged(live.fs!, snap);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\ngroup: sleep\n/);
    assert.doesNotMatch(r.stdout, /\ntask: sleep-/);
    // irq and softirq entries (when any happened) belong to "Global CPU[n] Events", never to a task.
    for (const block of r.stdout.split("\ntask: ").slice(1)) assert.doesNotMatch(block, /Event: (irq_handler_entry|softirq_entry):/);
  });

  test("a command that cannot run and an unwritable -o leave tracefs as it was", async () => {
    const snap = await snapshotTracefsState(live.fs!);
    const missing = await runFtk(["profile", "-o", join(dir, "m.txt"), "/no/such/command"]);
    assert.notEqual(missing.code, 0);
    // One line for the error (after record's warning that this kernel has no function_graph).
    const lines = missing.stderr.split("\n").filter((l) => l !== "" && !/function_graph is not available/.test(l));
    assert.deepEqual(lines, ["ftk profile: cannot run '/no/such/command': command not found"]);
    const unwritable = await runFtk(["profile", "-o", join(dir, "no/such/dir/p.txt"), "true"]);
    assert.equal(unwritable.code, 1, unwritable.stderr);
    assert.match(unwritable.stderr, /cannot write '.*no\/such\/dir\/p\.txt'/);
    await assertTracefsUnchanged(live.fs!, snap);
  });

  test("bin/ftk profile: SIGINT ends the command, the profile is printed, tracefs and the temporary file are gone", async () => {
    const snap = await snapshotTracefsState(live.fs!);
    const tmp = mkdtempSync(join(tmpdir(), "ftk-profile-int-"));
    const child = spawn(process.execPath, [ftkBin(), "profile", "sleep", "30"], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TMPDIR: tmp } });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("latin1")));
    await new Promise((r) => setTimeout(r, 1500));
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
    try {
      assert.equal(code, 128 + 2, "sleep died of SIGINT");
      assert.match(stdout, /^cpus=\d+\n/);
      assert.match(stdout, /\ntask: sleep-\d+\n/);
      assert.deepEqual(readdirSync(tmp), [], "the temporary trace.dat is removed");
      await assertTracefsUnchanged(live.fs!, snap);
    } finally {
      if (existsSync(tmp)) rmSync(tmp, { recursive: true, force: true });
    }
  });

  test("-S records only the -e events", async () => {
    const r = await runFtk(["profile", "-S", "-e", "sched:sched_switch", "-e", "sched:sched_wakeup", "sleep", "0.02"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Event: sched_switch:/);
    assert.doesNotMatch(r.stdout, /Event: sys_enter:/);
    const none = await runFtk(["profile", "-S", "true"]);
    assert.equal(none.code, 2);
  });

  test("record --profile gives trace-cmd's report --profile", { skip: hasTraceCmd() ? false : "trace-cmd is not installed" }, async () => {
    const file = join(dir, "rp.dat");
    const rec = await runFtk(["record", "-q", "--profile", "-o", file, "sh", "-c", "sleep 0.02; ls / >/dev/null"]);
    assert.equal(rec.code, 0, rec.stderr);
    const ftk = await runFtk(["report", "--profile", "-i", file]);
    const tc = await traceCmdReport(["--profile", "-i", file], (o) => hashOrderCanonical(o) === hashOrderCanonical(ftk.stdout));
    assert.equal(tc.status, 0, tc.stderr);
    assert.equal(hashOrderCanonical(ftk.stdout), hashOrderCanonical(tc.stdout));
    assert.match(ftk.stdout, /Event: sched_wakeup:/);
  });
});
