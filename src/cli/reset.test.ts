// ftk reset: an instance reset equals a fresh instance; a full reset (spawned bin/ftk, run twice) removes
// instances, dynamic events, events, filters and triggers and puts the changed top-level settings back.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { suite, test } from "node:test";
import { promisify } from "node:util";
import { UndoStack, defaultOptionValue, diffTracefsState, fullCpumask, snapshotTracefsState } from "../index.js";
import type { TracefsSnapshot } from "../index.js";
import { ftkBin } from "../test-support/paths.js";
import { assertTracefsUnchanged, openLiveTracefs, testInstanceName } from "../tracefs/testing.js";
import { runFtk } from "./report-test-helpers.js";

const run = promisify(execFile);
const live = await openLiveTracefs();

/** A full reset removes every instance and probe: only run it when nobody else has any. */
async function fullResetBlocked(): Promise<string | false> {
  if (!live.fs) return live.skip || "no tracefs";
  if ((await live.fs.listInstances()).length > 0) return "instances exist (someone else is tracing): a full reset would remove them";
  if ((await live.fs.listDynamicEvents()).length > 0) return "dynamic events exist: a full reset would remove them";
  // The test compares the state after the reset with the state before: that holds only from kernel defaults.
  const snap = await snapshotTracefsState(live.fs);
  const cpus = live.fs.cpuCount();
  for (const [k, v] of Object.entries(snap.files)) {
    if (k.includes("/")) {
      const opt = /^options\/(.+)$/.exec(k);
      const bad = (opt && v !== (defaultOptionValue(opt[1]!, true) ? "1" : "0")) ||
        (k.endsWith("/enable") && v !== "0") || (k.endsWith("/filter") && v !== "none") || (k.endsWith("/trigger") && v !== "");
      if (bad) return `tracefs is not at kernel defaults ('${k}' is '${v}'): a full reset would change it`;
    }
  }
  const want: Record<string, string> = { tracing_on: "1", current_tracer: "nop", set_event: "", set_event_pid: "", buffer_percent: "50", tracing_cpumask: fullCpumask(cpus) };
  for (const [k, v] of Object.entries(want)) {
    if (snap.files[k] !== undefined && snap.files[k] !== v) return `tracefs is not at kernel defaults ('${k}' is '${snap.files[k]}'): a full reset would change it`;
  }
  if (snap.files["trace_clock"] !== undefined && !snap.files["trace_clock"].includes("[local]")) return "trace_clock is not 'local': a full reset would change it";
  return false;
}

