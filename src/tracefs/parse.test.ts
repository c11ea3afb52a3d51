import assert from "node:assert/strict";
import { suite, test } from "node:test";
import {
  dynamicEventName, formatErrorLogEntry, pageSizeFromHeaderPage, parseAvailableEvents, parseBufferSizeKb,
  parseCpuStats, parseErrorLog, parseFilter, parseTraceClock, parseTraceOptions, parseTriggers,
} from "./parse.js";
import { parseAvailableTriggers, triggerRemoval } from "./instance.js";

suite("tracefs parsers", () => {
  test("parseTraceClock() finds the bracketed clock", () => {
    assert.deepEqual(parseTraceClock("local [global] counter x86-tsc\n"), { current: "global", available: ["local", "global", "counter", "x86-tsc"] });
    assert.equal(parseTraceClock("[local] global\n").current, "local");
  });

  test("parseAvailableEvents() splits system:event lines", () => {
    assert.deepEqual(parseAvailableEvents("sched:sched_switch\nsyscalls:sys_enter_read\n\n"), [
      { system: "sched", event: "sched_switch" },
      { system: "syscalls", event: "sys_enter_read" },
    ]);
  });

  test("parseBufferSizeKb() returns the expanded size before first use", () => {
    assert.equal(parseBufferSizeKb("7 (expanded: 1408)\n"), 1408);
    assert.equal(parseBufferSizeKb("1410\n"), 1410);
    assert.throws(() => parseBufferSizeKb("x"));
  });

  test("parseCpuStats() reads name: value lines", () => {
    const s = parseCpuStats("entries: 12\noverrun: 3\ncommit overrun: 0\noldest event ts:     0.000000\nnow ts:   571.341754\n");
    assert.equal(s.get("entries"), "12");
    assert.equal(s.get("overrun"), "3");
    assert.equal(s.get("now ts"), "571.341754");
  });

  test("parseTraceOptions() maps no-prefixed options to false", () => {
    const m = parseTraceOptions("print-parent\nnosym-offset\nnoverbose\n");
    assert.deepEqual([...m], [["print-parent", true], ["sym-offset", false], ["verbose", false]]);
  });

  test("parseErrorLog() and formatErrorLogEntry() give one line with the caret position", () => {
    const text = "[  585.866677] event filter parse error: error: Field not found\n  Command: foo == 1\n               ^\n" +
      "[  590.000001] trace_uprobe: error: Invalid fetch argument\n  Command: p:g/e /bin/true:0x10 a=%zz\n" + " ".repeat(11 + 23) + "^\n";
    const entries = parseErrorLog(text);
    assert.equal(entries.length, 2);
    assert.equal(entries[0]!.command, "foo == 1");
    assert.equal(entries[0]!.column, 4); // as captured from 6.18: the caret sits under "=="
    assert.equal(formatErrorLogEntry(entries[0]!), "event filter parse error: Field not found in 'foo == 1' at position 4");
    assert.equal(entries[1]!.column, 23); // points at "%zz"
    assert.equal(formatErrorLogEntry(entries[1]!), "trace_uprobe: Invalid fetch argument in 'p:g/e /bin/true:0x10 a=%zz' at position 23");
    assert.deepEqual(parseErrorLog(""), []);
  });

  test("parseTriggers() drops the available-triggers comment", () => {
    assert.deepEqual(parseTriggers("# Available triggers:\n# traceon traceoff stacktrace\n"), []);
    assert.deepEqual(parseTriggers("traceoff:unlimited if prev_pid == 1\nstacktrace:count=2\n"), ["traceoff:unlimited if prev_pid == 1", "stacktrace:count=2"]);
    assert.deepEqual(parseAvailableTriggers("# Available triggers:\n# traceon traceoff stacktrace enable_event disable_event\n"), ["traceon", "traceoff", "stacktrace", "enable_event", "disable_event"]);
  });

  test("triggerRemoval() strips filter, :unlimited and :count=N", () => {
    assert.equal(triggerRemoval("traceoff:unlimited if prev_pid == 1"), "traceoff");
    assert.equal(triggerRemoval("stacktrace:count=2"), "stacktrace");
    assert.equal(triggerRemoval("enable_event:sched:sched_wakeup:unlimited"), "enable_event:sched:sched_wakeup");
    assert.equal(triggerRemoval("traceon:5 if common_pid == 3"), "traceon:5");
  });

  test("parseFilter() maps none to undefined", () => {
    assert.equal(parseFilter("none\n"), undefined);
    assert.equal(parseFilter("prev_pid == 1\n"), "prev_pid == 1");
  });

  test("pageSizeFromHeaderPage() adds offset and size of data", () => {
    const hp = "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n" +
      "\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;\n";
    assert.equal(pageSizeFromHeaderPage(hp), 4096);
    assert.throws(() => pageSizeFromHeaderPage("nothing"));
  });

  test("dynamicEventName() reads group/event of a definition line", () => {
    assert.equal(dynamicEventName("p:uprobes/p_true_0x10 /bin/true:0x0000000000000010"), "uprobes/p_true_0x10");
    assert.equal(dynamicEventName("r:mygrp/ret /lib/libc.so.6:0x7e6d0 ret=$retval:x64"), "mygrp/ret");
    assert.equal(dynamicEventName("garbage"), undefined);
  });
});
