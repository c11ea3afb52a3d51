// `ftk report -F/-v` against the oracle: the same fixture through `trace-cmd report` 3.1.6 and
// bin/ftk must print the same bytes (report-output.md §7). Spawns both, so it needs trace-cmd,
// ../shared and a build; it skips with the reason when one is missing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ftkBin, repoRoot, sharedDir, skipWithoutShared } from "../../test-support/paths.js";
import { traceCmdReport } from "../../test-support/trace-cmd.js";

function skipReason(): string | false {
  const shared = skipWithoutShared();
  if (shared) return shared;
  if (spawnSync("trace-cmd", ["--version"]).error !== undefined) return "trace-cmd not installed (apt-get install -y trace-cmd)";
  if (!existsSync(join(repoRoot(), "dist", "cli", "report.js"))) return "ftk report not built";
  return false;
}

function run(cmd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: "latin1", maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The first line that differs, with its number, or undefined when the texts are equal. */
function firstDifference(expected: string, actual: string): string | undefined {
  if (expected === actual) return undefined;
  const a = expected.split("\n");
  const b = actual.split("\n");
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}:\n  trace-cmd: ${JSON.stringify(a[i])}\n  ftk:       ${JSON.stringify(b[i])}`;
  }
  return "same lines, different line endings";
}

const cases: [fixture: string, args: string[], what: string][] = [
  ["v6-armv7-1cpu-irq-softirq-gpio.dat", ["-F", "sched_switch"], "an event name"],
  ["v6-armv7-1cpu-irq-softirq-gpio.dat", ["-F", "irq/irq_handler_entry,softirq_e.*"], "a list of names and regexes"],
  ["v6-armv7-1cpu-irq-softirq-gpio.dat", ["-F", "sched:prev_pid>1000||pid==8"], "fields a system's events lack"],
  ["v6-i686-4cpu-sched-wakeup.dat", ["-F", "sched_switch:prev_pid==0 || next_pid==0 && prev_pid==0"], "&& and || left to right"],
  ["v6-i686-4cpu-sched-wakeup.dat", ["-F", "sched_switch:prev_prio==-1"], "== -1 read as - 1"],
  ["v6-i686-4cpu-sched-wakeup.dat", ["-F", "sched_switch:CPU==2", "-F", 'sched_wakeup:comm=="rcu_sched"'], "two -F, CPU and a string"],
  ["v6-armv7-1cpu-irq-softirq-gpio.dat", ["-F", 'sched_switch:prev_comm=~"^k.*"'], "a regex"],
  ["v6-i686-4cpu-sched-wakeup.dat", ["-F", 'sched_switch:prev_comm ~ "kw*"'], "a '~' glob (an error for every record)"],
  ["v6-armv7-1cpu-irq-softirq-gpio.dat", ["-F", '.*:COMM!="bash"'], "COMM"],
  ["v6-i686-1cpu-function.dat", ["-F", 'function:parent_ip =~ "^do_"'], "a pointer field as a symbol name"],
  ["v6-armv7-1cpu-irq-softirq-gpio.dat", ["-v", "-F", "irq"], "-v"],
  ["v6-armv7-1cpu-irq-softirq-gpio.dat", ["-F", "sched", "-v", "-F", "sched_switch:prev_state & 2"], "-F then -v -F"],
  ["lab-v7-zstd-x86_64-2cpu-sched-kstack.dat", ["-F", "sched_switch"], "kernel_stack after a shown event"],
];

const skip = skipReason();
for (const [fixture, args, what] of cases) {
  test(`ftk report ${args.join(" ")} (${what}) prints what trace-cmd report prints`, { skip }, async () => {
    const file = join(sharedDir()!, "fixtures", "tracedat", fixture);
    const actual = run(process.execPath, [ftkBin(), "report", ...args, "-i", file]);
    const expected = await traceCmdReport([...args, "-i", file], (out) => out === actual.stdout);
    assert.equal(expected.status, 0, `trace-cmd report failed: ${expected.stderr}`);
    assert.equal(actual.status, 0, `ftk report failed: ${actual.stderr}`);
    // A filter that keeps nothing would make the comparison weak: trace-cmd must show records too
    // (except for the '~' case, where libtraceevent shows none).
    if (!args.some((a) => a.includes("~ "))) assert.ok(expected.stdout.split("\n").length > 3, "the oracle shows no records");
    const diff = firstDifference(expected.stdout, actual.stdout);
    assert.equal(diff, undefined, diff);
  });
}

test("ftk report -F with a bad filter fails like trace-cmd, with a usage error naming the column", { skip }, () => {
  const file = join(sharedDir()!, "fixtures", "tracedat", "v6-i686-4cpu-sched-wakeup.dat");
  const oracle = spawnSync("trace-cmd", ["report", "-F", "sched_switch:prev_pid=0", "-i", file], { encoding: "latin1" });
  assert.notEqual(oracle.status, 0);
  const r = spawnSync(process.execPath, [ftkBin(), "report", "-F", "sched_switch:prev_pid=0", "-i", file], { encoding: "latin1" });
  assert.equal(r.status, 2);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, "ftk report: bad filter 'sched_switch:prev_pid=0': unknown operator '=' (use '==') at column 22\n");
});
