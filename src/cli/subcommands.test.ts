// The small tracefs subcommands of issue 12: set, clear, snapshot, check-events (and --help of each).
// Live tests work in an instance of their own and check that tracefs is left as it was.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite, test } from "node:test";
import { Tracefs, checkEventFormats, snapshotTracefsState } from "../index.js";
import { assertTracefsUnchanged, openLiveTracefs, testInstanceName } from "../tracefs/testing.js";
import { runFtk } from "./report-test-helpers.js";

const live = await openLiveTracefs();

test("set, clear, snapshot, check-events, convert, split, restore, options, dump and stack answer --help with their usage", async () => {
  for (const name of ["set", "clear", "snapshot", "check-events", "convert", "split", "restore", "options", "dump", "stack"]) {
    const r = await runFtk([name, "--help"]);
    assert.equal(r.code, 0, name);
    assert.match(r.stdout, new RegExp(`^usage: ftk ${name}`), name);
  }
});

test("options lists the plugin options as trace-cmd options does (the descriptions are ours)", { skip: spawnSync("trace-cmd", ["--help"]).error === undefined ? false : "trace-cmd not installed" }, async () => {
  const r = await runFtk(["options"]);
  assert.equal(r.code, 0);
  const theirs = spawnSync("trace-cmd", ["options"], { encoding: "utf8" }).stdout;
  // Clean room: libtraceevent's description strings are its prose, so ours say the same in our words.
  const noDesc = (t: string) => t.split("\n").filter((l) => !l.startsWith("    desc:\t")).join("\n");
  assert.equal(noDesc(r.stdout), noDesc(theirs));
  assert.equal(r.stdout.split("\n").filter((l) => l.startsWith("    desc:\t")).length, theirs.split("\n").filter((l) => l.startsWith("    desc:\t")).length);
});

test("checkEventFormats() names a format that does not parse and one whose print fmt fails", async () => {
  const root = mkdtempSync(join(tmpdir(), "ftk-fake-tracefs-"));
  try {
    const ev = (sys: string, name: string, text: string) => {
      mkdirSync(join(root, "events", sys, name), { recursive: true });
      writeFileSync(join(root, "events", sys, name, "format"), text);
    };
    const fields = "format:\n\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\n\tfield:int a;\toffset:8;\tsize:4;\tsigned:1;\n\n";
    ev("s", "good", `name: good\nID: 7\n${fields}print fmt: "a=%d", REC->a\n`);
    ev("s", "badfmt", `name: badfmt\nID: 8\n${fields}print fmt: "a=%d", REC->a }\n`);
    ev("s", "garbage", "this is not a format\n");
    const { checked, problems } = await checkEventFormats(await Tracefs.open({ root }));
    assert.equal(checked, 3);
    assert.deepEqual(problems.map((p) => `${p.event}:${p.kind}`).sort(), ["badfmt:print-fmt", "garbage:format"]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("stack on a kernel without the stack tracer: one line naming the missing file, exit 1", { skip: existsSync("/proc/sys/kernel/stack_tracer_enabled") ? "this kernel has the stack tracer (the lab tests it)" : false }, async () => {
  const r = await runFtk(["stack"]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "ftk stack: the stack tracer is not available on this kernel ('/proc/sys/kernel/stack_tracer_enabled' is missing: CONFIG_STACK_TRACER)\n");
});

suite("set, clear, snapshot and check-events on the live kernel", { skip: live.skip }, () => {
  test("check-events: every format of this kernel parses (silent, exit 0, as trace-cmd check-events)", async () => {
    const r = await runFtk(["check-events"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stdout, "");
  });

  test("set adds to an instance's settings and leaves them; other events, tracing_on and the buffer stay", async () => {
    const fs = live.fs!;
    const snap = await snapshotTracefsState(fs);
    const name = testInstanceName("set");
    const inst = await fs.createInstance(name);
    try {
      await inst.enableEvent("sched", "sched_wakeup");
      await inst.writeFile("trace_marker", "ftk-set-marker");
      await inst.setTracingOn(false);
      const r = await runFtk(["set", "-B", name, "-e", "sched:sched_switch", "-f", "prev_pid != 0", "-O", "noprint-parent"]);
      assert.equal(r.code, 0, r.stderr);
      // Checked before -C and -b: the kernel empties a buffer when its clock or size changes.
      assert.match(await inst.readFile("trace"), /ftk-set-marker/, "the buffer is kept");
      assert.equal((await runFtk(["set", "-B", name, "-C", "mono", "-b", "1000"])).code, 0);
      assert.deepEqual((await inst.enabledEvents()).map((e) => e.event).sort(), ["sched_switch", "sched_wakeup"]);
      assert.equal(await inst.eventFilter("sched", "sched_switch"), "prev_pid != 0");
      assert.equal((await inst.readFile("options/print-parent")).trim(), "0");
      assert.equal((await inst.traceClock()).current, "mono");
      assert.equal(await inst.bufferSizeKb(), 1000);
      assert.equal(await inst.tracingOn(), false, "tracing_on untouched");
      const negated = await runFtk(["set", "-B", name, "-v", "-e", "sched:sched_wakeup"]);
      assert.equal(negated.code, 0, negated.stderr);
      assert.deepEqual((await inst.enabledEvents()).map((e) => e.event), ["sched_switch"]);
      assert.equal((await runFtk(["set", "-B", name, "-e", "sched:sched_switch", "-f", "prev_pid === x"])).code, 2);
    } finally {
      await inst.disableAllEvents();
      await fs.removeInstance(name);
    }
    await assertTracefsUnchanged(fs, snap);
  });

  test("clear -B empties that instance's buffer", async () => {
    const fs = live.fs!;
    const snap = await snapshotTracefsState(fs);
    const name = testInstanceName("clear");
    const inst = await fs.createInstance(name);
    try {
      await inst.writeFile("trace_marker", "ftk-clear-marker");
      assert.match(await inst.readFile("trace"), /ftk-clear-marker/);
      const r = await runFtk(["clear", "-B", name]);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(await inst.readFile("trace"), /ftk-clear-marker/);
      assert.equal((await runFtk(["clear", "-B", "ftk-no-such-instance"])).code, 1);
    } finally {
      await fs.removeInstance(name);
    }
    await assertTracefsUnchanged(fs, snap);
  });

  test("snapshot: -s, -r and -f in an instance where the kernel has it; one line and exit 1 where it does not", async () => {
    const fs = live.fs!;
    const snap = await snapshotTracefsState(fs);
    const name = testInstanceName("snap");
    const inst = await fs.createInstance(name);
    try {
      if (!inst.hasFile("snapshot")) {
        const r = await runFtk(["snapshot", "-B", name, "-s"]);
        assert.equal(r.code, 1);
        assert.equal(r.stderr, `ftk snapshot: the snapshot buffer is not available on this kernel ('instances/${name}/snapshot' is missing: CONFIG_TRACER_SNAPSHOT)\n`);
        return;
      }
      await inst.writeFile("trace_marker", "ftk-snapshot-marker");
      assert.equal((await runFtk(["snapshot", "-B", name, "-s"])).code, 0);
      assert.match((await runFtk(["snapshot", "-B", name])).stdout, /ftk-snapshot-marker/);
      assert.equal((await runFtk(["snapshot", "-B", name, "-r"])).code, 0);
      assert.doesNotMatch((await runFtk(["snapshot", "-B", name])).stdout, /ftk-snapshot-marker/);
      assert.equal((await runFtk(["snapshot", "-B", name, "-f"])).code, 0);
    } finally {
      await fs.removeInstance(name);
    }
    await assertTracefsUnchanged(fs, snap);
  });
});
