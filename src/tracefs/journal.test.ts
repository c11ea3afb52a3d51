// The undo journal on a stand-in tracefs (a temp directory) and a temp journal directory: a journal
// whose owner is gone is replayed newest first by Tracefs.open(), which says so once; a live owner's
// journal, and one for another tracing directory, are left alone; an empty stack leaves no file.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, suite, test } from "node:test";
import { Tracefs } from "./tracefs.js";
import { UndoStack } from "./undo.js";

suite("undo journal", () => {
  let root: string;
  let journals: string;
  const saved = process.env["FTK_JOURNAL_DIR"];
  before(() => {
    root = mkdtempSync(join(tmpdir(), "ftk-journal-root-"));
    journals = mkdtempSync(join(tmpdir(), "ftk-journal-dir-"));
    process.env["FTK_JOURNAL_DIR"] = journals;
    mkdirSync(join(root, "options"));
  });
  after(() => {
    if (saved === undefined) delete process.env["FTK_JOURNAL_DIR"];
    else process.env["FTK_JOURNAL_DIR"] = saved;
    rmSync(root, { recursive: true, force: true });
    rmSync(journals, { recursive: true, force: true });
  });

  /** A pid that existed and is gone. */
  function deadPid(): number {
    return spawnSync("true").pid!;
  }

  /** A journal as a killed ftk leaves it: header, pushes, some done. */
  function writeJournal(pid: number, lines: object[]): string {
    const path = join(journals, `${pid}-1-1.journal`);
    writeFileSync(path, [{ header: 1, pid, start: "1", argv: ["record"] }, ...lines].map((l) => JSON.stringify(l)).join("\n") + "\n");
    return path;
  }

  test("UndoStack journals each push before the change and removes the file once unwound", async () => {
    const fs = await Tracefs.open({ root, warn: () => {} });
    writeFileSync(join(root, "tracing_on"), "1");
    const undo = new UndoStack();
    await fs.topInstance().setTracingOn(false, undo);
    const path = undo.journalPath!;
    const entries = readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(entries[0]!["pid"], process.pid);
    assert.deepEqual(entries[1]!["step"], { kind: "write", root, file: "tracing_on", text: "1" });
    await undo.unwind();
    assert.equal(readFileSync(join(root, "tracing_on"), "utf8"), "1");
    assert.deepEqual(readdirSync(journals), []);
  });

  test("Tracefs.open() replays a dead owner's pending steps newest first, skips the done ones, and says so once", async () => {
    writeFileSync(join(root, "tracing_on"), "0");
    writeFileSync(join(root, "trace_clock"), "mono");
    writeFileSync(join(root, "options/stacktrace"), "1");
    const pid = deadPid();
    writeJournal(pid, [
      { push: 1, description: "a", step: { kind: "write", root, file: "trace_clock", text: "local" } },
      { push: 2, description: "b", step: { kind: "write", root, file: "tracing_on", text: "1" } },
      { push: 3, description: "c", step: { kind: "write", root, file: "trace_clock", text: "global" } },
      { push: 4, description: "d", step: { kind: "write", root, file: "options/stacktrace", text: "0" } },
      { done: 4 },
    ]);
    const said: string[] = [];
    await Tracefs.open({ root, warn: (l) => said.push(l) });
    assert.deepEqual(said, [`restored the tracing state left by ftk pid ${pid}, which was killed (3 settings put back)`]);
    assert.equal(readFileSync(join(root, "tracing_on"), "utf8"), "1");
    assert.equal(readFileSync(join(root, "trace_clock"), "utf8"), "local", "the oldest change is undone last");
    assert.equal(readFileSync(join(root, "options/stacktrace"), "utf8"), "1", "a step marked done is not replayed");
    assert.deepEqual(readdirSync(journals), []);
  });

  test("two journals of one killed process (record's stack and the kptr_restrict lift) are replayed and told in one line", async () => {
    writeFileSync(join(root, "tracing_on"), "0");
    const knob = join(root, "kptr_restrict-stand-in");
    writeFileSync(knob, "0");
    const pid = deadPid();
    writeJournal(pid, [{ push: 1, description: "a", step: { kind: "write", root, file: "tracing_on", text: "1" } }]);
    writeFileSync(
      join(journals, `${pid}-1-2.journal`),
      [{ header: 1, pid, start: "1", argv: ["record"] }, { push: 1, description: "k", step: { kind: "write-proc", root, path: knob, text: "2" }, own: true }].map((l) => JSON.stringify(l)).join("\n") + "\n",
    );
    const said: string[] = [];
    await Tracefs.open({ root, warn: (l) => said.push(l) });
    assert.deepEqual(said, [`restored the tracing state left by ftk pid ${pid}, which was killed (2 settings put back)`]);
    assert.equal(readFileSync(join(root, "tracing_on"), "utf8"), "1");
    assert.equal(readFileSync(knob, "utf8"), "2");
    assert.deepEqual(readdirSync(journals), []);
  });

  test("a live owner's journal and another tracing directory's journal are left alone; a vanished directory's is dropped", async () => {
    const mine = writeJournal(process.pid, [{ push: 1, description: "x", step: { kind: "write", root, file: "tracing_on", text: "0" } }]);
    // Our own start time must match for "alive": rewrite the header with it.
    const stat = readFileSync(`/proc/${process.pid}/stat`, "latin1");
    const start = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
    writeFileSync(mine, readFileSync(mine, "utf8").replace('"start":"1"', `"start":"${start}"`));
    const other = mkdtempSync(join(tmpdir(), "ftk-journal-other-"));
    const dead = deadPid();
    const foreign = join(journals, `${dead}-1-2.journal`);
    writeFileSync(foreign, [{ header: 1, pid: dead, start: "1", argv: [] }, { push: 1, description: "y", step: { kind: "write", root: other, file: "tracing_on", text: "1" } }].map((l) => JSON.stringify(l)).join("\n") + "\n");
    const gone = join(journals, `${dead}-1-3.journal`);
    writeFileSync(gone, [{ header: 1, pid: dead, start: "1", argv: [] }, { push: 1, description: "z", step: { kind: "write", root: "/nonexistent/ftk-gone", file: "tracing_on", text: "1" } }].map((l) => JSON.stringify(l)).join("\n") + "\n");
    const said: string[] = [];
    await Tracefs.open({ root, warn: (l) => said.push(l) });
    assert.deepEqual(said, []);
    assert.deepEqual(readdirSync(journals).sort(), [`${dead}-1-2.journal`, `${process.pid}-1-1.journal`].sort());
    rmSync(other, { recursive: true, force: true });
    rmSync(foreign);
    rmSync(mine);
  });
});
