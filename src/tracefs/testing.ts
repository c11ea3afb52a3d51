// Test-only helpers for tests that touch the live tracefs: open-or-skip and the before == after check.
// Not exported by the library (tests in other folders may import this file directly).
import assert from "node:assert/strict";
import { Tracefs } from "./tracefs.js";
import { diffTracefsState, snapshotTracefsState } from "./state.js";
import type { TracefsSnapshot } from "./state.js";

/** The live tracefs, or a skip reason (not root, tracefs missing). */
export async function openLiveTracefs(): Promise<{ fs: Tracefs; skip: false } | { fs: undefined; skip: string }> {
  if (process.getuid?.() !== 0) return { fs: undefined, skip: "needs root to change tracefs" };
  try {
    const fs = await Tracefs.open();
    return { fs, skip: false };
  } catch (e) {
    return { fs: undefined, skip: `tracefs not available: ${(e as Error).message}` };
  }
}

/** Asserts that the tracefs state equals `before`, listing the differences when it does not. */
export async function assertTracefsUnchanged(fs: Tracefs, before: TracefsSnapshot): Promise<void> {
  const after = await snapshotTracefsState(fs);
  assert.deepEqual(diffTracefsState(before, after), [], "tracefs state changed");
}

/** A unique instance name for one test run. */
export function testInstanceName(tag: string): string {
  return `ftk-test-${tag}-${process.pid}`;
}
