// Scenario 4, kprobes: a kprobe with a user-string argument and a kretprobe on do_sys_openat2,
// created through kprobe_events and recorded with `-e kprobes` by both tools; then the same probes
// made with `ftk probe` (issue "Dynamic probes" item 5). tracefs must be as before at the end.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { assertSameText, assertStateRestored } from "../lib/lab.mjs";
import { reportEvents } from "../lib/report-text.mjs";

export const name = "kprobes";
export const title = "scenario 4: kprobes and kretprobes on do_sys_openat2";

const KPROBE_EVENTS = "/sys/kernel/tracing/kprobe_events";
const PROBE = "p:kprobes/lab_open do_sys_openat2 dfd=%di:s32 path=+0(%si):ustring\n";
const RETPROBE = "r:kprobes/lab_open_ret do_sys_openat2 ret=$retval:s64\n";
// trace-cmd's own recordings are made again when they come out empty (lab/guest/runner.mjs).
const rec = (id, tool, file, events = "kprobes") => ({
  id, argv: [tool, "record", "-e", events, "-o", file, "ls", "/"], files: [file], timeoutMs: 300000,
  ...(tool === "trace-cmd" ? { retryIfNothingIn: file } : {}),
});

export const steps = [
  { id: "state0", kind: "state" },
  { id: "add-probe", kind: "write", path: KPROBE_EVENTS, text: PROBE },
  { id: "add-retprobe", kind: "write", path: KPROBE_EVENTS, text: RETPROBE },
  rec("tc-record", "trace-cmd", "tc-kprobes.dat"),
  rec("ftk-record", "ftk", "ftk-kprobes.dat"),
  { id: "del-probe", kind: "write", path: KPROBE_EVENTS, text: "-:kprobes/lab_open\n" },
  { id: "del-retprobe", kind: "write", path: KPROBE_EVENTS, text: "-:kprobes/lab_open_ret\n" },
  { id: "state1", kind: "state", compareTo: "state0" },
  // The same probes through ftk probe (src/cli/probe.ts): group "probe", events do_sys_openat2
  // and do_sys_openat2__return.
  { id: "probe-add", argv: ["ftk", "probe", "do_sys_openat2", "path=+0(%si):ustring"] },
  { id: "probe-add-ret", argv: ["ftk", "probe", "do_sys_openat2%return", "ret=$retval:s64"] },
  { id: "probe-list", argv: ["ftk", "probe", "-l"] },
  rec("probe-record", "ftk", "ftk-probe.dat", "probe"),
  { id: "probe-del", argv: ["ftk", "probe", "-d", "probe:*"] },
  { id: "state2", kind: "state", compareTo: "state0" },
];

/** Asserts a report of `ls /` under the two probes shows the opened path strings and return values. */
function assertProbeReport(text, entry = "lab_open", exit = "lab_open_ret") {
  const events = reportEvents(text).filter((e) => e.comm === "ls");
  const opens = events.filter((e) => e.event === entry);
  const rets = events.filter((e) => e.event === exit);
  assert.ok(opens.length > 0, `no ${entry} events of ls`);
  assert.ok(opens.some((e) => /path="\/"/.test(e.details)), `no ${entry} with path="/" (ls /): ${opens[0]?.details}`);
  assert.ok(rets.length > 0, `no ${exit} events of ls`);
  assert.ok(rets.every((e) => /\bret=-?\d+\b/.test(e.details)), `a ${exit} without ret=N: ${rets[0]?.details}`);
  assert.ok(rets.some((e) => /\bret=[0-9]\d*\b/.test(e.details)), `no successful open (ret >= 0)`);
}

export function tests(lab) {
  describe(title, () => {
    test("kprobe_events accepts the probe and the retprobe (baseline)", () => {
      lab.step("kprobes/add-probe").assertOk();
      lab.step("kprobes/add-retprobe").assertOk();
    });
    test("trace-cmd record -e kprobes: report shows file names and return values (baseline)", () => {
      const r = lab.traceCmd("report", "-i", lab.step("kprobes/tc-record").assertOk().path("tc-kprobes.dat"));
      assert.equal(r.status, 0, r.stderr);
      assertProbeReport(r.stdout);
    });
    test("removing the probes leaves tracefs as it was (baseline)", () => {
      lab.step("kprobes/del-probe").assertOk();
      lab.step("kprobes/del-retprobe").assertOk();
      assertStateRestored(lab, "kprobes/state0", "kprobes/state1");
    });
    test("ftk report on trace-cmd's kprobe file equals trace-cmd report", lab.needs("report"), () => {
      const file = lab.step("kprobes/tc-record").assertOk().path("tc-kprobes.dat");
      const actual = lab.ftk("report", "-i", file);
      assert.equal(actual.status, 0, actual.stderr);
      assertSameText(actual.stdout, lab.traceCmd("report", "-i", file).stdout, "ftk report -i tc-kprobes.dat");
    });
    test("ftk record -e kprobes: file names, return values, and reports equal to trace-cmd's", lab.needs("record", "report"), () => {
      const file = lab.step("kprobes/ftk-record").assertOk().path("ftk-kprobes.dat");
      const expected = lab.traceCmd("report", "-i", file);
      assert.equal(expected.status, 0, `trace-cmd cannot read ftk's file: ${expected.stderr}`);
      assertProbeReport(expected.stdout);
      const actual = lab.ftk("report", "-i", file);
      assert.equal(actual.status, 0, actual.stderr);
      assertSameText(actual.stdout, expected.stdout, "ftk report -i ftk-kprobes.dat");
    });
    test("ftk probe adds, lists, records and deletes the same kprobes", lab.needs("probe", "record"), () => {
      lab.step("kprobes/probe-add").assertOk();
      lab.step("kprobes/probe-add-ret").assertOk();
      assert.match(lab.step("kprobes/probe-list").assertOk().stdout, /do_sys_openat2/);
      const r = lab.traceCmd("report", "-i", lab.step("kprobes/probe-record").assertOk().path("ftk-probe.dat"));
      assert.equal(r.status, 0, r.stderr);
      assertProbeReport(r.stdout, "do_sys_openat2", "do_sys_openat2__return");
      lab.step("kprobes/probe-del").assertOk();
      assertStateRestored(lab, "kprobes/state0", "kprobes/state2");
    });
  });
}
