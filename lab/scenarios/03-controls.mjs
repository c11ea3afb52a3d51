// Scenario 3, function-tracer controls of `record`: -l/-n/-g globs, --max-graph-depth, -F with
// set_ftrace_pid, -c with function-fork, and -O options; tracefs must be back as it was after each
// run. Each check runs on trace-cmd's recording too, which proves it on this kernel.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { assertStateRestored } from "../lib/lab.mjs";
import { functionCalls, graphLines, reportEvents } from "../lib/report-text.mjs";

export const name = "controls";
export const title = "scenario 3: function-tracer controls and tracefs restore";

/** [key, record args, command, check of the report text]. */
const RUNS = [
  ["filter", ["-p", "function", "-l", "vfs_*", "-n", "vfs_write*", "-F"], ["ls"], (text) => {
    const calls = functionCalls(text);
    assert.ok(calls.length > 0, "no function events");
    assert.deepEqual(calls.filter((c) => !c.func.startsWith("vfs_")).map((c) => c.func).slice(0, 3), [], "-l 'vfs_*' let other functions through");
    assert.deepEqual(calls.filter((c) => c.func.startsWith("vfs_write")).map((c) => c.func).slice(0, 3), [], "-n 'vfs_write*' did not exclude");
    assert.deepEqual([...new Set(calls.map((c) => c.comm))], ["ls"], "-F traced tasks other than the command");
  }],
  ["depth", ["-p", "function_graph", "-g", "do_sys_open*", "--max-graph-depth", "2", "-O", "funcgraph-proc", "-O", "nofuncgraph-irqs"], ["ls"], (text) => {
    const lines = graphLines(text);
    assert.ok(lines.length > 0, "no function_graph lines");
    const indents = [...new Set(lines.map((l) => l.indent))].sort((a, b) => a - b);
    assert.ok(indents.length <= 2, `--max-graph-depth 2 but ${indents.length} depths (indents ${indents.join(",")})`);
    // A task scheduled in mid-graph may show a stray root (finish_task_switch), so only ask for ours.
    assert.ok(lines.some((l) => l.indent === indents[0] && /^do_sys_open\w*\(\) \{$/.test(l.call)), "no do_sys_open*() { root from -g 'do_sys_open*'");
    assert.ok(lines.some((l) => l.indent > indents[0]), "no nested call under the roots");
  }],
  ["stack", ["-p", "function", "-l", "do_sys_openat2", "-O", "func_stack_trace", "-F"], ["ls", "/"], (text) => {
    const calls = functionCalls(text);
    assert.ok(calls.some((c) => c.func === "do_sys_openat2" && c.comm === "ls"), "no do_sys_openat2 of ls");
    assert.ok(reportEvents(text).some((e) => e.event === "kernel_stack" && e.comm === "ls"), "func_stack_trace gave no kernel_stack event");
    assert.match(text, /^=> do_syscall_64 \([0-9a-f]+\)$/m, "no stack line through do_syscall_64");
  }],
  ["nofork", ["-p", "function", "-l", "do_sys_openat2", "-F"], ["sh", "-c", "ls /; ls /"], (text) => {
    const pids = new Set(functionCalls(text).map((c) => c.pid));
    assert.equal(pids.size, 1, `-F without -c traced ${pids.size} tasks`);
  }],
  ["fork", ["-p", "function", "-l", "do_sys_openat2", "-F", "-c"], ["sh", "-c", "ls /; ls /"], (text) => {
    const pids = new Set(functionCalls(text).map((c) => c.pid));
    assert.ok(pids.size >= 2, `-F -c traced only ${pids.size} task(s): function-fork did not follow the child`);
  }],
];

export const steps = [{ id: "state0", kind: "state" }];
for (const [key, args, command] of RUNS) {
  for (const tool of ["trace-cmd", "ftk"]) {
    const t = tool === "ftk" ? "ftk" : "tc";
    steps.push(
      { id: `${t}-${key}`, argv: [tool, "record", ...args, "-o", `${t}-${key}.dat`, ...command], files: [`${t}-${key}.dat`], timeoutMs: 300000 },
      { id: `state-${t}-${key}`, kind: "state", compareTo: "state0" },
    );
  }
}

export function tests(lab) {
  describe(title, () => {
    for (const [key, args, command, check] of RUNS) {
      const what = `record ${args.join(" ")} ${command.join(" ")}`;
      test(`trace-cmd ${what} (baseline)`, () => {
        const r = lab.traceCmd("report", "-i", lab.step(`controls/tc-${key}`).assertOk().path(`tc-${key}.dat`));
        assert.equal(r.status, 0, r.stderr);
        check(r.stdout);
        assertStateRestored(lab, "controls/state0", `controls/state-tc-${key}`);
      });
      test(`ftk ${what}`, lab.needs("record"), () => {
        const file = lab.step(`controls/ftk-${key}`).assertOk().path(`ftk-${key}.dat`);
        const r = lab.traceCmd("report", "-i", file);
        assert.equal(r.status, 0, `trace-cmd cannot read ftk's file: ${r.stderr}`);
        check(r.stdout);
        assertStateRestored(lab, "controls/state0", `controls/state-ftk-${key}`);
      });
    }
  });
}
