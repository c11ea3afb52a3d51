// --sample / --off-cpu / --proc-map as record requests, the rate check, and the PROCMAPS lines taken
// from /proc/PID/maps text.
import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../base/index.js";
import { parseRecordArgs } from "./options.js";
import { checkSampleRate } from "./profile.js";
import { procMapLines } from "./proc-maps.js";

test("parseRecordArgs(--sample --off-cpu) adds the events and stack options to the top instance only, and --proc-map", () => {
  const o = parseRecordArgs(["--sample", "--off-cpu", "-e", "sched:sched_wakeup", "-B", "other", "-e", "irq", "-F", "prog", "arg"]);
  assert.deepEqual(o.sample, {});
  assert.equal(o.offCpu, true);
  assert.equal(o.procMap, true);
  assert.deepEqual(o.instances[0]!.events.map((e) => e.spec), ["sched:sched_wakeup", "sched:sched_stat_runtime", "sched:sched_switch"]);
  assert.deepEqual(o.instances[0]!.options, [{ name: "stacktrace", on: true }, { name: "userstacktrace", on: true }]);
  assert.deepEqual(o.instances[1]!.events.map((e) => e.spec), ["irq"]);
  assert.deepEqual(o.instances[1]!.options, []);
  assert.deepEqual(o.command, ["prog", "arg"]);
});

test("parseRecordArgs: --sample=HZ, --proc-map alone, -T with --sample gives one stacktrace option, -e sched_switch not twice", () => {
  assert.deepEqual(parseRecordArgs(["--sample=100", "ls"]).sample, { hz: 100 });
  const p = parseRecordArgs(["--proc-map", "-e", "sched", "ls"]);
  assert.equal(p.procMap, true);
  assert.equal(p.sample, undefined);
  assert.deepEqual(p.instances[0]!.options, []);
  const t = parseRecordArgs(["-T", "--off-cpu", "-e", "sched:sched_switch", "ls"]);
  assert.equal(t.instances[0]!.options.filter((x) => x.name === "stacktrace").length, 1);
  assert.equal(t.instances[0]!.events.filter((e) => e.spec === "sched:sched_switch").length, 1);
  // The wake-ups end waits whose switch-in the kernel left out (model/off-cpu.ts).
  assert.deepEqual(parseRecordArgs(["--off-cpu", "ls"]).instances[0]!.events.map((e) => e.spec), ["sched:sched_switch", "sched:sched_wakeup"]);
  assert.throws(() => parseRecordArgs(["--sample=fast", "ls"]), (e: unknown) => e instanceof UsageError && /--sample: bad number 'fast'/.test(e.message));
});

test("checkSampleRate() refuses a rate above the tick and warns below it", () => {
  const warnings: string[] = [];
  const warn = (l: string) => warnings.push(l);
  checkSampleRate(parseRecordArgs(["--sample=250", "ls"]), warn, 250);
  checkSampleRate(parseRecordArgs(["--sample", "ls"]), warn, 250);
  assert.deepEqual(warnings, []);
  checkSampleRate(parseRecordArgs(["--sample=99", "ls"]), warn, 250);
  assert.match(warnings[0]!, /^--sample=99: samples come at the scheduler tick, 250 Hz here/);
  assert.throws(() => checkSampleRate(parseRecordArgs(["--sample=1000", "ls"]), warn, 250), /tick is 250 Hz on this kernel \(CONFIG_HZ\)/);
  checkSampleRate(parseRecordArgs(["--sample=1000", "ls"]), warn, null);
});

test("procMapLines() merges a file's consecutive mappings, keeps [vdso], and stops at anonymous ones", () => {
  const maps = [
    "555555554000-555555555000 r--p 00000000 08:01 123 /tmp/spin",
    "555555555000-555555556000 r-xp 00001000 08:01 123 /tmp/spin",
    "555555559000-55555557a000 rw-p 00000000 00:00 0 [heap]",
    "7f0000000000-7f0000001000 rwxp 00000000 00:00 0",
    "7f0000001000-7f0000002000 r--p 00000000 08:01 124 /tmp/spin",
    "7ffff7fc1000-7ffff7fc3000 r-xp 00000000 00:00 0 [vdso]",
    "7ffff7fc3000-7ffff7fc5000 r--p 00000000 08:01 125 /usr/lib/my lib.so (deleted)",
    "garbage",
  ].join("\n");
  assert.deepEqual(procMapLines(maps), [
    "555555554000 555555556000 /tmp/spin",
    "7f0000001000 7f0000002000 /tmp/spin",
    "7ffff7fc1000 7ffff7fc3000 [vdso]",
    "7ffff7fc3000 7ffff7fc5000 /usr/lib/my lib.so (deleted)",
  ]);
});
