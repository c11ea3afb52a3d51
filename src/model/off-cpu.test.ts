// OffCpuTracker: a wait ends at the thread's switch-in, or, when the file lacks that switch-in (sched_switch
// from idle is not emitted on CPU 1 of this project's VM), at the wake-up before the thread's next event.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { readEvents } from "../report/index.js";
import { repoRoot } from "../test-support/paths.js";
import { openTrace } from "../tracedat/index.js";
import { OffCpuTracker } from "./off-cpu.js";
import { readStacks } from "./stacks.js";
import { ThreadTable } from "./threads.js";
import { walkModel } from "./trace-model.js";

function tracker(): { t: OffCpuTracker<string>; charged: string[] } {
  const charged: string[] = [];
  const t = new OffCpuTracker<string>((what, start, end, atWakeup) => charged.push(`${what} ${start}-${end}${atWakeup ? " (wake-up)" : ""}`));
  return { t, charged };
}

test("OffCpuTracker charges a switch-out until the thread's next switch-in, after its wake-up", () => {
  const { t, charged } = tracker();
  t.switched(100, 7, 0, "sleep");
  t.woken(400, 7);
  t.switched(405, 0, 7, undefined);
  t.switched(500, 7, 0, "read");
  t.switched(700, 9, 7, undefined);
  assert.deepEqual(charged, ["sleep 100-405", "read 500-700"]);
  assert.equal(t.endedAtWakeup + t.endUnknown + t.openCount, 0);
});

test("OffCpuTracker ends a wait at the wake-up when the thread ran with no switch-in in the file", () => {
  const { t, charged } = tracker();
  // Switched out to idle, woken, switch-in from idle missing, then the thread's own next switch-out.
  t.switched(100, 7, 0, "sleep");
  t.woken(400, 7);
  t.woken(420, 7); // a later wake-up does not move the end
  t.switched(450, 7, 8, "read");
  assert.deepEqual(charged, ["sleep 100-400 (wake-up)"]);
  // An event in its context (a sample, a wake-up it makes) is a sign too.
  t.woken(600, 7);
  t.ran(7);
  assert.deepEqual(charged, ["sleep 100-400 (wake-up)", "read 450-600 (wake-up)"]);
  assert.equal(t.endedAtWakeup, 2);
});

test("OffCpuTracker drops a wait with neither switch-in nor wake-up, counts it, and keeps what is open at the end", () => {
  const { t, charged } = tracker();
  t.switched(100, 7, 0, "preempted");
  t.ran(7);
  t.switched(200, 8, 0, "open");
  t.ran(0); // the idle task is no thread
  t.switched(300, 9, 0, undefined); // not tracked (another kind), yet a sign that 9 ran
  assert.deepEqual(charged, []);
  assert.equal(t.endUnknown, 1);
  assert.equal(t.openCount, 1);
});

// test/fixtures/off-cpu (see its README): off (pid 589) sleeps on CPU 1 and is woken there from idle; the
// kernel emitted no switch-in.
const FIXTURE = join(repoRoot(), "test", "fixtures", "off-cpu", "idle-switch-in-missing.dat");
const OFF = 589;

/** off's switch-out to idle, its wake-up, its next switch-out (the pipe read) and the switch-in after it. */
async function moments(): Promise<{ out: number; woken: number; next: number; back: number }> {
  const trace = await openTrace(FIXTURE);
  const ts: number[] = [];
  try {
    for await (const ev of readEvents(trace, { events: ["sched:sched_switch", "sched:sched_wakeup"] })) {
      const prev = ev.fields["prev_pid"];
      if (ts.length === 0 && prev === OFF && ev.fields["next_pid"] === 0) ts.push(Number(ev.ts));
      else if (ts.length === 1 && ev.name === "sched_wakeup" && ev.fields["pid"] === OFF) ts.push(Number(ev.ts));
      else if (ts.length === 2 && prev === OFF) ts.push(Number(ev.ts));
      else if (ts.length === 3 && ev.fields["next_pid"] === OFF) ts.push(Number(ev.ts));
    }
  } finally {
    await trace.close();
  }
  assert.equal(ts.length, 4);
  return { out: ts[0]!, woken: ts[1]!, next: ts[2]!, back: ts[3]! };
}

test("readStacks() charges the sleep whose switch-in the kernel left out until the wake-up (recorded file)", async () => {
  const { out, woken, next, back } = await moments();
  assert.ok(Math.abs(woken - out - 300e6) < 1e6, "the program sleeps 300 ms");
  const trace = await openTrace(FIXTURE);
  try {
    // Without kallsyms and the program, the two waits' stacks may merge: their sum is checked.
    const r = await readStacks(trace, { kinds: ["off-cpu"], pid: OFF });
    assert.equal(r.endedAtWakeup, 1);
    const weights = r.stacks.filter((s) => s.comm === "off").map((s) => s.weightNs);
    assert.equal(weights.reduce((a, b) => a + b, 0), woken - out + (back - next), `stacks of off: ${weights.join(", ")}`);
  } finally {
    await trace.close();
  }
});

test("walkModel() sched slices: CPU 1 idle until the wake-up, then the woken thread until its switch-out; slices still tile the CPU", async () => {
  const { woken, next } = await moments();
  const trace = await openTrace(FIXTURE);
  try {
    const slices: { ts: number; dur: number; cpu: number; utid: number }[] = [];
    const threads = new ThreadTable(trace.tasks);
    await walkModel(trace, { schedSlice: (ts, dur, cpu, utid) => slices.push({ ts, dur, cpu, utid }) }, { threads });
    const cpu1 = slices.filter((s) => s.cpu === 1);
    const run = cpu1.find((s) => s.utid === threads.utidOf(OFF) && s.ts === woken);
    assert.ok(run, "off runs from its wake-up");
    assert.equal(run.ts + run.dur, next);
    assert.ok(cpu1.some((s) => s.utid === threads.utidOf(0) && s.ts + s.dur === woken), "idle until the wake-up");
    for (let i = 1; i < cpu1.length; i++) if (cpu1[i]!.dur >= 0) assert.equal(cpu1[i - 1]!.ts + cpu1[i - 1]!.dur, cpu1[i]!.ts);
  } finally {
    await trace.close();
  }
});
