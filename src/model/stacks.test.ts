// The kernel-frame trimming of stack samples (the pairing itself is tested on the live kernel in
// flamegraph/profile-live.test.ts and on the lab's files in cli/flamegraph.test.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { trimKernelFrames } from "./stacks.js";

const TICK_IN_USER = [
  "trace_event_raw_event_sched_stat_runtime", "update_se", "update_curr", "task_tick_fair", "sched_tick",
  "update_process_times", "tick_nohz_handler", "__hrtimer_run_queues", "hrtimer_interrupt",
  "__sysvec_apic_timer_interrupt", "sysvec_apic_timer_interrupt", "asm_sysvec_apic_timer_interrupt",
];

test("trimKernelFrames() drops the tick of an on-CPU sample taken in user mode, leaving no kernel frame", () => {
  assert.deepEqual(trimKernelFrames(TICK_IN_USER, "on-cpu"), []);
});

test("trimKernelFrames() keeps the interrupted kernel code below the tick, and syscall paths", () => {
  assert.deepEqual(trimKernelFrames([...TICK_IN_USER, "clear_page_erms", "do_anonymous_page", "asm_exc_page_fault"], "on-cpu"), [
    "clear_page_erms", "do_anonymous_page", "asm_exc_page_fault",
  ]);
  const switchOut = ["trace_event_raw_event_sched_stat_runtime", "update_se", "update_curr", "dequeue_entities", "__schedule", "schedule", "do_nanosleep", "entry_SYSCALL_64_after_hwframe"];
  assert.deepEqual(trimKernelFrames(switchOut, "on-cpu"), switchOut.slice(3));
});

test("trimKernelFrames() keeps an off-CPU stack from __schedule down, interrupt entries included", () => {
  const preempted = ["trace_event_raw_event_sched_switch", "__traceiter_sched_switch", "__schedule", "schedule", "irqentry_exit_to_user_mode", "asm_sysvec_reschedule_ipi"];
  assert.deepEqual(trimKernelFrames(preempted, "off-cpu"), preempted.slice(2));
  assert.deepEqual(trimKernelFrames(preempted, "on-cpu"), []);
});
