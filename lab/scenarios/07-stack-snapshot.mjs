// Scenario 6 (issue 12), commands that need the lab kernel: `ftk stack` (CONFIG_STACK_TRACER) against
// trace-cmd stack on the same frozen stack, `ftk snapshot` (CONFIG_TRACER_SNAPSHOT) against trace-cmd
// snapshot on the same snapshot buffer, check-events on the 6.1 kernel's formats, and `record --func-stack`
// (option func_stack_trace of the function tracer) read by both tools.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { assertSameText, assertStateRestored } from "../lib/lab.mjs";

export const name = "stack-snapshot";
export const title = "scenario 6: stack tracer, snapshot buffer, check-events";

export const steps = [
  { id: "state0", kind: "state" },
  { id: "tc-stack-start", argv: ["trace-cmd", "stack", "--start"] },
  { id: "ls", argv: ["ls", "-R", "/usr/lib"] },
  { id: "tc-stack-stop", argv: ["trace-cmd", "stack", "--stop"] },
  // The tracer is stopped: both read the same deepest stack.
  { id: "tc-stack", argv: ["trace-cmd", "stack"] },
  { id: "ftk-stack", argv: ["ftk", "stack"] },
  { id: "ftk-stack-start", argv: ["ftk", "stack", "--start"] },
  { id: "ftk-stack-running", argv: ["ftk", "stack"] },
  { id: "ftk-stack-stop", argv: ["ftk", "stack", "--stop"] },
  { id: "ftk-stack-reset", argv: ["ftk", "stack", "--reset"] },
  { id: "tc-stack-after-reset", argv: ["trace-cmd", "stack"] },
  { id: "ftk-stack-after-reset", argv: ["ftk", "stack"] },
  { id: "tc-snapshot-take", argv: ["trace-cmd", "snapshot", "-s"] },
  { id: "tc-snapshot", argv: ["trace-cmd", "snapshot"] },
  { id: "ftk-snapshot", argv: ["ftk", "snapshot"] },
  { id: "ftk-snapshot-reset", argv: ["ftk", "snapshot", "-r"] },
  { id: "ftk-snapshot-take", argv: ["ftk", "snapshot", "-s"] },
  { id: "ftk-snapshot-free", argv: ["ftk", "snapshot", "-f"] },
  { id: "tc-check-events", argv: ["trace-cmd", "check-events"] },
  { id: "ftk-check-events", argv: ["ftk", "check-events"] },
  { id: "ftk-func-stack", argv: ["ftk", "record", "-q", "-p", "function", "-l", "vfs_read", "--func-stack", "-o", "func-stack.dat", "cat", "/proc/version"], files: ["func-stack.dat"], timeoutMs: 300000 },
  { id: "state-end", kind: "state", compareTo: "state0" },
];

export function tests(lab) {
  describe(title, () => {
    test("trace-cmd stack prints the stopped stack tracer's deepest stack (baseline)", () => {
      const out = lab.step("stack-snapshot/tc-stack").assertOk().stdout;
      assert.match(out, /^\(stack tracer not running\)\n/);
      assert.match(out, /Depth\s+Size\s+Location/);
    });
    test("ftk stack prints what trace-cmd stack prints", lab.needs("stack"), () => {
      assert.equal(lab.step("stack-snapshot/ftk-stack").assertOk().stdout, lab.step("stack-snapshot/tc-stack").assertOk().stdout);
    });
    test("ftk stack --start/--stop/--reset drive the stack tracer", lab.needs("stack"), () => {
      lab.step("stack-snapshot/ftk-stack-start").assertOk();
      assert.match(lab.step("stack-snapshot/ftk-stack-running").assertOk().stdout, /^\(stack tracer running\)\n/);
      lab.step("stack-snapshot/ftk-stack-stop").assertOk();
      lab.step("stack-snapshot/ftk-stack-reset").assertOk();
      assert.equal(lab.step("stack-snapshot/ftk-stack-after-reset").assertOk().stdout, lab.step("stack-snapshot/tc-stack-after-reset").assertOk().stdout);
    });
    test("ftk snapshot prints the snapshot trace-cmd took, and -r, -s, -f work", lab.needs("snapshot"), () => {
      lab.step("stack-snapshot/tc-snapshot-take").assertOk();
      assert.equal(lab.step("stack-snapshot/ftk-snapshot").assertOk().stdout, lab.step("stack-snapshot/tc-snapshot").assertOk().stdout);
      for (const id of ["ftk-snapshot-reset", "ftk-snapshot-take", "ftk-snapshot-free"]) lab.step(`stack-snapshot/${id}`).assertOk();
    });
    test("ftk check-events agrees with trace-cmd check-events on the 6.1 kernel", lab.needs("check-events"), () => {
      const tc = lab.step("stack-snapshot/tc-check-events");
      const ours = lab.step("stack-snapshot/ftk-check-events");
      assert.equal(ours.status, tc.status, ours.stdout + ours.stderr);
    });
    test("record --func-stack: each vfs_read call has its kernel stack, and trace-cmd reports the file as ftk does", () => {
      const file = lab.step("stack-snapshot/ftk-func-stack").assertOk().path("func-stack.dat");
      const tc = lab.traceCmd("report", "-i", file);
      assert.equal(tc.status, 0, tc.stderr);
      assert.equal(tc.stderr, "");
      const lines = tc.stdout.split("\n");
      const calls = lines.map((l, i) => [l, i]).filter(([l]) => / function: +vfs_read\b/.test(l));
      assert.ok(calls.some(([l]) => /^ +cat-\d+ /.test(l)), "cat's vfs_read calls are recorded");
      // The stack is the next record of the same task on the same CPU (other CPUs' lines may come between).
      for (const [l, i] of calls) {
        const who = /^ *(\S+ +\[\d+\])/.exec(l)[1];
        const next = lines.findIndex((m, j) => j > i && m.trimStart().startsWith(who));
        assert.match(lines[next] ?? "", /kernel_stack: +<stack trace >/, `the stack after line ${i + 1}`);
        assert.match(lines[next + 1] ?? "", /^=> \S+/);
      }
      const ours = lab.ftk("report", "-i", file);
      assert.equal(ours.status, 0, ours.stderr);
      assertSameText(ours.stdout, tc.stdout, "ftk report -i func-stack.dat");
    });
    test("the stack tracer and snapshot steps leave tracefs as it was", () => {
      assertStateRestored(lab, "stack-snapshot/state0", "stack-snapshot/state-end");
    });
  });
}
