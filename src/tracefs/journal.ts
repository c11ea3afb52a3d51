// The undo journal (restore after kill -9): one file per UndoStack under /run/ftk (FTK_JOURNAL_DIR),
// JSON lines: a header with the owner (pid and start time), then "push" and "done" entries in order.
// A journal whose owner is gone is replayed, newest pending step first, by the next Tracefs.open().
import { appendFileSync, existsSync, mkdirSync, rmSync, openSync, closeSync, readFileSync, readdirSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Tracefs } from "./tracefs.js";

/** One undo as data: what the journal replays (paths are relative to `root`, the tracing directory). */
export type UndoStep =
  | { kind: "write"; root: string; file: string; text: string }
  /** Appends `text`, or `fallback` when the kernel refuses it (trigger removal with and without a count). */
  | { kind: "append"; root: string; file: string; text: string; fallback?: string }
  /** Writes 0 to an enable file, then 1 to the enable file of each event that was on ("sys:ev"). */
  | { kind: "events"; root: string; instance: string; file: string; enabled: string[] }
  | { kind: "remove-instance"; root: string; name: string }
  | { kind: "remove-dynamic-event"; root: string; name: string }
  /** A procfs knob (`/proc/sys/kernel/ftrace_enabled`), by absolute path. */
  | { kind: "write-proc"; root: string; path: string; text: string }
  /** A file of ftk's own (a claim on an instance, claim.ts), by absolute path. */
  | { kind: "remove-file"; root: string; path: string };

type Entry =
  | { header: 1; pid: number; start: string; argv: string[] }
  | { push: number; description: string; step?: UndoStep; own?: boolean }
  | { done: number };

/** Where journals live: $FTK_JOURNAL_DIR or /run/ftk. */
export function journalDir(): string {
  return process.env["FTK_JOURNAL_DIR"] || "/run/ftk";
}

/** Start time of a process (clock ticks since boot, /proc/PID/stat field 22), or undefined when it is gone. */
export function processStart(pid: number): string | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "latin1");
    return text.slice(text.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

let sequence = 0;

/** The journal file of one UndoStack: created on the first push, removed when the stack is empty. */
export class Journal {
  readonly path: string;

  private constructor(path: string) {
    this.path = path;
  }

  /** Creates a new journal owned by this process, or undefined when /run/ftk cannot be written (not root). */
  static create(): Journal | undefined {
    const dir = journalDir();
    const start = processStart(process.pid) ?? "0";
    const path = join(dir, `${process.pid}-${start}-${++sequence}.journal`);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      closeSync(openSync(path, "wx", 0o600));
      const j = new Journal(path);
      j.#append({ header: 1, pid: process.pid, start, argv: process.argv.slice(2) });
      return j;
    } catch {
      return undefined;
    }
  }

  #append(entry: Entry): void {
    try {
      appendFileSync(this.path, JSON.stringify(entry) + "\n");
    } catch {
      // The journal is a safety net: a full /run must not stop the recording or its restore.
    }
  }

  /** Records a pending undo. */
  pushed(id: number, description: string, step: UndoStep | undefined, own: boolean): void {
    this.#append({ push: id, description, ...(step !== undefined ? { step } : {}), ...(own ? { own } : {}) });
  }

  /** Records that an undo ran (or was dropped). */
  done(id: number): void {
    this.#append({ done: id });
  }

  /** Deletes the file (the stack is empty). */
  remove(): void {
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}

