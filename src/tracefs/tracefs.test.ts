// Tracefs/Instance/UndoStack/snapshot against a temp directory standing in for tracefs.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, suite, test } from "node:test";
import { TracefsError } from "../base/index.js";
import { Tracefs, globRegExp } from "./tracefs.js";
import { UndoStack } from "./undo.js";
import { diffTracefsState, snapshotTracefsState } from "./state.js";
import { isOneReadFile, readSmallSync } from "./io.js";

const FILES: Record<string, string> = {
  "tracing_on": "1\n",
  "current_tracer": "nop\n",
  "available_tracers": "blk function nop\n",
  "available_events": "sched:sched_switch\nsched:sched_wakeup\nsyscalls:sys_enter_read\n",
  "trace_clock": "[local] global counter\n",
  "buffer_size_kb": "7 (expanded: 1408)\n",
  "buffer_percent": "50\n",
  "set_event": "",
  "set_event_pid": "",
  "options/overwrite": "1\n",
  "options/stacktrace": "0\n",
  "events/header_page": "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;\n",
  "events/sched/sched_switch/enable": "0\n",
  "events/sched/sched_switch/filter": "none\n",
  "events/sched/sched_switch/trigger": "# Available triggers:\n# traceon traceoff\n",
  "per_cpu/cpu0/stats": "entries: 0\n",
  "per_cpu/cpu1/stats": "entries: 0\n",
  "uprobe_events": "",
  "dynamic_events": "",
};

