// Tests against the live kernel tracefs: a fresh instance per suite (libtracefs utest style) plus the top
// level where behaviour differs; every test proves the tracefs state after equals the state before.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { ftkBin } from "../test-support/paths.js";
import { after, before, suite, test } from "node:test";
import { TracefsError } from "../base/index.js";
import type { Instance } from "./instance.js";
import { readSmallSync } from "./io.js";
import { snapshotTracefsState } from "./state.js";
import type { TracefsSnapshot } from "./state.js";
import { assertTracefsUnchanged, openLiveTracefs, testInstanceName } from "./testing.js";
import type { Tracefs } from "./tracefs.js";
import { UndoStack } from "./undo.js";

const live = await openLiveTracefs();

suite("live tracefs", { skip: live.skip }, () => {
  const fs = live.fs as Tracefs;
  const name = testInstanceName("tracefs");
  let inst: Instance;
  let suiteBefore: TracefsSnapshot;

  before(async () => {
    suiteBefore = await snapshotTracefsState(fs);
    inst = await fs.createInstance(name);
  });
  after(async () => {
    await fs.removeInstance(name);
    await assertTracefsUnchanged(fs, suiteBefore);
  });

  /** Runs body with an UndoStack, unwinds it even on failure, then checks the state is as before. */
  async function restoring(body: (undo: UndoStack) => Promise<void>): Promise<void> {
    const snap = await snapshotTracefsState(fs);
    const undo = new UndoStack();
    try {
      await body(undo);
    } finally {
      const failures = await undo.unwind();
      assert.deepEqual(failures, []);
      await assertTracefsUnchanged(fs, snap);
    }
  }

  for (const level of ["instance", "top"] as const) {
    const target = (): Instance => (level === "top" ? fs.topInstance() : inst);

    test(`Instance.enableEvent() and setEventFilter() are undone (${level})`, () => restoring(async (undo) => {
      const i = target();
      const key = (e: { system: string; event: string }): string => `${e.system}:${e.event}`;
      const before = new Set((await i.enabledEvents()).map(key)); // the top level may have others' events on
      await i.enableEvent("sched", "sched_switch", undo);
      await i.setEventFilter("sched", "sched_switch", "prev_pid == 1", undo);
      assert.deepEqual((await i.enabledEvents()).map(key).filter((k) => !before.has(k)), before.has("sched:sched_switch") ? [] : ["sched:sched_switch"]);
      assert.ok((await i.enabledEvents()).some((e) => key(e) === "sched:sched_switch"));
      assert.equal(await i.eventFilter("sched", "sched_switch"), "prev_pid == 1");
      await i.enableEvent("irq", undefined, undo);
      assert.ok((await i.enabledEvents()).some((e) => e.system === "irq"));
    }));

    test(`Instance.setEventFilter() with a bad filter throws the error_log reason and keeps the old filter (${level})`, () => restoring(async () => {
      const i = target();
      const snap = await snapshotTracefsState(fs);
      await assert.rejects(i.setEventFilter("sched", "sched_switch", "nosuchfield == 1"), (e: unknown) => {
        assert.ok(e instanceof TracefsError);
        assert.match(e.message, /^bad filter 'nosuchfield == 1' for event 'sched:sched_switch': .*Field not found/);
        assert.ok(!e.message.includes("\n"));
        return true;
      });
      await assertTracefsUnchanged(fs, snap);
    }));

    test(`Instance.addEventTrigger() is removed by undo; a bad trigger lists the commands (${level})`, () => restoring(async (undo) => {
      const i = target();
      await i.addEventTrigger("sched", "sched_switch", "traceoff if prev_pid == 1", undo);
      await i.addEventTrigger("sched", "sched_wakeup", "stacktrace:5", undo);
      assert.deepEqual(await i.eventTriggers("sched", "sched_switch"), ["traceoff:unlimited if prev_pid == 1"]);
      await assert.rejects(i.addEventTrigger("sched", "sched_switch", "bogus"), /^TracefsError: bad trigger 'bogus' for event 'sched:sched_switch'.*\(available commands: .*traceoff/);
    }));

    test(`Instance options, clock, buffer percent and pids are undone (${level})`, () => restoring(async (undo) => {
      const i = target();
      await i.setOption("stacktrace", true, undo);
      await i.setOption("overwrite", false, undo);
      await i.setTraceClock("global", undo);
      await i.setBufferPercent(10, undo);
      await i.setEventPids([1, process.pid], undo);
      await i.setTracingOn(false, undo);
      assert.equal((await i.options()).get("stacktrace"), true);
      assert.equal((await i.traceClock()).current, "global");
      assert.equal(await i.bufferPercent(), 10);
      assert.deepEqual((await i.eventPids()).sort((a, b) => a - b), [1, process.pid].sort((a, b) => a - b));
      assert.equal(await i.tracingOn(), false);
    }));

    test(`bad tracer, clock, option and event fail in one line without changing state (${level})`, () => restoring(async () => {
      const i = target();
      const snap = await snapshotTracefsState(fs);
      await assert.rejects(i.setCurrentTracer("function_graph"), /^TracefsError: tracer 'function_graph' is not available on this kernel \(available: [^)]*\)/);
      await assert.rejects(i.setTraceClock("nosuchclock"), /^TracefsError: clock 'nosuchclock' is not available on this kernel/);
      await assert.rejects(i.setOption("nosuchoption", true), /^TracefsError: option 'nosuchoption' is not available/);
      await assert.rejects(i.enableEvent("sched", "nosuchevent"), /^TracefsError: event 'sched:nosuchevent' does not exist/);
      await assert.rejects(i.enableEvent("nosuchsystem", undefined), /^TracefsError: event system 'nosuchsystem' does not exist/);
      await assertTracefsUnchanged(fs, snap);
    }));
  }

  test("Instance.setCurrentTracer('function') works and is undone, or says it is not permitted", () => restoring(async (undo) => {
    if (!(await fs.availableTracers()).includes("function")) return;
    try {
      await inst.setCurrentTracer("function", undo);
      assert.equal(await inst.currentTracer(), "function");
    } catch (e) {
      assert.ok(e instanceof TracefsError);
      assert.match(e.message, /^tracer 'function' (is not permitted here \(current_tracer: Operation not permitted\)|was refused by the kernel)/);
      assert.equal(await inst.currentTracer(), "nop");
    }
  }));

  test("Instance.setEventPids() writes a long list (several pages) completely and undo clears it", () => restoring(async (undo) => {
    const pids = Array.from({ length: 3000 }, (_, i) => 10000 + i * 3);
    await inst.setEventPids(pids, undo);
    assert.deepEqual((await inst.eventPids()).sort((a, b) => a - b), pids);
  }));

  test("CpuReader reads whole sub-buffers without blocking and returns 0 when empty", () => restoring(async (undo) => {
    await inst.clearTrace();
    const marker = `ftk-cpureader-${process.pid}`;
    await inst.writeFile("trace_marker", marker);
    const pageSize = await inst.pageSize();
    assert.equal(pageSize % 4096, 0);
    await inst.setTracingOn(false, undo);
    let buffered = 0;
    for (let cpu = 0; cpu < inst.cpuCount(); cpu++) buffered += await inst.cpuBufferedBytes(cpu);
    assert.ok(buffered >= marker.length, `stats report the marker's bytes (${buffered})`);
    let found = false;
    for (let cpu = 0; cpu < inst.cpuCount(); cpu++) {
      const reader = await inst.cpuReader(cpu);
      try {
        const buf = new Uint8Array(pageSize * 4);
        const t0 = performance.now();
        const n = await reader.read(buf, 4);
        assert.equal(n % pageSize, 0);
        if (Buffer.from(buf.subarray(0, n)).includes(marker)) found = true;
        await reader.flush((page) => {
          assert.equal(page.length, pageSize);
          if (Buffer.from(page).includes(marker)) found = true;
        });
        assert.equal(await reader.read(buf, 4), 0);
        assert.ok(performance.now() - t0 < 2000, "reads must not block");
      } finally {
        await reader.close();
      }
    }
    assert.ok(found, "the trace_marker text was read back from trace_pipe_raw");
    for (let cpu = 0; cpu < inst.cpuCount(); cpu++) assert.equal(await inst.cpuBufferedBytes(cpu), 0);
  }));

  test("Tracefs.addDynamicEvent() adds a uprobe that undo removes; a bad one carries error_log", { skip: existsSync("/usr/bin/true") ? false : "no /usr/bin/true" }, () => restoring(async (undo) => {
    const group = `ftk_test_${process.pid}`;
    await fs.addDynamicEvent(`p:${group}/probe_true /usr/bin/true:0x0`, undo);
    assert.ok((await fs.listDynamicEvents()).some((l) => l.includes(`${group}/probe_true`)));
    assert.ok(fs.hasFile(`events/${group}/probe_true/enable`));
    await assert.rejects(fs.addDynamicEvent(`p:${group}/bad /usr/bin/true:0x0 a=%nosuchreg`, undo), (e: unknown) =>
      e instanceof TracefsError && e.code === "EINVAL" && e.message.includes("(kernel: "));
  }));

  test("a user who is not root gets one line saying so (spawned as uid 65534)", { skip: existsSync("/usr/bin/setpriv") ? false : "no setpriv" }, async () => {
    const r = await promisify(execFile)("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, ftkBin(), "stat"])
      .then(() => ({ code: 0, stderr: "" }), (e: { code?: number; stderr?: string }) => ({ code: e.code ?? -1, stderr: e.stderr ?? "" }));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ftk stat: (cannot open tracefs at '[^']+': not permitted: run ftk as root|tracefs is not mounted and mounting it needs root: run ftk as root)\n$/);
  });

  test("readSmallSync() reads a seq_file larger than one kernel buffer to the end", async () => {
    const whole = await fs.readFile("available_events");
    assert.ok(whole.length > 8192, "available_events spans several seq_file buffers");
    assert.equal(readSmallSync(`${fs.root}/available_events`), whole);
  });

  test("snapshotTracefsState() covers the instance and stays fast", async () => {
    // CPU time, not wall time: the shared 2-core machine can be loaded by other work.
    const c0 = process.cpuUsage();
    const snap = await snapshotTracefsState(fs);
    const used = process.cpuUsage(c0);
    const ms = (used.user + used.system) / 1000;
    assert.equal(snap.files[`instances/${name}/tracing_on`], "1");
    assert.ok(snap.files["instances/"]!.split(" ").includes(name));
    assert.ok(snap.files[`instances/${name}/events/sched/sched_switch/enable`] !== undefined);
    assert.ok(ms < 2000, `snapshot took ${ms.toFixed(0)} ms of CPU`);
  });
});
