// Task names as trace-cmd's library resolves them after it registered names from events as well as from
// saved_cmdlines: every registration is kept (duplicates too), newest first, then sorted by pid (a stable
// merge sort, as glibc 2.36's qsort) and searched by halving. Which of several names of one pid wins is
// that search's first hit, so `hist` names tasks as trace-cmd does.

/** Names registered for pids, looked up the way libtraceevent's array search finds them. */
export class CommList {
  private readonly pids: number[] = [];
  private readonly comms: string[] = [];
  private sorted: { pids: Int32Array; comms: string[] } | undefined;

  /** saved_cmdlines text: `pid comm` per line; parsing stops at the first line that does not fit. */
  static parse(savedCmdlines: string): CommList {
    const list = new CommList();
    for (const line of savedCmdlines.split("\n")) {
      if (line === "") continue;
      const m = /^\s*([-+]?\d+)\s+([^\n]+)/.exec(line);
      if (m === null) break;
      list.register(Number(m[1]) | 0, m[2]!);
    }
    return list;
  }

  register(pid: number, comm: string): void {
    this.pids.push(pid);
    this.comms.push(comm);
    this.sorted = undefined;
  }

  /** `<idle>` for pid 0, the name found, or `<...>`. */
  comm(pid: number): string {
    if (pid === 0) return "<idle>";
    const s = (this.sorted ??= this.sort());
    let lo = 0;
    let hi = s.pids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = s.pids[mid]!;
      if (pid < p) hi = mid;
      else if (pid > p) lo = mid + 1;
      else return s.comms[mid]!;
    }
    return "<...>";
  }

  private sort(): { pids: Int32Array; comms: string[] } {
    // Newest first, then a stable sort by pid.
    const order = Array.from({ length: this.pids.length }, (_, i) => this.pids.length - 1 - i);
    order.sort((a, b) => this.pids[a]! - this.pids[b]!);
    return { pids: Int32Array.from(order, (i) => this.pids[i]!), comms: order.map((i) => this.comms[i]!) };
  }
}
