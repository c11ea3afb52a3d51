// Task names by pid: saved_cmdlines plus the names the sched plugins learn (ring-buffer-and-events.md §6.2),
// resolved as trace-cmd's library resolves them. Until the first lookup of a pid other than 0, every name
// registered is kept, duplicates too; that lookup sorts them by pid, newest first among equals (a stable
// merge sort, as glibc 2.36's qsort), and each lookup then takes the first hit of a search by halving.
// Later names are added only for pids the search does not find. So when a sched_switch printed before any
// lookup names a pid that saved_cmdlines also names (a shell that became `sleep`), which name wins depends
// on where the search lands, as in trace-cmd.

/** pid -> comm table. */
export class TaskNames {
  /** Before the first lookup: every registration, in order. */
  private listPids: number[] = [];
  private listComms: string[] = [];
  /** After it: sorted by pid (see above). */
  private pids: number[] | undefined;
  private comms: string[] = [];
  /** Answers of the search, by pid (null: not found), until the table changes. */
  private readonly found = new Map<number, string | null>();
  /** Counts the names added after parse(): a cache of comm() answers is valid while it is unchanged. */
  generation = 0;

  /** Parses saved_cmdlines text (`<pid> <comm>` per line). */
  static parse(savedCmdlines: string): TaskNames {
    const t = new TaskNames();
    for (const line of savedCmdlines.split("\n")) {
      const m = /^\s*(-?\d+) (.*)$/.exec(line);
      if (!m) continue;
      t.listPids.push(Number(m[1]));
      t.listComms.push(m[2]!);
    }
    return t;
  }

  /** `<idle>` for pid 0, the known name, or `<...>` when unknown. */
  comm(pid: number): string {
    if (pid === 0) return "<idle>";
    return this.search(pid) ?? "<...>";
  }

  /** The known name of pid, or undefined. */
  find(pid: number): string | undefined {
    return this.search(pid);
  }

  /** Sets a name that replaces any earlier one (a live task's name from /proc: it changes at exec). */
  rename(pid: number, comm: string): void {
    if (this.search(pid) === comm) return;
    const pids = this.pids!;
    let any = false;
    for (let i = 0; i < pids.length; i++) {
      if (pids[i] === pid) {
        this.comms[i] = comm;
        any = true;
      }
    }
    if (!any) this.insert(pid, comm);
    this.found.clear();
    this.generation++;
  }

  /** Adds a name: before the first lookup always (duplicates too), after it only for a pid not found. */
  register(pid: number, comm: string): void {
    if (this.pids === undefined) {
      this.listPids.push(pid);
      this.listComms.push(comm);
      this.generation++;
      return;
    }
    if (pid === 0 || this.search(pid) !== undefined) return;
    this.insert(pid, comm);
    this.found.clear();
    this.generation++;
  }

  /** The first hit of a search by halving over the sorted table (made on first use), or undefined. */
  private search(pid: number): string | undefined {
    const known = this.found.get(pid);
    if (known !== undefined) return known ?? undefined;
    if (this.pids === undefined) {
      ({ pids: this.pids, comms: this.comms } = newestFirstByPid(this.listPids, this.listComms));
      this.listPids = [];
      this.listComms = [];
    }
    const i = halvingSearch(this.pids, pid);
    const name = i < 0 ? null : this.comms[i]!;
    this.found.set(pid, name);
    return name ?? undefined;
  }

  /** Adds a pid the table does not have, after any equal ones (a stable sort of the table with it last). */
  private insert(pid: number, comm: string): void {
    const pids = this.pids!;
    let lo = 0;
    let hi = pids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pids[mid]! <= pid) lo = mid + 1;
      else hi = mid;
    }
    pids.splice(lo, 0, pid);
    this.comms.splice(lo, 0, comm);
  }
}

/**
 * Registrations (pids and names in the order registered) as libtraceevent's table holds them: newest
 * first, then stably sorted by pid. Shared with model/comm-list.ts.
 */
export function newestFirstByPid(pids: readonly number[], comms: readonly string[]): { pids: number[]; comms: string[] } {
  const n = pids.length;
  const order = Array.from({ length: n }, (_, i) => n - 1 - i);
  order.sort((a, b) => pids[a]! - pids[b]!);
  return { pids: order.map((i) => pids[i]!), comms: order.map((i) => comms[i]!) };
}

/** The index a search by halving (glibc's bsearch) first finds `pid` at in sorted `pids`, or -1. */
export function halvingSearch(pids: ArrayLike<number>, pid: number): number {
  let lo = 0;
  let hi = pids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const p = pids[mid]!;
    if (pid < p) hi = mid;
    else if (pid > p) lo = mid + 1;
    else return mid;
  }
  return -1;
}
