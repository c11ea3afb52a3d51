// Threads and processes of one trace (Perfetto's thread/process tables): a utid per tid on first sight,
// names from saved_cmdlines and from the events that carry comms (fork, newtask, rename, exec, sched_switch),
// and a process per tgid where an event tells it (task_newtask clone flags, exec). One utid per tid: a tid
// reused by the kernel within one trace keeps its utid (the name is the last one seen).
import type { TaskNames } from "../events/index.js";

/** One thread: utid is its index in ThreadTable.threads. */
export interface ThreadInfo {
  utid: number;
  tid: number;
  /** Last comm seen (saved_cmdlines when no event named it), or undefined. */
  name: string | undefined;
  /** Its process, when known. */
  upid: number | undefined;
}

/** One process: upid is its index in ThreadTable.processes. */
export interface ProcessInfo {
  upid: number;
  pid: number;
  /** The name of its main thread, when known. */
  name: string | undefined;
}

/** linux/sched.h CLONE_THREAD: the new task shares its creator's thread group. */
export const CLONE_THREAD = 0x10000;

/** Threads and processes learned from one trace; tid 0 (the idle task) is utid 0, as in Perfetto. */
export class ThreadTable {
  readonly threads: ThreadInfo[] = [];
  readonly processes: ProcessInfo[] = [];
  private readonly utids = new Map<number, number>();
  private readonly upids = new Map<number, number>();

  constructor(private readonly savedNames?: TaskNames) {
    this.utidOf(0);
  }

  /** The utid of `tid`, made on first use. */
  utidOf(tid: number): number {
    let u = this.utids.get(tid);
    if (u === undefined) {
      u = this.threads.length;
      const name = tid === 0 ? "swapper" : this.savedNames?.find(tid);
      this.threads.push({ utid: u, tid, name, upid: undefined });
      this.utids.set(tid, u);
    }
    return u;
  }

  /** The utid of `tid` if it was seen, else undefined. */
  findUtid(tid: number): number | undefined {
    return this.utids.get(tid);
  }

  /** Records the comm of `tid` (the latest name wins). */
  setName(tid: number, name: string): void {
    if (tid === 0 || name === "") return;
    this.threads[this.utidOf(tid)]!.name = name;
  }

  /** The upid of process `pid`, made on first use (its main thread gets that upid too). */
  upidOf(pid: number): number {
    let p = this.upids.get(pid);
    if (p === undefined) {
      p = this.processes.length;
      this.processes.push({ upid: p, pid, name: undefined });
      this.upids.set(pid, p);
      this.threads[this.utidOf(pid)]!.upid = p;
    }
    return p;
  }

  /** Records that `tid` belongs to the thread group `tgid`. */
  setTgid(tid: number, tgid: number): void {
    if (tid === 0) return;
    const p = this.upidOf(tgid);
    this.threads[this.utidOf(tid)]!.upid = p;
  }

  /** Fills each process name from its main thread; call once the trace is read. */
  finish(): void {
    for (const p of this.processes) p.name = this.threads[this.utidOf(p.pid)]!.name;
  }
}
