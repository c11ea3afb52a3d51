// Test-only helpers for tests that touch the live tracefs: open-or-skip, the before == after check, and a
// fresh instance per suite.
// Not exported by the library (tests in other folders may import this file directly).
import assert from "node:assert/strict";
import { after, before } from "node:test";
import type { Instance } from "./instance.js";
import { Tracefs } from "./tracefs.js";
import { UndoStack } from "./undo.js";
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

/**
 * In a suite: a fresh instance created before its tests (then given `setup`, whose changes go on `undo`),
 * removed after them, and tracefs checked to be as it was before.
 */
export function useTestInstance(
  fs: Tracefs,
  tag: string,
  setup?: (inst: Instance, undo: UndoStack) => Promise<void>,
): { readonly name: string; readonly inst: Instance } {
  const name = testInstanceName(tag);
  const undo = new UndoStack();
  let inst: Instance | undefined;
  let snap: TracefsSnapshot;
  before(async () => {
    snap = await snapshotTracefsState(fs);
    inst = await fs.createInstance(name, undo);
    await setup?.(inst, undo);
  });
  after(async () => {
    assert.deepEqual(await undo.unwind(), []);
    await assertTracefsUnchanged(fs, snap);
  });
  return {
    name,
    get inst() {
      return inst!;
    },
  };
}
