// ftk stat on a fresh instance with events, a filter, a trigger, a clock, pids and options set; compared
// with trace-cmd stat when installed. The instance and every change are removed afterwards.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { suite, test } from "node:test";
import { promisify } from "node:util";
import { ftkBin } from "../test-support/paths.js";
import { openLiveTracefs, useTestInstance } from "../tracefs/testing.js";
import { runFtk } from "./report-test-helpers.js";

const run = promisify(execFile);
const live = await openLiveTracefs();
const traceCmd = await run("trace-cmd", ["list", "-t"]).then(() => true, () => false);

suite("ftk stat", { skip: live.skip }, () => {
  const fs = live.fs!;
  const box = useTestInstance(fs, "stat", async (i, undo) => {
    await i.enableEvent("sched", "sched_switch", undo);
    await i.enableEvent("irq", undefined, undo);
    await i.setEventFilter("sched", "sched_switch", "prev_pid == 1", undo);
    await i.addEventTrigger("sched", "sched_wakeup", "traceoff if pid == 1", undo);
    await i.setTraceClock("global", undo);
    await i.setOption("overwrite", false, undo);
    await i.setEventPids([123], undo);
    await i.setTracingOn(false, undo);
  });
  const { name } = box;

  test("stat -B shows events, filters, triggers, clock, pids, changed options and tracing off", async () => {
    const r = await runFtk(["stat", "-B", name]);
    assert.equal(r.code, 0, r.stderr);
    const expected = [
      `Instance: ${name}\n`,
      "\nEvents:\n Individual systems:\n   irq\n Individual events:\n    sched\n        sched_switch\n",
      "\nFilters:\n  sched:sched_switch \"prev_pid == 1\"\n",
      "\nTriggers:\n  sched:sched_wakeup \"traceoff:unlimited if pid == 1\"\n",
      "\nClock: global\n",
      "\nFiltered event PIDs:\n123\n",
      "\nOptions changed from default:\n   nooverwrite\n",
      "\nTracing is disabled\n\n",
    ];
    let pos = 0;
    for (const part of expected) {
      const at = r.stdout.indexOf(part, pos);
      assert.ok(at >= 0, `missing or out of order: ${JSON.stringify(part)} in\n${r.stdout}`);
      pos = at + part.length;
    }
  });

  test("stat -t -B shows the top level first and the instance after it", async () => {
    const r = await runFtk(["stat", "-t", "-B", name]);
    const top = r.stdout.indexOf("\nTracing is ");
    const instAt = r.stdout.indexOf(`Instance: ${name}\n`);
    assert.ok(top >= 0 && instAt > top);
    assert.ok(r.stdout.includes(`\nInstances:\n`));
    assert.ok(r.stdout.includes(` ${name}\n`));
  });

  test("stat equals trace-cmd stat apart from ftk's changed-options section", { skip: traceCmd ? false : "trace-cmd not installed" }, async () => {
    for (const args of [["-B", name], ["-t", "-B", name], ["-o", "-B", name]]) {
      const expected = (await run("trace-cmd", ["stat", ...args], { encoding: "latin1" })).stdout;
      const actual = (await runFtk(["stat", ...args])).stdout.replace(/\nOptions changed from default:\n(   .*\n)+/g, "");
      assert.equal(actual, expected, `ftk stat ${args.join(" ")}`);
    }
  });

  test("stat -B of a missing instance fails in one line", async () => {
    const r = await runFtk(["stat", "-B", `${name}-missing`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ftk stat: instance '.*-missing' does not exist \(see 'ftk list -B'\)\n$/);
  });

  test("bin/ftk stat runs as a process and ends with the tracing state", async () => {
    const r = await run(process.execPath, [ftkBin(), "stat"]);
    assert.match(r.stdout, /\nTracing is (enabled|disabled)\n\n/);
  });
});
