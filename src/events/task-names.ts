// Task names by pid: saved_cmdlines plus the names the sched plugins learn (ring-buffer-and-events.md §6.2).

/** pid -> comm table. */
export class TaskNames {
  private readonly map = new Map<number, string>();
  /** Counts the names added after parse(): a cache of comm() answers is valid while it is unchanged. */
  generation = 0;

  /** Parses saved_cmdlines text (`<pid> <comm>` per line). */
  static parse(savedCmdlines: string): TaskNames {
    const t = new TaskNames();
    for (const line of savedCmdlines.split("\n")) {
      const m = /^\s*(-?\d+) (.*)$/.exec(line);
      if (!m) continue;
      t.map.set(Number(m[1]), m[2]!);
    }
    return t;
  }

  /** `<idle>` for pid 0, the known name, or `<...>` when unknown. */
  comm(pid: number): string {
    if (pid === 0) return "<idle>";
    return this.map.get(pid) ?? "<...>";
  }

  /** The known name of pid, or undefined. */
  find(pid: number): string | undefined {
    return this.map.get(pid);
  }

  /** Sets a name that replaces any earlier one (a live task's name from /proc: it changes at exec). */
  rename(pid: number, comm: string): void {
    if (this.map.get(pid) !== comm) {
      this.map.set(pid, comm);
      this.generation++;
    }
  }

  /** Adds a name; an existing entry is not overwritten. */
  register(pid: number, comm: string): void {
    if (!this.map.has(pid)) {
      this.map.set(pid, comm);
      this.generation++;
    }
  }
}
