// Off-CPU intervals: from a thread's switch-out to the moment it runs again, normally its next switch-in.
// Kernels can leave switch-ins out. On this project's VM (a 6.18 Firecracker build) sched_switch from the
// idle task is never emitted on CPU 1, by ftrace or by perf, while CPU 0 emits every one. A thread that
// ran without a switch-in in the file shows it by its own events (its next switch-out, a sample taken
// while it ran, a wake-up it made). Its wait then ends at the wake-up that made it runnable: the
// switch-ins seen missing are those from idle, and a task woken onto an idle CPU runs at once. With no
// wake-up either (a preempted thread, or a file recorded without sched_wakeup) the end is unknown: the
// interval is not charged and is counted instead.

interface Wait<T> {
  open: boolean;
  startTs: number;
  /** The first wake-up after the switch-out, or -1. */
  wokenTs: number;
  data: T | undefined;
}

/**
 * Pairs each thread's switch-out with the end of its wait (timestamps in ns); `charge` gets each closed
 * interval, `atWakeup` true when it ended at the wake-up for want of a switch-in.
 */
export class OffCpuTracker<T> {
  // One entry per thread, reused from wait to wait (no allocation per switch).
  private readonly waits = new Map<number, Wait<T>>();
  private opened = 0;
  /** Intervals closed at the wake-up because the thread ran with no switch-in in the file. */
  endedAtWakeup = 0;
  /** Intervals dropped: the thread ran, and neither its switch-in nor its wake-up is in the file. */
  endUnknown = 0;

  constructor(private readonly charge: (data: T, startTs: number, endTs: number, atWakeup: boolean) => void) {}

  /** sched_switch at `ts`: `prev` leaves the CPU (its wait starts; `data` undefined: not tracked), `next` comes in. */
  switched(ts: number, prev: number, next: number, data: T | undefined): void {
    const back = next === 0 ? undefined : this.waits.get(next);
    if (back !== undefined && back.open) this.close(back, ts, false);
    if (prev === 0) return;
    this.ran(prev);
    if (data === undefined) return;
    let w = this.waits.get(prev);
    if (w === undefined) {
      w = { open: false, startTs: 0, wokenTs: -1, data: undefined };
      this.waits.set(prev, w);
    }
    w.open = true;
    w.startTs = ts;
    w.wokenTs = -1;
    w.data = data;
    this.opened++;
  }

  /** sched_wakeup of `tid` at `ts`. */
  woken(ts: number, tid: number): void {
    const w = this.waits.get(tid);
    if (w !== undefined && w.open && w.wokenTs < 0) w.wokenTs = ts;
  }

  /** An event in `tid`'s own context (its common_pid): it is on a CPU now, so its wait is over. */
  ran(tid: number): void {
    const w = tid === 0 ? undefined : this.waits.get(tid);
    if (w === undefined || !w.open) return;
    if (w.wokenTs >= 0) {
      this.endedAtWakeup++;
      this.close(w, w.wokenTs, true);
      return;
    }
    this.endUnknown++;
    w.open = false;
    w.data = undefined;
    this.opened--;
  }

  /** Waits still open (not charged). */
  get openCount(): number {
    return this.opened;
  }

  private close(w: Wait<T>, endTs: number, atWakeup: boolean): void {
    const data = w.data as T;
    w.open = false;
    w.data = undefined;
    this.opened--;
    this.charge(data, w.startTs, endTs, atWakeup);
  }
}
