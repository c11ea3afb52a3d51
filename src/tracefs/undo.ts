// LIFO of inverse tracefs operations (style.md §4 "Kernel state"): every setter pushes how to put back
// what it changed; finally blocks and signal handlers unwind it.

/** A stack of undo operations, run last-in first-out. */
export class UndoStack {
  #ops: { description: string; undo: () => Promise<void> }[] = [];

  /** Records how to undo one change; `description` names the change for failure reports. */
  push(description: string, undo: () => Promise<void>): void {
    this.#ops.push({ description, undo });
  }

  /** Number of pending undo operations. */
  get size(): number {
    return this.#ops.length;
  }

  /** Runs every pending undo (newest first) and empties the stack; returns one line per failure, never throws. */
  async unwind(): Promise<string[]> {
    const failures: string[] = [];
    while (this.#ops.length > 0) {
      const op = this.#ops.pop()!;
      try {
        await op.undo();
      } catch (e) {
        failures.push(`${op.description}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return failures;
  }
}