suite("Tracefs on a stand-in directory", () => {
  let root = "";
  let fs: Tracefs;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), "ftk-fake-tracefs-"));
    for (const [rel, text] of Object.entries(FILES)) {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), text);
    }
    mkdirSync(join(root, "instances"));
    fs = await Tracefs.open({ root });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test("Tracefs.open() rejects a missing root with one line", async () => {
    await assert.rejects(Tracefs.open({ root: join(root, "nope") }), (e: unknown) => e instanceof TracefsError && /^cannot open tracefs at '.*nope': it does not exist$/.test(e.message));
  });

  test("readFile()/writeFile() replace and append; a missing file says not available", async () => {
    await fs.writeFile("set_event_pid", "1 2");
    await fs.writeFile("set_event_pid", " 3", { append: true });
    assert.equal(await fs.readFile("set_event_pid"), "1 2 3");
    await fs.writeFile("set_event_pid", "");
    assert.equal(await fs.readFile("set_event_pid"), "");
    await assert.rejects(fs.readFile("kprobe_events"), /^TracefsError: cannot read 'kprobe_events': not available on this kernel$/);
    await assert.rejects(fs.writeFile("kprobe_events", "p:x y"), /cannot write 'p:x y' to 'kprobe_events': not available on this kernel/);
  });

  test("setters push inverses that unwind() runs newest first", async () => {
    const top = fs.topInstance();
    const undo = new UndoStack();
    await top.setTracingOn(false, undo);
    await top.setOption("stacktrace", true, undo);
    await top.setBufferSizeKb(4096, undo);
    await top.setTraceClock("global", undo);
    await top.setEventPids([5, 6], undo);
    assert.equal(await top.tracingOn(), false);
    assert.equal((await top.options()).get("stacktrace"), true);
    assert.equal(await top.bufferSizeKb(), 4096);
    assert.equal(await top.readFile("set_event_pid"), "5 6");
    assert.equal(undo.size, 5);
    assert.deepEqual(await undo.unwind(), []);
    assert.equal(await top.tracingOn(), true);
    assert.equal((await top.options()).get("stacktrace"), false);
    assert.equal(await top.bufferSizeKb(), 1408);
    assert.equal(readFileSync(join(root, "trace_clock"), "latin1"), "local");
    assert.deepEqual(await top.eventPids(), []);
    writeFileSync(join(root, "trace_clock"), FILES["trace_clock"]!);
  });

  test("UndoStack.unwind() collects failures and keeps going", async () => {
    const undo = new UndoStack();
    const order: number[] = [];
    undo.push("first", async () => { order.push(1); });
    undo.push("broken", async () => { throw new Error("boom"); });
    undo.push("third", async () => { order.push(3); });
    assert.deepEqual(await undo.unwind(), ["broken: boom"]);
    assert.deepEqual(order, [3, 1]);
    assert.deepEqual(await undo.unwind(), []);
  });

  test("UndoStack.unwindTo() runs only the undos pushed above the mark, newest first; unwind() the rest", async () => {
    const undo = new UndoStack({ journal: false });
    const order: number[] = [];
    undo.push("first", async () => { order.push(1); });
    const mark = undo.size;
    undo.push("second", async () => { order.push(2); });
    undo.push("broken", async () => { throw new Error("boom"); });
    undo.push("fourth", async () => { order.push(4); });
    assert.deepEqual(await undo.unwindTo(mark), ["broken: boom"]);
    assert.deepEqual(order, [4, 2]);
    assert.equal(undo.size, 1);
    assert.deepEqual(await undo.unwindTo(mark), [], "nothing left above the mark");
    assert.deepEqual(await undo.unwind(), []);
    assert.deepEqual(order, [4, 2, 1]);
  });

  test("checks give one-line errors for unknown tracer, clock, option and event", async () => {
    const top = fs.topInstance();
    await assert.rejects(top.setCurrentTracer("function_graph"), (e: unknown) =>
      e instanceof TracefsError && e.message.startsWith("tracer 'function_graph' is not available on this kernel (available: blk function nop); ") && e.message.includes("uprobes"));
    await assert.rejects(top.setTraceClock("bogus"), /^TracefsError: clock 'bogus' is not available on this kernel \(available: local global counter\)$/);
    await assert.rejects(top.setOption("nosuch", true), /^TracefsError: option 'nosuch' is not available on this kernel \(see 'ftk list -o'\)$/);
    await assert.rejects(top.enableEvent("sched", "nosuch"), /^TracefsError: event 'sched:nosuch' does not exist/);
    await assert.rejects(top.enableEvent("..", undefined), /bad system name/);
    await assert.rejects(fs.matchEvents("nosuch*"), /event 'nosuch\*' does not exist/);
    assert.equal(await top.currentTracer(), "nop");
  });

  test("matchEvents() follows trace-cmd -e: system, event, sys:event, globs, all", async () => {
    assert.equal((await fs.matchEvents("all")).length, 3);
    assert.deepEqual((await fs.matchEvents("sched")).map((e) => e.event), ["sched_switch", "sched_wakeup"]);
    assert.deepEqual(await fs.matchEvents("sys_enter_read"), [{ system: "syscalls", event: "sys_enter_read" }]);
    assert.deepEqual((await fs.matchEvents("sched:*wake*")).map((e) => e.event), ["sched_wakeup"]);
    assert.deepEqual((await fs.matchEvents("*:sched_s?itch")).map((e) => e.event), ["sched_switch"]);
    assert.ok(globRegExp("a.b").test("a.b"));
    assert.ok(!globRegExp("a.b").test("axb"));
  });

  test("createInstance() pushes its removal; instance() of a missing one throws", async () => {
    const undo = new UndoStack();
    const inst = await fs.createInstance("t1", undo);
    assert.equal(inst.name, "t1");
    assert.deepEqual(await fs.listInstances(), ["t1"]);
    await assert.rejects(fs.createInstance("t1"), /instance 't1' already exists/);
    await undo.unwind();
    assert.deepEqual(await fs.listInstances(), []);
    assert.throws(() => fs.instance("t1"), /instance 't1' does not exist/);
    await assert.rejects(fs.createInstance("../x"), /bad instance name/);
  });

  test("snapshotTracefsState() normalizes and diffTracefsState() names each change", async () => {
    const a = await snapshotTracefsState(fs);
    assert.equal(a.files["buffer_size_kb"], "1408");
    assert.equal(a.files["events/sched/sched_switch/trigger"], "");
    assert.equal(a.files["options/overwrite"], "1");
    writeFileSync(join(root, "events/sched/sched_switch/filter"), "prev_pid == 1\n");
    writeFileSync(join(root, "tracing_on"), "0\n");
    const b = await snapshotTracefsState(fs);
    assert.deepEqual(diffTracefsState(a, b), [
      "events/sched/sched_switch/filter: 'none' -> 'prev_pid == 1'",
      "tracing_on: '1' -> '0'",
    ]);
    writeFileSync(join(root, "events/sched/sched_switch/filter"), "none\n");
    writeFileSync(join(root, "tracing_on"), "1\n");
    assert.deepEqual(diffTracefsState(a, await snapshotTracefsState(fs)), []);
  });

  test("readSmallSync() reads past its 64 KiB buffer; isOneReadFile() knows enable/filter/options", () => {
    const big = "x".repeat(200_000) + "end";
    writeFileSync(join(root, "big"), big);
    assert.equal(readSmallSync(join(root, "big")), big);
    assert.equal(readSmallSync(join(root, "big"), true), big);
    for (const rel of ["events/sched/sched_switch/enable", "instances/a/events/irq/irq_handler_entry/filter", "options/overwrite"]) assert.ok(isOneReadFile(rel), rel);
    for (const rel of ["events/sched/sched_switch/trigger", "set_event", "uprobe_events"]) assert.ok(!isOneReadFile(rel), rel);
  });

  test("cpuCount() and pageSize() come from per_cpu and header_page", async () => {
    assert.equal(fs.cpuCount(), 2);
    assert.equal(await fs.topInstance().pageSize(), 4096);
  });
});
