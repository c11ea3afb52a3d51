// OffCpuTracker: a wait ends at the thread's switch-in, or, when the file lacks that switch-in (sched_switch
// from idle is not emitted on CPU 1 of this project's VM), at the wake-up before the thread's next event.
import assert from "node:assert/strict";
import { test } from "node:test";
import { OffCpuTracker } from "./off-cpu.js";

function tracker(): { t: OffCpuTracker<string>; charged: string[] } {
  const charged: string[] = [];
  const t = new OffCpuTracker<string>((what, start, end) => charged.push(`${what} ${start}-${end}`));
  return { t, charged };
}

test("OffCpuTracker charges a switch-out until the thread's next switch-in, after its wake-up", () => {
  const { t, charged } = tracker();
  t.switched(100n, 7, 0, "sleep");
  t.woken(400n, 7);
  t.switched(405n, 0, 7, undefined);
  t.switched(500n, 7, 0, "read");
  t.switched(700n, 9, 7, undefined);
  assert.deepEqual(charged, ["sleep 100-405", "read 500-700"]);
  assert.equal(t.endedAtWakeup + t.endUnknown + t.openCount, 0);
});

test("OffCpuTracker ends a wait at the wake-up when the thread ran with no switch-in in the file", () => {
  const { t, charged } = tracker();
  // Switched out to idle, woken, switch-in from idle missing, then the thread's own next switch-out.
  t.switched(100n, 7, 0, "sleep");
  t.woken(400n, 7);
  t.woken(420n, 7); // a later wake-up does not move the end
  t.switched(450n, 7, 8, "read");
  assert.deepEqual(charged, ["sleep 100-400"]);
  // An event in its context (a sample, a wake-up it makes) is a sign too.
  t.woken(600n, 7);
  t.ran(7);
  assert.deepEqual(charged, ["sleep 100-400", "read 450-600"]);
  assert.equal(t.endedAtWakeup, 2);
});

test("OffCpuTracker drops a wait with neither switch-in nor wake-up, counts it, and keeps what is open at the end", () => {
  const { t, charged } = tracker();
  t.switched(100n, 7, 0, "preempted");
  t.ran(7);
  t.switched(200n, 8, 0, "open");
  t.ran(0); // the idle task is no thread
  t.switched(300n, 9, 0, undefined); // not tracked (another kind), yet a sign that 9 ran
  assert.deepEqual(charged, []);
  assert.equal(t.endUnknown, 1);
  assert.equal(t.openCount, 1);
});
