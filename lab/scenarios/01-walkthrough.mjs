// Scenario 1, the seed's walkthrough with ftk: list tracers and functions, record do_sys_openat2 with
// function_graph while `ls` runs, report it. trace-cmd runs the same steps as the baseline that
// proves the checks themselves on this kernel.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { assertStateRestored } from "../lib/lab.mjs";
import { graphBlock } from "../lib/report-text.mjs";

export const name = "walkthrough";
export const title = "scenario 1: walkthrough (list, record function_graph, report)";

const RECORD = ["record", "-p", "function_graph", "-g", "do_sys_openat2", "-O", "funcgraph-proc"];

export const steps = [
  { id: "tc-list-t", argv: ["trace-cmd", "list", "-t"] },
  { id: "list-t", argv: ["ftk", "list", "-t"] },
  { id: "tc-list-f", argv: ["trace-cmd", "list", "-f", "do_sys_open"] },
  { id: "list-f", argv: ["ftk", "list", "-f", "do_sys_open"] },
  { id: "state0", kind: "state", ftk: true },
  { id: "tc-record", argv: ["trace-cmd", ...RECORD, "-o", "tc-graph.dat", "ls"], files: ["tc-graph.dat"], timeoutMs: 300000, retryIfNothingIn: "tc-graph.dat" },
  { id: "state-tc", kind: "state", compareTo: "state0" },
  { id: "record", argv: ["ftk", ...RECORD, "ls"], files: ["trace.dat"], timeoutMs: 300000 },
  { id: "state-ftk", kind: "state", compareTo: "state0", ftk: true },
  { id: "report", argv: ["ftk", "report"], timeoutMs: 180000 },
];

/** Asserts `text` (a report) holds ls's do_sys_openat2() { with timed nested calls and a timed closing }. */
export function assertOpenGraph(text) {
  const block = graphBlock(text, "ls", "do_sys_openat2");
  assert.ok(block, "no 'ls-PID ... do_sys_openat2() {' line in the report");
  assert.ok(block.body.length >= 3, `only ${block.body.length} nested lines under do_sys_openat2() {`);
  assert.ok(block.body.some((l) => l.call.endsWith("() {")), "no nested call with its own block");
  assert.ok(block.body.some((l) => l.duration !== undefined && l.call.endsWith("();")), "no timed leaf call (N.NNN us | f();)");
  assert.ok(block.close, "do_sys_openat2() { has no closing } at its depth");
  assert.ok(block.close.duration > 0, "the closing } has no duration");
}

function functionNames(listOutput) {
  return listOutput.split("\n").map((l) => l.trim()).filter(Boolean).sort();
}

export function tests(lab) {
  describe(title, () => {
    test("trace-cmd list -t shows function_graph (baseline)", () => {
      assert.match(lab.step("walkthrough/tc-list-t").assertOk().stdout, /\bfunction_graph\b/);
    });
    test("ftk list -t shows function_graph", lab.needs("list"), () => {
      assert.match(lab.step("walkthrough/list-t").assertOk().stdout, /\bfunction_graph\b/);
    });
    test("ftk list -f do_sys_open lists the same functions as trace-cmd", lab.needs("list"), () => {
      const expected = functionNames(lab.step("walkthrough/tc-list-f").assertOk().stdout);
      assert.ok(expected.includes("do_sys_openat2"), "trace-cmd list -f lacks do_sys_openat2");
      assert.deepEqual(functionNames(lab.step("walkthrough/list-f").assertOk().stdout), expected);
    });
    test("trace-cmd record + report show ls's do_sys_openat2 graph (baseline)", () => {
      const r = lab.traceCmd("report", "-i", lab.step("walkthrough/tc-record").assertOk().path("tc-graph.dat"));
      assert.equal(r.status, 0, r.stderr);
      assertOpenGraph(r.stdout);
    });
    test("trace-cmd record leaves tracefs as it found it (baseline)", () => {
      assertStateRestored(lab, "walkthrough/state0", "walkthrough/state-tc");
    });
    test("ftk record -p function_graph -g do_sys_openat2 -O funcgraph-proc ls writes trace.dat", lab.needs("record"), () => {
      lab.step("walkthrough/record").assertOk().path("trace.dat");
    });
    test("ftk record leaves tracefs as it found it", lab.needs("record"), () => {
      assertStateRestored(lab, "walkthrough/state0", "walkthrough/state-ftk");
    });
    test("ftk report (in the guest) shows ls's do_sys_openat2() { with nested calls, durations and }", lab.needs("record", "report"), () => {
      assertOpenGraph(lab.step("walkthrough/report").assertOk().stdout);
    });
  });
}
