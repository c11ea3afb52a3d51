// Off-CPU intervals: from a thread's switch-out to the moment it runs again, normally its next switch-in.
// Kernels can leave switch-ins out. On this project's VM (a 6.18 Firecracker build) sched_switch from the
// idle task is never emitted on CPU 1, by ftrace or by perf, while CPU 0 emits every one. A thread that
// ran without a switch-in in the file shows it by its own events (its next switch-out, a sample taken
// while it ran, a wake-up it made). Its wait then ends at the wake-up that made it runnable: the
// switch-ins seen missing are those from idle, and a task woken onto an idle CPU runs at once. With no
// wake-up either (a preempted thread, or a file recorded without sched_wakeup) the end is unknown: the
// interval is not charged and is counted instead.

interface Open<T> {
  startTs: bigint;
  /** The first wake-up after the switch-out, or -1n. */
  wokenTs: bigint;
  data: T;
}

/** Pairs each thread's switch-out with the end of its wait; `charge` gets each closed interval. */
export class OffCpuTracker<T> {
  private readonly open = new Map<number, Open<T>>();
  /** Intervals closed at the wake-up because the thread ran with no switch-in in the file. */
  endedAtWakeup = 0;
  /** Intervals dropped: the thread ran, and neither its switch-in nor its wake-up is in the file. */
  endUnknown = 0;

  constructor(private readonly charge: (data: T, startTs: bigint, endTs: bigint) => void) {}

  /** sched_switch at `ts`: `prev` leaves the CPU (its wait starts; `data` undefined: not tracked), `next` comes in. */
  switched(ts: bigint, prev: number, next: number, data: T | undefined): void {
    const back = next === 0 ? undefined : this.open.get(next);
    if (back !== undefined) {
      this.open.delete(next);
      this.charge(back.data, back.startTs, ts);
    }
    if (prev === 0) return;
    this.ran(prev);
    if (data !== undefined) this.open.set(prev, { startTs: ts, wokenTs: -1n, data });
  }

  /** sched_wakeup of `tid` at `ts`. */
  woken(ts: bigint, tid: number): void {
    const o = this.open.get(tid);
    if (o !== undefined && o.wokenTs < 0n) o.wokenTs = ts;
  }

  /** An event in `tid`'s own context (its common_pid): it is on a CPU now, so its wait is over. */
  ran(tid: number): void {
    const o = tid === 0 ? undefined : this.open.get(tid);
    if (o === undefined) return;
    this.open.delete(tid);
    if (o.wokenTs < 0n) {
      this.endUnknown++;
      return;
    }
    this.endedAtWakeup++;
    this.charge(o.data, o.startTs, o.wokenTs);
  }

  /** Waits still open (not charged). */
  get openCount(): number {
    return this.open.size;
  }
}
