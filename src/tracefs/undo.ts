// LIFO of inverse tracefs operations (style.md §4 "Kernel state"): every setter pushes how to put back
// what it changed, before it changes it; finally blocks and signal handlers unwind it. Each push is also
// appended to a journal under /run/ftk (journal.ts), so that a process killed with SIGKILL can be undone
// by the next ftk command.
import { testPause } from "../base/index.js";
import { Journal } from "./journal.js";
import type { UndoStep } from "./journal.js";

export type { UndoStep } from "./journal.js";

/** How a change is undone, beyond its closure. */
export interface UndoPushOptions {
  /** The same undo as data, so that the journal can replay it after a SIGKILL. */
  step?: UndoStep;
  /** ftk's own bookkeeping (tracing_on off during setup, its own pid filter): undone even with -k. */
  own?: boolean;
}

interface UndoOp {
  id: number;
  description: string;
  undo: () => Promise<void>;
  own: boolean;
}

/** A stack of undo operations, run last-in first-out, journaled under /run/ftk while pending. */
export class UndoStack {
  #ops: UndoOp[] = [];
  #nextId = 1;
  #journal: Journal | undefined | null;
  readonly #journaled: boolean;

  /** `journal: false` keeps the stack in memory only (tests of the stack itself). */
  constructor(options: { journal?: boolean } = {}) {
    this.#journaled = options.journal ?? true;
  }

  /**
   * Records how to undo one change; call it before making the change. `description` names the change
   * for failure reports. Returns a function that drops this entry (the change failed and left nothing).
   */
  push(description: string, undo: () => Promise<void>, options: UndoPushOptions = {}): () => void {
    const op: UndoOp = { id: this.#nextId++, description, undo, own: options.own ?? false };
    this.#ops.push(op);
    this.#journalOf()?.pushed(op.id, description, options.step, op.own);
    return () => {
      const i = this.#ops.indexOf(op);
      if (i < 0) return;
      this.#ops.splice(i, 1);
      this.#journal?.done(op.id);
      this.#closeIfEmpty();
    };
  }

  /** Number of pending undo operations. */
  get size(): number {
    return this.#ops.length;
  }

  /** The journal file of this stack, or undefined (not created yet, or journaling is off or impossible). */
  get journalPath(): string | undefined {
    return this.#journal?.path;
  }

  /**
   * Runs every pending undo (newest first) and empties the stack; returns one line per failure, never
   * throws. With `ownOnly` (record -k) only ftk's own bookkeeping is undone and the rest is forgotten.
   */
  async unwind(options: { ownOnly?: boolean } = {}): Promise<string[]> {
    return this.#unwindDownTo(0, options.ownOnly === true, true);
  }

  /**
   * Runs the undos pushed after the stack had `size` entries (newest first), leaving the older ones: a
   * session restores what no longer matters early, so that its kernel waits overlap other work. Returns
   * one line per failure, never throws. Call unwind() afterwards for the rest, as always.
   */
  unwindTo(size: number): Promise<string[]> {
    return this.#unwindDownTo(size, false, false);
  }

  /** Pops and runs undos down to `size` entries; `pause`: the test pause after the first (kill -9 tests). */
  async #unwindDownTo(size: number, ownOnly: boolean, pause: boolean): Promise<string[]> {
    const failures: string[] = [];
    let first = pause;
    while (this.#ops.length > size) {
      const op = this.#ops.pop()!;
      if (!ownOnly || op.own) {
        try {
          await op.undo();
        } catch (e) {
          failures.push(`${op.description}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      this.#journal?.done(op.id);
      if (first) {
        first = false;
        if (this.#ops.length > size) await testPause("restore");
      }
    }
    this.#closeIfEmpty();
    return failures;
  }

  /** Forgets every pending undo without running it (the changes are meant to stay, as with `ftk start`). */
  discard(): void {
    this.#ops = [];
    this.#closeIfEmpty();
  }

  #journalOf(): Journal | undefined {
    if (this.#journal === undefined) this.#journal = this.#journaled ? (Journal.create() ?? null) : null;
    return this.#journal ?? undefined;
  }

  #closeIfEmpty(): void {
    if (this.#ops.length > 0 || !this.#journal) return;
    this.#journal.remove();
    this.#journal = undefined;
  }
}