/** The settings of one instance (prefix stripped), to compare two instances. */
function instanceView(snap: TracefsSnapshot, name: string): Record<string, string> {
  const prefix = `instances/${name}/`;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(snap.files)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

/** Only the top-level settings (no instance files). */
function topView(snap: TracefsSnapshot): TracefsSnapshot {
  const files: Record<string, string> = {};
  for (const [k, v] of Object.entries(snap.files)) if (!k.startsWith("instances/") || k === "instances/") files[k] = v;
  return { root: snap.root, files };
}

suite("ftk reset", { skip: live.skip }, () => {
  const fs = live.fs!;

  test("reset -B puts a configured instance back to a fresh instance's settings, top level untouched; -d removes it", async () => {
    const before = await snapshotTracefsState(fs);
    const undo = new UndoStack();
    const used = testInstanceName("reset-used");
    const fresh = testInstanceName("reset-fresh");
    try {
      const inst = await fs.createInstance(used, undo);
      await fs.createInstance(fresh, undo);
      await inst.enableEvent("sched", "sched_switch");
      await inst.enableEvent("irq", undefined);
      await inst.setEventFilter("sched", "sched_switch", "prev_pid == 1");
      await inst.addEventTrigger("sched", "sched_wakeup", "traceoff if pid == 1");
      await inst.addEventTrigger("sched", "sched_switch", "stacktrace:3");
      await inst.setTraceClock("global");
      await inst.setOption("overwrite", false);
      await inst.setOption("stacktrace", true);
      await inst.setEventPids([1]);
      await inst.setCpumask("1");
      await inst.setBufferPercent(20);
      await inst.setTracingOn(false);
      const r = await runFtk(["reset", "-B", used]);
      assert.equal(r.code, 0, r.stderr);
      const after = await snapshotTracefsState(fs);
      assert.deepEqual(instanceView(after, used), instanceView(after, fresh));
      assert.deepEqual(diffTracefsState(topView(before), topView(after)).filter((l) => !l.startsWith("instances/:")), []);
      const d = await runFtk(["reset", "-B", used, "-d"]);
      assert.equal(d.code, 0, d.stderr);
      assert.equal(fs.hasInstance(used), false);
    } finally {
      await undo.unwind();
    }
    await assertTracefsUnchanged(fs, before);
  });

  test("reset -B of a missing instance and bad flags fail in one line without changing state", async () => {
    const before = await snapshotTracefsState(fs);
    for (const [argv, code] of [[["reset", "-B", "ftk-no-such-instance"], 1], [["reset", "-b", "x"], 2], [["reset", "-d"], 2], [["reset", "junk"], 2]] as const) {
      const r = await runFtk([...argv]);
      assert.equal(r.code, code, argv.join(" "));
      assert.match(r.stderr, /^ftk reset: [^\n]+\n$/);
    }
    await assertTracefsUnchanged(fs, before);
  });

  test("bin/ftk reset (twice) removes instances, probes, events, filters and triggers and restores top-level settings", async (t) => {
    // Checked right before running: a full reset removes every instance and probe on the machine.
    const blocked = await fullResetBlocked();
    if (blocked) {
      t.skip(blocked);
      return;
    }
    const before = await snapshotTracefsState(fs);
    const undo = new UndoStack();
    const top = fs.topInstance();
    const name = testInstanceName("reset-full");
    try {
      const inst = await fs.createInstance(name, undo);
      await top.enableEvent("sched", "sched_switch", undo);
      await top.setEventFilter("sched", "sched_switch", "prev_pid == 1", undo);
      await top.addEventTrigger("sched", "sched_wakeup", "traceoff if pid == 1", undo);
      await top.setOption("stacktrace", true, undo);
      await top.setTraceClock("global", undo);
      await top.setEventPids([1], undo);
      await top.setBufferPercent(20, undo);
      await top.setTracingOn(false, undo);
      await inst.enableEvent("irq", undefined, undo);
      if (existsSync("/usr/bin/true")) {
        await fs.addDynamicEvent(`p:ftk_reset_${process.pid}/probe /usr/bin/true:0x0`, undo);
        await inst.enableEvent(`ftk_reset_${process.pid}`, "probe", undo);
      }
      const first = await run(process.execPath, [ftkBin(), "reset"]);
      assert.equal(first.stderr, "");
      const after = await snapshotTracefsState(fs);
      assert.equal(after.files["instances/"], "");
      assert.equal(after.files["dynamic_events"] ?? "", "");
      assert.equal(after.files["set_event"], "");
      for (const [k, v] of Object.entries(after.files)) {
        if (k.endsWith("/filter")) assert.equal(v, "none", k);
        if (k.endsWith("/trigger")) assert.equal(v, "", k);
        if (k.endsWith("/enable")) assert.equal(v, "0", k);
      }
      for (const key of ["tracing_on", "trace_clock", "options/stacktrace", "set_event_pid", "buffer_percent", "current_tracer"]) {
        assert.equal(after.files[key], before.files[key], key);
      }
      await run(process.execPath, [ftkBin(), "reset"]);
      assert.deepEqual(diffTracefsState(after, await snapshotTracefsState(fs)), [], "a second reset changes nothing");
    } finally {
      await undo.unwind(); // after a good reset every undo is a no-op or fails harmlessly
    }
    await assertTracefsUnchanged(fs, before);
  });
});
