// Scheduling facts from sched_switch and the wakeup events: sched_slice (a thread's run on a CPU, from its
// switch-in to its switch-out) and thread_state (Running / runnable "R" / the prev_state it left in).
// State is per CPU and per utid in flat arrays; nothing grows with the number of events. A switch-in from
// idle that the file lacks (this project's VM never emits them on CPU 1) is put at the thread's wake-up,
// as off-CPU stacks do it (off-cpu.ts).
import type { RawRecord } from "../ringbuf/index.js";
import type { TraceFile } from "../tracedat/index.js";
import { findEvent, hasFields, numberField } from "./bind.js";
import type { HandlerTable, ModelSink } from "./facts.js";
import { OffCpuTracker } from "./off-cpu.js";
import { compilePrevState } from "./prev-state.js";
import type { ThreadTable } from "./threads.js";

const RUNNING = "Running";

/** Pairs sched_switch events per CPU and tracks each thread's state; call finish() at the end. */
export class SchedTracker {
  // Per CPU: the switch-in time of the running thread (-1: none seen yet), its utid and priority.
  private readonly cpuStart: number[] = [];
  private readonly cpuUtid: number[] = [];
  private readonly cpuPrio: number[] = [];
  // Per CPU: the pid running there as far as the file says (0: idle).
  private readonly cpuPid: number[] = [];
  // Per utid: when its current state began (-1: unknown), the state and its CPU.
  private readonly stStart: number[] = [];
  private readonly stState: string[] = [];
  private readonly stCpu: number[] = [];
  // Each thread's wait; `ranFrom` is set while a switch is handled when its thread's switch-in is missing.
  private readonly waits = new OffCpuTracker<true>((_data, _start, end, atWakeup) => {
    if (atWakeup) this.ranFrom = end;
  });
  private ranFrom = -1;

  constructor(
    trace: TraceFile,
    private readonly threads: ThreadTable,
    private readonly sink: ModelSink,
    handlers: HandlerTable,
  ) {
    const sw = findEvent(trace, "sched", "sched_switch");
    if (hasFields(sw, "prev_pid", "prev_state", "next_pid", "next_prio")) {
      const prevPid = numberField(trace, sw, "prev_pid");
      const prevState = numberField(trace, sw, "prev_state");
      const nextPid = numberField(trace, sw, "next_pid");
      const nextPrio = numberField(trace, sw, "next_prio");
      const prevPrio = hasFields(sw, "prev_prio") ? numberField(trace, sw, "prev_prio") : nextPrio;
      const stateText = compilePrevState(sw.printFmt);
      handlers.add(sw, (rec) => this.onSwitch(rec, prevPid(rec), stateText(prevState(rec)), nextPid(rec), nextPrio(rec), prevPrio(rec)));
    }
    for (const name of ["sched_waking", "sched_wakeup", "sched_wakeup_new"]) {
      const ev = findEvent(trace, "sched", name);
      if (!hasFields(ev, "pid")) continue;
      const pid = numberField(trace, ev, "pid");
      const ends = name === "sched_wakeup";
      handlers.add(ev, (rec) => {
        const p = pid(rec);
        if (ends) this.waits.woken(rec.ts, p);
        this.onWakeup(rec.ts, p);
      });
    }
  }

  private setState(utid: number, ts: number, state: string, cpu: number): void {
    const start = this.stStart[utid];
    if (start !== undefined && start >= 0) {
      if (this.stState[utid] === state) return;
      this.sink.threadState?.(start, ts - start, utid, this.stState[utid]!, this.stCpu[utid]!);
    }
    this.stStart[utid] = ts;
    this.stState[utid] = state;
    this.stCpu[utid] = cpu;
  }

  private onSwitch(rec: RawRecord, prevPid: number, endState: string, nextPid: number, nextPrio: number, prevPrio: number): void {
    const ts = rec.ts;
    const cpu = rec.cpu;
    const threads = this.threads;
    let start = this.cpuStart[cpu];
    this.ranFrom = -1;
    this.waits.switched(ts, prevPid, nextPid, prevPid === 0 ? undefined : true);
    const ranFrom = this.ranFrom;
    if (ranFrom >= 0 && this.cpuPid[cpu] === 0 && start !== undefined && start >= 0 && start <= ranFrom) {
      // The CPU was idle until prev's wake-up, and prev ran from then on.
      this.sink.schedSlice?.(start, ranFrom - start, cpu, this.cpuUtid[cpu]!, "R", this.cpuPrio[cpu]!);
      start = ranFrom;
      const u = threads.utidOf(prevPid);
      this.cpuUtid[cpu] = u;
      this.cpuPrio[cpu] = prevPrio;
      if (this.stStart[u] === ranFrom) {
        this.stState[u] = RUNNING;
        this.stCpu[u] = cpu;
      } else this.setState(u, ranFrom, RUNNING, cpu);
    }
    if (start !== undefined && start >= 0) {
      this.sink.schedSlice?.(start, ts - start, cpu, this.cpuUtid[cpu]!, endState, this.cpuPrio[cpu]!);
    }
    const next = threads.utidOf(nextPid);
    this.cpuStart[cpu] = ts;
    this.cpuUtid[cpu] = next;
    this.cpuPrio[cpu] = nextPrio;
    this.cpuPid[cpu] = nextPid;
    // The idle task is one tid per CPU: it has no thread states of its own.
    if (prevPid !== 0) this.setState(threads.utidOf(prevPid), ts, endState, -1);
    if (nextPid !== 0) this.setState(next, ts, RUNNING, cpu);
  }

  private onWakeup(ts: number, pid: number): void {
    if (pid === 0) return;
    const u = this.threads.utidOf(pid);
    const s = this.stState[u];
    if (s === RUNNING || (s !== undefined && s.charCodeAt(0) === 82 /* R */)) return;
    this.setState(u, ts, "R", -1);
  }

  /** Emits what is still open at the end with dur -1 (as Perfetto does). */
  finish(): void {
    this.cpuStart.forEach((start, cpu) => {
      if (start >= 0) this.sink.schedSlice?.(start, -1, cpu, this.cpuUtid[cpu]!, null, this.cpuPrio[cpu]!);
    });
    this.stStart.forEach((start, utid) => {
      if (start >= 0) this.sink.threadState?.(start, -1, utid, this.stState[utid]!, this.stCpu[utid]!);
    });
  }
}
