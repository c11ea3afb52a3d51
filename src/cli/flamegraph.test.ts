// `ftk flamegraph` in-process on the shared fixtures (no tracefs): --graph of the lab's function_graph
// recording against trace-cmd's own report durations, kernel stacks named from a file's kallsyms, and the
// one-line errors for bad input.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { sharedDir, skipWithoutShared } from "../test-support/paths.js";
import { runFtk } from "./report-test-helpers.js";

const skip = skipWithoutShared();
const fixture = (name: string) => join(sharedDir() ?? "", "fixtures", "tracedat", name);

/** Per task and call path ("comm;f;g"), the sum of the durations a function_graph report prints. */
function reportDurations(report: string): Map<string, number> {
  const sums = new Map<string, number>();
  const paths = new Map<string, string[]>();
  for (const line of report.split("\n")) {
    const m = /^\s*(\S+)-(\d+)\s+\[\d+\]\s+[\d.]+: funcgraph_(?:entry|exit):\s+(?:[+!#*@$] )?\s*(?:([\d.]+) us)?\s*\|\s*(.*)$/.exec(line);
    if (m === null) continue;
    const task = `${m[1]}-${m[2]}`;
    let path = paths.get(task);
    if (path === undefined) paths.set(task, (path = []));
    const dur = m[3] === undefined ? 0 : Math.round(Number(m[3]) * 1000);
    const body = m[4]!.trim();
    const add = (p: string[]) => {
      const key = [m[1], ...p].join(";");
      sums.set(key, (sums.get(key) ?? 0) + dur);
    };
    let e: RegExpExecArray | null;
    if ((e = /^(\S+)\(\) \{$/.exec(body)) !== null) path.push(e[1]!);
    else if ((e = /^(\S+)\(\);$/.exec(body)) !== null) add([...path, e[1]!]);
    else if (body.startsWith("}")) {
      if (path.length > 0) add(path);
      path.pop();
    }
  }
  return sums;
}

test("ftk flamegraph --graph of the lab's function_graph recording (-g do_sys_openat2): each path's total equals trace-cmd's durations", { skip }, async () => {
  const r = await runFtk(["flamegraph", "-i", fixture("lab-v6-x86_64-2cpu-funcgraph.dat"), "--graph"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  const lines = r.stdout.split("\n").filter((l) => l !== "").map((l) => [l.slice(0, l.lastIndexOf(" ")), Number(l.slice(l.lastIndexOf(" ") + 1))] as const);
  const expected = reportDurations(readFileSync(fixture("lab-v6-x86_64-2cpu-funcgraph.report"), "latin1"));
  const openat = expected.get("ls;do_sys_openat2");
  assert.ok(openat !== undefined && openat > 0, "the report has do_sys_openat2 calls of ls");
  let checked = 0;
  for (const [stack, total] of expected) {
    if (!stack.startsWith("ls;do_sys_openat2")) continue;
    const sum = lines.filter(([k]) => k === stack || k.startsWith(stack + ";")).reduce((s, [, w]) => s + w, 0);
    assert.equal(sum, total, `${stack}: --graph ${sum} ns, trace-cmd report ${total} ns`);
    checked++;
  }
  assert.ok(checked > 10, `${checked} paths under do_sys_openat2 compared`);
});

test("ftk flamegraph --top: do_sys_openat2's total equals trace-cmd's durations; self times add up to the whole; colour on request", { skip }, async () => {
  const file = fixture("lab-v6-x86_64-2cpu-funcgraph.dat");
  const r = await runFtk(["flamegraph", "-i", file, "--graph", "--top", "1000"]);
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.split("\n").slice(2, -1).map((l) => {
    const [selfPct, totalPct, self, total, name] = l.trim().split(/\s+/);
    return { selfPct: Number(selfPct), totalPct: Number(totalPct), self: Math.round(Number(self) * 1e9), total: Math.round(Number(total) * 1e9), name: name! };
  });
  // trace-cmd's report: every do_sys_openat2 call's duration, any task.
  let expected = 0;
  for (const [stack, ns] of reportDurations(readFileSync(fixture("lab-v6-x86_64-2cpu-funcgraph.report"), "latin1"))) {
    if (stack.endsWith(";do_sys_openat2")) expected += ns;
  }
  const openat = rows.find((x) => x.name === "do_sys_openat2");
  assert.ok(openat !== undefined && expected > 0);
  assert.equal(openat.total, expected, `--top total ${openat.total} ns, trace-cmd report ${expected} ns`);
  const folded = (await runFtk(["flamegraph", "-i", file, "--graph"])).stdout.split("\n").filter((l) => l !== "");
  const whole = folded.reduce((t, l) => t + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
  assert.ok(Math.abs(rows.reduce((t, x) => t + x.self, 0) - whole) <= rows.length, "self times add up to the graph's weight");
  assert.ok(Math.abs(rows.reduce((t, x) => t + x.selfPct, 0) - 100) < 0.01 * rows.length);
  for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1]!.self >= rows[i]!.self, "most self time first");
  assert.doesNotMatch(r.stdout, /\x1b/, "no colour when stdout is not a terminal");
  const colored = await runFtk(["flamegraph", "-i", file, "--graph", "--top", "1000", "--color", "always"]);
  assert.match(colored.stdout, /\x1b\[31m/);
  assert.equal(colored.stdout.replace(/\x1b\[\d+m/g, ""), r.stdout);
});

test("ftk flamegraph names kernel frames from the file's kallsyms (lab recording with -T on sched events)", { skip }, async () => {
  const r = await runFtk(["flamegraph", "-i", fixture("lab-v7-zstd-x86_64-2cpu-sched-kstack.dat"), "--off-cpu", "--kernel-only"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /;schedule;__schedule \d+\n/);
  assert.doesNotMatch(r.stdout, /trace_event_raw_event/, "the recording's own frames are trimmed");
});

test("ftk flamegraph on a file without stacks says which record flag records them, in one line", { skip }, async () => {
  const r = await runFtk(["flamegraph", "-i", fixture("v6-arm64-6cpu-sched-switch.dat")]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^ftk flamegraph: .*v6-arm64-6cpu-sched-switch\.dat: no stacks: record them with 'ftk record --sample CMD'.*\n$/);
  const on = await runFtk(["flamegraph", "-i", fixture("v6-arm64-6cpu-sched-switch.dat"), "--on-cpu"]);
  assert.match(on.stderr, /^ftk flamegraph: .*no on-CPU stack samples: record them with 'ftk record --sample CMD'\n$/);
});

test("ftk flamegraph bad flags and a missing file: one line, exit 2 for usage and 1 for the file", async () => {
  for (const [args, code, re] of [
    [["--format", "png"], 2, /^ftk flamegraph: unknown --format 'png': give folded, svg, html or speedscope\n$/],
    [["--kernel-only", "--user-only"], 2, /^ftk flamegraph: --kernel-only and --user-only exclude each other/],
    [["--on-cpu", "--graph"], 2, /^ftk flamegraph: --on-cpu, --off-cpu and --graph choose one/],
    [["--pid", "x"], 2, /^ftk flamegraph: bad value 'x' for --pid/],
    [["--top", "0"], 2, /^ftk flamegraph: bad value '0' for --top/],
    [["--top", "5", "--format", "svg"], 2, /^ftk flamegraph: --top prints a table/],
    [["--color", "pink"], 2, /^ftk flamegraph: bad value 'pink' for --color/],
    [["--bogus"], 2, /^ftk flamegraph: unknown option '--bogus'/],
    [["-i", "/nonexistent/trace.dat"], 1, /^ftk flamegraph: .*\/nonexistent\/trace\.dat/],
  ] as const) {
    const r = await runFtk(["flamegraph", ...args]);
    assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.split("\n").length, 2, `one line for ${args.join(" ")}`);
  }
  const help = await runFtk(["flamegraph", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: ftk flamegraph /);
});
