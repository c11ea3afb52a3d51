// `ftk report --pid/--comm` against trace-cmd 3.1.6 on real fixtures (report-output.md §7; trace-read.c make_pid_filter).
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { sharedDir, skipWithoutShared } from "../test-support/paths.js";
import { parseReportArgs } from "./report.js";
import { firstDifference, runFtk } from "./report-test-helpers.js";

function skipWithoutOracle(): string | false {
  const shared = skipWithoutShared();
  if (shared !== false) return shared;
  return spawnSync("trace-cmd", ["--version"]).error !== undefined ? "trace-cmd not installed (apt-get install -y trace-cmd)" : false;
}

function fixture(name: string): string {
  return join(sharedDir()!, "fixtures", "tracedat", name);
}

test("parseReportArgs collects --pid and --comm lists, comma-separated and repeatable", () => {
  const o = parseReportArgs(["--pid", "99,8", "--comm", "ls", "--pid=,7,", "--comm", "a,b", "t.dat"]);
  assert.ok(o !== "help");
  assert.deepEqual(o.pids, ["99", "8", "7"]);
  assert.deepEqual(o.comms, ["ls", "a", "b"]);
  const none = parseReportArgs(["t.dat"]);
  assert.ok(none !== "help");
  assert.equal(none.pids, undefined);
  assert.equal(none.comms, undefined);
});

// (file, arguments): pids as common_pid/pid/next_pid, several pids, comm names with several pids each,
// --pid OR-ed with an earlier -F, and a -v group that does not invert the pid filter.
const CASES: [string, string[]][] = [
  ["v6-i686-1cpu-listen-noopts.dat", ["--pid", "99"]],
  ["v6-i686-1cpu-listen-noopts.dat", ["--pid", "99,8", "--pid", "100"]],
  ["v6-i686-k5.15-sched-switch.dat", ["--comm", "trace-cmd,rcu_sched"]],
  ["v6-i686-k5.15-sched-switch.dat", ["--comm", "rcu_sched", "--pid", "0"]],
  ["v6-i686-1cpu-listen-noopts.dat", ["-F", "softirq_raise", "--pid", "8"]],
  ["v6-i686-1cpu-listen-noopts.dat", ["-v", "-F", "sched_switch", "--pid", "8"]],
];

for (const [file, args] of CASES) {
  test(`ftk report ${args.join(" ")} -i ${file} prints what trace-cmd prints`, { skip: skipWithoutOracle() }, async () => {
    const path = fixture(file);
    const expected = execFileSync("trace-cmd", ["report", ...args, "-i", path], { stdio: ["ignore", "pipe", "ignore"], maxBuffer: 1 << 26 }).toString("latin1");
    const r = await runFtk(["report", ...args, "-i", path]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const diff = firstDifference(expected, r.stdout);
    assert.equal(diff, undefined, diff);
    assert.notEqual(expected.split("\n").length, 1, "the filter must keep some events");
  });
}

test("ftk report --comm with an unknown name warns on stderr and filters nothing, as trace-cmd", { skip: skipWithoutOracle() }, async () => {
  const path = fixture("v6-i686-k5.15-sched-switch.dat");
  const expected = execFileSync("trace-cmd", ["report", "--comm", "no-such-task", "-i", path], { stdio: ["ignore", "pipe", "ignore"] }).toString("latin1");
  const r = await runFtk(["report", "--comm", "no-such-task", "-i", path]);
  assert.equal(r.code, 0);
  assert.equal(firstDifference(expected, r.stdout), undefined);
  assert.equal(r.stderr, `ftk report: warning: comm 'no-such-task' not in the saved cmdlines of '${path}'\n`);
});
