// addProbes() against the live kernel: an event's locations go in one write; a location the kernel refuses
// takes the whole event back out, and the undo removes what was added. Touches tracefs: run under the lock.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { Tracefs, UndoStack } from "../tracefs/index.js";
import { ProbeError } from "../base/index.js";
import { addProbes, listProbes } from "./probe-events.js";
import { findFunctionOffsets } from "./functions.js";
import type { ProbeDefinition } from "./probe-spec.js";
import { openLiveUprobes } from "./testing.js";

const GROUP = `ftk_addprobes_${process.pid}`;
const libc = ["/usr/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6"].find(existsSync);

const live = libc === undefined ? "no x86_64 libc found" : await openLiveUprobes();

function defs(event: string, offsets: readonly number[], badLast = false): ProbeDefinition[] {
  return offsets.map((off, i) => ({
    kind: "uprobe", group: GROUP, event, binary: libc!, symbol: `f${i}`, fileOffset: off, append: i > 0,
    line: `p:${GROUP}/${event} ${libc}:0x${off.toString(16)} a=%di:x64${badLast && i === offsets.length - 1 ? " b=%nosuchreg" : ""}`,
  }));
}

const ours = async (fs: Tracefs) => (await listProbes(fs)).filter((p) => p.group === GROUP).map((p) => `${p.event} ${p.location}`);

test("addProbes() adds an event's locations in one go; a refused one leaves nothing behind", { skip: typeof live === "string" && live }, async () => {
  const fs = live as Tracefs;
  const { offsets } = await findFunctionOffsets(libc!, new Set(["open", "openat", "stat", "unlink"]));
  const offs = [...offsets.values()];
  assert.equal(offs.length, 4);
  const undo = new UndoStack();
  try {
    await addProbes(fs, [...defs("two", offs.slice(0, 2)), ...defs("one", offs.slice(2, 3)), ...defs("two", offs.slice(3)).map((d) => ({ ...d, append: true }))], undo);
    assert.deepEqual((await ours(fs)).sort(), [
      `one ${libc}:0x${offs[2]!.toString(16).padStart(16, "0")}`,
      ...[0, 1, 3].map((i) => `two ${libc}:0x${offs[i]!.toString(16).padStart(16, "0")}`),
    ].sort());
    assert.deepEqual(await undo.unwind(), []);
    assert.deepEqual(await ours(fs), []);
    // The third location is refused after two were written: the event goes, the error names it.
    await assert.rejects(addProbes(fs, defs("bad", offs.slice(0, 3), true), undo), (e: unknown) =>
      e instanceof ProbeError && /^cannot add probe 'ftk_addprobes_\d+:bad': /.test(e.message));
    assert.deepEqual(await ours(fs), []);
    assert.equal(undo.size, 0);
  } finally {
    await undo.unwind();
    for (const name of await ours(fs)) await fs.removeDynamicEvent(`${GROUP}/${name.split(" ")[0]}`);
  }
});
