// Scenario 2, cross-check with trace-cmd 3.1.6 on the same kernel: the same recording made once by
// each tool, then each tool's report of the other's file must equal the other's own report, byte
// for byte; so must ftk hist and trace-cmd hist. function_graph reuses scenario 1's two recordings.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { assertSameText } from "../lib/lab.mjs";
import { functionCalls, reportEvents } from "../lib/report-text.mjs";

export const name = "crosscheck";
export const title = "scenario 2: cross-check ftk and trace-cmd reports on each other's files";

const FUNC = ["record", "-p", "function", "-l", "vfs_*"];
const EVENTS = ["record", "-e", "syscalls:sys_enter_openat", "-e", "sched:sched_process_exec", "-T"];
// trace-cmd's own recordings are made again when they come out empty (lab/guest/runner.mjs).
const rec = (id, tool, args, file) => ({
  id, argv: [tool, ...args, "-o", file, "ls"], files: [file], timeoutMs: 300000,
  ...(tool === "trace-cmd" ? { retryIfNothingIn: file } : {}),
});

export const steps = [
  rec("tc-func", "trace-cmd", FUNC, "tc-func.dat"),
  rec("ftk-func", "ftk", FUNC, "ftk-func.dat"),
  rec("tc-events", "trace-cmd", EVENTS, "tc-events.dat"),
  rec("ftk-events", "ftk", EVENTS, "ftk-events.dat"),
];

/** The three recordings: [label, trace-cmd step/file, ftk step/file, check of the report's content]. */
const PAIRS = [
  ["function_graph -g do_sys_openat2", ["walkthrough/tc-record", "tc-graph.dat"], ["walkthrough/record", "trace.dat"], (text) => {
    assert.match(text, /\| {2}do_sys_openat2\(\) \{$/m);
  }],
  ["function -l 'vfs_*'", ["crosscheck/tc-func", "tc-func.dat"], ["crosscheck/ftk-func", "ftk-func.dat"], (text) => {
    const calls = functionCalls(text);
    assert.ok(calls.length > 0, "no function events");
    assert.deepEqual(calls.filter((c) => !c.func.startsWith("vfs_")).slice(0, 3), [], "functions outside 'vfs_*'");
  }],
  ["events with -T stack traces", ["crosscheck/tc-events", "tc-events.dat"], ["crosscheck/ftk-events", "ftk-events.dat"], (text) => {
    const events = reportEvents(text);
    assert.ok(events.some((e) => e.event === "sys_enter_openat" && e.comm === "ls"), "no sys_enter_openat of ls");
    assert.ok(events.some((e) => e.event === "sched_process_exec"), "no sched_process_exec");
    assert.ok(events.some((e) => e.event === "kernel_stack"), "no kernel_stack event (-T)");
    assert.match(text, /^=> \S+ \([0-9a-f]+\)$/m, "no '=> function (address)' stack lines");
  }],
];

export function tests(lab) {
  describe(title, () => {
    for (const [label, [tcStep, tcFile], [ftkStep, ftkFile], check] of PAIRS) {
      test(`trace-cmd report on trace-cmd's ${label} file has the expected content (baseline)`, () => {
        const r = lab.traceCmd("report", "-i", lab.step(tcStep).assertOk().path(tcFile));
        assert.equal(r.status, 0, r.stderr);
        check(r.stdout);
      });
      test(`ftk report on trace-cmd's ${label} file equals trace-cmd report`, lab.needs("report"), () => {
        const file = lab.step(tcStep).assertOk().path(tcFile);
        const expected = lab.traceCmd("report", "-i", file);
        const actual = lab.ftk("report", "-i", file);
        assert.equal(actual.status, 0, actual.stderr);
        assertSameText(actual.stdout, expected.stdout, `ftk report -i ${tcFile}`);
      });
      test(`trace-cmd report on ftk's ${label} file equals ftk report`, lab.needs("record", "report"), () => {
        const file = lab.step(ftkStep).assertOk().path(ftkFile);
        const expected = lab.traceCmd("report", "-i", file);
        assert.equal(expected.status, 0, `trace-cmd cannot read ftk's file: ${expected.stderr}`);
        check(expected.stdout);
        const actual = lab.ftk("report", "-i", file);
        assert.equal(actual.status, 0, actual.stderr);
        assertSameText(actual.stdout, expected.stdout, `ftk report -i ${ftkFile}`);
      });
      // hist counts call sites from function_graph, function and kernel_stack records: both tools' files.
      test(`ftk hist equals trace-cmd hist on both tools' ${label} files`, lab.needs("record", "hist"), () => {
        for (const file of [lab.step(tcStep).assertOk().path(tcFile), lab.step(ftkStep).assertOk().path(ftkFile)]) {
          const expected = lab.traceCmd("hist", "-i", file);
          assert.equal(expected.status, 0, expected.stderr);
          const actual = lab.ftk("hist", "-i", file);
          assert.equal(actual.status, 0, actual.stderr);
          assertSameText(actual.stdout, expected.stdout, `ftk hist -i ${file}`);
        }
      });
    }
  });
}