/** Runs one journaled undo step on `fs`. */
async function runStep(fs: Tracefs, step: UndoStep): Promise<void> {
  switch (step.kind) {
    case "write":
      return fs.writeFile(step.file, step.text);
    case "append":
      try {
        await fs.writeFile(step.file, step.text, { append: true });
      } catch (e) {
        if (step.fallback === undefined) throw e;
        await fs.writeFile(step.file, step.fallback, { append: true });
      }
      return;
    case "events": {
      const prefix = step.instance === "" ? "" : `instances/${step.instance}/`;
      await fs.writeFile(prefix + step.file, "0");
      for (const e of step.enabled) await fs.writeFile(`${prefix}events/${e.replace(":", "/")}/enable`, "1");
      return;
    }
    case "remove-instance":
      if (fs.hasInstance(step.name)) await fs.removeInstance(step.name);
      return;
    case "remove-dynamic-event":
      return fs.removeDynamicEvent(step.name);
    case "write-proc":
      writeFileSync(step.path, step.text);
      return;
    case "remove-file":
      rmSync(step.path, { force: true });
      return;
  }
}

/** The pending steps of a journal's text, newest first, and its owner. */
function pendingSteps(text: string): { owner?: { pid: number; start: string }; pending: { description: string; step?: UndoStep }[] } {
  let owner: { pid: number; start: string } | undefined;
  const open = new Map<number, { description: string; step?: UndoStep }>();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    let e: Entry;
    try {
      e = JSON.parse(line) as Entry;
    } catch {
      continue; // a line cut short by the kill
    }
    if ("header" in e) owner = { pid: e.pid, start: e.start };
    else if ("push" in e) open.set(e.push, { description: e.description, ...(e.step !== undefined ? { step: e.step } : {}) });
    else if ("done" in e) open.delete(e.done);
  }
  return { owner, pending: [...open.values()].reverse() };
}

/**
 * Replays the journals under /run/ftk whose owner process is gone and whose steps are for `fs`:
 * each pending undo runs, newest first, and the journal is deleted. Returns one line per journal
 * replayed, for people ("restored ... left by ftk pid N"). Journals of live processes are left alone.
 */
export async function recoverStaleJournals(fs: Tracefs): Promise<string[]> {
  const dir = journalDir();
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".journal")).sort();
  } catch {
    return [];
  }
  // One line per killed process, however many journals (undo stacks) it left.
  const byOwner = new Map<string, { done: number; failures: string[] }>();
  for (const name of names) {
    const path = join(dir, name);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      continue;
    }
    const { owner, pending } = pendingSteps(text);
    if (owner !== undefined && processStart(owner.pid) === owner.start) continue;
    const roots = new Set(pending.flatMap((p) => (p.step !== undefined ? [p.step.root] : [])));
    // A stale journal of a tracing directory that is gone (a test's stand-in) has nothing left to undo.
    if (roots.size > 0 && [...roots].every((r) => !existsSync(r))) {
      rmSync(path, { force: true });
      continue;
    }
    if (roots.size !== 1 || !roots.has(fs.root)) continue;
    // Claim it: a rename is atomic, so two ftk commands never replay the same journal; the claimed
    // copy is owned by this process, so a kill during the replay leaves it for the next command.
    const mine = Journal.create();
    if (mine === undefined) continue;
    try {
      renameSync(path, mine.path);
    } catch {
      mine.remove();
      continue;
    }
    const failures: string[] = [];
    let done = 0;
    const claimed = pendingSteps(readFileSync(mine.path, "utf8"));
    appendFileSync(mine.path, JSON.stringify({ header: 1, pid: process.pid, start: processStart(process.pid) ?? "0", argv: [] }) + "\n");
    for (const p of claimed.pending) {
      if (p.step === undefined) {
        failures.push(p.description);
        continue;
      }
      try {
        await runStep(fs, p.step);
        done++;
      } catch {
        failures.push(p.description);
      }
    }
    mine.remove();
    const who = owner === undefined ? "an ftk process" : `ftk pid ${owner.pid}`;
    const sum = byOwner.get(who) ?? { done: 0, failures: [] };
    sum.done += done;
    sum.failures.push(...failures);
    byOwner.set(who, sum);
  }
  return [...byOwner].map(([who, { done, failures }]) => {
    const failed = failures.length > 0 ? `; could not restore: ${failures.join(", ")}` : "";
    return `restored the tracing state left by ${who}, which was killed (${done} setting${done === 1 ? "" : "s"} put back)${failed}`;
  });
}
