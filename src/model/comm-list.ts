// Task names as trace-cmd's library resolves them after it registered names from events as well as from
// saved_cmdlines: every registration is kept (duplicates too), newest first, then sorted by pid (a stable
// merge sort, as glibc 2.36's qsort) and searched by halving. Which of several names of one pid wins is
// that search's first hit, so `hist` names tasks as trace-cmd does. Unlike TaskNames (report), every
// registration is kept, after a lookup too.
import { halvingSearch, newestFirstByPid } from "../events/index.js";

/** Names registered for pids, looked up the way libtraceevent's array search finds them. */
export class CommList {
  private readonly pids: number[] = [];
  private readonly comms: string[] = [];
  private sorted: { pids: number[]; comms: string[] } | undefined;

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
    const s = (this.sorted ??= newestFirstByPid(this.pids, this.comms));
    const i = halvingSearch(s.pids, pid);
    return i < 0 ? "<...>" : s.comms[i]!;
  }
}
